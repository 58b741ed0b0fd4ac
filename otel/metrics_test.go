package otelguard_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/exportertest"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	otelguard "github.com/jwtguard/jwtguard/otel"
	"github.com/jwtguard/jwtguard/revocation"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/trace/noop"
)

// metered is a verifier of a jwttest issuer whose figures a manual
// reader collects, with tracing off.
type metered struct {
	iss    *jwttest.Issuer
	v      *middleware.Verifier
	reader *sdkmetric.ManualReader
}

func newMetered(t *testing.T, opts ...middleware.Option) *metered {
	t.Helper()
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	tel, err := otelguard.New(otelguard.WithMeterProvider(mp), otelguard.WithTracerProvider(noop.NewTracerProvider()))
	if err != nil {
		t.Fatal(err)
	}
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
		append([]middleware.Option{middleware.WithHook(tel.Hook), quiet,
			middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	if err := tel.Watch(v); err != nil {
		t.Fatal(err)
	}
	return &metered{iss: iss, v: v, reader: reader}
}

// collect returns each data point by instrument and attributes,
// `name{a="x",b="y"}` (histograms as _count and _sum).
func (l *metered) collect(t *testing.T) map[string]float64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := l.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != "github.com/jwtguard/jwtguard/otel" {
			t.Errorf("scope %q", sm.Scope.Name)
		}
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out[m.Name+key(p.Attributes)] = float64(p.Value)
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					out[m.Name+key(p.Attributes)] = float64(p.Value)
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					out[m.Name+key(p.Attributes)] = p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					out[m.Name+"_count"+key(p.Attributes)] = float64(p.Count)
					out[m.Name+"_sum"+key(p.Attributes)] = p.Sum
				}
			default:
				t.Errorf("%s: unexpected data %T", m.Name, m.Data)
			}
		}
	}
	return out
}

func key(set attribute.Set) string {
	var parts []string
	for _, a := range set.ToSlice() {
		parts = append(parts, fmt.Sprintf("%s=%q", a.Key, a.Value.String()))
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ",") + "}"
}

// Known traffic moves each figure by exactly what it is: valid tokens
// (one a cache hit), an expired one, a forged one, an unknown kid (one
// forced refresh, then one rate-limited), and a failing identity provider.
func TestKnownTrafficMovesTheFiguresExactly(t *testing.T) {
	store := revocation.NewMemory(revocation.WithMaxEntries(1000))
	l := newMetered(t, middleware.WithTokenCache(100, 1<<20), middleware.WithRevocation(store))
	ctx := context.Background()
	is := l.iss.URL()
	for _, sub := range []string{"dave", "erin"} {
		if err := store.Revoke(ctx, revocation.Revocation{Kind: revocation.BySubject, Issuer: is, Value: sub}); err != nil {
			t.Fatal(err)
		}
	}
	before := l.collect(t)
	exportertest.KnownTraffic(t, l.iss, l.v, audience)
	after := l.collect(t)
	iss := fmt.Sprintf("jwtguard.issuer=%q", is)
	for name, want := range map[string]float64{
		`jwtguard.verifications{` + iss + `,jwtguard.outcome="accepted"}`:                                     2,
		`jwtguard.verifications{` + iss + `,jwtguard.outcome="rejected",jwtguard.reason="token_expired"}`:     1,
		`jwtguard.verifications{` + iss + `,jwtguard.outcome="rejected",jwtguard.reason="signature_invalid"}`: 1,
		`jwtguard.verifications{` + iss + `,jwtguard.outcome="rejected",jwtguard.reason="key_not_found"}`:     2,
		`jwtguard.verifications{jwtguard.outcome="rejected",jwtguard.reason="token_malformed"}`:               1,
		`jwtguard.verification.duration_count{` + iss + `,jwtguard.outcome="accepted"}`:                       2,
		`jwtguard.verification.duration_count{` + iss + `,jwtguard.outcome="rejected"}`:                       4,
		`jwtguard.token_cache.hits{` + iss + `}`:                                                              1,
		`jwtguard.jwks.fetches{http.response.status_code="200",` + iss + `,jwtguard.jwks.result="success"}`:   1, // the unknown kid's
		`jwtguard.jwks.fetches{http.response.status_code="500",` + iss + `,jwtguard.jwks.result="failure"}`:   1,
		`jwtguard.jwks.fetch.duration_count{` + iss + `,jwtguard.jwks.result="failure"}`:                      1,
		`jwtguard.jwks.unknown_kid_refreshes{` + iss + `}`:                                                    1,
		`jwtguard.jwks.refreshes_rate_limited{` + iss + `}`:                                                   1,
	} {
		if got := after[name] - before[name]; got != want {
			t.Errorf("%s moved by %v, want %v", name, got, want)
		}
	}
	for name, want := range map[string]float64{
		`jwtguard.jwks.keys_available{` + iss + `}`: 1,
		`jwtguard.jwks.stale{` + iss + `}`:          0,
		`jwtguard.jwks.keys{` + iss + `}`:           1,
		`jwtguard.token_cache.entries{}`:            1,
		`jwtguard.token_cache.max_entries{}`:        100,
		`jwtguard.token_cache.max_size{}`:           1 << 20,
		`jwtguard.revocation.entries{}`:             2,
		`jwtguard.revocation.max_entries{}`:         1000,
	} {
		if got, ok := after[name]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}
	if _, ok := after[`jwtguard.revocation.stale{}`]; ok {
		t.Error("an in-memory store, which syncs with nothing, reported as stale or not")
	}
	if age := after[`jwtguard.jwks.age{`+iss+`}`]; age <= 0 || age > 60 {
		t.Errorf("jwtguard.jwks.age = %v", age)
	}
	if size := after[`jwtguard.token_cache.size{}`]; size <= 0 {
		t.Errorf("jwtguard.token_cache.size = %v", size)
	}
}

// A flood of tokens naming 10,000 random issuers, kids and subjects adds
// no data point: every attribute comes from the configuration or a fixed
// set.
func TestAFloodOfRandomTokensAddsNoSeries(t *testing.T) {
	l := newMetered(t)
	r := rand.New(rand.NewPCG(1, 2))
	flood := func(n int) { exportertest.Flood(l.v, l.iss, r, n) }
	flood(200)
	first := l.collect(t)
	flood(10_000)
	if then := l.collect(t); len(then) != len(first) {
		var added []string
		for k := range then {
			if _, ok := first[k]; !ok {
				added = append(added, k)
			}
		}
		t.Fatalf("%d data points after 200 random tokens, %d after 10,200: %v", len(first), len(then), added)
	}
}

// Recording the metrics adds no allocation to a cache hit.
func TestMetricsAddNoAllocationToACacheHit(t *testing.T) {
	l := newMetered(t, middleware.WithTokenCache(100, 1<<20))
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	plain, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}}, middleware.WithTokenCache(100, 1<<20),
		quiet, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true}))
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
		t.Fatalf("a cache hit allocates %v times with the metrics, %v without", with, without)
	}
	if got := l.collect(t)[fmt.Sprintf(`jwtguard.token_cache.hits{jwtguard.issuer=%q}`, l.iss.URL())]; got < 100 {
		t.Fatalf("%v cache hits counted", got)
	}
}
