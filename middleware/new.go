package middleware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// New builds a Verifier for one or more issuers. It validates the whole
// configuration and returns an error rather than weaken a check. Unless
// RemoteKeys.StartupFetch is set, remote keys are fetched in the background and
// New does no I/O.
func New(issuers []Issuer, opts ...Option) (*Verifier, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if len(issuers) == 0 {
		return nil, errors.New("jwtguard: at least one issuer is required")
	}
	v := &Verifier{cfg: cfg, client: cfg.client, issuers: make(map[string]*issuerState, len(issuers)),
		cache: newTokenCache(cfg.cacheEntries, cfg.cacheBytes), headers: jose.NewHeaders(),
		noCredential: noCredential(cfg.sources), started: cfg.mono()}
	if v.client == nil {
		v.client, v.ownClient = defaultHTTPClient(), true
	} else {
		v.client = withRedirectPolicy(v.client)
	}
	if v.cfg.logger == nil {
		v.cfg.logger = slog.Default()
	}
	global, err := v.globalAlgorithms(issuers)
	if err != nil {
		return nil, err
	}
	for a := range global {
		if alg, ok := jose.LookupAlg(a); ok { // a secret's unknown algorithm fails with its issuer below
			v.algs = v.algs.Add(alg)
		}
	}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	for i := range issuers {
		st, err := v.newIssuer(&issuers[i], global)
		if err != nil {
			v.cancel()
			return nil, fmt.Errorf("jwtguard: issuer %q: %w", issuers[i].URL, err)
		}
		if _, dup := v.issuers[st.url]; dup {
			v.cancel()
			return nil, fmt.Errorf("jwtguard: issuer %q configured twice", st.url)
		}
		v.issuers[st.url] = st
		v.urls = append(v.urls, st.url)
		if st.remote != nil {
			v.remotes = append(v.remotes, st.remote)
		}
		if len(issuers) == 1 {
			v.only = st
		}
	}
	if cfg.startupFetch {
		for _, r := range v.remotes {
			c := r.refresh(v.ctx, false)
			<-c.done
			if c.err != nil {
				v.Close()
				return nil, fmt.Errorf("jwtguard: issuer %q: fetching keys: %w", r.issuer, c.err)
			}
		}
	}
	for _, r := range v.remotes {
		v.wg.Add(1)
		go r.run()
	}
	return v, nil
}

func (c *config) validate() error {
	switch {
	case c.leeway < 0 || c.leeway > 5*time.Minute:
		return errors.New("jwtguard: leeway must be between 0 and 5 minutes")
	case c.maxTokenSize <= 0:
		return errors.New("jwtguard: max token size must be positive")
	case len(c.sources) == 0:
		return errors.New("jwtguard: at least one token source is required")
	case slices.Contains(c.sources, nil):
		return errors.New("jwtguard: nil token source")
	case c.now == nil || c.mono == nil:
		return errors.New("jwtguard: nil clock")
	case c.refreshInterval <= 0, c.minRefresh <= 0, c.maxRefresh < c.minRefresh, c.kidRefresh <= 0,
		c.fetchTimeout <= 0, c.maxWait <= 0, c.maxStale <= 0:
		return errors.New("jwtguard: RemoteKeys durations must be positive (and MinRefresh ≤ MaxRefresh)")
	case c.maxJWKSSize <= 0:
		return errors.New("jwtguard: RemoteKeys.MaxResponseSize must be positive")
	case c.maxAge < 0:
		return errors.New("jwtguard: max token age must not be negative")
	}
	// A revocation store that compares iat with a cutoff must allow at
	// least the verifier's leeway, or a token minted just before a logout
	// by an issuer whose clock runs ahead passes.
	if s, ok := c.revocations.(interface{ Leeway() time.Duration }); ok && s.Leeway() < c.leeway {
		return fmt.Errorf("jwtguard: the revocation store allows a leeway of %v, shorter than the verifier's %v: "+
			"give the store the verifier's leeway (revocation.WithLeeway)", s.Leeway(), c.leeway)
	}
	return nil
}

// globalAlgorithms validates the allowlist. By default it is every
// asymmetric algorithm plus the algorithm of each configured secret.
func (v *Verifier) globalAlgorithms(issuers []Issuer) (map[string]bool, error) {
	out := map[string]bool{}
	if v.cfg.algorithmsSet {
		for _, a := range v.cfg.algorithms {
			if _, ok := jose.LookupAlg(a); !ok {
				return nil, fmt.Errorf("jwtguard: unsupported algorithm %q", a)
			}
			out[a] = true
		}
		if len(out) == 0 {
			return nil, errors.New("jwtguard: empty algorithm allowlist")
		}
		return out, nil
	}
	for _, a := range jose.AsymmetricAlgorithms {
		out[a] = true
	}
	for _, is := range issuers {
		for _, k := range is.Keys {
			if k.Secret != nil {
				out[k.Algorithm] = true
			}
		}
	}
	return out, nil
}

func (v *Verifier) newIssuer(is *Issuer, global map[string]bool) (*issuerState, error) {
	if is.URL == "" {
		return nil, errors.New("URL is required")
	}
	if strings.Contains(is.URL, "/.well-known/openid-configuration") || strings.Contains(is.URL, "/.well-known/oauth-authorization-server") {
		return nil, fmt.Errorf("URL %q is a discovery document's address: give the issuer identifier, the document's \"issuer\" member exactly (tokens carry it as iss)", clip(is.URL))
	}
	st := &issuerState{
		url: is.URL, audiences: slices.Clone(is.Audiences), clients: slices.Clone(is.ClientIDs),
		skipAud: is.SkipAudienceCheck,
	}
	switch {
	case len(st.audiences) == 0 && !st.skipAud:
		return nil, errors.New("at least one audience is required (RFC 9068 §4, RFC 8725 §3.9)")
	case st.skipAud && len(st.clients) == 0:
		return nil, errors.New("SkipAudienceCheck requires ClientIDs")
	case slices.Contains(st.audiences, ""), slices.Contains(st.clients, ""):
		return nil, errors.New("empty audience or client ID")
	}
	if len(is.Keys) > 0 {
		if is.JWKSURL != "" {
			return nil, errors.New("set Keys or JWKSURL, not both")
		}
		set, err := staticKeySet(is.Keys)
		if err != nil {
			return nil, err
		}
		for a := range global {
			alg, ok := jose.LookupAlg(a)
			if !ok {
				continue
			}
			for _, k := range set.all {
				if k.Accepts(alg) {
					st.algs = st.algs.Add(alg)
				}
			}
		}
		for _, k := range set.all {
			if k.Family == jose.FamilyHMAC && !global[k.Alg] {
				return nil, fmt.Errorf("secret key algorithm %s is not in the algorithm allowlist", k.Alg)
			}
		}
		st.static = set
	} else {
		u := is.JWKSURL
		if u == "" {
			u = is.URL
		}
		if err := checkKeyURL(u, v.cfg.insecureHTTP); err != nil {
			return nil, err
		}
		// Remote key sets never carry secrets: HS* is impossible for them.
		for a := range global {
			if alg, ok := jose.LookupAlg(a); ok && alg.Family != jose.FamilyHMAC {
				st.algs = st.algs.Add(alg)
			}
		}
		st.remote = newKeyFetcher(v, is.URL, is.JWKSURL)
	}
	if st.algs == 0 {
		return nil, errors.New("no allowed algorithm fits this issuer's keys")
	}
	return st, nil
}
