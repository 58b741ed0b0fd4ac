package middleware

import (
	"context"
	"log/slog"
	"time"

	"github.com/jwtguard/jwtguard/middleware/reason"
)

// EventKind says what an Event is about.
type EventKind uint8

// Event kinds.
const (
	// EventAccepted: a token was verified.
	EventAccepted EventKind = iota + 1
	// EventRejected: a request or token was rejected; Reason says why.
	EventRejected
	// EventKeysRefreshed: a key set was fetched and replaced the previous one.
	EventKeysRefreshed
	// EventKeysRefreshFailed: fetching a key set failed; the previous one stays in use.
	EventKeysRefreshFailed
	// EventKeySkipped: a key in a JWKS was not usable and was skipped.
	EventKeySkipped
	// EventKeyAlarm: a JWKS held key material that must never be public
	// (a symmetric or private key), or a kid was ambiguous. Investigate.
	EventKeyAlarm
)

func (k EventKind) String() string {
	switch k {
	case EventAccepted:
		return "accepted"
	case EventRejected:
		return "rejected"
	case EventKeysRefreshed:
		return "keys_refreshed"
	case EventKeysRefreshFailed:
		return "keys_refresh_failed"
	case EventKeySkipped:
		return "key_skipped"
	case EventKeyAlarm:
		return "key_alarm"
	}
	return "unknown"
}

// Event is one outcome seen by the hook set with WithHook. It never holds a
// token or key material.
type Event struct {
	Kind   EventKind
	Reason reason.Code // why, for EventRejected; "" otherwise
	Issuer string      // a configured issuer's URL, when known: for a refusal, the one the token's unverified iss named (never another value)
	Claims *Claims     // the verified claims, for EventAccepted
	Err    error       // the detailed cause, for logs

	// Context is, for a verification, the request's context (Verify's ctx;
	// when the otel module traces the verifier, its child that carries the
	// verification's span), so that a hook can parent a span or read
	// baggage; for a key-set event,
	// the context of the request that started the fetch or first waited for
	// it, or the verifier's own for a scheduled refresh. A request's context
	// is an unverified caller's (a token naming an unknown kid starts a
	// fetch): treat its values, baggage included, as untrusted. It is only
	// read from: its cancellation means nothing to the event. Never nil.
	Context context.Context
	// Duration is how long the verification or the fetch took, measured
	// only when a hook is set (zero for a request refused before a token
	// was found).
	Duration time.Duration
	// CacheHit: the verification was answered from the verified-token cache.
	CacheHit bool
	// Algorithm is the token's alg once it was found on the issuer's
	// allowlist; "" before (so never a value outside the allowlist).
	Algorithm string
	// RateLimited: the token was refused for an unknown kid without a
	// fetch of the key set, because the last fetch a request started (for
	// an unknown kid or a cold start) is too recent
	// (RemoteKeys.UnknownKeyRefreshInterval).
	RateLimited bool

	// For the key-set events (EventKeysRefreshed, EventKeysRefreshFailed,
	// EventKeySkipped, EventKeyAlarm): the URL of the fetch's last request
	// (the discovery document or the JWKS), without userinfo or query; the
	// HTTP status of its answer (0 without one) and the bytes of its body
	// (0 unless the status was 200, whose body is the only one read); the
	// usable and the skipped keys of the set; and whether a token's unknown
	// kid forced the fetch, rather than the schedule or a cold start.
	URL               string
	Status, Bytes     int
	Keys, KeysSkipped int
	Forced            bool
}

func (v *Verifier) emit(e Event) { v.emitAt(&e, time.Time{}) }

// emitAt is emit with the key cache's clock read at mono, or unread (zero).
// e is the caller's, filled in place: a refusal's event is not copied.
func (v *Verifier) emitAt(e *Event, mono time.Time) {
	if v.cfg.hook != nil {
		if e.Context == nil {
			e.Context = context.Background()
		}
		v.cfg.hook(*e)
	}
	l := v.cfg.logger
	level := slog.LevelDebug
	var skipped int64
	var since time.Duration
	switch e.Kind {
	case EventKeysRefreshFailed, EventKeyAlarm:
		level = slog.LevelWarn
	case EventRejected:
		// Every refusal at debug level; at info level, the first of each
		// reason and issuer, then at most one a minute (rejectionLog).
		if !l.Enabled(context.Background(), slog.LevelDebug) {
			if !l.Enabled(context.Background(), slog.LevelInfo) {
				return
			}
			if mono.IsZero() {
				mono = v.cfg.mono()
			}
			ok, n, d := v.rejections.admit(e.Reason, e.Issuer, mono.Sub(v.started))
			if !ok {
				return
			}
			level, skipped, since = slog.LevelInfo, n, d
		}
	}
	if !l.Enabled(context.Background(), level) {
		return
	}
	attrs := []slog.Attr{slog.String("event", e.Kind.String())}
	if e.Issuer != "" {
		attrs = append(attrs, slog.String("issuer", e.Issuer))
	}
	if e.Reason != "" {
		attrs = append(attrs, slog.String("reason", string(e.Reason)))
	}
	if e.Claims != nil && e.Claims.Subject != "" {
		attrs = append(attrs, slog.String("sub", e.Claims.Subject))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("error", e.Err.Error()))
	}
	if skipped > 0 {
		// Refusals of this reason not logged since its last line, and how
		// long ago that line was.
		attrs = append(attrs, slog.Int64("not_logged", skipped), slog.Duration("since_last_line", since))
	}
	l.LogAttrs(context.Background(), level, "jwtguard", attrs...)
}
