// Package demo is the code every example server shares: flags, the embedded
// development issuer, the verifier, the item store and its handlers, the
// banner with ready tokens and curl commands, and graceful shutdown. Each
// example only wires these handlers into its router.
package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/rbac"
)

// Realm is the realm of the examples' WWW-Authenticate challenges.
const Realm = "jwtguard-example"

// DevAudience is the audience of the development issuer's tokens.
const DevAudience = "jwtguard-example-api"

// Config is what the flags say.
type Config struct {
	Addr       string // API listen address
	Issuer     string // a real provider's issuer URL; empty starts the development issuer
	Audience   string // the audience to require (with Issuer)
	JWKS       string // optional JWKS URL, skipping discovery (with Issuer)
	Preset     string // rbac preset naming where roles and scopes are
	RolesClaim string // claim path of the roles, overriding the preset's
	NoCache    bool   // turn the verified-token cache off (for measurements)
}

// ParseFlags reads the flags every example accepts.
func ParseFlags(name string, args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "API listen address (\":0\" or \"127.0.0.1:0\" picks a free port)")
	fs.StringVar(&c.Issuer, "issuer", "", "protect the API with a real provider's tokens: its issuer URL (no development issuer starts)")
	fs.StringVar(&c.Audience, "audience", "", "the audience the provider's tokens must carry (required with -issuer)")
	fs.StringVar(&c.JWKS, "jwks", "", "the provider's JWKS URL, to skip OIDC discovery (optional)")
	fs.StringVar(&c.Preset, "preset", "default", "where tokens keep roles and scopes: "+strings.Join(rbac.PresetNames(), ", ")+
		" (keycloak reads the client roles of -audience)")
	fs.StringVar(&c.RolesClaim, "roles-claim", "", `claim path of the roles array, e.g. realm_access.roles or '["https://example.com/roles"]'`)
	fs.BoolVar(&c.NoCache, "no-token-cache", false, "verify every request's signature (turns the verified-token cache off, to measure it)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if _, err := c.mapper(); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case c.Issuer == "" && (c.Audience != "" || c.JWKS != ""):
		return c, errors.New("-audience and -jwks need -issuer")
	case c.Issuer != "" && c.Audience == "":
		return c, errors.New("-issuer needs -audience")
	}
	return c, nil
}

// mapper builds the rbac mapper the flags describe.
func (c Config) mapper() (*rbac.Mapper, error) {
	sources, err := rbac.Preset(c.Preset, c.Audience)
	if err != nil {
		return nil, err
	}
	if c.RolesClaim != "" {
		path, err := rbac.ParsePath(c.RolesClaim)
		if err != nil {
			return nil, err
		}
		sources = slices.DeleteFunc(sources, func(s rbac.Source) bool { return s.Kind == rbac.KindRole })
		sources = append(sources, rbac.Source{Kind: rbac.KindRole, Path: path, Shape: rbac.ShapeArray})
	}
	return rbac.NewMapper(sources)
}

// App is a running example: its verifier, its development issuer (nil with
// -issuer), the mapper of roles and scopes, and its item store.
type App struct {
	Verifier *middleware.Verifier
	Mapper   *rbac.Mapper
	Dev      *jwttest.Issuer
	Items    *Items
	Log      *slog.Logger
}

// The routes' rules, shared by every example.
var (
	ReadItems   = rbac.Scope("items:read")
	WriteItems  = rbac.Scope("items:write")
	DeleteItems = rbac.Role("admin")
)

// NewApp starts the development issuer unless cfg names a real one, and
// builds the verifier.
func NewApp(cfg Config, log *slog.Logger) (*App, error) {
	mapper, err := cfg.mapper()
	if err != nil {
		return nil, err
	}
	app := &App{Items: NewItems(), Log: log, Mapper: mapper}
	issuer := middleware.Issuer{URL: cfg.Issuer, Audiences: []string{cfg.Audience}, JWKSURL: cfg.JWKS}
	if cfg.Issuer == "" {
		dev, err := jwttest.NewIssuer(jwttest.WithAudience(DevAudience), jwttest.WithTokenLifetime(8*time.Hour))
		if err != nil {
			return nil, fmt.Errorf("starting the development issuer: %w", err)
		}
		app.Dev = dev
		issuer = middleware.Issuer{URL: dev.URL(), Audiences: []string{DevAudience}}
	}
	cache := middleware.WithTokenCache(10_000, 16<<20)
	if cfg.NoCache {
		cache = middleware.WithTokenCache(0, 0)
	}
	// The verifier logs refusals itself, with their reason and cause: the
	// first of each reason at once, then at most one line a minute.
	v, err := middleware.New([]middleware.Issuer{issuer}, cache, middleware.WithLogger(log))
	if err != nil {
		app.Close()
		return nil, err
	}
	app.Verifier = v
	return app, nil
}

// Close stops the verifier and the development issuer.
func (a *App) Close() {
	if a.Verifier != nil {
		_ = a.Verifier.Close()
	}
	if a.Dev != nil {
		a.Dev.Close()
	}
}

// Routes builds an example's handler: the only part that differs between
// the examples.
type Routes func(*App) (http.Handler, error)

// Run starts an example: it builds the App, listens on cfg.Addr, prints the
// banner to out, serves routes(app) until ctx ends, then shuts down
// gracefully.
func Run(ctx context.Context, cfg Config, out io.Writer, log *slog.Logger, routes Routes) error {
	app, err := NewApp(cfg, log)
	if err != nil {
		return err
	}
	defer app.Close()
	handler, err := routes(app)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	apiURL := "http://" + dialable(ln.Addr().(*net.TCPAddr))
	if err := Banner(out, app, apiURL); err != nil {
		_ = ln.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// dialable turns a listen address into one a client can use: a wildcard
// listener (":0", "0.0.0.0:0") is reached through loopback.
func dialable(a *net.TCPAddr) string {
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(a.Port))
}
