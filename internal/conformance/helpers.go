package conformance

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
)

// Verifier starts an issuer for audience and a quiet verifier of its
// tokens, both stopped when the test ends: what the adapters' own tests
// start from.
func Verifier(t testing.TB, audience string) (*jwttest.Issuer, *middleware.Verifier) {
	t.Helper()
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
		middleware.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return iss, v
}

// Call sends method to url with token as Bearer credential (none when
// empty) and returns the response, its body already read.
func Call(t testing.TB, method, url, token string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}
