package promguard_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/exportertest"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	promguard "github.com/jwtguard/jwtguard/prometheus"
	"github.com/jwtguard/jwtguard/revocation"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

const audience = "orders-api"

// lab is a verifier of a jwttest issuer whose figures a real registry
// serves over HTTP.
type lab struct {
	iss     *jwttest.Issuer
	v       *middleware.Verifier
	metrics string // the /metrics URL
}

func newLab(t *testing.T, opts ...middleware.Option) *lab {
	t.Helper()
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	m := promguard.New()
	opts = append([]middleware.Option{middleware.WithHook(m.Hook), middleware.WithLogger(slog.New(slog.DiscardHandler)),
		middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true})}, opts...)
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	if err := m.Watch(v); err != nil {
		t.Fatal(err)
	}
	if err := m.Watch(v); err == nil {
		t.Fatal("the same issuer was watched twice")
	}
	// A reload: the old verifier unwatched, its successor watched.
	m.Unwatch(v)
	if err := m.Watch(v); err != nil {
		t.Fatalf("watching again after Unwatch: %v", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	return &lab{iss: iss, v: v, metrics: srv.URL}
}

// scrape reads /metrics as Prometheus would, and returns each sample by
// its name and labels: `name{a="x",b="y"}` (histograms as _count and _sum).
func (l *lab) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	resp, err := http.Get(l.metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			key := func(suffix string) string { return name + suffix + labels(m) }
			switch {
			case m.Counter != nil:
				out[key("")] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[key("")] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[key("_count")] = float64(m.Histogram.GetSampleCount())
				out[key("_sum")] = m.Histogram.GetSampleSum()
			}
		}
	}
	return out
}

func labels(m *dto.Metric) string {
	var parts []string
	for _, l := range m.GetLabel() {
		parts = append(parts, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ",") + "}"
}

// Known traffic moves each figure by exactly what it is: valid tokens
// (one a cache hit), an expired one, a forged one, an unknown kid (one
// forced refresh, then one rate-limited), and a failing identity provider.
func TestKnownTrafficMovesTheFiguresExactly(t *testing.T) {
	store := revocation.NewMemory(revocation.WithMaxEntries(1000))
	l := newLab(t, middleware.WithTokenCache(100, 1<<20), middleware.WithRevocation(store))
	ctx := context.Background()
	is := l.iss.URL()
	for _, sub := range []string{"dave", "erin"} {
		if err := store.Revoke(ctx, revocation.Revocation{Kind: revocation.BySubject, Issuer: is, Value: sub}); err != nil {
			t.Fatal(err)
		}
	}
	before := l.scrape(t)
	exportertest.KnownTraffic(t, l.iss, l.v, audience)
	after := l.scrape(t)
	iss := fmt.Sprintf("issuer=%q", is)
	for name, want := range map[string]float64{
		`jwtguard_verifications_total{` + iss + `,outcome="accepted",reason=""}`:                  2,
		`jwtguard_verifications_total{` + iss + `,outcome="rejected",reason="token_expired"}`:     1,
		`jwtguard_verifications_total{` + iss + `,outcome="rejected",reason="signature_invalid"}`: 1,
		`jwtguard_verifications_total{` + iss + `,outcome="rejected",reason="key_not_found"}`:     2,
		`jwtguard_verification_duration_seconds_count{` + iss + `,outcome="accepted"}`:            2,
		`jwtguard_verification_duration_seconds_count{` + iss + `,outcome="rejected"}`:            4,
		`jwtguard_verifications_total{issuer="",outcome="rejected",reason="token_malformed"}`:     1,
		`jwtguard_token_cache_hits_total{` + iss + `}`:                                            1,
		`jwtguard_jwks_fetches_total{code="200",` + iss + `,result="success"}`:                    1, // the unknown kid's
		`jwtguard_jwks_fetches_total{code="500",` + iss + `,result="failure"}`:                    1,
		`jwtguard_jwks_fetch_duration_seconds_count{` + iss + `,result="failure"}`:                1,
		`jwtguard_jwks_unknown_kid_refreshes_total{` + iss + `}`:                                  1,
		`jwtguard_jwks_refreshes_rate_limited_total{` + iss + `}`:                                 1,
	} {
		if got := after[name] - before[name]; got != want {
			t.Errorf("%s moved by %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]float64{
		`jwtguard_jwks_keys_available{` + iss + `}`: 1,
		`jwtguard_jwks_stale{` + iss + `}`:          0,
		`jwtguard_jwks_keys{` + iss + `}`:           1,
		`jwtguard_token_cache_entries{}`:            1,
		`jwtguard_token_cache_max_entries{}`:        100,
		`jwtguard_revocation_entries{}`:             2,
		`jwtguard_revocation_max_entries{}`:         1000,
	} {
		if got, ok := after[name]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}
	if _, ok := after[`jwtguard_revocation_stale{}`]; ok {
		t.Error("an in-memory store, which syncs with nothing, reported as stale or not")
	}
	if age := after[`jwtguard_jwks_age_seconds{`+iss+`}`]; age <= 0 || age > 60 {
		t.Errorf("jwtguard_jwks_age_seconds = %v", age)
	}
}

// A flood of tokens naming 10,000 random issuers, kids and subjects adds
// no series: every label comes from the configuration or a fixed set.
func TestAFloodOfRandomTokensAddsNoSeries(t *testing.T) {
	l := newLab(t)
	r := rand.New(rand.NewPCG(1, 2))
	flood := func(n int) { exportertest.Flood(l.v, l.iss, r, n) }
	flood(200)
	first := len(l.scrape(t))
	flood(10_000)
	if n := len(l.scrape(t)); n != first {
		t.Fatalf("%d samples after 200 random tokens, %d after 10,200", first, n)
	}
}

// The hook adds no allocation to a cache hit.
func TestTheHookAddsNoAllocationToACacheHit(t *testing.T) {
	l := newLab(t, middleware.WithTokenCache(100, 1<<20))
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	plain, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}}, middleware.WithTokenCache(100, 1<<20),
		middleware.WithLogger(slog.New(slog.DiscardHandler)), middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	ctx := context.Background()
	hit := func(v *middleware.Verifier, tok string) float64 {
		if _, err := v.Verify(ctx, tok); err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(100, func() {
			if _, err := v.Verify(ctx, tok); err != nil {
				t.Fatal(err)
			}
		})
	}
	with, without := hit(l.v, l.iss.MustMint(jwttest.ClaimsSet{"sub": "alice"})), hit(plain, iss.MustMint(jwttest.ClaimsSet{"sub": "alice"}))
	if with > without {
		t.Fatalf("a cache hit allocates %v times with the hook, %v without", with, without)
	}
}
