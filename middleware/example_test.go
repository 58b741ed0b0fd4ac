package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"slices"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

func ExampleNew() {
	// An in-process issuer stands in for Keycloak, Auth0, Okta, Entra ID…
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("orders-api"))
	if err != nil {
		log.Fatal(err)
	}
	defer iss.Close()

	v, err := middleware.New([]middleware.Issuer{{
		URL:       iss.URL(), // keys are found by OIDC discovery from here
		Audiences: []string{"orders-api"},
	}}, middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	claims, err := v.Verify(context.Background(), iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "scope": "items:read"}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.Subject, claims.Scopes, slices.Contains(claims.Scopes, "items:read"))
	// Output: alice [items:read] true
}

func ExampleVerifier_VerifyRequest() {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("orders-api"))
	if err != nil {
		log.Fatal(err)
	}
	defer iss.Close()
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"orders-api"}}},
		middleware.WithTokenSources(middleware.FromAuthorizationHeader(), middleware.FromCookie("access_token")),
		middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	r := httptest.NewRequest("GET", "/api/items", nil)
	r.Header.Set("Cookie", "access_token="+iss.MustMint(jwttest.ClaimsSet{"sub": "bob"}))
	claims, err := v.VerifyRequest(r)
	fmt.Println(claims.Subject, err)

	_, err = v.VerifyRequest(httptest.NewRequest("GET", "/api/items", nil))
	fmt.Println(errors.Is(err, middleware.ErrNoToken), middleware.ReasonOf(err))
	// Output:
	// bob <nil>
	// true token_missing
}

func ExampleResponseFor() {
	err := &middleware.Error{Reason: reason.TokenExpired, Description: "The access token expired"}
	resp := middleware.ResponseFor(err, "orders")
	fmt.Println(resp.Status)
	fmt.Println(resp.WWWAuthenticate)
	fmt.Println(string(resp.Body()))
	// Output:
	// 401
	// Bearer realm="orders", error="invalid_token", error_description="The access token expired"
	// {"error":"invalid_token","error_description":"The access token expired"}
}

func ExampleClaims_Decode() {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("orders-api"))
	if err != nil {
		log.Fatal(err)
	}
	defer iss.Close()
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"orders-api"}}},
		middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	tok := iss.MustMint(jwttest.ClaimsSet{"realm_access": map[string]any{"roles": []string{"admin"}}})
	claims, err := v.Verify(context.Background(), tok)
	if err != nil {
		log.Fatal(err)
	}
	var keycloak struct {
		RealmAccess struct {
			Roles []string `json:"roles"`
		} `json:"realm_access"`
	}
	if err := claims.Decode(&keycloak); err != nil {
		log.Fatal(err)
	}
	fmt.Println(keycloak.RealmAccess.Roles)
	// Output: [admin]
}

// The strict RFC 9068 profile refuses an ID token even when the issuer, its
// signature and its audience are right.
func ExampleWithStrictProfile() {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("orders-api"))
	if err != nil {
		log.Fatal(err)
	}
	defer iss.Close()
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{"orders-api"}}},
		middleware.WithStrictProfile(), middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	access := iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "client_id": "web", "jti": "a1"})
	idToken := iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "client_id": "web", "jti": "a2", "nonce": "n-0S6"},
		jwttest.WithHeader("typ", "at+jwt"))
	for _, tok := range []string{access, idToken} {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			fmt.Println("refused:", middleware.ReasonOf(err))
			continue
		}
		fmt.Println("accepted")
	}
	// Output:
	// accepted
	// refused: token_kind_invalid
}
