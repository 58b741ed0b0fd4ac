package revocation

import "github.com/jwtguard/jwtguard/internal/statsx"

// The exporters (the prometheus and otel modules) read how many
// revocations a Memory holds through statsx.
func init() {
	prev := statsx.ReadRevocation
	statsx.ReadRevocation = func(x any) (statsx.Revocation, bool) {
		m, ok := x.(*Memory)
		if !ok || m == nil {
			return prev(x)
		}
		return statsx.Revocation{Store: m, Entries: m.state.Len(), MaxEntries: m.o.maxEntries}, true
	}
}
