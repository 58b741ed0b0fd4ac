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
			iss, err := jwttest.NewIssuer(jwttest.WithAlgorithms(alg))
			if err != nil {
				t.Fatal(err)
			}
			defer iss.Close()
			pub := iss.PublicKey(iss.KeyIDs()[0])
			tok := iss.MustMint(jwttest.Claims{"sub": "alice"}, jwttest.WithAlg(alg))
			verify, err := floor.New(alg, pub, tok)
			if err != nil || !verify() {
				t.Fatalf("the floor refuses a good token: %v", err)
			}
			seg := strings.Split(tok, ".")
			other := strings.Split(iss.MustMint(jwttest.Claims{"sub": "mallory"}, jwttest.WithAlg(alg)), ".")
			if _, err := floor.New(alg, pub, seg[0]+"."+other[1]+"."+seg[2]); err == nil {
				t.Fatal("the floor accepts a signature over another payload")
			}
			if _, err := floor.New("PS256", pub, tok); err == nil {
				t.Fatal("a floor for an algorithm it does not measure")
			}
		})
	}
}
