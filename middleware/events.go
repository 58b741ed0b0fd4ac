package middleware

import (
	"context"
	"log/slog"

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
	Issuer string      // the configured issuer concerned, when known
	Claims *Claims
	Err    error // the detailed cause, for logs
}

func (v *Verifier) emit(e Event) {
	if v.cfg.hook != nil {
		v.cfg.hook(e)
	}
	l := v.cfg.logger
	level := slog.LevelDebug
	switch e.Kind {
	case EventKeysRefreshFailed, EventKeyAlarm:
		level = slog.LevelWarn
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
	l.LogAttrs(context.Background(), level, "jwtguard", attrs...)
}
