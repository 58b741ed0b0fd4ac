package middleware_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// C25: the signature is checked before any claim, so a claim error can never
// hide a forged token.
func TestSignatureIsCheckedBeforeClaims(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := remoteVerifier(t, iss)
	good := segments(mint(t, iss, nil))
	for name, claims := range map[string]jwttest.ClaimsSet{
		"expired":           {"exp": 1000},
		"wrong audience":    {"aud": "someone-else"},
		"exp of wrong type": {"exp": "soon"},
		"not yet valid":     {"nbf": 4102444800},
	} {
		t.Run(name, func(t *testing.T) {
			forged := segments(mint(t, iss, claims))
			_, err := v.Verify(context.Background(), forged[0]+"."+forged[1]+"."+good[2])
			wantReason(t, err, reason.SignatureInvalid)
		})
	}
	// Nor does a malformed payload: before the signature it is read up to
	// its top-level iss, unvalidated, and no further. Forged, a payload
	// whose faults lie after the iss, or are not in its structure (a
	// duplicate, bad UTF-8), fails its signature; one whose iss cannot be
	// found at all is malformed before any key is used. Signed, each is
	// refused as malformed.
	payload := mustDecode(t, good[1])
	if !strings.Contains(string(payload), `"iss"`) || !strings.HasSuffix(string(payload), "}") {
		t.Fatalf("payload %q", payload)
	}
	body := string(payload[:len(payload)-1])
	for name, c := range map[string]struct {
		payload string
		forged  reason.Code
	}{
		"a duplicate claim after iss":  {body + `,"exp":9999999999,"exp":9999999999}`, reason.SignatureInvalid},
		"invalid JSON after iss":       {body + `,"sub":}`, reason.SignatureInvalid},
		"invalid UTF-8 after iss":      {body + ",\"sub\":\"\xff\"}", reason.SignatureInvalid},
		"a duplicate claim before iss": {`{"exp":9999999999,"exp":9999999999,` + body[1:] + `}`, reason.SignatureInvalid},
		"invalid UTF-8 before iss":     {"{\"sub\":\"\xff\"," + body[1:] + `}`, reason.SignatureInvalid},
		"invalid JSON before iss":      {`{"sub":,` + body[1:] + `}`, reason.TokenMalformed},
		"not JSON at all":              {`<iss>` + body + `</iss>`, reason.TokenMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			forged := good[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(c.payload)) + "." + good[2]
			_, err := v.Verify(context.Background(), forged)
			wantReason(t, err, c.forged)
			signed, err := iss.SignRaw(iss.KeyIDs()[0], mustDecode(t, good[0]), []byte(c.payload))
			if err != nil {
				t.Fatal(err)
			}
			_, err = v.Verify(context.Background(), signed)
			wantReason(t, err, reason.TokenMalformed)
		})
	}
}

// C09: only the payload's own top-level iss names the keys. Here the
// issuer signs payloads in which an iss member naming it sits inside
// another claim or a string, while the top-level iss names another issuer,
// names none, or is not a string.
func TestAPayloadNamingItsIssuerOnlyInsideAClaimIsRefused(t *testing.T) {
	t.Parallel()
	l := newPayloadLab(t)
	payload, member, iss := l.payload, l.member, l.iss
	if _, err := l.v.Verify(context.Background(), l.sign(t, payload)); err != nil {
		t.Fatalf("the payload as minted: %v", err)
	}
	for name, p := range map[string]string{
		"another iss at the top":   strings.Replace(payload, member, `"iss":"https://evil.example","act":{`+member+`}`, 1),
		"no iss at the top":        strings.Replace(payload, member, `"act":{`+member+`}`, 1),
		"escaped inside a string":  strings.Replace(payload, member, `"iss":"https://evil.example","note":"`+strings.ReplaceAll(member, `"`, `\"`)+`"`, 1),
		"an iss of the wrong type": strings.Replace(payload, member, `"iss":["`+iss.URL()+`"],"act":{`+member+`}`, 1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := l.v.Verify(context.Background(), l.sign(t, p))
			wantReason(t, err, reason.IssuerInvalid)
			// Forged, it is refused for its issuer too, so before the
			// signature: the keys were never the issuer's. (Had the nested
			// member picked them, the signature would fail first.)
			forged := l.good[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(p)) + "." + l.good[2]
			_, err = l.v.Verify(context.Background(), forged)
			wantReason(t, err, reason.IssuerInvalid)
		})
	}
}

// A payload that writes its iss otherwise than the usual "iss":"<url>"
// (escaped slashes, spaces, escapes) verifies all the same: its keys are
// found by reading the payload up to its iss, which a payload malformed
// before it fails before any signature check.
func TestAnIssWrittenInAnyFormNamesTheKeys(t *testing.T) {
	t.Parallel()
	l := newPayloadLab(t)
	payload, member, iss, good := l.payload, l.member, l.iss, l.good
	for name, other := range map[string]string{
		"escaped slashes":      strings.ReplaceAll(member, "/", `\/`),
		"a space":              `"iss": "` + iss.URL() + `"`,
		"an escaped character": `"iss":"\u0068` + iss.URL()[1:] + `"`,
		"an escaped name":      `"\u0069ss":"` + iss.URL() + `"`,
		"every letter escaped": `"\u0069\u0073\u0073" : "` + iss.URL() + `"`,
	} {
		t.Run(name, func(t *testing.T) {
			p := strings.Replace(payload, member, other, 1)
			if strings.Contains(p, member) {
				t.Fatalf("payload %q still holds %s", p, member)
			}
			c, err := l.v.Verify(context.Background(), l.sign(t, p))
			if err != nil || c.Issuer != iss.URL() {
				t.Fatalf("Verify = %+v, %v", c, err)
			}
			// Forged and malformed before its iss: refused as malformed, as
			// reading up to the iss found; after it, the signature fails.
			before := `{"sub":,` + p[1:]
			forged := good[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(before)) + "." + good[2]
			_, err = l.v.Verify(context.Background(), forged)
			wantReason(t, err, reason.TokenMalformed)
			after := p[:len(p)-1] + `,"sub":}`
			forged = good[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(after)) + "." + good[2]
			_, err = l.v.Verify(context.Background(), forged)
			wantReason(t, err, reason.SignatureInvalid)
		})
	}
}

// payloadLab is an issuer, its verifier and a minted token taken apart,
// for tests in which the issuer signs payloads of their own.
type payloadLab struct {
	iss     *jwttest.Issuer
	v       *middleware.Verifier
	good    []string // the minted token's segments
	header  []byte
	payload string // decoded
	member  string // its iss member as minted: "iss":"<url>"
}

func newPayloadLab(t *testing.T) *payloadLab {
	t.Helper()
	iss := newIssuer(t)
	l := &payloadLab{iss: iss, v: remoteVerifier(t, iss), good: segments(mint(t, iss, nil)), member: `"iss":"` + iss.URL() + `"`}
	l.header, l.payload = mustDecode(t, l.good[0]), string(mustDecode(t, l.good[1]))
	if !strings.Contains(l.payload, l.member) {
		t.Fatalf("payload %q does not hold %s", l.payload, l.member)
	}
	return l
}

// sign has the issuer sign payload p under the minted token's header.
func (l *payloadLab) sign(t *testing.T, p string) string {
	t.Helper()
	tok, err := l.iss.SignRaw(l.iss.KeyIDs()[0], l.header, []byte(p))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// mustDecode decodes a token segment (base64url, unpadded).
func mustDecode(t testing.TB, seg string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// C18: clients cannot tell an unknown kid, an unknown issuer and a bad
// signature apart; only logs and hooks can.
func TestNoOracleBetweenUnknownKeyAndBadSignature(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := warm(t, iss)
	good := segments(mint(t, iss, nil))
	forged := segments(mint(t, iss, jwttest.ClaimsSet{"sub": "mallory"}))
	toks := map[reason.Code]string{
		reason.SignatureInvalid: forged[0] + "." + forged[1] + "." + good[2],
		reason.KeyNotFound:      mint(t, iss, nil, jwttest.WithHeader("kid", "unknown")),
		reason.IssuerInvalid:    mint(t, iss, jwttest.ClaimsSet{"iss": "https://other.example"}),
	}
	var answers []string
	for reason, tok := range toks {
		_, err := v.Verify(context.Background(), tok)
		wantReason(t, err, reason)
		r := middleware.ResponseFor(err, "api")
		answers = append(answers, fmt.Sprintf("%d|%s|%s", r.Status, r.WWWAuthenticate, r.Body()))
	}
	for _, a := range answers[1:] {
		if a != answers[0] {
			t.Fatalf("answers differ:\n%s\n%s", answers[0], a)
		}
	}
}

// J09: two keys with one kid are ambiguous; a token naming that kid is
// accepted only when exactly one of them fits its alg, and the hook hears an alarm.
func TestDuplicateKidsAreAmbiguous(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, jwttest.WithKeyAlgorithms("RS256", "ES256"))
	keys := publishedKeys(t, iss)
	rsaKey, ecKey := keys[0], keys[1]
	ecKey["kid"] = rsaKey["kid"]
	other := newIssuer(t)
	otherTok := mint(t, other, jwttest.ClaimsSet{"iss": iss.URL()}, jwttest.WithHeader("kid", rsaKey["kid"]))
	twin := publishedKeys(t, other)[0]
	twin["kid"] = rsaKey["kid"]
	body, _ := json.Marshal(map[string]any{"keys": []any{rsaKey, ecKey, twin}})
	srv, _ := jwksServer(t, func() string { return string(body) })
	var mu sync.Mutex
	alarms := 0
	v := newVerifier(t, []middleware.Issuer{{URL: iss.URL(), JWKSURL: srv.URL, Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), middleware.WithHook(func(e middleware.Event) {
			if e.Kind == middleware.EventKeyAlarm {
				mu.Lock()
				alarms++
				mu.Unlock()
			}
		}))
	// ES256 under the shared kid: exactly one key fits, so it verifies.
	if _, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithAlg("ES256"), jwttest.WithHeader("kid", rsaKey["kid"]))); err != nil {
		t.Fatal(err)
	}
	// RS256 under the shared kid: two RSA keys fit; neither is tried.
	for _, tok := range []string{mint(t, iss, nil), otherTok} {
		_, err := v.Verify(context.Background(), tok)
		wantReason(t, err, reason.KeyNotFound)
	}
	mu.Lock()
	defer mu.Unlock()
	if alarms != 1 {
		t.Fatalf("%d alarms, want 1", alarms)
	}
}

// J14: at most 3 redirects (the downgrade and cross-origin rules are in
// TestRedirectsStayOnOneOrigin and TestCheckRedirect).
func TestRedirectLimits(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	var loop *httptest.Server
	loop = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, loop.URL+r.URL.Path+"x", http.StatusFound)
	}))
	t.Cleanup(loop.Close)
	err := newErr([]middleware.Issuer{{URL: iss.URL(), JWKSURL: loop.URL + "/k", Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), quiet)
	if err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Fatalf("redirect loop: %v", err)
	}
}

// J15: TLS errors fail the fetch; verification is never skipped.
func TestTLSErrorsFailTheFetch(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handshake with an untrusted certificate succeeded")
	}))
	t.Cleanup(srv.Close)
	err := newErr([]middleware.Issuer{{URL: iss.URL(), JWKSURL: srv.URL, Audiences: []string{audience}}},
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), quiet)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("want a certificate error, got %v", err)
	}
}

// J17: a discovery document pointing keys at plain http off loopback is refused.
func TestDiscoveryRefusesAnInsecureJWKSURI(t *testing.T) {
	t.Parallel()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "jwks_uri": "http://keys.example.com/jwks"})
	}))
	t.Cleanup(srv.Close)
	err := newErr([]middleware.Issuer{{URL: srv.URL, Audiences: []string{audience}}}, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), quiet)
	if err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("want an https error, got %v", err)
	}
}

// J19: a long run of failures ends with the first good response.
func TestRecoveryAfterAHundredFailures(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	v := warm(t, iss)
	kid, err := iss.AddKey("ES384")
	if err != nil {
		t.Fatal(err)
	}
	iss.SetFault(jwttest.Fault500)
	for range 100 {
		if err := v.Refresh(context.Background()); err == nil {
			t.Fatal("a failing refresh reported success")
		}
	}
	iss.SetFault(jwttest.FaultNone)
	if err := v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), mint(t, iss, nil, jwttest.WithKeyID(kid))); err != nil {
		t.Fatal(err)
	}
}
