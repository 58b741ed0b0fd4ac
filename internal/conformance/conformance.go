// Package conformance holds the one table of cases every transport of
// jwtguard must answer identically: net/http, chi, gin, echo, and any
// adapter added later. An adapter joins by implementing Stack (one method)
// and calling Run from its tests; a case added to the table is then run
// against every stack.
//
// Each case fixes the exact status, WWW-Authenticate, Content-Type,
// Cache-Control and Retry-After headers and the exact body, so "the same
// protection" means byte for byte the same answer.
package conformance

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

// Stack is one transport under test.
type Stack interface {
	// Handler serves routes, each behind the stack's authentication
	// middleware built from v and opts (the nethttp options: realm, mapper,
	// anonymous mode, CORS preflight) and, when the route has a Policy,
	// behind the stack's Require. It answers as the stack does by default:
	// echo, for one, renders errors through its default HTTPErrorHandler.
	Handler(v *middleware.Verifier, opts []nethttp.Option, routes []Route) http.Handler
}

// StackFunc adapts a function to Stack.
type StackFunc func(v *middleware.Verifier, opts []nethttp.Option, routes []Route) http.Handler

// Handler calls f.
func (f StackFunc) Handler(v *middleware.Verifier, opts []nethttp.Option, routes []Route) http.Handler {
	return f(v, opts, routes)
}

// Route is one route of the suite's server. Paths are static, so that no
// router's pattern syntax is needed.
type Route struct {
	Method  string
	Path    string
	Policy  *rbac.Policy // nil: authentication only
	Handler http.Handler // the route's handler: Echo
}

// Echo is every route's handler: it answers "hello <sub>" from the claims
// in the request's context.Context, or "anonymous" when there are none, so
// every case also checks that the stack put the claims where code shared
// across routers looks for them.
var Echo http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c, ok := middleware.ClaimsFromContext(r.Context())
	if !ok {
		_, _ = io.WriteString(w, "anonymous")
		return
	}
	_, _ = io.WriteString(w, "hello "+c.Subject)
})

// Realm is the realm every stack is configured with.
const Realm = "conformance"

// Audience is the audience the verifier requires.
const Audience = "conformance-api"

// The rules of the suite's routes.
var (
	ReadItems  = rbac.Scope("items:read")
	WriteItems = rbac.AllOf(rbac.Role("editor"), rbac.Scope("items:write"))
	Admin      = rbac.Role("admin")
)

// Routes are the suite's routes: GET /me (authentication only), GET and
// OPTIONS /items (scope items:read), POST /items (role editor, which admin
// implies, and scope items:write), DELETE /items (role admin).
func Routes() []Route {
	return []Route{
		{Method: http.MethodGet, Path: "/me", Handler: Echo},
		{Method: http.MethodGet, Path: "/items", Policy: &ReadItems, Handler: Echo},
		{Method: http.MethodOptions, Path: "/items", Policy: &ReadItems, Handler: Echo},
		{Method: http.MethodPost, Path: "/items", Policy: &WriteItems, Handler: Echo},
		{Method: http.MethodDelete, Path: "/items", Policy: &Admin, Handler: Echo},
	}
}

// Mode selects the nethttp options a case's server runs with.
type Mode int

// Modes.
const (
	Default   Mode = iota // credentials required
	Anonymous             // nethttp.WithAnonymous
	Preflight             // nethttp.WithUnauthenticatedPreflights
	numModes
)

// Env is what a case builds its request from: the issuer the verifier
// trusts, another issuer it does not, and one it trusts whose keys cannot be
// fetched.
type Env struct {
	Issuer  *jwttest.Issuer
	Other   *jwttest.Issuer
	Failing *jwttest.Issuer
}

// Mint mints a token of the trusted issuer for subject alice with the given
// extra claims.
func (e *Env) Mint(t testing.TB, claims jwttest.ClaimsSet, opts ...jwttest.MintOption) string {
	t.Helper()
	c := jwttest.ClaimsSet{"sub": "alice"}
	for k, v := range claims {
		c[k] = v
	}
	tok, err := e.Issuer.Mint(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Want is the exact answer a case expects.
type Want struct {
	Status          int
	WWWAuthenticate string // "" means the header must be absent
	RetryAfter      string
	Body            string
}

// Case is one request and the answer every stack must give.
type Case struct {
	Name    string
	Mode    Mode
	Method  string
	Path    string
	Prepare func(t testing.TB, e *Env, r *http.Request) // adds the credential
	Want    Want
}

func bearer(tok string) string { return "Bearer " + tok }

// NewEnv starts the issuers, and the verifier every stack shares, with the
// token sources Authorization and the cookie "access_token", and the mapper
// of the rbac.Default preset with the hierarchy admin > editor > viewer.
func NewEnv(t testing.TB, opts ...middleware.Option) (*Env, *middleware.Verifier, *rbac.Mapper) {
	t.Helper()
	var e Env
	for _, p := range []**jwttest.Issuer{&e.Issuer, &e.Other, &e.Failing} {
		iss, err := jwttest.NewIssuer(jwttest.WithAudience(Audience))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(iss.Close)
		*p = iss
	}
	e.Failing.SetFault(jwttest.Fault500)
	v, err := middleware.New([]middleware.Issuer{
		{URL: e.Issuer.URL(), Audiences: []string{Audience}},
		{URL: e.Failing.URL(), Audiences: []string{Audience}},
	},
		append([]middleware.Option{
			middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
			middleware.WithTokenSources(middleware.FromAuthorizationHeader(), middleware.FromCookie("access_token")),
		}, opts...)...,
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	m, err := rbac.NewMapper(rbac.Default(), rbac.WithRoleHierarchy(map[string][]string{
		"admin": {"editor"}, "editor": {"viewer"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	return &e, v, m
}

// Options returns the nethttp options of a mode.
func Options(mode Mode, m *rbac.Mapper) []nethttp.Option {
	opts := []nethttp.Option{nethttp.WithRealm(Realm), nethttp.WithMapper(m)}
	switch mode {
	case Anonymous:
		opts = append(opts, nethttp.WithAnonymous())
	case Preflight:
		opts = append(opts, nethttp.WithUnauthenticatedPreflights())
	}
	return opts
}

// Run runs every case against s, each on a real loopback server, then
// checks the verifier's events for known traffic through s.
func Run(t *testing.T, s Stack) {
	t.Run("events", func(t *testing.T) { runEvents(t, s) })
	env, v, m := NewEnv(t)
	var servers [numModes]*httptest.Server
	for mode := range numModes {
		srv := httptest.NewServer(s.Handler(v, Options(mode, m), Routes()))
		t.Cleanup(srv.Close)
		servers[mode] = srv
	}
	for _, tc := range Cases() {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(tc.Method, servers[tc.Mode].URL+tc.Path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.Prepare != nil {
				tc.Prepare(t, env, req)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			check(t, tc.Want, resp, string(body))
		})
	}
}

func check(t *testing.T, want Want, resp *http.Response, body string) {
	t.Helper()
	var diffs []string
	diff := func(what, got, want string) {
		if got != want {
			diffs = append(diffs, what+"\n   got: "+got+"\n  want: "+want)
		}
	}
	h := resp.Header
	diff("status", http.StatusText(resp.StatusCode), http.StatusText(want.Status))
	diff("WWW-Authenticate", strings.Join(h.Values("WWW-Authenticate"), " | "), want.WWWAuthenticate)
	diff("Retry-After", h.Get("Retry-After"), want.RetryAfter)
	diff("body", body, want.Body)
	if want.Status >= 400 {
		diff("Content-Type", h.Get("Content-Type"), "application/json")
		diff("Cache-Control", h.Get("Cache-Control"), "no-store")
		diff("X-Content-Type-Options", h.Get("X-Content-Type-Options"), "nosniff")
	} else {
		diff("Content-Type", h.Get("Content-Type"), "text/plain; charset=utf-8")
	}
	if len(diffs) > 0 {
		t.Errorf("%s", strings.Join(diffs, "\n"))
	}
}
