package main

import (
	"context"
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	chiguard "github.com/jwtguard/jwtguard/adapters/chi"
	echoguard "github.com/jwtguard/jwtguard/adapters/echo"
	ginguard "github.com/jwtguard/jwtguard/adapters/gin"
	"github.com/jwtguard/jwtguard/internal/floor"
	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/internal/seedkey"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	otelguard "github.com/jwtguard/jwtguard/otel"
	promguard "github.com/jwtguard/jwtguard/prometheus"
	"github.com/jwtguard/jwtguard/rbac"
	"github.com/labstack/echo/v4"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

const (
	issuer   = "https://id.example.com/realms/acme"
	audience = "orders-api"
	path     = "/api/items"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// A scenario is one row of the table; floor names the row its ratio is
// taken to. A cheap one (no public-key operation) runs cheapRuns times as
// many requests: what differs between two processes besides the requests
// (a few thousand instructions) then weighs nothing in its figure.
type scenario struct {
	name, floor string
	cheap       bool
}

const cheapRuns = 50

var scenarios = []scenario{
	{"floor", "floor", false},
	{"nethttp", "floor", false},
	{"nethttp, cache hit", "floor", true},
	{"nethttp, no role check", "floor", false},
	{"nethttp, Prometheus", "floor", false},
	{"nethttp, Prometheus, cache hit", "floor", true},
	{"nethttp, OTel metrics", "floor", false},
	{"nethttp, OTel metrics, cache hit", "floor", true},
	{"nethttp, OTel tracing", "floor", false},
	{"handler alone", "floor", true},
	{"garbage token", "floor", true},
	{"alg none", "floor", true},
	{"unknown issuer", "floor", true},
	{"Verify: garbage token", "floor", true},
	{"Verify: alg none", "floor", true},
	{"Verify: unknown issuer", "floor", true},
	{"floor, refusing", "floor, refusing", false},
	{"bad signature", "floor, refusing", false},
	{"gin", "floor", false},
	{"gin, bare", "floor", true},
	{"echo", "floor", false},
	{"echo, bare", "floor", true},
	{"chi", "floor", false},
	{"chi, bare", "floor", true},
}

// serve sets up every scenario for alg, runs each once, then runs scenario
// name n times.
func serve(alg, name string, n int) error {
	priv, err := seedkey.Import(os.Getenv(keyEnv))
	if err != nil {
		return err
	}
	ops, err := setUp(alg, priv)
	if err != nil {
		return err
	}
	for _, s := range scenarios {
		if err := ops[s.name](); err != nil {
			return fmt.Errorf("%s %s: %w", alg, s.name, err)
		}
	}
	op := ops[name]
	if op == nil {
		return fmt.Errorf("no scenario %q", name)
	}
	for range n {
		if err := op(); err != nil {
			return fmt.Errorf("%s %s: %w", alg, name, err)
		}
	}
	return nil
}

// setUp builds every scenario's request and handler.
func setUp(alg string, priv crypto.Signer) (map[string]func() error, error) {
	a, ok := jose.LookupAlg(alg)
	if !ok {
		return nil, fmt.Errorf("unknown algorithm %s", alg)
	}
	sign := func(header, payload string) (string, error) {
		in := b64(header) + "." + b64(payload)
		sig, err := jose.Sign(a, priv, nil, in)
		return in + "." + base64.RawURLEncoding.EncodeToString(sig), err
	}
	claims := func(iss, sub string) string {
		return fmt.Sprintf(`{"iss":%q,"sub":%q,"aud":%q,"exp":%d,"iat":%d,"scope":"items:read items:write","roles":["admin","user"]}`,
			iss, sub, audience, now.Add(time.Hour).Unix(), now.Unix())
	}
	header := `{"alg":"` + alg + `","kid":"k1","typ":"at+jwt"}`
	valid, err1 := sign(header, claims(issuer, "alice"))
	other, err2 := sign(header, claims(issuer, "mallory"))
	stranger, err3 := sign(header, claims("https://evil.example", "alice"))
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	seg, otherSeg := strings.Split(valid, "."), strings.Split(other, ".")
	forged := seg[0] + "." + otherSeg[1] + "." + seg[2]
	none := b64(`{"alg":"none","typ":"JWT"}`) + "." + seg[1] + "."

	const garbage = "eyJub3Q.YSB0b2tlbg.Z2FyYmFnZQ" // {"not.a token.garbage
	pub := priv.Public()
	accept, err := floor.New(alg, pub, valid)
	if err != nil {
		return nil, err
	}
	refuse, err := floor.Rejecting(alg, pub, forged)
	if err != nil {
		return nil, err
	}
	verifier := func(opts ...middleware.Option) (*middleware.Verifier, error) {
		return middleware.New([]middleware.Issuer{{URL: issuer, Audiences: []string{audience},
			Keys: []middleware.Key{{ID: "k1", Algorithm: alg, Public: pub}}}},
			append([]middleware.Option{middleware.WithAlgorithms(alg), middleware.WithClock(func() time.Time { return now }),
				middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}, opts...)...)
	}
	off, err1 := verifier(middleware.WithTokenCache(0, 0))
	on, err2 := verifier()
	metrics := promguard.New()
	promOff, err3 := verifier(middleware.WithTokenCache(0, 0), middleware.WithHook(metrics.Hook))
	promOn, err4 := verifier(middleware.WithHook(metrics.Hook))
	// OpenTelemetry's SDK, as a service runs it: metrics read by a reader
	// (never collected here), spans sampled and ended (exported nowhere).
	otelMetrics, err5 := otelguard.New(otelguard.WithTracerProvider(noop.NewTracerProvider()),
		otelguard.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))))
	otelTracing, err6 := otelguard.New(otelguard.WithTracerProvider(sdktrace.NewTracerProvider()),
		otelguard.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))))
	if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil {
		return nil, err
	}
	otelOff, err7 := verifier(middleware.WithTokenCache(0, 0), middleware.WithHook(otelMetrics.Hook))
	otelOn, err8 := verifier(middleware.WithHook(otelMetrics.Hook))
	traced, err9 := verifier(middleware.WithTokenCache(0, 0), middleware.WithHook(otelTracing.Hook))
	if err := errors.Join(err7, err8, err9); err != nil {
		return nil, err
	}
	if err := errors.Join(otelMetrics.Watch(otelOff), otelTracing.Watch(traced)); err != nil {
		return nil, err
	}
	admin := rbac.Role("admin")
	inner := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	guarded := func(v *middleware.Verifier) http.Handler { return nethttp.Protect(v)(nethttp.Require(admin)(inner)) }

	gin.SetMode(gin.ReleaseMode)
	ginEngine := func(mw ...gin.HandlerFunc) http.Handler {
		g := gin.New()
		g.GET(path, append(mw, func(c *gin.Context) { c.Status(http.StatusNoContent) })...)
		return g
	}
	echoServer := func(mw ...echo.MiddlewareFunc) http.Handler {
		e := echo.New()
		e.GET(path, func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, mw...)
		return e
	}
	chiRouter := func(mw ...func(http.Handler) http.Handler) http.Handler {
		r := chi.NewRouter()
		r.With(mw...).Get(path, inner)
		return r
	}

	check := func(verify func() bool, want bool) func() error {
		return func() error {
			if verify() != want {
				return errors.New("the floor's answer changed")
			}
			return nil
		}
	}
	ops := map[string]func() error{
		"floor":                            check(accept, true),
		"floor, refusing":                  check(refuse, false),
		"nethttp":                          request(guarded(off), valid, http.StatusNoContent),
		"nethttp, cache hit":               request(guarded(on), valid, http.StatusNoContent),
		"nethttp, no role check":           request(nethttp.Protect(off)(inner), valid, http.StatusNoContent),
		"nethttp, Prometheus":              request(guarded(promOff), valid, http.StatusNoContent),
		"nethttp, Prometheus, cache hit":   request(guarded(promOn), valid, http.StatusNoContent),
		"nethttp, OTel metrics":            request(guarded(otelOff), valid, http.StatusNoContent),
		"nethttp, OTel metrics, cache hit": request(guarded(otelOn), valid, http.StatusNoContent),
		"nethttp, OTel tracing":            request(guarded(traced), valid, http.StatusNoContent),
		"handler alone":                    request(inner, valid, http.StatusNoContent),
		"garbage token":                    request(guarded(off), garbage, http.StatusUnauthorized),
		"alg none":                         request(guarded(off), none, http.StatusUnauthorized),
		"unknown issuer":                   request(guarded(off), stranger, http.StatusUnauthorized),
		"bad signature":                    request(guarded(off), forged, http.StatusUnauthorized),
		"Verify: garbage token":            refused(off, garbage),
		"Verify: alg none":                 refused(off, none),
		"Verify: unknown issuer":           refused(off, stranger),
		"gin":                              request(ginEngine(ginguard.Protect(off), ginguard.Require(admin)), valid, http.StatusNoContent),
		"gin, bare":                        request(ginEngine(), valid, http.StatusNoContent),
		"echo":                             request(echoServer(echoguard.Protect(off), echoguard.Require(admin)), valid, http.StatusNoContent),
		"echo, bare":                       request(echoServer(), valid, http.StatusNoContent),
		"chi":                              request(chiRouter(chiguard.Protect(off), chiguard.Require(admin)), valid, http.StatusNoContent),
		"chi, bare":                        request(chiRouter(), valid, http.StatusNoContent),
	}
	return ops, nil
}

// request serves one GET of path with token to h and checks the status.
// The request and the response writer are reused, as a server reuses its
// connection's.
func request(h http.Handler, token string, want int) func() error {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := new(floor.ResponseWriter)
	return func() error { return w.Serve(h, r, want) }
}

// refused verifies token with v alone (no request, no answer) and checks
// that it is refused.
func refused(v *middleware.Verifier, token string) func() error {
	return func() error {
		if _, err := v.Verify(context.Background(), token); !errors.Is(err, middleware.ErrInvalidToken) {
			return fmt.Errorf("got %v, want an invalid token", err)
		}
		return nil
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
