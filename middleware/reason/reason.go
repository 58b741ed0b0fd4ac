// Package reason holds the codes that say why a request was refused: one
// per distinct cause, stable across releases, for logs, metrics, hooks and
// tests. A client never sees them: it gets the RFC 6750 error code of the
// code's category (see middleware.ResponseFor), so that it cannot tell, for
// one, an unknown key from a bad signature.
//
// Read the code of an error with middleware.ReasonOf, or match one with
// errors.Is:
//
//	if errors.Is(err, reason.TokenExpired) { … }
package reason

// Code is a reason code. It is an error value so that errors.Is can match
// a verifier's error against it.
type Code string

// Error returns the code.
func (c Code) Error() string { return string(c) }

// The request carries no credential at all: 401 without an error attribute
// (category middleware.ErrNoToken).
const TokenMissing Code = "token_missing"

// The request is malformed: 400 invalid_request (middleware.ErrInvalidRequest).
const (
	// RequestMalformed: a credential its source cannot carry (an
	// Authorization header that is not a valid Bearer credential, a
	// cookie, header or query value that cannot be a token).
	RequestMalformed Code = "request_malformed"
	// MultipleTokens: credentials in more than one place, or twice in one.
	MultipleTokens Code = "multiple_tokens"
)

// The token is refused: 401 invalid_token (middleware.ErrInvalidToken).
const (
	// TokenTooLarge: larger than the verifier parses at all.
	TokenTooLarge Code = "token_too_large"
	// TokenMalformed: not a compact JWS with a JSON header and payload.
	TokenMalformed Code = "token_malformed"
	// HeaderUnsupported: a JOSE feature the verifier does not implement
	// (JWE, crit, b64, zip, a nested JWT).
	HeaderUnsupported Code = "header_unsupported"
	// AlgorithmNotAllowed: the alg is not on the allowlist (never none).
	AlgorithmNotAllowed Code = "algorithm_not_allowed"
	// IssuerInvalid: no configured issuer has this iss.
	IssuerInvalid Code = "issuer_invalid"
	// KeyNotFound: the issuer has no key for the token's kid and alg.
	KeyNotFound Code = "key_not_found"
	// SignatureInvalid: the signature does not verify.
	SignatureInvalid Code = "signature_invalid"
	// ClaimInvalid: a claim has the wrong type or shape.
	ClaimInvalid Code = "claim_invalid"
	// ClaimMissing: a required claim is absent or null.
	ClaimMissing Code = "claim_missing"
	// TokenExpired: exp has passed, leeway included.
	TokenExpired Code = "token_expired"
	// TokenNotYetValid: nbf is still ahead, leeway included.
	TokenNotYetValid Code = "token_not_yet_valid"
	// TokenIssuedInFuture: iat is ahead, leeway included.
	TokenIssuedInFuture Code = "token_issued_in_future"
	// TokenTooOld: iat is older than the configured maximum token age.
	TokenTooOld Code = "token_too_old"
	// AudienceInvalid: aud names none of the issuer's audiences.
	AudienceInvalid Code = "audience_invalid"
	// TypeInvalid: the header's typ is not the one required (at+jwt).
	TypeInvalid Code = "type_invalid"
	// TokenKindInvalid: an ID token, a logout token or another kind of
	// token where an access token is required (strict profile).
	TokenKindInvalid Code = "token_kind_invalid"
	// BindingUnverified: a sender-constrained token (cnf) whose binding
	// the request does not prove, or that no check was configured for.
	BindingUnverified Code = "binding_unverified"
	// ClientNotAllowed: client_id (or azp) is not among the issuer's
	// allowed clients.
	ClientNotAllowed Code = "client_not_allowed"
	// TokenRevoked: the revocation checker says the token is revoked.
	TokenRevoked Code = "token_revoked"
)

// InsufficientScope: the token is valid but the policy refuses it: 403
// insufficient_scope (middleware.ErrInsufficientScope).
const InsufficientScope Code = "insufficient_scope"

// Not the client's fault: 503 with Retry-After (middleware.ErrUnavailable).
const (
	// JWKSUnavailable: no usable key set was ever obtained for the
	// issuer, or the last good one is older than RemoteKeys.MaxStaleness
	// allows (middleware.ErrUnavailable).
	JWKSUnavailable Code = "jwks_unavailable"
	// RevocationUnavailable: the revocation state is too old to decide,
	// and the verifier fails closed (middleware.ErrUnavailable).
	RevocationUnavailable Code = "revocation_unavailable"
)
