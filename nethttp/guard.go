package nethttp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/jwtguard/jwtguard/internal/claimsx"
	"github.com/jwtguard/jwtguard/internal/memo"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"github.com/jwtguard/jwtguard/rbac"
)

// Guard is the enforcement every transport shares: Protect and Require are
// built on it, and so are the gin, echo and chi adapters, which only store
// the result and report errors the router's way. Use it directly to
// integrate a router jwtguard has no adapter for. A Guard is safe for
// concurrent use.
type Guard struct {
	v       *middleware.Verifier
	o       options
	answers *memo.Table[answerKey, *answer] // the rejections it has rendered, for the default error writer
}

// NewGuard returns a Guard that verifies tokens with v. It takes the same
// options as Protect.
func NewGuard(v *middleware.Verifier, opts ...Option) *Guard {
	g := &Guard{v: v, o: newOptions(opts), answers: memo.New[answerKey, *answer]()}
	if v != nil {
		// The mapper the Guard's requests are mapped with (its own, or the
		// Default preset's for a Require without one) reads the claims
		// during the verification, once per token the cache keeps.
		if !claimsx.Attach(v, claimsx.MapperReader(g.o.mapper)) {
			attachFailedOnce.Do(func() {
				slog.Warn("nethttp: the verifier already reads the claims for as many mappers as it can (8 mappers, " +
					"16 top-level claims); this Guard's mapper reads each request's payload itself")
			})
		}
	}
	return g
}

var attachFailedOnce sync.Once

// Authenticate verifies the credential of r. On success it returns r's
// context carrying the claims (middleware.ClaimsFromContext) and, with
// WithMapper, the authorities (rbac.FromContext); the caller
// continues with that context. A request let through unverified (a CORS
// preflight under WithUnauthenticatedPreflights, no credential under WithAnonymous)
// also gets a nil error and r's own context. Otherwise the error is the
// verifier's, for WriteError or Response.
func (g *Guard) Authenticate(r *http.Request) (context.Context, error) {
	if g.o.preflight && isPreflight(r) {
		return r.Context(), nil
	}
	claims, err := g.v.VerifyRequest(r)
	if err != nil {
		if g.o.anonymous && errors.Is(err, middleware.ErrNoToken) {
			return r.Context(), nil
		}
		return nil, err
	}
	ctx := middleware.WithClaims(r.Context(), claims)
	if g.o.mapper != nil {
		ctx = rbac.WithAuthorities(ctx, g.o.mapper.Map(claims))
	}
	return ctx, nil
}

// Authorize checks policy against the claims Authenticate put in r's
// context. A request without verified claims gets an ErrNoToken error (401);
// one the policy refuses gets an ErrInsufficientScope error (403) naming the
// scopes the policy requires. CORS preflights pass under WithUnauthenticatedPreflights.
func (g *Guard) Authorize(r *http.Request, policy rbac.Policy) error {
	if g.o.preflight && isPreflight(r) {
		return nil
	}
	ctx := r.Context()
	if _, ok := middleware.ClaimsFromContext(ctx); !ok {
		if g.v == nil && r.Header.Get("Authorization") != "" {
			// A credential reached a Require that no Protect verified: a
			// wiring mistake, not the client's. Answered 500, logged.
			noProtectOnce.Do(func() {
				slog.Error("nethttp.Require: a request carrying an Authorization header has no verified claims: " +
					"put nethttp.Protect (or the router adapter's Protect) in front of Require")
			})
			return errNoProtect
		}
		return &middleware.Error{Reason: reason.TokenMissing}
	}
	// Require's own mapper, when given one, reads the claims: it is never
	// silently ignored for Protect's (or the default); the same mapper as
	// Protect's maps nothing twice.
	var allowed bool
	if g.o.mapper != nil {
		allowed = policy.Allows(g.o.mapper.FromContext(ctx))
	} else {
		allowed = rbac.Allowed(ctx, policy)
	}
	if !allowed {
		return &middleware.Error{Reason: reason.InsufficientScope, Scopes: policy.Scopes()}
	}
	return nil
}

// errNoProtect is Authorize's answer to a credential no Protect verified:
// not a middleware.Error, so it is a 500 (middleware.ResponseFor).
var errNoProtect = errors.New("nethttp: Require without Protect in front")

var noProtectOnce sync.Once

// Response is the RFC 6750 answer to err with the Guard's realm
// (middleware.ResponseFor), for a router that writes the answer itself.
// Send it as WriteError does: the status; Cache-Control: no-store and
// X-Content-Type-Options: nosniff always; WWW-Authenticate when the
// answer has one; Retry-After (seconds) when RetryAfter is above zero;
// Content-Type: application/json and Body() as the body.
func (g *Guard) Response(err error) middleware.Response {
	return g.answer(err).resp
}

// WriteError answers a request rejected with err, through the function
// given to WithErrorWriter or else as the package's WriteError does with
// the Guard's realm.
func (g *Guard) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	if g.o.errorWriter != nil {
		g.o.errorWriter(w, r, err)
		return
	}
	a := g.answer(err)
	writeAnswer(w, &a.resp, a.body)
}

// answer is a rendered rejection: ResponseFor's answer and its body.
type answer struct {
	resp middleware.Response
	body []byte // resp.Body() and a newline; shared by every request it answers, never changed
}

// answerKey is what ResponseFor reads of an *Error without scopes; the
// realm is the Guard's own.
type answerKey struct {
	reason reason.Code
	desc   string
}

// answer returns the answer to err and its body. The few answers a server
// sends again and again (no token, a bad signature, an expired token) are
// rendered once per Guard: their descriptions are fixed texts, so a
// rejected request skips building the challenge and the body. Errors with
// scopes, wrapped errors and anything else are rendered afresh.
func (g *Guard) answer(err error) *answer {
	e, ok := err.(*middleware.Error)
	if !ok || e == nil || len(e.Scopes) > 0 || g.answers == nil {
		return render(err, g.o.realm)
	}
	k := answerKey{e.Reason, e.Description}
	if a, ok := g.answers.Load(k); ok {
		return a
	}
	a := render(e, g.o.realm)
	g.answers.Store(k, a)
	return a
}

func render(err error, realm string) *answer {
	resp := middleware.ResponseFor(err, realm)
	return &answer{resp, append(resp.Body(), '\n')}
}

// WriteError answers a request rejected with err: the RFC 6750 status,
// WWW-Authenticate (RFC 6750 §3), Retry-After for 503, Cache-Control
// no-store, X-Content-Type-Options nosniff, Content-Type application/json and the
// body {"error": "...", "error_description": "..."} followed by a newline.
// Nothing of the error's cause is written.
func WriteError(w http.ResponseWriter, err error, realm string) {
	a := render(err, realm)
	writeAnswer(w, &a.resp, a.body)
}

func writeAnswer(w http.ResponseWriter, resp *middleware.Response, body []byte) {
	setErrorHeaders(w.Header(), resp)
	w.WriteHeader(resp.Status)
	_, _ = w.Write(body)
}

// setErrorHeaders sets the headers of the answer resp on h: WWW-Authenticate
// (RFC 6750 §3), Retry-After for 503, Cache-Control no-store,
// X-Content-Type-Options nosniff and Content-Type application/json.
func setErrorHeaders(h http.Header, resp *middleware.Response) {
	// The values share one array, each slice capped at its own element so
	// that an append to one header can never overwrite another; the keys
	// are in their canonical form (h.Set would canonicalize each on every
	// rejected request).
	vals := [5]string{"no-store", "nosniff", "application/json", resp.WWWAuthenticate}
	v := vals[:]
	h["Cache-Control"] = v[0:1:1]
	h["X-Content-Type-Options"] = v[1:2:2]
	h["Content-Type"] = v[2:3:3]
	if resp.WWWAuthenticate != "" {
		h["Www-Authenticate"] = v[3:4:4]
	}
	if resp.RetryAfter > 0 {
		v[4] = strconv.Itoa(resp.RetryAfter)
		h["Retry-After"] = v[4:5:5]
	}
}
