package revocation

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/revocation/internal/revstate"
)

// Option configures a store.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	maxEntries  int
	maxLifetime time.Duration
	leeway      time.Duration
	now         func() time.Time
}

func newOptions(opts []Option) options {
	o := options{maxEntries: 100_000, maxLifetime: 24 * time.Hour, leeway: revstate.DefaultLeeway, now: time.Now}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	return o
}

// WithMaxEntries bounds the number of revocations in force. When the store
// is full of unexpired entries, Revoke fails: a revocation is never dropped
// silently. Default: 100,000.
func WithMaxEntries(n int) Option { return optionFunc(func(o *options) { o.maxEntries = n }) }

// WithMaxTokenLifetime is the longest lifetime of the issuers' access
// tokens: a subject or session revocation is kept that long after its
// cutoff, and then every token it covers has expired. Default: 24 h.
func WithMaxTokenLifetime(d time.Duration) Option {
	return optionFunc(func(o *options) { o.maxLifetime = d })
}

// WithLeeway is the leeway of the verifiers the store answers
// (middleware.WithLeeway): a subject's revocation covers the tokens issued
// up to that long after its cutoff by the issuer's clock, and entries are
// kept that much longer. Set it whenever the verifier's differs
// from the default. Default: 60 s.
func WithLeeway(d time.Duration) Option { return optionFunc(func(o *options) { o.leeway = d }) }

// WithClock replaces the clock, for tests. Default: time.Now.
func WithClock(now func() time.Time) Option { return optionFunc(func(o *options) { o.now = now }) }

// ErrFull is returned by Revoke when the store holds its maximum of
// unexpired entries. Nothing was recorded.
var ErrFull = errors.New("revocation: the store is full of unexpired revocations")

// ErrOutcomeUnknown is wrapped by Revoke's error when a shared store did not
// confirm the write (its server hung, or the connection failed, after the
// request may have reached it): the revocation may or may not have been
// recorded. The instance that called Revoke enforces it anyway. Revoking
// again is safe (an entry is only ever widened): retry until Revoke succeeds.
var ErrOutcomeUnknown = errors.New("revocation: the store did not confirm the revocation; it may or may not have been recorded")

// Memory is a store for a single instance. Entries leave once every token
// they cover has expired. It is safe for concurrent use; IsRevoked takes no
// lock and allocates nothing.
type Memory struct {
	o         options
	mu        sync.Mutex // serializes writers
	state     *revstate.State
	added     int       // entries added since the last sweep
	nextSweep time.Time // when the first entry held may be forgotten; zero: none held
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory(opts ...Option) *Memory {
	m := &Memory{o: newOptions(opts)}
	m.state = revstate.NewState(nil, m.o.now(), m.o.leeway)
	return m
}

// Revoke records r.
func (m *Memory) Revoke(_ context.Context, r Revocation) error {
	now := m.o.now()
	e := revstate.Entry(r)
	if err := revstate.Validate(&e, now, m.o.maxLifetime); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// Expired entries are swept once as many entries have been added as
	// the state holds (amortized O(1) a revocation), and when it is full
	// and one of them may have expired (not at every refused revocation).
	full := m.state.Len() >= m.o.maxEntries
	if m.added >= max(m.state.Len(), 1024) || full && !m.nextSweep.IsZero() && !now.Before(m.nextSweep) {
		_, m.nextSweep = m.state.Sweep(now)
		m.added = 0
	}
	if !m.state.Holds(e) && m.state.Len() >= m.o.maxEntries {
		return ErrFull // an entry in force may still be widened
	}
	if m.state.Add(e, now) {
		m.added++
		if at := m.state.ExpiresAt(m.state.Widen(e)); m.nextSweep.IsZero() || at.Before(m.nextSweep) {
			m.nextSweep = at
		}
	}
	return nil
}

// List returns the revocations in force.
func (m *Memory) List(context.Context) ([]Revocation, error) {
	es := m.state.Entries(m.o.now())
	out := make([]Revocation, len(es))
	for i, e := range es {
		out[i] = Revocation(e)
	}
	return out, nil
}

// Leeway is the leeway the store allows (WithLeeway); middleware.New
// refuses a store whose leeway is shorter than the verifier's.
func (m *Memory) Leeway() time.Duration { return m.o.leeway }

// IsRevoked reports whether c is revoked. It never fails.
func (m *Memory) IsRevoked(c *middleware.Claims) (bool, error) {
	return m.state.Revoked(c), nil
}
