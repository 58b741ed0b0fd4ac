// Command quickstart runs a protected API on loopback, with an embedded
// development issuer, ready tokens and curl commands, so jwtguard can be
// tried offline in one command:
//
//	go run ./examples/quickstart
//
// With -issuer and -audience (or ISSUER and AUDIENCE in the environment) it
// protects the same API with a real provider's tokens instead (Keycloak,
// Auth0, Okta, Entra ID, Cognito…); -preset (PRESET), -preset-param
// (PRESET_PARAM) and -roles-claim say where those tokens keep roles and
// scopes, -jwks (JWKS_URL) skips discovery.
//
// Rules: GET /api/items needs scope items:read, POST /api/items scope
// items:write, DELETE /api/items/{id} role admin; GET /api/me any valid
// token; GET /healthz nothing.
//
// Everything jwtguard needs is in this file; flags.go reads the flags and
// the environment, dev.go is the development issuer and the banner,
// items.go the example's own handlers.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	promguard "github.com/jwtguard/jwtguard/prometheus"
	"github.com/jwtguard/jwtguard/rbac"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// realm names this API in its WWW-Authenticate challenges.
const realm = "jwtguard-example"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// routes is the whole integration: Protect verifies the token of every
// /api/ request and maps its roles and scopes, Require applies each
// route's rule.
func routes(v *middleware.Verifier, mapper *rbac.Mapper, store *items) http.Handler {
	opt := nethttp.WithRealm(realm)
	require := func(p rbac.Policy, h http.HandlerFunc) http.Handler { return nethttp.Require(p, opt)(h) }
	api := http.NewServeMux()
	api.HandleFunc("GET /api/me", me)
	api.Handle("GET /api/items", require(rbac.Scope("items:read"), store.list))
	api.Handle("POST /api/items", require(rbac.Scope("items:write"), store.create))
	api.Handle("DELETE /api/items/{id}", require(rbac.Role("admin"), func(w http.ResponseWriter, r *http.Request) {
		store.remove(w, r, r.PathValue("id"))
	}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("/api/", nethttp.Protect(v, opt, nethttp.WithMapper(mapper))(api))
	return mux
}

// me answers with the caller's verified claims.
func me(w http.ResponseWriter, r *http.Request) {
	c, _ := middleware.ClaimsFromContext(r.Context()) // always there behind Protect
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(c.Raw())
}

// run serves the API until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var withMetrics bool
	cfg, err := parseConfig("quickstart", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&withMetrics, "metrics", false, "serve Prometheus figures on GET /metrics (unauthenticated: on a port of its own in a service)")
	})
	if err != nil {
		return err
	}
	mapper, err := newMapper(cfg)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	issuer := middleware.Issuer{URL: cfg.issuer, Audiences: []string{cfg.audience}, JWKSURL: cfg.jwks}
	var dev *jwttest.Issuer
	if cfg.issuer == "" { // no provider named: the development issuer
		if dev, err = startDevIssuer(); err != nil {
			return err
		}
		defer dev.Close()
		issuer = middleware.Issuer{URL: dev.URL(), Audiences: []string{devAudience}}
	}
	cache := middleware.WithTokenCache(10_000, 16<<20)
	if cfg.noCache {
		cache = middleware.WithTokenCache(0, 0)
	}
	// The verifier logs each refusal's reason and cause: the first of each
	// reason at once, then at most one line a minute.
	opts := []middleware.Option{cache, middleware.WithLogger(log)}
	var metrics *promguard.Metrics
	if withMetrics {
		metrics = promguard.New()
		opts = append(opts, middleware.WithHook(metrics.Hook))
	}
	v, err := middleware.New([]middleware.Issuer{issuer}, opts...)
	if err != nil {
		return err
	}
	defer v.Close()
	handler := routes(v, mapper, newItems())
	if metrics != nil {
		if handler, err = withMetricsHandler(handler, v, metrics); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 15 * time.Second, WriteTimeout: 15 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 64 << 10}
	if err := banner(stdout, dev, "http://"+dialable(ln.Addr().(*net.TCPAddr))); err != nil {
		_ = ln.Close()
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newMapper reads roles and scopes where the preset says (Keycloak's
// client ID and ZITADEL's project ID are the audience unless
// -preset-param names them), and the roles from -roles-claim instead when
// it is given.
func newMapper(cfg config) (*rbac.Mapper, error) {
	param := cfg.presetParam
	if p := strings.ToLower(cfg.preset); param == "" && (p == "keycloak" || p == "zitadel") {
		param = cfg.audience
	}
	sources, err := rbac.Preset(cfg.preset, param)
	if err != nil {
		return nil, err
	}
	if cfg.rolesClaim != "" {
		path, err := rbac.ParsePath(cfg.rolesClaim)
		if err != nil {
			return nil, err
		}
		sources = slices.DeleteFunc(sources, func(s rbac.Source) bool { return s.Kind == rbac.KindRole })
		sources = append(sources, rbac.Source{Kind: rbac.KindRole, Path: path, Shape: rbac.ShapeArray})
	}
	return rbac.NewMapper(sources)
}

// withMetricsHandler serves the verifier's Prometheus figures, and the Go
// runtime's, on GET /metrics beside the API.
func withMetricsHandler(api http.Handler, v *middleware.Verifier, m *promguard.Metrics) (http.Handler, error) {
	if err := m.Watch(v); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(m, collectors.NewGoCollector())
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("/", api)
	return mux, nil
}
