package middleware

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// usable returns the current set unless it is missing or older than the
// staleness bound.
func (r *keyFetcher) usable(now time.Time) *keySet {
	s := r.set.Load()
	if s == nil || now.Sub(s.fetched) > r.v.cfg.maxStale {
		return nil
	}
	return s
}

// lookup finds the key for kid and alg at now (the key cache's clock),
// refreshing the set when the kid is unknown (rate-limited and coalesced)
// and waiting at most cfg.maxWait. It returns the set the key was found in:
// a refresh may replace the current set at any moment, and only the set
// that was searched vouches for the key (the verified-token cache records
// it). waited reports that it may have waited, so that the caller's clock
// reading is no longer current.
func (r *keyFetcher) lookup(ctx context.Context, kid string, alg *jose.Alg, now time.Time) (k *jose.Key, in *keySet, waited bool, err error) {
	if s := r.usable(now); s != nil {
		k, err := s.find(kid, alg)
		if err != errNoSuchKID {
			return k, s, false, err
		}
		k, s, err = r.lookupUnknown(ctx, kid, alg, now)
		return k, s, true, err
	}
	k, in, err = r.lookupUnusable(ctx, kid, alg, now)
	return k, in, true, err
}

// lookupUnusable is lookup when no usable key set is at hand.
func (r *keyFetcher) lookupUnusable(ctx context.Context, kid string, alg *jose.Alg, now time.Time) (*jose.Key, *keySet, error) {
	// No usable keys: join the fetch in flight, or start one if none was
	// started on a request's behalf recently. Otherwise fail fast.
	r.mu.Lock()
	c := r.inflight
	if c == nil && r.mayDemand(now) {
		c = r.demand(ctx, now, false)
	} else if c != nil {
		r.joinLocked(c, ctx)
	}
	r.mu.Unlock()
	if c == nil || !r.wait(ctx, c) {
		return nil, nil, errKeysUnavailable
	}
	s := r.usable(r.v.cfg.mono())
	if s == nil {
		return nil, nil, fmt.Errorf("%w: %v", errKeysUnavailable, c.err)
	}
	k, err := s.find(kid, alg)
	return k, s, err
}

var errKeysUnavailable = errors.New("no usable keys have been obtained for this issuer")

func (r *keyFetcher) lookupUnknown(ctx context.Context, kid string, alg *jose.Alg, now time.Time) (*jose.Key, *keySet, error) {
	r.mu.Lock()
	if until, ok := r.negative[kid]; ok && now.Before(until) {
		r.mu.Unlock()
		return nil, nil, fmt.Errorf("%w (checked by a recent refresh)", errNoSuchKID)
	}
	c := r.inflight
	if c == nil {
		if !r.mayDemand(now) {
			r.mu.Unlock()
			return nil, nil, errRefreshLimited
		}
		c = r.demand(ctx, now, true)
		c.forKID = true
	} else {
		r.joinLocked(c, ctx)
	}
	r.mu.Unlock()
	if !r.wait(ctx, c) {
		return nil, nil, fmt.Errorf("%w (refresh still in flight)", errNoSuchKID)
	}
	// The set may have passed its staleness bound while the refresh failed.
	s := r.usable(r.v.cfg.mono())
	if s == nil {
		return nil, nil, fmt.Errorf("%w: %v", errKeysUnavailable, c.err)
	}
	k, err := s.find(kid, alg)
	if err == errNoSuchKID && c.err == nil {
		// A good refresh did not produce this kid: remember that, so a flood
		// of random kids costs neither fetches nor waiting.
		r.mu.Lock()
		if len(r.negative) >= maxNegativeKIDs {
			for k, until := range r.negative {
				if !now.Before(until) {
					delete(r.negative, k)
				}
			}
			if len(r.negative) >= maxNegativeKIDs {
				clear(r.negative)
			}
		}
		r.negative[kid] = now.Add(r.v.cfg.kidRefresh)
		r.mu.Unlock()
	}
	return k, s, err
}

// wait waits for c, at most cfg.maxWait and never past ctx. The fetch goes
// on regardless: it runs under the verifier's context, not the request's.
func (r *keyFetcher) wait(ctx context.Context, c *fetchCall) bool {
	select {
	case <-c.done:
		return true
	default:
	}
	t := time.NewTimer(r.v.cfg.maxWait)
	defer t.Stop()
	select {
	case <-c.done:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}
