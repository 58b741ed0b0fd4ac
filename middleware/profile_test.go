package middleware_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// C12, C13, C17: the strict RFC 9068 profile requires at+jwt, the profile's
// claims, and refuses every other kind of token from the same issuer.
func TestStrictProfile(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	strict := remoteVerifier(t, iss, middleware.WithStrictProfile())
	lenient := remoteVerifier(t, iss)
	full := func(extra jwttest.ClaimsSet) jwttest.ClaimsSet {
		c := jwttest.ClaimsSet{"sub": "alice", "client_id": "web", "jti": "j1"}
		for k, v := range extra {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	for _, tc := range []struct {
		name    string
		claims  jwttest.ClaimsSet
		opts    []jwttest.MintOption
		strict  reason.Code
		lenient reason.Code
	}{
		{"a full RFC 9068 access token", full(nil), nil, "", ""},
		{"typ application/AT+JWT", full(nil), []jwttest.MintOption{jwttest.WithHeader("typ", "application/AT+JWT")}, "", ""},
		{"typ JWT", full(nil), []jwttest.MintOption{jwttest.WithHeader("typ", "JWT")}, reason.TypeInvalid, ""},
		{"no typ", full(nil), []jwttest.MintOption{jwttest.WithHeader("typ", nil)}, reason.TypeInvalid, ""},
		{"a logout token's typ", full(nil), []jwttest.MintOption{jwttest.WithHeader("typ", "logout+jwt")}, reason.TypeInvalid, ""},
		{"no sub", full(jwttest.ClaimsSet{"sub": nil}), nil, reason.ClaimMissing, ""},
		{"azp instead of client_id", full(jwttest.ClaimsSet{"client_id": nil, "azp": "web"}), nil, reason.ClaimMissing, ""},
		{"no jti", full(jwttest.ClaimsSet{"jti": nil}), nil, reason.ClaimMissing, ""},
		{"no iat", full(jwttest.ClaimsSet{"iss": iss.URL(), "aud": audience, "exp": time.Now().Add(time.Hour).Unix()}),
			[]jwttest.MintOption{jwttest.WithoutDefaults()}, reason.ClaimMissing, ""},
		{"an ID token's nonce", full(jwttest.ClaimsSet{"nonce": "n"}), nil, reason.TokenKindInvalid, ""},
		{"an ID token's at_hash", full(jwttest.ClaimsSet{"at_hash": "h"}), nil, reason.TokenKindInvalid, ""},
		{"an ID token's c_hash", full(jwttest.ClaimsSet{"c_hash": "h"}), nil, reason.TokenKindInvalid, ""},
		{"an ID token's s_hash", full(jwttest.ClaimsSet{"s_hash": "h"}), nil, reason.TokenKindInvalid, ""},
		{"a logout token's events", full(jwttest.ClaimsSet{"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}}), nil, reason.TokenKindInvalid, ""},
		{"Keycloak's typ claim ID", full(jwttest.ClaimsSet{"typ": "ID"}), nil, reason.TokenKindInvalid, ""},
		{"Keycloak's typ claim Refresh", full(jwttest.ClaimsSet{"typ": "Refresh"}), nil, reason.TokenKindInvalid, ""},
		{"Keycloak's typ claim Bearer", full(jwttest.ClaimsSet{"typ": "Bearer"}), nil, "", ""},
		{"a typ claim of the wrong type", full(jwttest.ClaimsSet{"typ": 7}), nil, reason.TokenKindInvalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := mint(t, iss, tc.claims, tc.opts...)
			_, err := strict.Verify(context.Background(), tok)
			wantReason(t, err, tc.strict)
			_, err = lenient.Verify(context.Background(), tok)
			wantReason(t, err, tc.lenient)
		})
	}
}

// C23: a sender-constrained token is no bearer token: refused unless its
// binding is verified, here with RFC 8705 mutual TLS over a real TLS server.
func TestSenderConstrainedTokens(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	alice, bob := clientCert(t, "alice"), clientCert(t, "bob")
	thumb := sha256.Sum256(alice.Leaf.Raw)
	bound := mint(t, iss, jwttest.ClaimsSet{"sub": "alice", "cnf": map[string]any{"x5t#S256": base64.RawURLEncoding.EncodeToString(thumb[:])}})
	dpop := mint(t, iss, jwttest.ClaimsSet{"sub": "alice", "cnf": map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}})
	plain := mint(t, iss, jwttest.ClaimsSet{"sub": "alice"})

	bearerOnly := remoteVerifier(t, iss)
	for _, tok := range []string{bound, dpop} {
		_, err := bearerOnly.Verify(context.Background(), tok)
		wantReason(t, err, reason.BindingUnverified)
	}
	mtls := remoteVerifier(t, iss, middleware.WithSenderConstraint(middleware.MTLSCertificateBinding))
	_, err := mtls.Verify(context.Background(), bound)
	wantReason(t, err, reason.BindingUnverified) // no request: nothing proves the key

	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, v := range map[string]*middleware.Verifier{"bearer-only": bearerOnly, "mtls": mtls} {
			_, err := v.VerifyRequest(r)
			fmt.Fprintf(w, "%s=%s ", name, middleware.ReasonOf(err))
		}
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	srv.StartTLS()
	defer srv.Close()
	call := func(cert *tls.Certificate, tok string) string {
		tr := srv.Client().Transport.(*http.Transport).Clone()
		if cert != nil {
			tr.TLSClientConfig.Certificates = []tls.Certificate{*cert}
		}
		defer tr.CloseIdleConnections()
		req, _ := http.NewRequest("GET", srv.URL, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b [256]byte
		n, _ := resp.Body.Read(b[:])
		return string(b[:n])
	}
	for _, tc := range []struct {
		name string
		cert *tls.Certificate
		tok  string
		want string
	}{
		{"the bound certificate", &alice, bound, "bearer-only=binding_unverified mtls= "},
		{"another certificate", &bob, bound, "bearer-only=binding_unverified mtls=binding_unverified "},
		{"no certificate", nil, bound, "bearer-only=binding_unverified mtls=binding_unverified "},
		{"a DPoP-bound token over mTLS", &alice, dpop, "bearer-only=binding_unverified mtls=binding_unverified "},
		{"a plain token", nil, plain, "bearer-only= mtls= "},
	} {
		got := call(tc.cert, tc.tok)
		// Map iteration order varies: compare as sets of fields.
		if !sameFields(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func sameFields(a, b string) bool {
	count := map[string]int{}
	for _, f := range splitFields(a) {
		count[f]++
	}
	for _, f := range splitFields(b) {
		count[f]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

func splitFields(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// clientCert makes a self-signed client certificate.
func clientCert(t *testing.T, name string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}
