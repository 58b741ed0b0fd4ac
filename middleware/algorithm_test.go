package middleware_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

var b64 = base64.RawURLEncoding

// segments splits a compact token into its three segments.
func segments(tok string) []string { return strings.Split(tok, ".") }

func header(t testing.TB, h map[string]any) string {
	t.Helper()
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	return b64.EncodeToString(b)
}

func hs256(secret []byte, input string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return b64.EncodeToString(m.Sum(nil))
}

// letterCases returns every upper/lower-case spelling of s.
func letterCases(s string) []string {
	out := []string{""}
	for _, r := range s {
		lo, up := strings.ToLower(string(r)), strings.ToUpper(string(r))
		var next []string
		for _, p := range out {
			next = append(next, p+lo)
			if up != lo {
				next = append(next, p+up)
			}
		}
		out = next
	}
	return out
}

// The causes of refusals before any crypto are formatted when read: what
// they quote must not change under the next tokens.
func TestARefusalsCauseKeepsWhatItQuotes(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss)
	_, first := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithHeader("alg", "XQ256")))
	wantReason(t, first, reason.AlgorithmNotAllowed)
	for i := range 50 {
		_, _ = v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithHeader("alg", fmt.Sprintf("ZZ%03d", i))))
	}
	if msg := first.Error(); !strings.Contains(msg, `alg is not allowed: "XQ256"`) {
		t.Fatalf("the first refusal reads %q", msg)
	}
	_, big := v.Verify(context.Background(), strings.Repeat("a", 16<<10+1))
	wantReason(t, big, reason.TokenTooLarge)
	if msg := big.Error(); !strings.Contains(msg, "token of 16385 bytes exceeds the 16384-byte limit") {
		t.Fatalf("the oversized token's refusal reads %q", msg)
	}
}

func TestAlgNoneIsRefusedInEveryLetterCase(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss)
	valid := segments(mint(t, iss, nil))
	spellings := letterCases("none")
	if len(spellings) != 16 {
		t.Fatalf("%d spellings", len(spellings))
	}
	for _, alg := range spellings {
		h := header(t, map[string]any{"alg": alg, "kid": iss.KeyIDs()[0]})
		for _, tc := range []struct {
			name, tok string
			want      reason.Code
		}{
			// An empty signature segment is not a compact JWS at all.
			{"without a signature", h + "." + valid[1] + ".", reason.TokenMalformed},
			{"with the issuer's real signature", h + "." + valid[1] + "." + valid[2], reason.AlgorithmNotAllowed},
			{"with a junk signature", h + "." + valid[1] + ".AAAA", reason.AlgorithmNotAllowed},
		} {
			t.Run(alg+" "+tc.name, func(t *testing.T) {
				_, err := v.Verify(context.Background(), tc.tok)
				wantReason(t, err, tc.want)
			})
		}
	}
}

// The classic key-confusion attack: sign HS256 with the issuer's RSA public
// key as the HMAC secret, in every form an attacker might guess.
func TestHS256WithThePublicKeyAsSecretIsRefused(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss)
	kid := iss.KeyIDs()[0]
	pub := iss.PublicKey(kid).(*rsa.PublicKey)
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)})
	payload := segments(mint(t, iss, nil))[1]
	secrets := map[string][]byte{"PKIX PEM": pemBytes, "PKCS#1 PEM": pkcs1, "DER": der, "modulus": pub.N.Bytes()}
	for name, secret := range secrets {
		for _, withKid := range []bool{true, false} {
			h := map[string]any{"alg": "HS256"}
			if withKid {
				h["kid"] = kid
			}
			input := header(t, h) + "." + payload
			t.Run(name, func(t *testing.T) {
				_, err := v.Verify(context.Background(), input+"."+hs256(secret, input))
				wantReason(t, err, reason.AlgorithmNotAllowed)
			})
		}
	}
}

// A real signature under a header naming another algorithm must fail: the
// key decides the algorithm, not the token.
func TestHeaderAlgMustMatchTheKey(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss)
	kid := iss.KeyIDs()[0]
	valid := segments(mint(t, iss, nil))
	for _, alg := range []string{"PS256", "RS384", "RS512", "ES256", "EdDSA", "HS256", "rs256", "RS256 "} {
		t.Run(alg, func(t *testing.T) {
			h := header(t, map[string]any{"alg": alg, "kid": kid, "typ": "at+jwt"})
			_, err := v.Verify(context.Background(), h+"."+valid[1]+"."+valid[2])
			if err == nil {
				t.Fatal("accepted")
			}
			if r := middleware.ReasonOf(err); r != reason.AlgorithmNotAllowed && r != reason.SignatureInvalid {
				t.Fatalf("reason %s", r)
			}
		})
	}
}

func TestEveryAsymmetricAlgorithmVerifies(t *testing.T) {
	t.Parallel()
	algs := []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
	iss := newIssuer(t, jwttest.WithKeyAlgorithms(algs...))
	v := remoteVerifier(t, iss)
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			c, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithAlg(alg)))
			if err != nil {
				t.Fatal(err)
			}
			if c.Algorithm != alg {
				t.Fatalf("alg %s", c.Algorithm)
			}
			tampered := mint(t, iss, jwttest.ClaimsSet{"sub": "mallory"}, jwttest.WithAlg(alg))
			s := segments(tampered)
			good := segments(mint(t, iss, jwttest.ClaimsSet{"sub": "alice"}, jwttest.WithAlg(alg)))
			_, err = v.Verify(context.Background(), s[0]+"."+s[1]+"."+good[2])
			wantReason(t, err, reason.SignatureInvalid)
		})
	}
}

func TestAlgorithmAllowlist(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, jwttest.WithKeyAlgorithms("RS256", "ES256"))
	v := remoteVerifier(t, iss, middleware.WithAlgorithms("ES256"))
	_, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithAlg("RS256")))
	wantReason(t, err, reason.AlgorithmNotAllowed)
	if _, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithAlg("ES256"))); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{"none"}, {"HS1"}, {}} {
		if err := newErr([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}}, middleware.WithAlgorithms(bad...)); err == nil {
			t.Fatalf("allowlist %q accepted", bad)
		}
	}
}

func TestStaticSecretKeys(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	ok := middleware.Issuer{URL: iss.URL(), Audiences: []string{audience},
		Keys: []middleware.Key{{Algorithm: "HS256", Secret: iss.Secret()}}}
	v := newVerifier(t, []middleware.Issuer{ok})
	if _, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithAlg("HS256"))); err != nil {
		t.Fatal(err)
	}
	other := newIssuer(t)
	wrong := mint(t, other, jwttest.ClaimsSet{"iss": iss.URL()}, jwttest.WithAlg("HS256"))
	_, err := v.Verify(context.Background(), wrong)
	wantReason(t, err, reason.SignatureInvalid)

	// An RS256 token for an issuer configured with a secret only: no key fits.
	_, err = v.Verify(context.Background(), mint(t, iss, nil))
	wantReason(t, err, reason.AlgorithmNotAllowed)

	bad := []middleware.Key{
		{Algorithm: "HS256", Secret: []byte("too short")},
		{Algorithm: "RS256", Secret: iss.Secret()},
		{Algorithm: "none", Secret: iss.Secret()},
		{Secret: iss.Secret()},
		{Algorithm: "HS256", Secret: iss.Secret(), Public: iss.PublicKey(iss.KeyIDs()[0])},
	}
	for i, k := range bad {
		if err := newErr([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}, Keys: []middleware.Key{k}}}); err == nil {
			t.Fatalf("bad key %d accepted", i)
		}
	}
	// An explicit allowlist without HS256 refuses a secret key outright.
	if err := newErr([]middleware.Issuer{ok}, middleware.WithAlgorithms("RS256")); err == nil {
		t.Fatal("HS256 key accepted with an allowlist lacking HS256")
	}
}

func TestStaticPublicKeys(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, jwttest.WithKeyAlgorithms("RS256", "ES256"))
	kids := iss.KeyIDs()
	keys := []middleware.Key{{ID: kids[0], Public: iss.PublicKey(kids[0])}, {ID: kids[1], Public: iss.PublicKey(kids[1])}}
	v := newVerifier(t, []middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}, Keys: keys}})
	for _, alg := range []string{"RS256", "ES256"} {
		if _, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithAlg(alg))); err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
	}
	// An RSA key without a bound algorithm accepts its family, PS256 included.
	if _, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithKeyID(kids[0]), jwttest.WithHeader("alg", "RS256"))); err != nil {
		t.Fatal(err)
	}
	_, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithHeader("kid", "nope")))
	wantReason(t, err, reason.KeyNotFound)
	// A token without kid is accepted only when exactly one key fits its alg.
	if _, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithHeader("kid", nil))); err != nil {
		t.Fatal(err)
	}

	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if err := newErr([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience},
		Keys: []middleware.Key{{Public: &small.PublicKey}}}}); err == nil {
		t.Fatal("a 1024-bit RSA key was accepted")
	}
	if err := newErr([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience},
		Keys: []middleware.Key{{Public: iss.PublicKey(kids[1]), Algorithm: "ES384"}}}}); err == nil {
		t.Fatal("a P-256 key was bound to ES384")
	}
}

// Header parameters that carry or point at keys are ignored: they never
// cause a fetch and never supply a key.
func TestKeyCarryingHeadersAreIgnored(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	attacker := newIssuer(t) // holds keys the verifier does not trust
	rec := newRecorder(t)
	v := remoteVerifier(t, iss)
	attackerKid := attacker.KeyIDs()[0]
	attackerJWK := map[string]any{"kty": "RSA", "kid": attackerKid,
		"n": b64.EncodeToString(attacker.PublicKey(attackerKid).(*rsa.PublicKey).N.Bytes()), "e": "AQAB"}
	headers := map[string]jwttest.MintOption{
		"jku": jwttest.WithHeader("jku", rec.URL+"/jwks"),
		"x5u": jwttest.WithHeader("x5u", rec.URL+"/cert.pem"),
		"jwk": jwttest.WithHeader("jwk", attackerJWK),
		"x5c": jwttest.WithHeader("x5c", []string{"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"}),
	}
	for name, h := range headers {
		t.Run(name+" on a genuine token is ignored", func(t *testing.T) {
			if _, err := v.Verify(context.Background(), mint(t, iss, nil, h)); err != nil {
				t.Fatal(err)
			}
		})
		t.Run(name+" on a forged token does not supply a key", func(t *testing.T) {
			forged := mint(t, attacker, jwttest.ClaimsSet{"iss": iss.URL()}, h)
			_, err := v.Verify(context.Background(), forged)
			wantReason(t, err, reason.KeyNotFound)
		})
	}
	if n := rec.hits.Load(); n != 0 {
		t.Fatalf("the verifier contacted a URL named by a token %d times", n)
	}
	if n := attacker.JWKSRequests() + attacker.DiscoveryRequests(); n != 0 {
		t.Fatalf("the verifier contacted the attacker's issuer %d times", n)
	}
}
