// Command quickstart runs a protected API on loopback, with an embedded
// development issuer, ready tokens and curl commands, so jwtguard can be
// tried offline in one command:
//
//	go run ./examples/quickstart
//
// With -issuer and -audience it protects the same API with a real
// provider's tokens instead (Keycloak, Auth0, Okta, Entra ID, Cognito…).
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/jwtguard/jwtguard/examples/internal/demo"
	"github.com/jwtguard/jwtguard/nethttp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := demo.ParseFlags("quickstart", args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	return demo.Run(ctx, cfg, stdout, log, routes)
}

// routes is the whole integration: one middleware around the API routes.
func routes(app *demo.App) http.Handler {
	protect := nethttp.Protect(app.Verifier, nethttp.WithRealm(demo.Realm))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", demo.Healthz)
	mux.Handle("GET /api/me", protect(http.HandlerFunc(demo.Me)))
	mux.Handle("GET /api/items", protect(http.HandlerFunc(app.Items.List)))
	mux.Handle("POST /api/items", protect(http.HandlerFunc(app.Items.Create)))
	mux.Handle("DELETE /api/items/{id}", protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app.Items.Delete(w, r, r.PathValue("id"))
	})))
	return mux
}
