// Package otelguard exports a jwtguard verifier's figures and spans to
// OpenTelemetry.
//
//	t, err := otelguard.New() // the global providers, or WithTracerProvider, WithMeterProvider
//	v, err := middleware.New(issuers, middleware.WithHook(t.Hook))
//	err = t.Watch(v)
//
// Traces: a span per verification, jwtguard.verify, child of the span in
// the request's context, with its outcome, reason, configured issuer,
// algorithm and whether the verified-token cache answered; a span per
// key-set fetch, jwtguard.jwks.fetch, child of the verification that
// started it (or a root span for a scheduled refresh), with the redacted
// URL, the HTTP status, the bytes and the keys it brought.
//
// Metrics, the same figures as the prometheus module's: verifications by
// outcome, reason and issuer, their duration, cache hits; key-set fetches
// by result and HTTP status, their duration, the refreshes an unknown kid
// forced and those the rate limit refused, skipped keys and key alarms;
// and, read at each collection from the verifiers watched, whether each
// issuer has keys, their age, staleness and number, and the
// verified-token cache's fill. Measurements carry the request's context,
// so exemplars link them to its trace.
//
// Every attribute of a metric comes from the configuration or a fixed
// set: the configured issuer (never an iss a refused token chose), the
// reason code, the outcome, the HTTP status of the issuer's own answers.
// No subject, client, kid or token is ever an attribute, of a metric or a
// span, so no token can add a series.
package otelguard

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jwtguard/jwtguard/internal/statsx"
	"github.com/jwtguard/jwtguard/internal/tracex"
	"github.com/jwtguard/jwtguard/middleware"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// scope names the instrumentation: this package.
const scope = "github.com/jwtguard/jwtguard/otel"

// Telemetry records jwtguard's spans and metrics. Its Hook must be the
// verifiers' hook (middleware.WithHook); Watch adds a verifier, whose
// state each collection reads and whose verifications start their spans
// before they run (so a key-set fetch is their child). Safe for
// concurrent use.
type Telemetry struct {
	tracer trace.Tracer // nil: no tracing
	start  tracex.Start
	inst   instruments
	now    func() time.Time

	mu        sync.Mutex
	verifiers []*middleware.Verifier
}

// Option configures New.
type Option func(*options)

type options struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider records spans with tp instead of the global tracer
// provider. A trace/noop provider turns tracing off: no span is started,
// no context is derived.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tp = tp }
}

// WithMeterProvider records metrics with mp instead of the global meter
// provider.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(o *options) { o.mp = mp }
}

// New returns the exporter, with no verifier watched yet. It fails when
// the meter provider refuses an instrument.
func New(opts ...Option) (*Telemetry, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.tp == nil {
		o.tp = otel.GetTracerProvider()
	}
	if o.mp == nil {
		o.mp = otel.GetMeterProvider()
	}
	t := &Telemetry{now: time.Now}
	if _, off := o.tp.(noop.TracerProvider); !off {
		t.tracer = o.tp.Tracer(scope)
		t.start = t.startVerify
	}
	if err := t.inst.init(o.mp.Meter(scope), t.observe); err != nil {
		return nil, fmt.Errorf("otelguard: %w", err)
	}
	return t, nil
}

// Watch adds v to the verifiers whose state each collection reads and,
// when tracing, makes v start each verification's span. It fails when v
// has no hook (Hook must be one of them: it ends the spans), when v is
// watched already, or when another watched verifier has one of v's
// issuers (their series would collide).
func (t *Telemetry) Watch(v *middleware.Verifier) error {
	s, ok := statsx.Read(v)
	if !ok {
		return fmt.Errorf("otelguard: not a verifier")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, w := range t.verifiers {
		ws, _ := statsx.Read(w)
		if u, ok := statsx.SharedIssuer(ws, s); ok {
			return fmt.Errorf("otelguard: issuer %q is watched already", u)
		}
	}
	if t.tracer != nil {
		if err := tracex.Attach(v, &t.start); err != nil {
			return fmt.Errorf("otelguard: %w", err)
		}
	}
	t.verifiers = append(t.verifiers, v)
	return nil
}

// Unwatch stops reading v's state and starting its spans: call it when v
// is closed (a configuration reload), before watching its successor, or
// its key sets would read as ever older, and stale.
func (t *Telemetry) Unwatch(v *middleware.Verifier) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.verifiers)
	t.verifiers = slices.DeleteFunc(t.verifiers, func(w *middleware.Verifier) bool { return w == v })
	if len(t.verifiers) < n && t.tracer != nil {
		tracex.Detach(v, &t.start)
	}
}

// Hook records one event: give it to middleware.WithHook.
func (t *Telemetry) Hook(e middleware.Event) {
	ctx := e.Context
	if ctx == nil { // an event not from a verifier, which never sends one without
		ctx = context.Background()
	}
	t.inst.record(ctx, &e)
	if t.tracer == nil {
		return
	}
	switch e.Kind {
	case middleware.EventAccepted, middleware.EventRejected:
		t.endVerify(ctx, &e)
	case middleware.EventKeysRefreshed, middleware.EventKeysRefreshFailed:
		t.fetchSpan(ctx, &e)
	}
}
