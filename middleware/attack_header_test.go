package middleware_test

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/middleware/reason"
)

// Header injection (C11, C14, C22): header members never bring keys, never
// make the verifier fetch anything, and kid is only an exact lookup key.
func TestAttackHeaderInjection(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	payload := tg.claims(nil)
	pub := tg.attackerKey.Public()
	jwk := map[string]any{"kty": "RSA", "kid": tg.rsaKid, "alg": "RS256",
		"n": b64.EncodeToString(tg.attackerKey.N.Bytes()), "e": "AQAB"}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "attacker"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, tg.attackerKey)
	if err != nil {
		t.Fatal(err)
	}
	x5c := []string{base64.StdEncoding.EncodeToString(cert)}
	evil := tg.attacker.URL + "/jwks.json"
	h := func(extra map[string]any) map[string]any {
		m := map[string]any{"alg": "RS256", "kid": tg.rsaKid}
		for k, v := range extra {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	forged := func(extra map[string]any) string { return tg.attackerSigned(h(extra), payload) }
	attacks := []attack{
		{name: "an embedded jwk with the attacker's key", token: forged(map[string]any{"jwk": jwk}),
			want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		{name: "an embedded jwk and no kid", token: forged(map[string]any{"jwk": jwk, "kid": nil}),
			want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		{name: "jku to the attacker's server", token: forged(map[string]any{"jku": evil}),
			want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		{name: "jku to the attacker's server with an unknown kid", token: forged(map[string]any{"jku": evil, "kid": "attacker"}),
			want: ansInvalid, reason: reason.KeyNotFound},
		{name: "x5u to the attacker's server", token: forged(map[string]any{"x5u": evil}),
			want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		{name: "x5c with the attacker's certificate", token: forged(map[string]any{"x5c": x5c}),
			want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		{name: "x5c, x5u, jku and jwk at once", token: forged(map[string]any{"x5c": x5c, "x5u": evil, "jku": evil, "jwk": jwk}),
			want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		{name: "jku on a token the issuer really signed", token: tg.signed(tg.rsaKid, h(map[string]any{"jku": evil}), payload),
			want: ansOK},
		{name: "kid path traversal", token: forged(map[string]any{"kid": "../../../../../../dev/null"}),
			want: ansInvalid, reason: reason.KeyNotFound},
		{name: "kid SQL injection", token: forged(map[string]any{"kid": "x' UNION SELECT 'secret' --"}),
			want: ansInvalid, reason: reason.KeyNotFound},
		{name: "kid of 10 KB", token: forged(map[string]any{"kid": strings.Repeat("k", 10<<10)}),
			want: ansMalformed, reason: reason.TokenMalformed, noKeyFetch: true},
		{name: "kid of the wrong JSON type", token: forged(map[string]any{"kid": 7}),
			want: ansMalformed, reason: reason.TokenMalformed, noKeyFetch: true},
		{name: "kid missing, signed by the attacker", token: forged(map[string]any{"kid": nil}),
			want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		{name: "kid twice in the header", token: tg.signed(tg.rsaKid, `{"alg":"RS256","kid":"`+tg.rsaKid+`","kid":"other"}`, payload),
			want: ansMalformed, reason: reason.TokenMalformed, noKeyFetch: true},
		{name: "alg twice in the header", token: tg.signed(tg.rsaKid, `{"alg":"none","kid":"`+tg.rsaKid+`","alg":"RS256"}`, payload),
			want: ansMalformed, reason: reason.TokenMalformed, noKeyFetch: true},
		{name: "Kid beside kid (Go's decoder would conflate them)", token: tg.signed(tg.rsaKid, `{"alg":"RS256","kid":"`+tg.rsaKid+`","Kid":"other"}`, payload),
			want: ansMalformed, reason: reason.TokenMalformed, noKeyFetch: true},
		{name: "crit naming an extension", token: tg.signed(tg.rsaKid, h(map[string]any{"crit": []string{"exp"}, "exp": 1}), payload),
			want: ansMalformed, reason: reason.HeaderUnsupported, noKeyFetch: true},
		{name: "an empty crit", token: tg.signed(tg.rsaKid, h(map[string]any{"crit": []string{}}), payload),
			want: ansMalformed, reason: reason.HeaderUnsupported, noKeyFetch: true},
		{name: "b64 false (RFC 7797)", token: tg.signed(tg.rsaKid, h(map[string]any{"b64": false, "crit": []string{"b64"}}), payload),
			want: ansMalformed, reason: reason.HeaderUnsupported, noKeyFetch: true},
		{name: "zip DEF", token: tg.signed(tg.rsaKid, h(map[string]any{"zip": "DEF"}), payload),
			want: ansMalformed, reason: reason.HeaderUnsupported, noKeyFetch: true},
		{name: "cty JWT (nesting)", token: tg.signed(tg.rsaKid, h(map[string]any{"cty": "jwt"}), payload),
			want: ansMalformed, reason: reason.HeaderUnsupported, noKeyFetch: true},
		{name: "enc (a JWE header)", token: tg.signed(tg.rsaKid, h(map[string]any{"enc": "A256GCM"}), payload),
			want: ansMalformed, reason: reason.HeaderUnsupported, noKeyFetch: true},
		{name: "the issuer's kid with the attacker's signature", token: forged(nil),
			want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
	}
	tg.run(attacks)
}
