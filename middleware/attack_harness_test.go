package middleware_test

// The attack suite: one file per group (attack_*_test.go), every case sent
// as a real request through nethttp.Protect on loopback and held to the
// exact status, WWW-Authenticate header and body, the reason code the hook
// reports, no contact with an attacker's server, and a server that keeps
// answering afterwards.

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"github.com/jwtguard/jwtguard/nethttp"
)

// answer is an exact RFC 6750 answer.
type answer struct {
	status int
	code   string // error code in the challenge and the body; "" for no token
	desc   string
}

func (a answer) challenge() string {
	if a.code == "" {
		return `Bearer realm="api"`
	}
	return `Bearer realm="api", error="` + a.code + `", error_description="` + a.desc + `"`
}

func (a answer) body() string {
	code := a.code
	if code == "" {
		code = "unauthorized"
	}
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
		Desc  string `json:"error_description"`
	}{code, a.desc})
	return string(b) + "\n"
}

var (
	ansNoToken    = answer{401, "", "An access token is required"}
	ansMalformed  = answer{401, "invalid_token", "The access token is malformed"}
	ansInvalid    = answer{401, "invalid_token", "The access token is invalid"}
	ansClaimType  = answer{401, "invalid_token", "The access token has a claim of the wrong type"}
	ansExpired    = answer{401, "invalid_token", "The access token expired"}
	ansNotYet     = answer{401, "invalid_token", "The access token is not valid yet"}
	ansFuture     = answer{401, "invalid_token", "The access token was issued in the future"}
	ansNoExpiry   = answer{401, "invalid_token", "The access token has no expiry"}
	ansAudience   = answer{401, "invalid_token", "The access token is not intended for this resource"}
	ansMultiple   = answer{400, "invalid_request", "More than one method was used to send an access token"}
	ansTwoHeaders = answer{400, "invalid_request", "More than one Authorization header"}
	ansBadBearer  = answer{400, "invalid_request", "The Authorization header is not a valid Bearer credential"}
	ansOK         = answer{status: 200}
)

// attack is one hostile request.
type attack struct {
	name    string
	token   string              // sent as Authorization: Bearer <token>, unless prepare is set
	prepare func(*http.Request) // sets the credentials itself
	want    answer
	reason  reason.Code // "" with ansOK
	// noKeyFetch: the issuer's own JWKS must not be fetched either (the
	// token names a known kid, so only key injection could cause a fetch).
	noKeyFetch bool
}

// target is a protected API on loopback, its issuer, and an attacker's
// server that must never be contacted.
type target struct {
	t           *testing.T
	iss         *jwttest.Issuer
	rsaKid      string
	ecKid       string
	edKid       string
	attacker    *recorder
	v           *middleware.Verifier
	srv         *httptest.Server
	reasons     chan reason.Code
	attackerKey *rsa.PrivateKey
}

var (
	attackerKeyOnce sync.Once
	attackerKey     *rsa.PrivateKey
)

// newTarget starts an issuer with RS256, ES256 and EdDSA keys and an API
// trusting it through discovery, with the token sources Authorization and
// cookie "access_token" unless opts say otherwise.
func newTarget(t *testing.T, opts ...middleware.Option) *target {
	t.Helper()
	return newTargetWith(t, nil, opts...)
}

// newTargetWith is newTarget with the issuer's configuration given by
// issuer (nil: discovery from the issuer's URL).
func newTargetWith(t *testing.T, issuer func(*jwttest.Issuer) middleware.Issuer, opts ...middleware.Option) *target {
	t.Helper()
	tg := &target{t: t, reasons: make(chan reason.Code, 16)}
	tg.iss = newIssuer(t, jwttest.WithKeyAlgorithms("RS256", "ES256", "EdDSA"))
	kids := tg.iss.KeyIDs()
	tg.rsaKid, tg.ecKid, tg.edKid = kids[0], kids[1], kids[2]
	tg.attacker = newRecorder(t)
	attackerKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		attackerKey = k
	})
	tg.attackerKey = attackerKey
	base := []middleware.Option{
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}),
		middleware.WithTokenSources(middleware.FromAuthorizationHeader(), middleware.FromCookie("access_token")),
		middleware.WithHook(func(e middleware.Event) {
			if e.Kind == middleware.EventRejected || e.Kind == middleware.EventAccepted {
				select {
				case tg.reasons <- e.Reason:
				default:
				}
			}
		}),
	}
	cfg := middleware.Issuer{URL: tg.iss.URL(), Audiences: []string{audience}}
	if issuer != nil {
		cfg = issuer(tg.iss)
	}
	v := newVerifier(t, []middleware.Issuer{cfg}, append(base, opts...)...)
	tg.v = v
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	tg.srv = httptest.NewServer(nethttp.Protect(v)(ok))
	t.Cleanup(tg.srv.Close)
	return tg
}

// run sends each attack in turn and checks everything about its answer.
func (tg *target) run(attacks []attack) {
	t := tg.t
	t.Helper()
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			jwksBefore := tg.iss.JWKSRequests()
			for len(tg.reasons) > 0 {
				<-tg.reasons
			}
			req, err := http.NewRequest(http.MethodGet, tg.srv.URL+"/api", nil)
			if err != nil {
				t.Fatal(err)
			}
			if a.prepare != nil {
				a.prepare(req)
			} else {
				req.Header.Set("Authorization", "Bearer "+a.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("the server did not answer (a panic?): %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != a.want.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, a.want.status, body)
			}
			if a.want.status == 200 {
				if string(body) != "ok" {
					t.Fatalf("body %q", body)
				}
			} else {
				if got := resp.Header.Get("WWW-Authenticate"); got != a.want.challenge() {
					t.Fatalf("WWW-Authenticate\n got %s\nwant %s", got, a.want.challenge())
				}
				if string(body) != a.want.body() {
					t.Fatalf("body\n got %s\nwant %s", body, a.want.body())
				}
			}
			select {
			case got := <-tg.reasons:
				if got != a.reason {
					t.Fatalf("reason %q, want %q", got, a.reason)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no outcome reached the hook (want reason %q)", a.reason)
			}
			if n := tg.attacker.hits.Load(); n != 0 {
				t.Fatalf("the attacker's server was contacted %d times", n)
			}
			if a.noKeyFetch && tg.iss.JWKSRequests() != jwksBefore {
				t.Fatalf("the token made the verifier fetch keys")
			}
		})
	}
	// Whatever came before, the server still serves a valid token.
	tg.run1(attack{name: "still serving", token: tg.valid(), want: ansOK})
}

func (tg *target) run1(a attack) {
	tg.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, tg.srv.URL+"/api", nil)
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tg.t.Fatalf("%s: %v", a.name, err)
	}
	resp.Body.Close()
	if resp.StatusCode != a.want.status {
		tg.t.Fatalf("%s: status %d", a.name, resp.StatusCode)
	}
}

// claims returns a valid payload with extra members set (nil deletes).
func (tg *target) claims(extra map[string]any) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": tg.iss.URL(), "aud": audience, "sub": "alice",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func (tg *target) valid() string { return mint(tg.t, tg.iss, jwttest.ClaimsSet{"sub": "alice"}) }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signed signs header and payload (JSON values or raw JSON strings) with
// the issuer's key kid: a real signature over whatever they say.
func (tg *target) signed(kid string, header, payload any) string {
	tg.t.Helper()
	tok, err := tg.iss.SignRaw(kid, rawJSON(tg.t, header), rawJSON(tg.t, payload))
	if err != nil {
		tg.t.Fatal(err)
	}
	return tok
}

func rawJSON(t testing.TB, v any) []byte {
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	return mustJSON(t, v)
}

// unsigned assembles a token from raw JSON and a raw signature segment.
func unsigned(header, payload, sig string) string {
	return b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload)) + "." + sig
}

// hmacToken signs with an HMAC secret of the attacker's choosing.
func hmacToken(t testing.TB, alg string, secret []byte, header, payload any) string {
	t.Helper()
	input := b64.EncodeToString(rawJSON(t, header)) + "." + b64.EncodeToString(rawJSON(t, payload))
	var h func() hash.Hash
	switch alg {
	case "HS256":
		h = sha256.New
	case "HS384":
		h = sha512.New384
	default:
		h = sha512.New
	}
	m := hmac.New(h, secret)
	m.Write([]byte(input))
	return input + "." + b64.EncodeToString(m.Sum(nil))
}

// attackerSigned signs RS256 with the attacker's own key.
func (tg *target) attackerSigned(header, payload any) string {
	tg.t.Helper()
	input := b64.EncodeToString(rawJSON(tg.t, header)) + "." + b64.EncodeToString(rawJSON(tg.t, payload))
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, tg.attackerKey, crypto.SHA256, sum[:])
	if err != nil {
		tg.t.Fatal(err)
	}
	return input + "." + b64.EncodeToString(sig)
}

// withSig replaces the signature segment of tok.
func withSig(tok, sig string) string { return tok[:strings.LastIndexByte(tok, '.')+1] + sig }
