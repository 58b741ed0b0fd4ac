// Command gin is examples/production on gin, to copy: every piece of
// configuration is here, read from the environment (or a flag of the same
// name, which wins), with no development issuer. It is a module of its
// own, so that only its users download gin.
//
//	ISSUER=https://id.example.com/realms/acme AUDIENCE=orders-api PRESET=keycloak go run ./examples/production/gin
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

	"github.com/gin-gonic/gin"

	ginguard "github.com/jwtguard/jwtguard/adapters/gin"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(os.Args[1:], log); err != nil {
		log.Error("production example (gin)", "error", err)
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

	gin.SetMode(gin.ReleaseMode)
	mux := gin.New()
	mux.Use(gin.Recovery())
	mux.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })
	api := mux.Group("/api", ginguard.Protect(v, nethttp.WithMapper(mapper)))
	api.GET("/me", me)
	api.GET("/items", ginguard.Require(rbac.Scope("items:read")), items)
	api.DELETE("/items/:id", ginguard.Require(rbac.Role("admin")), deleteItem)

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

func me(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", ginguard.MustClaims(c).Raw())
}

func items(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"items": []string{}})
}

func deleteItem(c *gin.Context) { c.Status(http.StatusNoContent) }
