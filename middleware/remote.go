package middleware

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// maxNegativeKIDs bounds the memory of unknown kids remembered per key set.
const maxNegativeKIDs = 4096

var errClosed = errors.New("verifier closed")

// keyFetcher fetches and keeps the JWKS of one issuer, as RemoteKeys says.
// Reads are lock-free (an atomic pointer to an immutable set); mu guards
// only the fetch bookkeeping and is never held during I/O.
type keyFetcher struct {
	v         *Verifier
	issuer    string
	discovery bool
	set       atomic.Pointer[keySet]

	mu           sync.Mutex
	closed       bool
	jwksURL      string // configured, or found by discovery
	inflight     *fetchCall
	lastDemanded time.Time // last fetch started on a request's behalf
	// nextDemand is when a request may start a fetch again: kidRefresh
	// after the last one, or sooner after a failure (a failed fetch
	// does not burn the window), with capped, jittered backoff.
	nextDemand     time.Time
	demandFailures int
	negative       map[string]time.Time
	interval       time.Duration // next background refresh, from the last good fetch
}

// fetchCall is one fetch that any number of requests may wait on.
type fetchCall struct {
	done  chan struct{}
	err   error
	force bool // sent with Cache-Control: no-cache
	// The context of the fetch's events (its values only), under the
	// fetcher's mu: the request's that started it or first waited for it,
	// else the verifier's.
	evctx     context.Context
	byRequest bool
	forKID    bool // started for a token's unknown kid
}

// joinLocked makes ctx, a request's that waits for c, the context of c's
// events, unless a request's already is. r.mu is held.
func (r *keyFetcher) joinLocked(c *fetchCall, ctx context.Context) {
	if !c.byRequest && ctx != r.v.ctx {
		c.evctx, c.byRequest = context.WithoutCancel(ctx), true
	}
}

func newKeyFetcher(v *Verifier, issuer, jwksURL string) *keyFetcher {
	return &keyFetcher{
		v: v, issuer: issuer, jwksURL: jwksURL, discovery: jwksURL == "",
		negative: make(map[string]time.Time), interval: v.cfg.refreshInterval,
	}
}

// inFlight returns the fetch in flight, if any.
func (r *keyFetcher) inFlight() *fetchCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.inflight
}

// refresh returns the fetch in flight, or starts one. It never blocks on I/O.
// refresh joins the fetch in flight or starts one; ctx, the caller's, is
// the context of the fetch's events (its values only: a fetch outlives the
// request that started it).
func (r *keyFetcher) refresh(ctx context.Context, force bool) *fetchCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refreshLocked(ctx, force)
}

func (r *keyFetcher) refreshLocked(ctx context.Context, force bool) *fetchCall {
	if r.inflight != nil {
		return r.inflight
	}
	c := &fetchCall{done: make(chan struct{}), force: force, evctx: context.WithoutCancel(ctx), byRequest: ctx != r.v.ctx}
	if r.closed {
		c.err = errClosed
		close(c.done)
		return c
	}
	r.inflight = c
	r.v.wg.Add(1)
	go func() {
		defer r.v.wg.Done()
		err := r.fetch(c, force)
		r.mu.Lock()
		r.inflight = nil
		c.err = err
		r.demandFailed(err)
		r.mu.Unlock()
		close(c.done)
	}()
	return c
}

// demand records that a request starts a fetch at now. r.mu is held.
func (r *keyFetcher) demand(ctx context.Context, now time.Time, force bool) *fetchCall {
	r.lastDemanded = now
	r.nextDemand = now.Add(r.v.cfg.kidRefresh)
	return r.refreshLocked(ctx, force)
}

// mayDemand reports whether a request may start a fetch at now. r.mu is
// held.
func (r *keyFetcher) mayDemand(now time.Time) bool {
	return r.lastDemanded.IsZero() || !now.Before(r.nextDemand)
}

// demandFailed moves the next demanded fetch closer after a failed one:
// 1 s doubling per consecutive failure, ±20 % jitter, never later than the
// window a success leaves. r.mu is held.
func (r *keyFetcher) demandFailed(err error) {
	if err == nil {
		r.demandFailures = 0
		return
	}
	r.demandFailures++
	d := min(time.Second<<min(r.demandFailures-1, 20), r.v.cfg.kidRefresh)
	d = d - d/5 + rand.N(2*d/5+1)
	if next := r.v.cfg.mono().Add(d); next.Before(r.nextDemand) {
		r.nextDemand = next
	}
}

// fetch runs discovery if needed, then fetches, parses and installs the key
// set for call. A failure leaves the previous set in place.
func (r *keyFetcher) fetch(call *fetchCall, force bool) error {
	cfg := &r.v.cfg
	ctx, cancel := context.WithTimeout(r.v.ctx, cfg.fetchTimeout)
	defer cancel()
	rep := &fetchReport{call: call, start: cfg.mono()}
	r.mu.Lock()
	u := r.jwksURL
	r.mu.Unlock()
	if u == "" {
		found, err := discover(ctx, r.v.client, r.issuer, cfg.maxJWKSSize, cfg.insecureHTTP, cfg.sameOriginJWKS, rep)
		if err != nil {
			return r.failed(rep, err)
		}
		r.mu.Lock()
		r.jwksURL, u = found, found
		r.mu.Unlock()
	}
	body, hdr, err := get(ctx, r.v.client, u, cfg.maxJWKSSize, force, rep)
	if err != nil {
		return r.failed(rep, fmt.Errorf("JWKS: %w", err))
	}
	keys, skipped, err := jose.ParseSet(body)
	if err != nil {
		return r.failed(rep, fmt.Errorf("JWKS %s: %v (%s)", redact(u), err, bodyFingerprint(body)))
	}
	rep.keys, rep.skipped = len(keys), len(skipped)
	for _, s := range skipped {
		kind := EventKeySkipped
		if s.Alarm {
			kind = EventKeyAlarm
		}
		r.v.emit(r.event(rep, kind, fmt.Errorf("JWKS %s: key #%d skipped: %s", redact(u), s.Index, s.Reason)))
	}
	if len(keys) == 0 {
		// Never replace a good set with an empty one.
		return r.failed(rep, fmt.Errorf("JWKS %s: no usable keys (%d skipped)", redact(u), len(skipped)))
	}
	set := newKeySet(keys, cfg.mono())
	for _, ks := range set.byKID {
		if len(ks) > 1 {
			r.v.emit(r.event(rep, EventKeyAlarm,
				fmt.Errorf("JWKS %s: %d keys share one kid; tokens naming it are accepted only if one key fits their alg", redact(u), len(ks))))
		}
	}
	interval := refreshAfter(hdr, cfg)
	r.set.Store(set)
	r.mu.Lock()
	r.interval = interval
	clear(r.negative)
	r.mu.Unlock()
	r.v.emit(r.event(rep, EventKeysRefreshed, nil))
	return nil
}

// fetchReport is what a fetch tells its events: its call (whose context
// they carry, and whether a token's unknown kid started it), when it
// started, the last request it made (its URL redacted, the status and size of the
// answer) and the keys it found.
type fetchReport struct {
	call          *fetchCall
	start         time.Time
	url           string
	status, bytes int
	keys, skipped int
}

// event is the key-set event of kind for the fetch rep describes.
func (r *keyFetcher) event(rep *fetchReport, kind EventKind, err error) Event {
	r.mu.Lock()
	ctx, forKID := rep.call.evctx, rep.call.forKID
	r.mu.Unlock()
	return Event{Kind: kind, Issuer: r.issuer, Err: err, Context: ctx, Duration: r.v.cfg.mono().Sub(rep.start),
		URL: rep.url, Status: rep.status, Bytes: rep.bytes, Keys: rep.keys, KeysSkipped: rep.skipped, Forced: forKID}
}

// refreshAfter is the server's Cache-Control max-age clamped to the
// configured bounds, or the default interval when it gives none.
func refreshAfter(hdr http.Header, cfg *config) time.Duration {
	if ma, ok := maxAge(hdr); ok {
		return min(max(ma, cfg.minRefresh), cfg.maxRefresh)
	}
	return cfg.refreshInterval
}

// failed reports a failed fetch, unless the verifier is closing: a fetch
// that Close cancelled is a shutdown, not a failure.
func (r *keyFetcher) failed(rep *fetchReport, err error) error {
	if r.v.ctx.Err() == nil {
		r.v.emit(r.event(rep, EventKeysRefreshFailed, err))
	}
	return err
}

// run refreshes the set in the background until the verifier closes:
// on the server's schedule after a success, with capped exponential backoff
// and jitter after a failure.
func (r *keyFetcher) run() {
	defer r.v.wg.Done()
	var delay time.Duration
	if r.set.Load() != nil {
		delay = r.nextInterval()
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	failures := 0
	for {
		select {
		case <-r.v.ctx.Done():
			return
		case <-timer.C:
		}
		c := r.refresh(r.v.ctx, false)
		select {
		case <-r.v.ctx.Done():
			return
		case <-c.done:
		}
		if c.err == nil {
			failures = 0
			delay = r.nextInterval()
		} else {
			failures++
			delay = r.backoff(failures, c.err)
		}
		timer.Reset(delay)
	}
}

func (r *keyFetcher) nextInterval() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.interval
}

// backoff is 1 s doubling per failure, capped at the smaller of the refresh
// interval and 5 minutes, with ±20 % jitter; a server's Retry-After wins
// when it asks for longer (up to 10 minutes).
func (r *keyFetcher) backoff(failures int, err error) time.Duration {
	limit := min(r.v.cfg.refreshInterval, 5*time.Minute)
	d := time.Second << min(failures-1, 20)
	d = min(d, limit)
	d = d - d/5 + rand.N(2*d/5+1)
	var fe *fetchError
	if errors.As(err, &fe) && fe.retryAfter > d {
		d = min(fe.retryAfter, 10*time.Minute)
	}
	return max(d, 10*time.Millisecond)
}

func (r *keyFetcher) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
}
