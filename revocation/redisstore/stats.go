package redisstore

import "github.com/jwtguard/jwtguard/internal/statsx"

// The exporters (the prometheus and otel modules) read the local copy's
// size and how long ago it was synced through statsx.
func init() {
	prev := statsx.ReadRevocation
	statsx.ReadRevocation = func(x any) (statsx.Revocation, bool) {
		s, ok := x.(*Store)
		if !ok || s == nil {
			return prev(x)
		}
		age := s.o.now().Sub(*s.lastSync.Load())
		return statsx.Revocation{Store: s, Entries: s.state.Len(), MaxEntries: s.o.maxEntries,
			Shared: true, SyncAge: age, Stale: age > s.o.staleness}, true
	}
}
