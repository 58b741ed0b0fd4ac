package jwttest_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
)

// Rotating keys: publish a new key, verify its tokens, retire the old one.
func ExampleIssuer_AddKey() {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("api"))
	if err != nil {
		log.Fatal(err)
	}
	defer iss.Close()
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"api"}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	old := iss.KeyIDs()[0]
	oldToken := iss.MustMint(nil)
	if _, err := iss.AddKey("ES256"); err != nil {
		log.Fatal(err)
	}
	_, err = v.Verify(context.Background(), iss.MustMint(nil, jwttest.WithAlg("ES256")))
	fmt.Println("new key:", err, "- fetches:", iss.JWKSRequests())

	iss.RemoveKey(old)
	_ = v.Refresh(context.Background())
	_, err = v.Verify(context.Background(), oldToken)
	fmt.Println("retired key:", middleware.ReasonOf(err))
	// Output:
	// new key: <nil> - fetches: 2
	// retired key: key_not_found
}
