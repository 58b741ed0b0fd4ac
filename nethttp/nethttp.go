package nethttp

import (
	"fmt"
	"net/http"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/rbac"
)

// Option configures Protect.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	realm       string
	errorWriter func(http.ResponseWriter, *http.Request, error)
	anonymous   bool
	preflight   bool
	mapper      *rbac.Mapper
}

// WithRealm sets the realm attribute of the WWW-Authenticate challenge,
// sent as an RFC 9110 quoted-string (quotes and backslashes escaped). A
// realm with a control character (CR, LF, NUL…; a tab is allowed), which no
// header can carry, is a configuration error: Protect, NewGuard and the
// adapters panic on it when they are built. Default: "api".
func WithRealm(realm string) Option { return optionFunc(func(o *options) { o.realm = realm }) }

// WithErrorWriter replaces the function that answers rejected requests. It
// receives the verifier's error; middleware.ResponseFor gives the RFC 6750
// status and header for it. Default: WriteError with the configured realm.
func WithErrorWriter(fn func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return optionFunc(func(o *options) { o.errorWriter = fn })
}

// WithAnonymous lets requests that carry no credential at all through,
// without claims in their context, for handlers that serve both anonymous
// and authenticated users. A credential that is present but malformed,
// expired or forged is still rejected. Default: a credential is required.
func WithAnonymous() Option { return optionFunc(func(o *options) { o.anonymous = true }) }

// WithUnauthenticatedPreflights lets CORS preflight requests (OPTIONS with
// Origin and Access-Control-Request-Method) through without a token, to the
// next handler: browsers never send credentials with them. The next handler
// MUST answer them itself, a CORS handler such as go-chi/cors or rs/cors
// placed behind Protect: whatever it passes them to answers an
// unauthenticated request. A CORS handler in front of Protect answers
// preflights before they reach it and needs no option; prefer that.
// Default: preflights need a token like any request.
func WithUnauthenticatedPreflights() Option {
	return optionFunc(func(o *options) { o.preflight = true })
}

// WithMapper makes Protect read each verified token's authorities (roles,
// scopes, permissions, groups) with m, for Require and rbac.Allowed. Protect
// attaches m (or, without this option, the rbac.Default preset's mapper) to
// its verifier for good: m then reads the claims during every verification
// of that verifier, once per token (a request answered from the
// verified-token cache reads nothing again), whoever calls it. Default: the
// rbac.Default preset ("roles" and "scope").
func WithMapper(m *rbac.Mapper) Option { return optionFunc(func(o *options) { o.mapper = m }) }

// Protect returns middleware that verifies each request's access token with
// v. On success the claims are in the request's context
// (middleware.ClaimsFromContext); on failure the request is answered per
// RFC 6750 and next is not called.
func Protect(v *middleware.Verifier, opts ...Option) func(http.Handler) http.Handler {
	return NewGuard(v, opts...).Protect
}

// Protect is the middleware of the Guard: see the package function Protect.
func (g *Guard) Protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, err := g.Authenticate(r)
		if err != nil {
			g.WriteError(w, r, err)
			return
		}
		if ctx != r.Context() {
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

// Require returns middleware that lets a request through only if its
// verified token satisfies policy. It runs behind Protect: a request with no
// verified claims (no credential, or anonymous under WithAnonymous) gets
// Protect's 401; an authenticated request the policy refuses gets 403 with
// WWW-Authenticate: Bearer error="insufficient_scope" and the scopes the
// policy names (RFC 6750 §3.1). A request that carries an Authorization
// header but reached Require unverified means Protect is missing in front:
// it gets 500, and the mistake is logged once (slog.Default). Options:
// WithRealm, WithErrorWriter, WithUnauthenticatedPreflights, and WithMapper,
// whose mapper then reads the claims for this policy in place of Protect's.
func Require(policy rbac.Policy, opts ...Option) func(http.Handler) http.Handler {
	return NewGuard(nil, opts...).Require(policy)
}

// Require is Require with the Guard's options.
func (g *Guard) Require(policy rbac.Policy) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := g.Authorize(r, policy); err != nil {
				g.WriteError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func newOptions(opts []Option) options {
	o := options{realm: "api"}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	for _, c := range []byte(o.realm) {
		if c < 0x20 && c != '\t' || c == 0x7f {
			panic(fmt.Sprintf("nethttp: WithRealm(%q): a realm cannot hold a control character", o.realm))
		}
	}
	return o
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" &&
		r.Header.Get("Access-Control-Request-Method") != ""
}
