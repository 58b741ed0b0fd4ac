package middleware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/internal/tracex"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// Issuer is one trusted token issuer and what its tokens must satisfy.
type Issuer struct {
	// URL is the issuer identifier, compared byte for byte with the token's
	// iss claim. Keys are found by OIDC discovery from it unless JWKSURL or
	// Keys is set.
	URL string
	// Audiences this service answers to; a token's aud must contain one of them.
	Audiences []string
	// JWKSURL, when set, is used directly instead of OIDC discovery.
	JWKSURL string
	// Keys, when set, are the issuer's only keys: nothing is fetched.
	Keys []Key
	// ClientIDs, when set, restricts tokens to these clients (client_id, or azp).
	ClientIDs []string
	// SkipAudienceCheck disables the aud check for providers whose access
	// tokens carry none (Amazon Cognito). It MUST NOT be used otherwise: any
	// token of the issuer, for any API, would then be accepted. It requires
	// ClientIDs, which then take the audience's place.
	SkipAudienceCheck bool
}

// Verifier verifies access tokens. Build it once with New; it is safe for
// concurrent use. Close it to stop its background key refreshes.
type Verifier struct {
	cfg       config
	client    *http.Client
	ownClient bool
	algs      jose.AlgSet // the global allowlist
	issuers   map[string]*issuerState
	urls      []string // the issuers' identifiers, in the order configured
	// only is the issuer when there is exactly one: refusing a token of
	// another issuer then costs a comparison, not a map lookup (2.5% of
	// that refusal, bench/RESULTS.md).
	only    *issuerState
	remotes []*keyFetcher
	cache   *tokenCache   // nil when turned off
	headers *jose.Headers // the header segments seen lately, decoded and checked
	readers atomic.Pointer[readerSet]
	// noCredential is the cause of every ErrNoToken error, built once: a
	// request without a token is the most common rejection of all.
	noCredential error
	rejections   rejectionLog // which refusals get a line at info level
	started      time.Time    // the key cache's clock at New, rejectionLog's origin
	// start begins each verification's span, when an exporter traces the
	// verifier (internal/tracex); nil otherwise.
	start atomic.Pointer[tracex.Start]

	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// Close stops every background refresh and waits for fetches in flight to
// end. Verification keeps working on the keys already obtained. Close is
// idempotent.
func (v *Verifier) Close() error {
	v.closeOnce.Do(func() {
		for _, r := range v.remotes {
			r.close()
		}
		v.cancel()
		v.wg.Wait()
		if v.ownClient {
			v.client.CloseIdleConnections()
		}
	})
	return nil
}

// Refresh fetches every remote key set now (with Cache-Control: no-cache),
// as after a known key rotation, and returns the first error. Each fetch
// it waits for starts after Refresh was called: a fetch already in flight
// may predate the rotation, so Refresh waits for it and fetches again.
// Requests keep using the previous keys until a fetch succeeds.
func (v *Verifier) Refresh(ctx context.Context) error {
	var errs []error
	for _, r := range v.remotes {
		// Wait out every fetch already in flight, and one that is not
		// forced (a background refresh, which a cache may answer with the
		// old set), until the fetch joined is forced and began after the
		// call: then a rotation before the call is in what it fetches.
		prior := r.inFlight()
		var c *fetchCall
		for {
			if prior != nil {
				select {
				case <-prior.done:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			if c = r.refresh(ctx, true); c.force {
				break
			}
			prior = c
		}
		select {
		case <-c.done:
			if c.err != nil {
				errs = append(errs, fmt.Errorf("issuer %q: %w", r.issuer, c.err))
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.Join(errs...)
}

// VerifyRequest extracts the token from r with the configured sources and
// verifies it. It never writes a response; map its error with ResponseFor.
func (v *Verifier) VerifyRequest(r *http.Request) (*Claims, error) {
	ctx := v.begin(r.Context())
	raw, src, err := locate(r, v.cfg.sources, v.noCredential)
	if err != nil {
		v.emit(Event{Kind: EventRejected, Reason: ReasonOf(err), Err: err, Context: ctx})
		return nil, err
	}
	return v.verifyAndReport(ctx, raw, r, src)
}

// Verify verifies a raw compact JWS access token and returns its claims, or
// an *Error. ctx bounds any wait for a key fetch.
//
// A sender-constrained token (cnf claim) fails here unless the
// WithSenderConstraint check accepts it without a request: use
// VerifyRequest for those.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Claims, error) {
	if ctx == nil { // a caller's mistake must not panic deep in a key lookup
		ctx = context.Background()
	}
	return v.verifyAndReport(v.begin(ctx), raw, nil, nil)
}

// verifyAndReport verifies raw, taken from src when a request carried it,
// and reports the outcome.
func (v *Verifier) verifyAndReport(ctx context.Context, raw string, r *http.Request, src TokenSource) (*Claims, error) {
	ck := v.readClocks()
	var rep report
	c, iss, err := v.verify(ctx, raw, r, ck, &rep)
	if err != nil && src != nil && iss == "" && !isB64Token(raw) {
		// Not even the RFC 6750 syntax: the request is malformed (400), as
		// checking the syntax before verifying would have said. A token
		// whose issuer is known has parsed, so its three segments are
		// canonical base64url and it is a b64token already.
		err, iss = src.malformed(), ""
	}
	if err != nil {
		if iss == "" {
			rep.alg = nil // an Algorithm goes with the Issuer whose allowlist holds it
		}
		var e Event
		v.outcome(&e, ctx, ck, &rep, EventRejected, iss)
		e.Reason, e.Err = err.Reason, err
		e.RateLimited = err.Reason == reason.KeyNotFound && errors.Is(err, errRefreshLimited)
		v.emitAt(&e, ck.mono)
		return nil, err
	}
	// An accepted token is logged at debug level only: the event is not
	// even built unless a hook or that level wants it.
	if v.cfg.hook != nil || v.cfg.logger.Enabled(context.Background(), slog.LevelDebug) {
		var e Event
		v.outcome(&e, ctx, ck, &rep, EventAccepted, iss)
		e.Claims = c
		v.emitAt(&e, time.Time{})
	}
	return c, nil
}

// report is what a verification tells its event beyond its answer.
type report struct {
	alg *jose.Alg // the token's alg, once found on the allowlist
	hit bool      // answered from the verified-token cache
}

// outcome fills e, the event of a verification that started at ck. Its
// duration is measured only for a hook: with none, no clock is read again.
func (v *Verifier) outcome(e *Event, ctx context.Context, ck clocks, rep *report, kind EventKind, iss string) {
	e.Kind, e.Issuer, e.Context, e.CacheHit = kind, iss, ctx, rep.hit
	if rep.alg != nil {
		e.Algorithm = rep.alg.Name
	}
	if v.cfg.hook != nil {
		if v.cfg.realClocks {
			e.Duration = time.Since(ck.mono)
		} else {
			e.Duration = v.cfg.mono().Sub(ck.mono)
		}
	}
}

// clocks is one reading of the verifier's two clocks: the wall clock for
// the claims and the key cache's monotonic clock. With the default clocks a
// single time.Now serves both.
type clocks struct{ wall, mono time.Time }

func (v *Verifier) readClocks() clocks {
	if v.cfg.realClocks {
		t := time.Now()
		return clocks{t, t}
	}
	return clocks{v.cfg.now(), v.cfg.mono()}
}
