package floor_test

import (
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/floor"
	"github.com/jwtguard/jwtguard/jwttest"
)

func TestFloorVerifiesTheTokenAndNothingElse(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			iss, err := jwttest.NewIssuer(jwttest.WithKeyAlgorithms(alg))
			if err != nil {
				t.Fatal(err)
			}
			defer iss.Close()
			pub := iss.PublicKey(iss.KeyIDs()[0])
			tok := iss.MustMint(jwttest.ClaimsSet{"sub": "alice"}, jwttest.WithAlg(alg))
			verify, err := floor.New(alg, pub, tok)
			if err != nil || !verify() {
				t.Fatalf("the floor refuses a good token: %v", err)
			}
			seg := strings.Split(tok, ".")
			other := strings.Split(iss.MustMint(jwttest.ClaimsSet{"sub": "mallory"}, jwttest.WithAlg(alg)), ".")
			forged := seg[0] + "." + other[1] + "." + seg[2]
			if _, err := floor.New(alg, pub, forged); err == nil {
				t.Fatal("the floor accepts a signature over another payload")
			}
			if reject, err := floor.Rejecting(alg, pub, forged); err != nil || reject() {
				t.Fatalf("the rejecting floor does not reject a signature over another payload: %v", err)
			}
			if _, err := floor.Rejecting(alg, pub, tok); err == nil {
				t.Fatal("a rejecting floor for a good token")
			}
			if _, err := floor.New("PS256", pub, tok); err == nil {
				t.Fatal("a floor for an algorithm it does not measure")
			}
		})
	}
}
