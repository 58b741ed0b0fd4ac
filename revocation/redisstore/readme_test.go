package redisstore_test

// revocation/README.md's snippet, compiled in the context it assumes
// (internal/readme, in the root module, checks the README shows exactly
// these lines).

import (
	"context"
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/revocation"
	"github.com/jwtguard/jwtguard/revocation/redisstore"
)

func Example_readme() {
	ctx := context.Background()
	var issuers []middleware.Issuer
	userID := "alice"
	// readme:begin
	store, err := redisstore.New(ctx, redis.NewClient(&redis.Options{Addr: "redis:6379"}))
	if err != nil {
		log.Fatal(err) // Redis unreachable: an instance must not start without knowing what is revoked
	}
	defer store.Close()
	v, err := middleware.New(issuers, middleware.WithRevocation(store))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	// Later, when a user resets their password:
	err = store.Revoke(ctx, revocation.Revocation{
		Kind: revocation.BySubject, Issuer: "https://id.example.com/realms/acme", Value: userID,
		Reason: "password reset",
	})
	if err != nil {
		log.Printf("the revocation is not confirmed (%v): revoke again", err) // revoking twice is safe
	}
	// readme:end
}
