// Package claimsx is the plumbing that lets a role mapper's reading of a
// token come out of the verification's one scan of the payload, and be kept
// with the verified-token cache entry: a request answered from the cache
// maps nothing.
//
// A Reader names the top-level claims it reads. A middleware.Verifier it is
// attached to hands it, after each successful verification that was not a
// cache hit, the raw JSON of those claims as its payload scan found them,
// and keeps what Read returns beside the verified claims (in the cache
// entry too). Package rbac builds a Reader for each Mapper; nethttp (and
// every adapter through it) attaches its mapper, or the Default preset's,
// to its verifier. What Read returns is shared by every request the cache
// answers with that entry: it must never change afterwards.
//
// The functions are variables set by the package that owns the types they
// take (middleware, rbac), so that neither exports them: they take any and
// do nothing with a value of another type.
package claimsx

// A Reader reads a value from some top-level claims of a verified payload.
type Reader struct {
	// Names are the top-level claims Read reads, each once.
	Names []string
	// Read is given the raw JSON values of Names in one payload, which
	// its scan validated (no name twice in any object). The values lie in
	// the payload's memory, which never changes: what Read returns may
	// keep them. size is about how many bytes of memory the value holds
	// of its own (the verified-token cache counts it against its bound).
	Read func(Values) (v any, size int)
}

var (
	// Attach makes verifier, a *middleware.Verifier, run r on every
	// payload it verifies from now on. It reports false when the verifier
	// already runs as many readers, or reads as many claims for them, as
	// it allows: r's users then read the payload themselves.
	Attach func(verifier any, r *Reader) bool

	// Derived returns what r read of the payload of claims, a
	// *middleware.Claims, when the verification that produced them ran r.
	Derived func(claims any, r *Reader) (any, bool)

	// Payload returns the verified payload of claims, a *middleware.Claims,
	// in memory that never changes: read it, never write it.
	Payload func(claims any) []byte

	// MapperReader returns the Reader of mapper, an *rbac.Mapper, or of the
	// Default preset's mapper that rbac.FromContext uses when mapper is
	// nil.
	MapperReader func(mapper any) *Reader
)

// Values are the raw JSON values of a Reader's claims in one payload.
type Values struct {
	values [][]byte
	index  []int // where the value of the Reader's Names[i] is in values
}

// NewValues returns the Values whose value of a Reader's Names[i] is
// values[index[i]] (nil: absent).
func NewValues(values [][]byte, index []int) Values { return Values{values, index} }

// Get returns the raw JSON value of the Reader's Names[i], or nil when the
// payload has none.
func (c Values) Get(i int) []byte { return c.values[c.index[i]] }
