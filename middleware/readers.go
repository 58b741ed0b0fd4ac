package middleware

import (
	"slices"

	"github.com/jwtguard/jwtguard/internal/claimsx"
)

// Claims readers (internal/claimsx): a role mapper attached to a verifier
// reads its claims from what the verification's one scan of the payload
// found, once per verification, and what it read stays with the verified
// claims and their cache entry, so a cache hit maps nothing.

// The bounds on what a verifier reads for its readers: a reader beyond
// them reads the payload itself (claimsx.Attach reports false).
const (
	maxReaders      = 8
	maxReaderClaims = 16
)

// readerSet is the readers attached to a verifier and the claims they read,
// each name once. A set is never changed: attach replaces it.
type readerSet struct {
	readers []*claimsx.Reader
	names   []string
	index   [][]int // for each reader, where each of its Names is in names
}

// derived is what one reader read of a verified payload. It is shared by
// every Claims the cache answers with that verification's entry and never
// changes.
type derived struct {
	r    *claimsx.Reader
	v    any
	size int // what v holds, in bytes, as its reader counted it
}

func init() {
	claimsx.Attach = func(x any, r *claimsx.Reader) bool {
		v, ok := x.(*Verifier)
		return ok && v != nil && r != nil && v.attach(r)
	}
	claimsx.Derived = func(x any, r *claimsx.Reader) (any, bool) {
		if c, ok := x.(*Claims); ok && c != nil {
			for _, d := range c.derived {
				if d.r == r {
					return d.v, true
				}
			}
		}
		return nil, false
	}
	claimsx.Payload = func(x any) []byte {
		if c, ok := x.(*Claims); ok && c != nil {
			return c.raw
		}
		return nil
	}
}

// attach adds r to the readers v runs, unless it is there already.
// Verifications under way keep the set they started with.
func (v *Verifier) attach(r *claimsx.Reader) bool {
	for {
		old := v.readers.Load()
		next := &readerSet{}
		if old != nil {
			if slices.Contains(old.readers, r) {
				return true
			}
			next.readers, next.names, next.index = slices.Clone(old.readers), slices.Clone(old.names), slices.Clone(old.index)
		}
		next.readers = append(next.readers, r)
		index := make([]int, len(r.Names))
		for i, n := range r.Names {
			j := slices.Index(next.names, n)
			if j < 0 {
				j = len(next.names)
				next.names = append(next.names, n)
			}
			index[i] = j
		}
		next.index = append(next.index, index)
		if len(next.readers) > maxReaders || len(next.names) > maxReaderClaims {
			return false
		}
		if v.readers.CompareAndSwap(old, next) {
			return true
		}
	}
}

// readerClaims is what a payload's scan keeps for the readers: the raw
// value of each of set's names, as a subslice of the payload.
type readerClaims struct {
	set    *readerSet // nil: no reader attached
	values [maxReaderClaims][]byte
}

// member keeps value when name is one the readers read.
func (rc *readerClaims) member(name, value []byte) {
	if rc.set == nil {
		return
	}
	for i, n := range rc.set.names {
		if string(name) == n {
			rc.values[i] = value
			return
		}
	}
}

// read runs every reader on what the scan kept, for a verification that
// passed every check. The values lie in the payload's memory, kept for the
// claims and never changed, so what the readers return may keep them.
func (rc *readerClaims) read() []derived {
	if rc.set == nil {
		return nil
	}
	// The readers get a copy on the heap: they are called indirectly, so
	// handing them the scan's own array would move the whole verification
	// state to the heap.
	values := slices.Clone(rc.values[:len(rc.set.names)])
	out := make([]derived, len(rc.set.readers))
	for i, r := range rc.set.readers {
		v, size := r.Read(claimsx.NewValues(values, rc.set.index[i]))
		out[i] = derived{r, v, size}
	}
	return out
}
