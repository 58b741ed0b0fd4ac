// Command production is a protected API as a service runs it, to copy:
// every piece of configuration is here, read from the environment (or a
// flag of the same name, which wins), with no development issuer.
//
//	ISSUER=https://id.example.com/realms/acme AUDIENCE=orders-api PRESET=keycloak go run ./examples/production
//
// Environment (and flags):
//
//	ISSUER        -issuer        the issuer identifier, exactly as tokens carry it in iss (required)
//	AUDIENCE      -audience      what this API calls itself: tokens must carry it in aud (required)
//	PRESET        -preset        where tokens keep roles and scopes (default, keycloak, auth0, entra,
//	                             okta, cognito, oidc, dex, zitadel, hydra); default "default"
//	PRESET_PARAM  -preset-param  the preset's parameter: Keycloak client ID or ZITADEL project ID
//	                             (default: AUDIENCE), Auth0 or Hydra roles claim
//	JWKS_URL      -jwks          the key set's URL, to skip OIDC discovery (optional)
//	ADDR          -addr          the listen address; default ":8080"
//
// It serves GET /healthz without a token, GET /api/me (the token's claims)
// to any verified token, GET /api/items to tokens with the scope
// items:read and DELETE /api/items/{id} to tokens with the role admin; it logs as JSON, refusals included (at most one line per
// reason and issuer a minute), and on SIGINT or SIGTERM it stops taking connections
// and lets the requests in flight finish.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(os.Args[1:], log); err != nil {
		log.Error("production example", "error", err)
		os.Exit(1)
	}
}

func run(args []string, log *slog.Logger) error {
	// Each setting is an environment variable, or a flag that overrides it.
	fs := flag.NewFlagSet(os.Args[0], flag.ContinueOnError)
	issuer := fs.String("issuer", os.Getenv("ISSUER"), "the issuer identifier, exactly as in iss [ISSUER]")
	audience := fs.String("audience", os.Getenv("AUDIENCE"), "what this API calls itself, in aud [AUDIENCE]")
	preset := fs.String("preset", os.Getenv("PRESET"), "where tokens keep roles and scopes [PRESET]")
	presetParam := fs.String("preset-param", os.Getenv("PRESET_PARAM"), "the preset's parameter [PRESET_PARAM]")
	jwksURL := fs.String("jwks", os.Getenv("JWKS_URL"), "the key set's URL, to skip discovery [JWKS_URL]")
	addr := fs.String("addr", cmp.Or(os.Getenv("ADDR"), ":8080"), "the listen address [ADDR]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *issuer == "" || *audience == "" {
		return errors.New("ISSUER and AUDIENCE (or -issuer and -audience) are required")
	}
	// Keycloak's client ID and ZITADEL's project ID are, unless given, the
	// audience.
	param := *presetParam
	if p := strings.ToLower(*preset); param == "" && (p == "keycloak" || p == "zitadel") {
		param = *audience
	}
	sources, err := rbac.Preset(*preset, param)
	if err != nil {
		return err
	}
	mapper, err := rbac.NewMapper(sources)
	if err != nil {
		return err
	}
	// StartupFetch: an instance that cannot get the keys fails now, where
	// its orchestrator sees it, rather than answer 503 later.
	v, err := middleware.New([]middleware.Issuer{{URL: *issuer, Audiences: []string{*audience}, JWKSURL: *jwksURL}},
		middleware.WithLogger(log), middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}))
	if err != nil {
		return err
	}
	defer v.Close()

	protect := nethttp.Protect(v, nethttp.WithMapper(mapper))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.Handle("GET /api/me", protect(http.HandlerFunc(me)))
	mux.Handle("GET /api/items", protect(nethttp.Require(rbac.Scope("items:read"))(http.HandlerFunc(items))))
	mux.Handle("DELETE /api/items/{id}", protect(nethttp.Require(rbac.Role("admin"))(http.HandlerFunc(deleteItem))))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// Bounds for every connection; a route that takes a body should also
	// bound it (http.MaxBytesReader).
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "issuer", *issuer, "audience", *audience)
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	stop() // a second signal ends the program at once
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

func me(w http.ResponseWriter, r *http.Request) {
	c, _ := middleware.ClaimsFromContext(r.Context())
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(c.Raw())
}

func items(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"items":[]}` + "\n"))
}

func deleteItem(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }
