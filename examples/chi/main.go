// Command chi is the quickstart's API on a go-chi/chi router: the same
// routes, flags, environment, embedded development issuer and curl
// commands, with the rules kept in one chiguard route table.
//
//	go run ./examples/chi
//
// Everything jwtguard needs is in this file; flags.go reads the flags and
// the environment, dev.go is the development issuer and the banner,
// items.go the example's own handlers. To copy it
// into a service, start from examples/production/chi, which has neither.
package main

import (
	"context"
	"errors"
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

	"github.com/go-chi/chi/v5"
	chimw "github.com/go-chi/chi/v5/middleware"
	chiguard "github.com/jwtguard/jwtguard/adapters/chi"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

// realm names this API in its WWW-Authenticate challenges.
const realm = "jwtguard-example"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "chi:", err)
		os.Exit(1)
	}
}

// routes: Protect verifies the token of every /api request; the route
// table holds every rule in one place (it could come from configuration
// with chiguard.NewTableFromRules) and denies routes it has no rule for.
// A rule naming no route (a typo, a renamed route) is an error.
func routes(v *middleware.Verifier, mapper *rbac.Mapper, store *items) (http.Handler, error) {
	opt := nethttp.WithRealm(realm)
	table, err := chiguard.NewTable(chiguard.DenyUnlisted, map[string]rbac.Policy{
		"GET /api/me":            rbac.Authenticated(),
		"GET /api/items":         rbac.Scope("items:read"),
		"POST /api/items":        rbac.Scope("items:write"),
		"DELETE /api/items/{id}": rbac.Role("admin"),
	}, opt)
	if err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	r.Use(chimw.Recoverer)
	r.Get("/healthz", healthz)
	// Routes registered through table.Router carry their rule's check in
	// their own handler: it runs after chi has routed the request.
	table.Router(r).Route("/api", func(r chi.Router) {
		r.Use(chiguard.Protect(v, opt, nethttp.WithMapper(mapper)))
		r.Get("/me", me)
		r.Get("/items", store.list)
		r.Post("/items", store.create)
		r.Delete("/items/{id}", func(w http.ResponseWriter, r *http.Request) {
			store.remove(w, r, chi.URLParam(r, "id"))
		})
	})
	return r, table.Check(r)
}

// me answers with the caller's verified claims.
func me(w http.ResponseWriter, r *http.Request) {
	c, _ := middleware.ClaimsFromContext(r.Context()) // always there behind Protect
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(c.Raw())
}

// run serves the API until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("chi", args, getenv, stderr, nil)
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
	v, err := middleware.New([]middleware.Issuer{issuer}, cache, middleware.WithLogger(log))
	if err != nil {
		return err
	}
	defer v.Close()

	handler, err := routes(v, mapper, newItems())
	if err != nil {
		return err
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
