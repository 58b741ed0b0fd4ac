package nethttp_test

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/floor"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"github.com/jwtguard/jwtguard/nethttp"
)

const audience = "orders-api"

var quiet = middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

func setup(t *testing.T, vopts []middleware.Option, opts ...nethttp.Option) (*jwttest.Issuer, *httptest.Server) {
	t.Helper()
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
		append([]middleware.Option{quiet, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true})}, vopts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := middleware.ClaimsFromContext(r.Context())
		if !ok {
			_, _ = io.WriteString(w, "anonymous")
			return
		}
		_, _ = io.WriteString(w, "hello "+c.Subject)
	})
	srv := httptest.NewServer(nethttp.Protect(v, opts...)(inner))
	t.Cleanup(srv.Close)
	return iss, srv
}

type result struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, srv *httptest.Server, method string, hdr map[string][]string) result {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+"/api/items", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(b)}
}

func TestProtectAnswersPerRFC6750(t *testing.T) {
	t.Parallel()
	iss, srv := setup(t, nil)
	good := iss.MustMint(jwttest.ClaimsSet{"sub": "alice"})
	expired := iss.MustMint(jwttest.ClaimsSet{"exp": 1000})
	parts := strings.Split(good, ".")
	forged := strings.Split(iss.MustMint(jwttest.ClaimsSet{"sub": "mallory"}), ".")
	tampered := forged[0] + "." + forged[1] + "." + parts[2]
	const desc = `, error_description="`
	cases := []struct {
		name      string
		hdr       map[string][]string
		status    int
		challenge string // exact WWW-Authenticate, or a prefix ending in desc
		errCode   string
		body      string
	}{
		{"no token", nil, 401, `Bearer realm="api"`, "unauthorized", ""},
		{"a valid token", map[string][]string{"Authorization": {"Bearer " + good}}, 200, "", "", "hello alice"},
		{"an expired token", map[string][]string{"Authorization": {"Bearer " + expired}}, 401,
			`Bearer realm="api", error="invalid_token", error_description="The access token expired"`, "invalid_token", ""},
		{"a tampered token", map[string][]string{"Authorization": {"Bearer " + tampered}}, 401,
			`Bearer realm="api", error="invalid_token", error_description="The access token is invalid"`, "invalid_token", ""},
		{"garbage", map[string][]string{"Authorization": {"Bearer not-a-jwt"}}, 401,
			`Bearer realm="api", error="invalid_token", error_description="The access token is malformed"`, "invalid_token", ""},
		{"a malformed Authorization header", map[string][]string{"Authorization": {"Bearer"}}, 400,
			`Bearer realm="api", error="invalid_request"` + desc, "invalid_request", ""},
		{"two Authorization headers", map[string][]string{"Authorization": {"Bearer " + good, "Bearer " + good}}, 400,
			`Bearer realm="api", error="invalid_request"` + desc, "invalid_request", ""},
		{"a CORS preflight needs a token by default", map[string][]string{"Origin": {"https://app.example"},
			"Access-Control-Request-Method": {"POST"}}, 401, `Bearer realm="api"`, "unauthorized", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := http.MethodGet
			if strings.Contains(tc.name, "preflight") {
				method = http.MethodOptions
			}
			res := do(t, srv, method, tc.hdr)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d (%s)", res.status, tc.status, res.body)
			}
			got := res.header.Get("WWW-Authenticate")
			if strings.HasSuffix(tc.challenge, desc) && !strings.HasPrefix(got, tc.challenge) ||
				!strings.HasSuffix(tc.challenge, desc) && got != tc.challenge {
				t.Fatalf("WWW-Authenticate %q, want %q", got, tc.challenge)
			}
			if tc.status == 200 {
				if res.body != tc.body {
					t.Fatalf("body %q", res.body)
				}
				return
			}
			var body map[string]string
			if err := json.Unmarshal([]byte(res.body), &body); err != nil {
				t.Fatalf("body %q: %v", res.body, err)
			}
			if body["error"] != tc.errCode || body["error_description"] == "" {
				t.Fatalf("body %v", body)
			}
			if ct := res.header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			if res.header.Get("Cache-Control") != "no-store" {
				t.Fatal("error answers must not be cached")
			}
		})
	}
}

func TestAnonymousModeStillRejectsBadTokens(t *testing.T) {
	t.Parallel()
	iss, srv := setup(t, nil, nethttp.WithAnonymous())
	if res := do(t, srv, http.MethodGet, nil); res.status != 200 || res.body != "anonymous" {
		t.Fatalf("anonymous request: %d %q", res.status, res.body)
	}
	good := iss.MustMint(jwttest.ClaimsSet{"sub": "bob"})
	if res := do(t, srv, http.MethodGet, map[string][]string{"Authorization": {"Bearer " + good}}); res.body != "hello bob" {
		t.Fatalf("authenticated request: %d %q", res.status, res.body)
	}
	expired := iss.MustMint(jwttest.ClaimsSet{"exp": 1000})
	if res := do(t, srv, http.MethodGet, map[string][]string{"Authorization": {"Bearer " + expired}}); res.status != 401 {
		t.Fatalf("an expired token passed as anonymous: %d", res.status)
	}
	if res := do(t, srv, http.MethodGet, map[string][]string{"Authorization": {"Bearer"}}); res.status != 400 {
		t.Fatalf("a malformed header passed as anonymous: %d", res.status)
	}
}

func TestCORSPreflightPassesWhenEnabled(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, nil, nethttp.WithUnauthenticatedPreflights())
	pre := map[string][]string{"Origin": {"https://app.example"}, "Access-Control-Request-Method": {"DELETE"}}
	if res := do(t, srv, http.MethodOptions, pre); res.status != 200 || res.body != "anonymous" {
		t.Fatalf("preflight: %d %q", res.status, res.body)
	}
	// A plain OPTIONS request is not a preflight and still needs a token.
	if res := do(t, srv, http.MethodOptions, nil); res.status != 401 {
		t.Fatalf("plain OPTIONS: %d", res.status)
	}
}

func TestRealmAndErrorWriterAreConfigurable(t *testing.T) {
	t.Parallel()
	_, srv := setup(t, nil, nethttp.WithRealm("orders"))
	if got := do(t, srv, http.MethodGet, nil).header.Get("WWW-Authenticate"); got != `Bearer realm="orders"` {
		t.Fatalf("WWW-Authenticate %q", got)
	}
	var seen error
	_, srv2 := setup(t, nil, nethttp.WithErrorWriter(func(w http.ResponseWriter, r *http.Request, err error) {
		seen = err
		resp := middleware.ResponseFor(err, "custom")
		w.Header().Set("WWW-Authenticate", resp.WWWAuthenticate)
		w.WriteHeader(resp.Status)
		_, _ = io.WriteString(w, "custom "+string(middleware.ReasonOf(err)))
	}))
	res := do(t, srv2, http.MethodGet, map[string][]string{"Authorization": {"Bearer x.y.z"}})
	if res.status != 401 || res.body != "custom token_malformed" || !errors.Is(seen, middleware.ErrInvalidToken) {
		t.Fatalf("%d %q %v", res.status, res.body, seen)
	}
}

func TestKeysUnavailableIs503WithRetryAfter(t *testing.T) {
	t.Parallel()
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	iss.SetFault(jwttest.Fault500)
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	srv := httptest.NewServer(nethttp.Protect(v)(http.NotFoundHandler()))
	defer srv.Close()
	res := do(t, srv, http.MethodGet, map[string][]string{"Authorization": {"Bearer " + iss.MustMint(nil)}})
	if res.status != 503 || res.header.Get("Retry-After") == "" || res.header.Get("WWW-Authenticate") != "" {
		t.Fatalf("%d %v %q", res.status, res.header, res.body)
	}
	if !strings.Contains(res.body, `"error":"temporarily_unavailable"`) || strings.Contains(res.body, "500") {
		t.Fatalf("body %q", res.body)
	}
}

// The error headers' values share one array: a later middleware that
// appends to or rewrites one of them must leave the others as written.
func TestErrorHeadersAreIndependent(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		&middleware.Error{Reason: reason.SignatureInvalid},
		&middleware.Error{Reason: reason.JWKSUnavailable},
	} {
		w := httptest.NewRecorder()
		nethttp.WriteError(w, err, "api")
		want := w.Header().Clone()
		h := w.Header()
		for k := range h {
			h[k] = append(h[k], "appended")
			for other := range h {
				if other != k && !slices.Equal(h[other], want[other]) {
					t.Fatalf("%v: appending to %s changed %s to %q", err, k, other, h[other])
				}
			}
			h[k][0] = "rewritten"
			for other := range h {
				if other != k && !slices.Equal(h[other], want[other]) {
					t.Fatalf("%v: rewriting %s changed %s to %q", err, k, other, h[other])
				}
			}
			h[k] = want[k]
		}
		if len(want) < 4 {
			t.Fatalf("%v: headers %v", err, want)
		}
	}
}

// A verified request through Protect, cache off, allocates at most 20 times
// for every algorithm (issue 7's bound; the RSA check alone takes 9 of them).
func TestAVerifiedRequestAllocatesAtMostTwentyTimes(t *testing.T) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience), jwttest.WithKeyAlgorithms(alg))
		if err != nil {
			t.Fatal(err)
		}
		defer iss.Close()
		v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
			quiet, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), middleware.WithTokenCache(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		h := nethttp.Protect(v)(inner)
		r := httptest.NewRequest(http.MethodGet, "/api/items", nil)
		r.Header.Set("Authorization", "Bearer "+iss.MustMint(jwttest.ClaimsSet{"scope": "items:read items:write"}, jwttest.WithAlg(alg)))
		w := new(floor.ResponseWriter)
		var failed error
		n := testing.AllocsPerRun(50, func() {
			if err := w.Serve(h, r, http.StatusNoContent); err != nil {
				failed = err
			}
		})
		if failed != nil {
			t.Fatalf("%s: %v", alg, failed)
		}
		if n > 20 {
			t.Errorf("%s: %v allocations per verified request, want at most 20", alg, n)
		}
		t.Logf("%s: %v allocations", alg, n)
	}
}

// Protect allocates twice beyond the verification, after a full
// verification and after a cache hit alike: the context that carries the
// claims and the request's copy that carries the context.
func TestProtectAllocatesOnlyTheRequestsCopyBeyondVerify(t *testing.T) {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience), jwttest.WithKeyAlgorithms("EdDSA"))
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	tok := iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "scope": "items:read items:write"}, jwttest.WithAlg("EdDSA"))
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := middleware.ClaimsFromContext(r.Context()); !ok {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	for name, opts := range map[string][]middleware.Option{
		"verified":  {middleware.WithTokenCache(0, 0)},
		"cache hit": nil,
	} {
		v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
			append([]middleware.Option{quiet, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true})}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		// Protect first: it attaches its mapper, which then reads the
		// claims in every verification, Verify's own included.
		h := nethttp.Protect(v)(inner)
		var failed error
		verify := testing.AllocsPerRun(50, func() {
			if _, err := v.Verify(t.Context(), tok); err != nil {
				failed = err
			}
		})
		r := httptest.NewRequest(http.MethodGet, "/api/items", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		w := new(floor.ResponseWriter)
		protect := testing.AllocsPerRun(50, func() {
			if err := w.Serve(h, r, http.StatusNoContent); err != nil {
				failed = err
			}
		})
		if failed != nil {
			t.Fatalf("%s: %v", name, failed)
		}
		if protect != verify+2 {
			t.Errorf("%s: Verify allocates %v times, Protect %v; want two more, the context and the request's copy", name, verify, protect)
		}
	}
}

// A rejected request allocates twice besides any signature check: its
// error, and its answer's header values (the answer itself is rendered once
// per Guard); a forged token also its buffer for the payload and the
// signature, and the signing input's bytes for the check. The commonest
// rejections, no token at all and a forged token, are held to that.
func TestARejectionAllocatesOnlyItsErrorAndHeaders(t *testing.T) {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience), jwttest.WithKeyAlgorithms("RS256"))
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
		quiet, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}), middleware.WithTokenCache(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	h := nethttp.Protect(v)(http.NotFoundHandler())
	good := iss.MustMint(jwttest.ClaimsSet{"sub": "alice"})
	seg, other := strings.Split(good, "."), strings.Split(iss.MustMint(jwttest.ClaimsSet{"sub": "mallory"}), ".")
	forged := seg[0] + "." + other[1] + "." + seg[2]
	reject, err := floor.Rejecting("RS256", iss.PublicKey(iss.KeyIDs()[0]), forged)
	if err != nil {
		t.Fatal(err)
	}
	check := testing.AllocsPerRun(20, func() { reject() })
	for _, c := range []struct {
		name, auth string
		crypto     float64
	}{
		{"no token", "", 0},
		{"a forged token", "Bearer " + forged, check + 2},
	} {
		r := httptest.NewRequest(http.MethodGet, "/api/items", nil)
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		w := new(floor.ResponseWriter)
		var failed error
		n := testing.AllocsPerRun(50, func() {
			if err := w.Serve(h, r, http.StatusUnauthorized); err != nil {
				failed = err
			}
		})
		if failed != nil {
			t.Fatalf("%s: %v", c.name, failed)
		}
		if n > c.crypto+2 {
			t.Errorf("%s: %v allocations, want at most %v", c.name, n, c.crypto+2)
		}
	}
}
