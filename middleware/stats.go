package middleware

import "github.com/jwtguard/jwtguard/internal/statsx"

func init() {
	statsx.Read = func(x any) (statsx.Verifier, bool) {
		v, ok := x.(*Verifier)
		if !ok || v == nil {
			return statsx.Verifier{}, false
		}
		return v.stats(), true
	}
}

// stats reads the verifier's state for an exporter: each issuer's key
// set (age on the key cache's clock), the cache's fill and the
// revocation store's state. It takes no
// lock a request takes but the cache writers' mutex, briefly.
func (v *Verifier) stats() statsx.Verifier {
	now := v.cfg.mono()
	var s statsx.Verifier
	for _, is := range v.issuers {
		st := statsx.Issuer{URL: is.url}
		if r := is.remote; r != nil {
			st.Remote = true
			if set := r.set.Load(); set != nil {
				st.HaveKeys, st.Age, st.Keys = true, now.Sub(set.fetched), len(set.all)
				st.Stale = st.Age > v.cfg.maxStale
			}
		} else if is.static != nil {
			st.HaveKeys, st.Keys = true, len(is.static.all)
		}
		s.Issuers = append(s.Issuers, st)
	}
	if c := v.cache; c != nil {
		c.mu.Lock()
		s.CacheEntries, s.CacheBytes = c.n, c.bytes
		s.CacheMaxEntries, s.CacheMaxBytes = c.maxCount, c.maxBytes
		c.mu.Unlock()
	}
	if v.cfg.revocations != nil {
		if r, ok := statsx.ReadRevocation(v.cfg.revocations); ok {
			s.Revocation = &r
		}
	}
	return s
}
