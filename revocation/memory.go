package revocation

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtguard/jwtguard/middleware"
)

// Option configures a store.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	maxEntries  int
	maxLifetime time.Duration
	now         func() time.Time
}

func newOptions(opts []Option) options {
	o := options{maxEntries: 100_000, maxLifetime: 24 * time.Hour, now: time.Now}
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

// WithClock replaces the clock, for tests. Default: time.Now.
func WithClock(now func() time.Time) Option { return optionFunc(func(o *options) { o.now = now }) }

// ErrFull is returned by Revoke when the store holds its maximum of
// unexpired entries.
var ErrFull = errors.New("revocation: the store is full of unexpired revocations")

// Memory is a store for a single instance. Entries leave once every token
// they cover has expired. It is safe for concurrent use; IsRevoked takes no
// lock and allocates nothing.
type Memory struct {
	o     options
	mu    sync.Mutex // serializes writers
	state atomic.Pointer[State]
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory(opts ...Option) *Memory {
	m := &Memory{o: newOptions(opts)}
	m.state.Store(NewState(nil, m.o.now()))
	return m
}

// Revoke records r.
func (m *Memory) Revoke(_ context.Context, r Revocation) error {
	now := m.o.now()
	if err := r.Validate(now, m.o.maxLifetime); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := m.state.Load()
	next := cur.With(r, now) // also drops expired entries
	if next.Len() > m.o.maxEntries {
		return ErrFull
	}
	m.state.Store(next)
	return nil
}

// List returns the revocations in force.
func (m *Memory) List(context.Context) ([]Revocation, error) {
	now := m.o.now()
	var out []Revocation
	for _, r := range m.state.Load().Entries() {
		if r.Expires.After(now) {
			out = append(out, r)
		}
	}
	return out, nil
}

// IsRevoked reports whether c is revoked. It never fails.
func (m *Memory) IsRevoked(c *middleware.Claims) (bool, error) {
	return m.state.Load().Revoked(c), nil
}
