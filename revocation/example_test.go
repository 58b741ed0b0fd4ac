package revocation_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/revocation"
)

func ExampleNewMemory() {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("orders-api"))
	if err != nil {
		log.Fatal(err)
	}
	defer iss.Close()
	store := revocation.NewMemory()
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"orders-api"}}},
		middleware.WithRevocation(store), middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	tok := iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "jti": "t-1"})
	_, err = v.Verify(context.Background(), tok)
	fmt.Println("before:", err == nil)

	// Alice's laptop was stolen: every token she was issued until now is cut off.
	err = store.Revoke(context.Background(), revocation.Revocation{
		Kind: revocation.BySubject, Issuer: iss.URL(), Value: "alice", Reason: "stolen laptop",
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = v.Verify(context.Background(), tok)
	fmt.Println("after:", middleware.ReasonOf(err))
	// Output:
	// before: true
	// after: token_revoked
}
