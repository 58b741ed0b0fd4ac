package otelguard_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"fmt"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
	otelguard "github.com/jwtguard/jwtguard/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

const audience = "orders-api"

var quiet = middleware.WithLogger(slog.New(slog.DiscardHandler))

// traced is an API protected by nethttp, served on loopback behind a
// handler that starts each request's span (as otelhttp would), with a
// verifier that fetches its keys on first use.
type traced struct {
	iss *jwttest.Issuer
	v   *middleware.Verifier
	rec *tracetest.SpanRecorder
	mr  *sdkmetric.ManualReader
	tel *otelguard.Telemetry
	api string
}

func newTraced(t *testing.T, opts ...middleware.Option) *traced {
	t.Helper()
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	return newTracedOf(t, iss, opts...)
}

func newTracedOf(t *testing.T, iss *jwttest.Issuer, opts ...middleware.Option) *traced {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	mr := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(mr))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	tel, err := otelguard.New(otelguard.WithTracerProvider(tp), otelguard.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
		append([]middleware.Option{middleware.WithHook(tel.Hook), quiet}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	if err := tel.Watch(v); err != nil {
		t.Fatal(err)
	}
	tracer := tp.Tracer("app")
	api := nethttp.Protect(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "orders") }))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tracer.Start(r.Context(), "GET /orders", trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		api.ServeHTTP(w, r.WithContext(ctx))
	}))
	t.Cleanup(srv.Close)
	return &traced{iss: iss, v: v, rec: rec, mr: mr, tel: tel, api: srv.URL}
}

func (l *traced) get(t *testing.T, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, l.api, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// spans returns the ended spans by name (each name once, but for fetches
// of no verification's, which are left out).
func (l *traced) spans(t *testing.T) map[string]sdktrace.ReadOnlySpan {
	t.Helper()
	out := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range l.rec.Ended() {
		if s.Name() == "jwtguard.jwks.fetch" && !s.Parent().IsValid() {
			continue
		}
		if _, twice := out[s.Name()]; twice {
			t.Fatalf("two %s spans", s.Name())
		}
		out[s.Name()] = s
	}
	return out
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	out := map[attribute.Key]attribute.Value{}
	for _, a := range s.Attributes() {
		out[a.Key] = a.Value
	}
	return out
}

func wantAttrs(t *testing.T, s sdktrace.ReadOnlySpan, want map[attribute.Key]any) {
	t.Helper()
	got := attrs(s)
	for k, w := range want {
		if g, ok := got[k]; !ok || g.AsInterface() != w {
			t.Errorf("%s: %s = %v (present %v), want %v", s.Name(), k, g.AsInterface(), ok, w)
		}
	}
}

// One request on a cold start: the request's span is the parent of the
// verification's, which is the parent of the key-set fetch it waited for
// (the first, which New began and a slow issuer keeps in flight, so it
// may start before the verification joins it, and ends before it); the
// verification lies within the request.
func TestTheSpanTreeOfAColdStart(t *testing.T) {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(iss.Close)
	iss.SetFault(jwttest.FaultSlow)
	iss.SetSlowDelay(300 * time.Millisecond)
	l := newTracedOf(t, iss)
	if code := l.get(t, l.iss.MustMint(jwttest.ClaimsSet{"sub": "alice"})); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	s := l.spans(t)
	req, verify, fetch := s["GET /orders"], s["jwtguard.verify"], s["jwtguard.jwks.fetch"]
	if req == nil || verify == nil || fetch == nil || len(s) != 3 {
		t.Fatalf("spans: %v", s)
	}
	if verify.Parent().SpanID() != req.SpanContext().SpanID() || fetch.Parent().SpanID() != verify.SpanContext().SpanID() {
		t.Fatalf("not request → verify → fetch: verify's parent %s (request %s), fetch's parent %s (verify %s)",
			verify.Parent().SpanID(), req.SpanContext().SpanID(), fetch.Parent().SpanID(), verify.SpanContext().SpanID())
	}
	for _, sp := range []sdktrace.ReadOnlySpan{verify, fetch} {
		if sp.SpanContext().TraceID() != req.SpanContext().TraceID() {
			t.Errorf("%s is in another trace", sp.Name())
		}
	}
	if verify.StartTime().Before(req.StartTime()) || verify.EndTime().After(req.EndTime()) {
		t.Errorf("verify [%v, %v] is not within the request [%v, %v]", verify.StartTime(), verify.EndTime(), req.StartTime(), req.EndTime())
	}
	if fetch.EndTime().After(verify.EndTime()) || !fetch.EndTime().After(verify.StartTime()) {
		t.Errorf("the fetch ends at %v, not within the verification waiting for it [%v, %v]", fetch.EndTime(), verify.StartTime(), verify.EndTime())
	}
	wantAttrs(t, verify, map[attribute.Key]any{"jwtguard.outcome": "accepted", "jwtguard.issuer": l.iss.URL(),
		"jwtguard.algorithm": "RS256", "jwtguard.cache_hit": false})
	wantAttrs(t, fetch, map[attribute.Key]any{"jwtguard.issuer": l.iss.URL(), "jwtguard.jwks.result": "success",
		"http.response.status_code": int64(200), "url.full": l.iss.JWKSURL(), "jwtguard.jwks.keys": int64(1),
		"jwtguard.jwks.keys_skipped": int64(0), "jwtguard.jwks.forced": false})
	if n := attrs(fetch)["http.response.body.size"].AsInt64(); n <= 0 {
		t.Errorf("fetch span: body size %d", n)
	}
	for _, sp := range []sdktrace.ReadOnlySpan{verify, fetch} {
		if sp.Status().Code != codes.Unset || sp.SpanKind() != trace.SpanKindInternal {
			t.Errorf("%s: status %v, kind %v", sp.Name(), sp.Status(), sp.SpanKind())
		}
	}
	// The same request, as the metrics count it.
	got := (&metered{reader: l.mr}).collect(t)
	is := fmt.Sprintf("jwtguard.issuer=%q", l.iss.URL())
	for name, want := range map[string]float64{
		`jwtguard.verifications{` + is + `,jwtguard.outcome="accepted"}`:                                   1,
		`jwtguard.verification.duration_count{` + is + `,jwtguard.outcome="accepted"}`:                     1,
		`jwtguard.jwks.fetches{http.response.status_code="200",` + is + `,jwtguard.jwks.result="success"}`: 1,
	} {
		if got[name] != want {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
	}
}

// A refusal's span says why, and a refusal before any token (no
// credential) has one too; no span holds the subject or the token.
func TestARefusalsSpanSaysWhy(t *testing.T) {
	l := newTraced(t)
	good := l.iss.MustMint(jwttest.ClaimsSet{"sub": "alice"})
	l.get(t, good) // warm
	l.rec.Reset()
	if code := l.get(t, ""); code != http.StatusUnauthorized {
		t.Fatalf("no token: status %d", code)
	}
	s := l.spans(t)
	if v := s["jwtguard.verify"]; v == nil || v.Parent().SpanID() != s["GET /orders"].SpanContext().SpanID() {
		t.Fatalf("no verify span under the request's for a request without a token: %v", s)
	}
	wantAttrs(t, s["jwtguard.verify"], map[attribute.Key]any{"jwtguard.outcome": "rejected", "jwtguard.reason": "token_missing"})
	if _, ok := attrs(s["jwtguard.verify"])["jwtguard.issuer"]; ok {
		t.Error("a refusal with no token names an issuer")
	}
	l.rec.Reset()
	expired := l.iss.MustMint(jwttest.ClaimsSet{"sub": "bob", "exp": 1, "iat": 0})
	if code := l.get(t, expired); code != http.StatusUnauthorized {
		t.Fatalf("expired: status %d", code)
	}
	v := l.spans(t)["jwtguard.verify"]
	wantAttrs(t, v, map[attribute.Key]any{"jwtguard.outcome": "rejected", "jwtguard.reason": "token_expired",
		"jwtguard.issuer": l.iss.URL(), "jwtguard.algorithm": "RS256"})
	if v.Status().Code != codes.Unset {
		t.Errorf("a refusal is a span in error: %v", v.Status())
	}
	for _, sp := range l.rec.Ended() {
		for _, a := range sp.Attributes() {
			if s := a.Value.String(); s == "bob" || s == expired {
				t.Errorf("%s carries %s = %q", sp.Name(), a.Key, s)
			}
		}
	}
}

// Keys never obtained: the verification's span is in error, and so is
// the failed fetch it waited for, which says what the issuer answered.
func TestAnIdentityProviderFaultIsAnErrorSpan(t *testing.T) {
	l := newTraced(t)
	l.iss.SetFault(jwttest.Fault500)
	if code := l.get(t, l.iss.MustMint(jwttest.ClaimsSet{"sub": "alice"})); code != http.StatusServiceUnavailable {
		t.Fatalf("status %d", code)
	}
	s := l.spans(t)
	verify, fetch := s["jwtguard.verify"], s["jwtguard.jwks.fetch"]
	if verify == nil || fetch == nil || fetch.Parent().SpanID() != verify.SpanContext().SpanID() {
		t.Fatalf("spans: %v", s)
	}
	if verify.Status().Code != codes.Error || verify.Status().Description != "jwks_unavailable" {
		t.Errorf("verify: %v", verify.Status())
	}
	wantAttrs(t, fetch, map[attribute.Key]any{"jwtguard.jwks.result": "failure", "http.response.status_code": int64(500)})
	if fetch.Status().Code != codes.Error || fetch.Status().Description == "" {
		t.Errorf("fetch: %v", fetch.Status())
	}
}

// A scheduled or operator's refresh is a root span (or a child of the
// caller's); a verifier hooked but not watched still gets verify spans,
// recorded after the fact, with no fetch under them.
func TestSpansWithoutAWatchedVerification(t *testing.T) {
	l := newTraced(t)
	if err := l.v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	ended := l.rec.Ended()
	if len(ended) == 0 || ended[len(ended)-1].Name() != "jwtguard.jwks.fetch" || ended[len(ended)-1].Parent().IsValid() {
		t.Fatalf("Refresh's fetch is not the last span, a root one: %v", ended)
	}
	l.rec.Reset()
	l.tel.Unwatch(l.v)
	if code := l.get(t, l.iss.MustMint(jwttest.ClaimsSet{"sub": "alice"})); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	s := l.spans(t)
	if v := s["jwtguard.verify"]; v == nil || v.Parent().SpanID() != s["GET /orders"].SpanContext().SpanID() || v.EndTime().Before(v.StartTime()) {
		t.Fatalf("unwatched: %v", s)
	}
}

func TestWatchRefusesWhatWouldLoseSpans(t *testing.T) {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience))
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	cfg := []middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}}
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	tel, err := otelguard.New(otelguard.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	bare, err := middleware.New(cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	if err := tel.Watch(bare); err == nil {
		t.Error("a verifier with no hook, whose spans nothing would end, was watched")
	}
	v, err := middleware.New(cfg, quiet, middleware.WithHook(tel.Hook))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if err := tel.Watch(v); err != nil {
		t.Fatal(err)
	}
	other, err := otelguard.New(otelguard.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Watch(v); err == nil {
		t.Error("a verifier traced by one exporter was watched by another")
	}
	if err := tel.Watch(v); err == nil {
		t.Error("the same verifier was watched twice")
	}
	tel.Unwatch(v)
	if err := other.Watch(v); err != nil {
		t.Errorf("after Unwatch, another exporter: %v", err)
	}
	// Metrics only: a noop tracer provider derives no context at all.
	metricsOnly, err := otelguard.New(otelguard.WithTracerProvider(noop.NewTracerProvider()))
	if err != nil {
		t.Fatal(err)
	}
	if err := metricsOnly.Watch(bare); err != nil {
		t.Errorf("metrics only: %v", err)
	}
}
