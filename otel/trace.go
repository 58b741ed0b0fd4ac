package otelguard

import (
	"context"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// The attributes of spans and metrics. Those of HTTP and URLs are
// OpenTelemetry's semantic conventions'.
const (
	attrOutcome     = attribute.Key("jwtguard.outcome") // accepted, rejected
	attrReason      = attribute.Key("jwtguard.reason")  // a reason code, for a refusal
	attrIssuer      = attribute.Key("jwtguard.issuer")  // a configured issuer
	attrAlgorithm   = attribute.Key("jwtguard.algorithm")
	attrCacheHit    = attribute.Key("jwtguard.cache_hit")
	attrResult      = attribute.Key("jwtguard.jwks.result") // success, failure
	attrKeys        = attribute.Key("jwtguard.jwks.keys")
	attrKeysSkipped = attribute.Key("jwtguard.jwks.keys_skipped")
	attrForced      = attribute.Key("jwtguard.jwks.forced")
	attrStatus      = attribute.Key("http.response.status_code")
	attrBodySize    = attribute.Key("http.response.body.size")
	attrURL         = attribute.Key("url.full")
)

// spanKey marks a context whose verification span this package started:
// only that span is ended by the verification's event.
type spanKey struct{}

// startVerify is the verifiers' tracex.Start: the verification runs in a
// context carrying its span, so a key-set fetch it starts is the span's
// child.
func (t *Telemetry) startVerify(ctx context.Context) context.Context {
	ctx, span := t.tracer.Start(ctx, "jwtguard.verify", trace.WithSpanKind(trace.SpanKindInternal))
	return context.WithValue(ctx, spanKey{}, span)
}

// endVerify ends the span of the verification that e reports: the one
// startVerify began, or, for a verifier not watched, one recorded now
// over e.Duration.
func (t *Telemetry) endVerify(ctx context.Context, e *middleware.Event) {
	span, ours := ctx.Value(spanKey{}).(trace.Span)
	if !ours {
		end := t.now()
		_, span = t.tracer.Start(ctx, "jwtguard.verify", trace.WithSpanKind(trace.SpanKindInternal),
			trace.WithTimestamp(end.Add(-e.Duration)))
		defer span.End(trace.WithTimestamp(end))
	} else {
		defer span.End()
	}
	if !span.IsRecording() {
		return
	}
	outcome := "accepted"
	if e.Kind == middleware.EventRejected {
		outcome = "rejected"
	}
	attrs := make([]attribute.KeyValue, 0, 5)
	attrs = append(attrs, attrOutcome.String(outcome), attrCacheHit.Bool(e.CacheHit))
	if e.Reason != "" {
		attrs = append(attrs, attrReason.String(string(e.Reason)))
	}
	if e.Issuer != "" {
		attrs = append(attrs, attrIssuer.String(e.Issuer))
	}
	if e.Algorithm != "" {
		attrs = append(attrs, attrAlgorithm.String(e.Algorithm))
	}
	span.SetAttributes(attrs...)
	// A refusal is the verification working, not failing: only a refusal
	// for want of keys or of the revocation store (503) is an error.
	// The detailed cause stays in the logs: a span may leave the company.
	if e.Reason == reason.JWKSUnavailable || e.Reason == reason.RevocationUnavailable {
		span.SetStatus(codes.Error, string(e.Reason))
	}
}

// fetchSpan records the key-set fetch e reports, over e.Duration ending
// now, as a child of the span in e's context: the verification that
// started the fetch or first waited for it, or none for a scheduled one.
func (t *Telemetry) fetchSpan(ctx context.Context, e *middleware.Event) {
	end := t.now()
	result := "success"
	if e.Kind == middleware.EventKeysRefreshFailed {
		result = "failure"
	}
	attrs := []attribute.KeyValue{attrIssuer.String(e.Issuer), attrResult.String(result),
		attrKeys.Int(e.Keys), attrKeysSkipped.Int(e.KeysSkipped), attrForced.Bool(e.Forced)}
	if e.URL != "" {
		attrs = append(attrs, attrURL.String(e.URL))
	}
	if e.Status != 0 {
		attrs = append(attrs, attrStatus.Int(e.Status))
	}
	if e.Bytes != 0 {
		attrs = append(attrs, attrBodySize.Int(e.Bytes))
	}
	_, span := t.tracer.Start(ctx, "jwtguard.jwks.fetch", trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithTimestamp(end.Add(-e.Duration)), trace.WithAttributes(attrs...))
	if e.Err != nil {
		// A fetch's error names the issuer's answer and its redacted URL,
		// never a token: the operator needs it to fix the fault.
		span.SetStatus(codes.Error, e.Err.Error())
	}
	span.End(trace.WithTimestamp(end))
}
