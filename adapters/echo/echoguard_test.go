package echoguard_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	echoguard "github.com/jwtguard/jwtguard/adapters/echo"
	"github.com/jwtguard/jwtguard/internal/conformance"
	"github.com/jwtguard/jwtguard/jwttest"
	authmw "github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
	"github.com/labstack/echo/v4"
)

// echoStack protects every route with e.Use(Protect) and each route with
// its own Require; errors are rendered by echo's default HTTPErrorHandler.
// The route's handler runs through echo.WrapHandler after checking that the
// echo accessor and the request context hold the same claims.
func echoStack(v *authmw.Verifier, opts []nethttp.Option, routes []conformance.Route) http.Handler {
	e := echo.New()
	e.Use(echoguard.Protect(v, opts...))
	for _, rt := range routes {
		var mws []echo.MiddlewareFunc
		if rt.Policy != nil {
			mws = append(mws, echoguard.Require(*rt.Policy, opts...))
		}
		e.Add(rt.Method, rt.Path, sameClaims(echo.WrapHandler(rt.Handler)), mws...)
	}
	return e
}

// sameClaims fails the request when c.Get and the request context disagree.
func sameClaims(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		fromEcho, okEcho := echoguard.Claims(c)
		fromCtx, okCtx := authmw.ClaimsFromContext(c.Request().Context())
		if okEcho != okCtx || fromEcho != fromCtx {
			return c.NoContent(http.StatusTeapot)
		}
		return next(c)
	}
}

func bareEcho(routes []conformance.Route) http.Handler {
	e := echo.New()
	for _, rt := range routes {
		e.Add(rt.Method, rt.Path, echo.WrapHandler(rt.Handler))
	}
	return e
}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.StackFunc(echoStack))
}

// BenchmarkOverhead: echoguard's cost over bare echo next to nethttp's over
// a bare ServeMux (see conformance.Benchmark).
func BenchmarkOverhead(b *testing.B) {
	conformance.Benchmark(b, "echo", conformance.StackFunc(echoStack), bareEcho)
}

const audience = "orders-api"

func get(t *testing.T, url, token string) (*http.Response, string) {
	t.Helper()
	return conformance.Call(t, http.MethodGet, url, token)
}

func TestACustomErrorHandlerSeesTheReason(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	e := echo.New()
	var seen []reason.Code
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		var he *echo.HTTPError
		if !errors.As(err, &he) || !errors.Is(err, authmw.ErrInvalidToken) && !errors.Is(err, authmw.ErrNoToken) &&
			!errors.Is(err, authmw.ErrInsufficientScope) {
			t.Errorf("unexpected error %v", err)
		}
		seen = append(seen, authmw.ReasonOf(err))
		if want := authmw.ResponseFor(err, "api").Error; !strings.Contains(he.Error(), `"error":"`+want+`"`) {
			t.Errorf("the error reads %q in logs, want its body %q in it", he.Error(), want)
		}
		_ = c.HTML(he.Code, "<p>"+authmw.ResponseFor(err, "api").Error+"</p>")
	}
	api := e.Group("/api", echoguard.Protect(v))
	api.GET("/admin", func(c echo.Context) error { return c.String(200, "ok") }, echoguard.Require(rbac.Role("admin")))
	srv := httptest.NewServer(e)
	defer srv.Close()

	resp, body := get(t, srv.URL+"/api/admin", "x.y.z")
	if resp.StatusCode != 401 || body != "<p>invalid_token</p>" ||
		!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Bearer realm="api", error="invalid_token"`) ||
		resp.Header.Get("Content-Type") != echo.MIMETextHTMLCharsetUTF8 {
		t.Fatalf("bad token: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp, _ = get(t, srv.URL+"/api/admin", "")
	if resp.StatusCode != 401 {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	resp, _ = get(t, srv.URL+"/api/admin", iss.MustMint(jwttest.ClaimsSet{"sub": "bob", "roles": []string{"viewer"}}))
	if resp.StatusCode != 403 {
		t.Fatalf("viewer: %d", resp.StatusCode)
	}
	want := []reason.Code{reason.TokenMalformed, reason.TokenMissing, reason.InsufficientScope}
	if len(seen) != 3 || seen[0] != want[0] || seen[1] != want[1] || seen[2] != want[2] {
		t.Fatalf("reasons %v, want %v", seen, want)
	}
}

func TestSkipperAndAccessors(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	e := echo.New()
	e.Use(echoguard.ProtectWithConfig(v, echoguard.Config{
		Skipper: func(c echo.Context) bool { return c.Path() == "/healthz" },
		Options: []nethttp.Option{nethttp.WithRealm("shop")},
	}))
	e.GET("/healthz", func(c echo.Context) error {
		_, ok := echoguard.Claims(c)
		defer func() {
			_ = c.String(200, "claims "+map[bool]string{true: "yes", false: "no"}[ok]+", MustClaims panicked: "+panicked(recover()))
		}()
		echoguard.MustClaims(c)
		return nil
	})
	e.GET("/me", func(c echo.Context) error { return c.String(200, echoguard.MustClaims(c).Subject) })
	srv := httptest.NewServer(e)
	defer srv.Close()
	if _, body := get(t, srv.URL+"/healthz", ""); body != "claims no, MustClaims panicked: yes" {
		t.Fatalf("skipped route: %q", body)
	}
	if resp, _ := get(t, srv.URL+"/me", ""); resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer realm="shop"` {
		t.Fatalf("not skipped: %d %v", resp.StatusCode, resp.Header)
	}
	if _, body := get(t, srv.URL+"/me", iss.MustMint(jwttest.ClaimsSet{"sub": "dora"})); body != "dora" {
		t.Fatalf("me: %q", body)
	}
}

func panicked(v any) string {
	if v != nil {
		return "yes"
	}
	return "no"
}
