package middleware_test

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/jwtguard/jwtguard/middleware/reason"
)

// Algorithm attacks (C01–C05): the key and the configuration decide the
// algorithm, never the token.
func TestAttackAlgorithm(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	payload := tg.claims(nil)
	var attacks []attack

	// alg "none" in every letter case, with and without a signature.
	real := tg.signed(tg.rsaKid, map[string]any{"alg": "RS256", "kid": tg.rsaKid}, payload)
	for _, none := range letterCases("none") {
		h := `{"alg":"` + none + `","kid":"` + tg.rsaKid + `"}`
		attacks = append(attacks,
			attack{name: "alg " + none + " without a signature", token: unsigned(h, string(mustJSON(t, payload)), ""),
				want: ansMalformed, reason: reason.TokenMalformed, noKeyFetch: true},
			attack{name: "alg " + none + " with a real signature", token: withSig(unsigned(h, string(mustJSON(t, payload)), "x"), segments(real)[2]),
				want: ansInvalid, reason: reason.AlgorithmNotAllowed, noKeyFetch: true})
	}

	// HS256/384/512 keyed with the issuer's public keys, in PEM, DER and JWK form.
	rsaPub := tg.iss.PublicKey(tg.rsaKid).(*rsa.PublicKey)
	ecPub := tg.iss.PublicKey(tg.ecKid).(*ecdsa.PublicKey)
	keys := publishedKeys(t, tg.iss)
	for _, k := range []struct {
		name string
		kid  string
		pub  any
		jwk  map[string]any
	}{{"RSA", tg.rsaKid, rsaPub, keys[0]}, {"EC", tg.ecKid, ecPub, keys[1]}} {
		der, err := x509.MarshalPKIXPublicKey(k.pub)
		if err != nil {
			t.Fatal(err)
		}
		forms := map[string][]byte{
			"PEM": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
			"DER": der,
			"JWK": mustJSON(t, k.jwk),
		}
		for _, form := range []string{"PEM", "DER", "JWK"} {
			for _, alg := range []string{"HS256", "HS384", "HS512"} {
				attacks = append(attacks, attack{
					name:  alg + " keyed with the " + k.name + " public key in " + form,
					token: hmacToken(t, alg, forms[form], map[string]any{"alg": alg, "kid": k.kid}, payload),
					want:  ansInvalid, reason: reason.AlgorithmNotAllowed, noKeyFetch: true,
				})
			}
		}
	}

	// A real RS256 signature under a header that names another algorithm.
	for _, alg := range []string{"HS256", "PS256", "RS384", "RS512", "ES256", "EdDSA"} {
		attacks = append(attacks, attack{
			name:  "a real RS256 signature under alg " + alg,
			token: tg.signed(tg.rsaKid, map[string]any{"alg": alg, "kid": tg.rsaKid}, payload),
			want:  ansInvalid, reason: reason.AlgorithmNotAllowed, noKeyFetch: true,
		})
	}
	attacks = append(attacks,
		attack{name: "a real ES256 signature under alg ES384", token: tg.signed(tg.ecKid, map[string]any{"alg": "ES384", "kid": tg.ecKid}, payload),
			want: ansInvalid, reason: reason.AlgorithmNotAllowed, noKeyFetch: true},
		attack{name: "ECDSA r = s = 0", token: withSig(tg.signed(tg.ecKid, map[string]any{"alg": "ES256", "kid": tg.ecKid}, payload), b64.EncodeToString(make([]byte, 64))),
			want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		attack{name: "an ES256 signature of the wrong length", token: withSig(tg.signed(tg.ecKid, map[string]any{"alg": "ES256", "kid": tg.ecKid}, payload), b64.EncodeToString(make([]byte, 65))),
			want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		attack{name: "an empty-looking RS256 signature", token: withSig(real, "AA"),
			want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		attack{name: "alg in lower case", token: tg.signed(tg.rsaKid, map[string]any{"alg": "rs256", "kid": tg.rsaKid}, payload),
			want: ansInvalid, reason: reason.AlgorithmNotAllowed, noKeyFetch: true},
		attack{name: "alg with trailing space", token: tg.signed(tg.rsaKid, map[string]any{"alg": "RS256 ", "kid": tg.rsaKid}, payload),
			want: ansInvalid, reason: reason.AlgorithmNotAllowed, noKeyFetch: true},
		attack{name: "alg of the wrong JSON type", token: tg.signed(tg.rsaKid, `{"alg":["RS256"],"kid":"`+tg.rsaKid+`"}`, payload),
			want: ansMalformed, reason: reason.TokenMalformed, noKeyFetch: true},
		attack{name: "no alg", token: tg.signed(tg.rsaKid, map[string]any{"kid": tg.rsaKid}, payload),
			want: ansMalformed, reason: reason.TokenMalformed, noKeyFetch: true},
		attack{name: "the valid token itself", token: real, want: ansOK},
	)
	if n := len(attacks); n < 60 {
		t.Fatalf("%d attacks", n)
	}
	tg.run(attacks)
}
