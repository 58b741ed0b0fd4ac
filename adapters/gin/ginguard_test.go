package ginguard_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/gin-gonic/gin"
	ginguard "github.com/jwtguard/jwtguard/adapters/gin"
	"github.com/jwtguard/jwtguard/internal/conformance"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// ginStack protects every route with r.Use(Protect) and each route with
// its own Require; the route's handler runs through gin.WrapH after checking
// that the gin accessor and the request context hold the same claims.
func ginStack(v *middleware.Verifier, opts []nethttp.Option, routes []conformance.Route) http.Handler {
	r := gin.New()
	r.Use(ginguard.Protect(v, opts...))
	for _, rt := range routes {
		var chain []gin.HandlerFunc
		if rt.Policy != nil {
			chain = append(chain, ginguard.Require(*rt.Policy, opts...))
		}
		chain = append(chain, sameClaims, gin.WrapH(rt.Handler))
		r.Handle(rt.Method, rt.Path, chain...)
	}
	return r
}

// sameClaims fails the request when c.Get and the request context disagree.
func sameClaims(c *gin.Context) {
	fromGin, okGin := ginguard.Claims(c)
	fromCtx, okCtx := middleware.ClaimsFromContext(c.Request.Context())
	if okGin != okCtx || fromGin != fromCtx {
		c.AbortWithStatus(http.StatusTeapot)
	}
}

func bareGin(routes []conformance.Route) http.Handler {
	r := gin.New()
	for _, rt := range routes {
		r.Handle(rt.Method, rt.Path, gin.WrapH(rt.Handler))
	}
	return r
}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.StackFunc(ginStack))
}

// BenchmarkOverhead: ginguard's cost over bare gin next to nethttp's over
// a bare ServeMux (see conformance.Benchmark).
func BenchmarkOverhead(b *testing.B) {
	conformance.Benchmark(b, "gin", conformance.StackFunc(ginStack), bareGin)
}

const audience = "orders-api"

func get(t *testing.T, url, token string) (*http.Response, string) {
	t.Helper()
	return conformance.Call(t, http.MethodGet, url, token)
}

func TestErrorsAreRecordedWithCErrorAndTheChainAborts(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	var recorded []error
	reached := 0
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Next()
		for _, e := range c.Errors {
			recorded = append(recorded, e.Err)
			if e.IsType(gin.ErrorTypePublic) {
				t.Errorf("the error is public: gin would render it")
			}
		}
	})
	api := r.Group("/api", ginguard.Protect(v))
	api.GET("/admin", ginguard.Require(rbac.Role("admin")), func(c *gin.Context) { reached++ })
	srv := httptest.NewServer(r)
	defer srv.Close()

	resp, body := get(t, srv.URL+"/api/admin", "")
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer realm="api"` ||
		body != `{"error":"unauthorized","error_description":"An access token is required"}`+"\n" {
		t.Fatalf("no token: %d %q %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
	resp, _ = get(t, srv.URL+"/api/admin", iss.MustMint(jwttest.ClaimsSet{"sub": "bob", "roles": []string{"editor"}}))
	if resp.StatusCode != 403 {
		t.Fatalf("editor: %d", resp.StatusCode)
	}
	if reached != 0 {
		t.Fatalf("the handler ran %d times after a refusal", reached)
	}
	if len(recorded) != 2 ||
		middleware.ReasonOf(recorded[0]) != reason.TokenMissing ||
		!errors.Is(recorded[1], middleware.ErrInsufficientScope) {
		t.Fatalf("recorded %v", recorded)
	}
	resp, _ = get(t, srv.URL+"/api/admin", iss.MustMint(jwttest.ClaimsSet{"sub": "bob", "roles": []string{"admin"}}))
	if resp.StatusCode != 200 || reached != 1 || len(recorded) != 2 {
		t.Fatalf("admin: %d, reached %d, recorded %v", resp.StatusCode, reached, recorded)
	}
}

func TestClaimsAccessors(t *testing.T) {
	iss, v := conformance.Verifier(t, audience)
	r := gin.New()
	r.GET("/open", func(c *gin.Context) {
		_, ok := ginguard.Claims(c)
		defer func() { c.String(200, "claims %v, MustClaims panicked: %v", ok, recover() != nil) }()
		ginguard.MustClaims(c)
	})
	r.GET("/me", ginguard.Protect(v, nethttp.WithAnonymous()), func(c *gin.Context) {
		if claims, ok := ginguard.Claims(c); ok {
			c.String(200, "%s %v", ginguard.MustClaims(c).Subject, claims.Issuer == iss.URL())
			return
		}
		c.String(200, "anonymous")
	})
	r.GET("/wrong-type", func(c *gin.Context) {
		c.Set(ginguard.ClaimsKey, "not claims")
		_, ok := ginguard.Claims(c)
		c.String(200, "%v", ok)
	})
	srv := httptest.NewServer(r)
	defer srv.Close()
	for _, tc := range []struct{ path, token, want string }{
		{"/open", "", "claims false, MustClaims panicked: true"},
		{"/me", "", "anonymous"},
		{"/me", iss.MustMint(jwttest.ClaimsSet{"sub": "carol"}), "carol true"},
		{"/wrong-type", "", "false"},
	} {
		if _, body := get(t, srv.URL+tc.path, tc.token); body != tc.want {
			t.Errorf("%s: %q, want %q", tc.path, body, tc.want)
		}
	}
}
