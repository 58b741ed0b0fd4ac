package middleware

import (
	"errors"
	"strings"

	"github.com/jwtguard/jwtguard/middleware/reason"
)

// Sentinel categories. Every error returned by the Verifier matches exactly
// one of them with errors.Is; the category decides the HTTP answer (see
// ResponseFor).
var (
	// ErrNoToken: the request carries no credential at all (401, no error attribute).
	ErrNoToken = errors.New("jwtguard: no access token")
	// ErrInvalidRequest: the request is malformed, e.g. two credentials (400 invalid_request).
	ErrInvalidRequest = errors.New("jwtguard: invalid request")
	// ErrInvalidToken: the token is malformed, expired, forged or not for us (401 invalid_token).
	ErrInvalidToken = errors.New("jwtguard: invalid token")
	// ErrInsufficientScope: the token is valid but lacks authority (403 insufficient_scope).
	ErrInsufficientScope = errors.New("jwtguard: insufficient scope")
	// ErrUnavailable: the verifier cannot decide right now, and fails
	// closed (503): it has no usable keys for the issuer (reason
	// jwks_unavailable), or its revocation state is too old to tell
	// (revocation_unavailable).
	ErrUnavailable = errors.New("jwtguard: verification unavailable")
)

// category maps each reason code to its sentinel.
func category(r reason.Code) error {
	switch r {
	case reason.TokenMissing:
		return ErrNoToken
	case reason.RequestMalformed, reason.MultipleTokens:
		return ErrInvalidRequest
	case reason.InsufficientScope:
		return ErrInsufficientScope
	case reason.JWKSUnavailable, reason.RevocationUnavailable:
		return ErrUnavailable
	}
	return ErrInvalidToken
}

// Error is the one error type returned by the Verifier. Reason and
// Description are safe to show to a client; Err (the cause) is for logs and
// never reaches a response.
type Error struct {
	Reason      reason.Code
	Description string   // client-safe text for error_description; never the token or key material
	Scopes      []string // with reason.InsufficientScope: the scopes that would have been enough
	Err         error    // the wrapped cause, for logs
}

// Error describes the error for logs. It never contains the token.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("jwtguard: ")
	b.WriteString(string(e.Reason))
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	} else if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the error's category sentinel and its reason code.
func (e *Error) Is(target error) bool {
	if r, ok := target.(reason.Code); ok {
		return r == e.Reason
	}
	return target == category(e.Reason)
}

// ReasonOf returns the reason code carried by err, or "" if err is not (or does
// not wrap) an *Error.
func ReasonOf(err error) reason.Code {
	if e := asError(err); e != nil {
		return e.Reason
	}
	return ""
}

// asError is errors.As for *Error, without its reflection (or a heap
// variable) when err is the *Error itself, as the Verifier returns it.
func asError(err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Client-safe descriptions. Reasons that happen before or at the signature
// check share one text, so a client cannot tell an unknown kid from a bad
// signature or an unknown issuer.
const (
	descInvalid   = "The access token is invalid"
	descMalformed = "The access token is malformed"
)

func newError(r reason.Code, desc string, cause error) *Error {
	return &Error{Reason: r, Description: desc, Err: cause}
}
