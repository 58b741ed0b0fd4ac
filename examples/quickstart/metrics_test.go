package main

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/examples/internal/demotest"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads url as Prometheus would: each sample by name and sorted
// labels, histograms as _count.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			var parts []string
			for _, l := range m.GetLabel() {
				parts = append(parts, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(parts)
			labels := "{" + strings.Join(parts, ",") + "}"
			switch {
			case m.Counter != nil:
				out[name+labels] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[name+labels] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[name+"_count"+labels] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

// A running quickstart with -metrics, protecting a provider's tokens,
// serves /metrics; known traffic through its API moves each figure by
// exactly its count: valid tokens (one a cache hit), an expired one, a
// forged one, an unknown kid while the provider fails (a forced fetch,
// answered 500), and another right after (rate-limited).
func TestMetricsCountTheTrafficOfARunningQuickstart(t *testing.T) {
	provider, err := jwttest.NewIssuer(jwttest.WithAudience("orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer provider.Close()
	s := demotest.Start(t, run, "-addr", "127.0.0.1:0", "-issuer", provider.URL(), "-audience", "orders", "-metrics")
	metrics := s.URL + "/metrics"
	get := func(tok string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/items", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	valid := provider.MustMint(jwttest.ClaimsSet{"sub": "alice", "scope": "items:read"})
	if get(valid) != 200 { // the keys are fetched now: before the first scrape
		t.Fatal("a valid token was refused")
	}
	before := scrape(t, metrics)
	good := strings.Split(valid, ".")
	forged := good[0] + "." + good[1] + "." + strings.Split(provider.MustMint(jwttest.ClaimsSet{"sub": "eve"}), ".")[2]
	expired := provider.MustMint(jwttest.ClaimsSet{"sub": "bob", "scope": "items:read",
		"exp": time.Now().Add(-time.Hour).Unix(), "iat": time.Now().Add(-2 * time.Hour).Unix()})
	for _, c := range []struct {
		tok    string
		status int
		fault  jwttest.Fault
	}{
		{valid, 200, jwttest.FaultNone},
		{valid, 200, jwttest.FaultNone},
		{expired, 401, jwttest.FaultNone},
		{forged, 401, jwttest.FaultNone},
		{provider.MustMint(jwttest.ClaimsSet{"sub": "carol"}, jwttest.WithHeader("kid", "new-1")), 401, jwttest.Fault500},
		{provider.MustMint(jwttest.ClaimsSet{"sub": "carol"}, jwttest.WithHeader("kid", "new-2")), 401, jwttest.FaultNone},
	} {
		provider.SetFault(c.fault)
		if got := get(c.tok); got != c.status {
			t.Fatalf("got %d, want %d", got, c.status)
		}
	}
	after := scrape(t, metrics)
	iss := fmt.Sprintf("issuer=%q", provider.URL())
	for name, want := range map[string]float64{
		`jwtguard_verifications_total{` + iss + `,outcome="accepted",reason=""}`:                  2,
		`jwtguard_verifications_total{` + iss + `,outcome="rejected",reason="token_expired"}`:     1,
		`jwtguard_verifications_total{` + iss + `,outcome="rejected",reason="signature_invalid"}`: 1,
		`jwtguard_verifications_total{` + iss + `,outcome="rejected",reason="key_not_found"}`:     2,
		`jwtguard_verification_duration_seconds_count{` + iss + `,outcome="accepted"}`:            2,
		`jwtguard_token_cache_hits_total{` + iss + `}`:                                            2,
		`jwtguard_jwks_fetches_total{code="500",` + iss + `,result="failure"}`:                    1,
		`jwtguard_jwks_unknown_kid_refreshes_total{` + iss + `}`:                                  1,
		`jwtguard_jwks_refreshes_rate_limited_total{` + iss + `}`:                                 1,
	} {
		if got := after[name] - before[name]; got != want {
			t.Errorf("%s moved by %v, want %v", name, got, want)
		}
	}
	if after[`jwtguard_jwks_keys_available{`+iss+`}`] != 1 || after[`jwtguard_jwks_stale{`+iss+`}`] != 0 {
		t.Errorf("the key set's gauges: available %v, stale %v", after[`jwtguard_jwks_keys_available{`+iss+`}`], after[`jwtguard_jwks_stale{`+iss+`}`])
	}
	if _, ok := after["go_goroutines{}"]; !ok {
		t.Error("no Go runtime figures")
	}
}

// Without -metrics there is no /metrics.
func TestNoMetricsWithoutTheFlag(t *testing.T) {
	s := demotest.Start(t, run, "-addr", "127.0.0.1:0")
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("GET /metrics without -metrics: %d", resp.StatusCode)
	}
}
