package middleware

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/middleware/reason"
)

// checkClaims applies the claim rules to signature-verified claims.
func (v *Verifier) checkClaims(is *issuerState, c *Claims, w *wirePayload, payload []byte, now time.Time) *Error {
	if e := v.checkTimes(c, now); e != nil {
		return e
	}
	return v.checkStatic(is, c, w, payload)
}

// checkTimes applies the rules that depend on the time: exp, nbf, iat and
// the maximum age, at now (the wall clock). A cached verification repeats
// them on every hit.
func (v *Verifier) checkTimes(c *Claims, now time.Time) *Error {
	leeway := v.cfg.leeway
	if c.ExpiresAt.IsZero() {
		return newError(reason.ClaimMissing, "The access token has no expiry", errors.New("no exp claim"))
	}
	// RFC 7519 §4.1.4: now must be before exp; the leeway absorbs clock skew.
	if !now.Before(c.ExpiresAt.Add(leeway)) {
		return newError(reason.TokenExpired, "The access token expired", fmt.Errorf("expired at %s", c.ExpiresAt.Format("2006-01-02T15:04:05Z07:00")))
	}
	if !c.NotBefore.IsZero() && now.Add(leeway).Before(c.NotBefore) {
		return newError(reason.TokenNotYetValid, "The access token is not valid yet", fmt.Errorf("not before %s", c.NotBefore.Format("2006-01-02T15:04:05Z07:00")))
	}
	if !c.IssuedAt.IsZero() && now.Add(leeway).Before(c.IssuedAt) {
		return newError(reason.TokenIssuedInFuture, "The access token was issued in the future", fmt.Errorf("iat %s is in the future", c.IssuedAt.Format("2006-01-02T15:04:05Z07:00")))
	}
	if v.cfg.maxAge > 0 {
		if c.IssuedAt.IsZero() {
			return newError(reason.ClaimMissing, "The access token lacks a required claim", errors.New("no iat claim, required by the maximum token age"))
		}
		if now.Sub(c.IssuedAt) > v.cfg.maxAge+leeway {
			return newError(reason.TokenTooOld, "The access token is too old", fmt.Errorf("issued at %s, older than %s", c.IssuedAt.Format("2006-01-02T15:04:05Z07:00"), v.cfg.maxAge))
		}
	}
	return nil
}

// checkStatic applies the rules that hold or fail once and for all.
func (v *Verifier) checkStatic(is *issuerState, c *Claims, w *wirePayload, payload []byte) *Error {
	if !is.skipAud {
		if len(c.Audience) == 0 {
			cause := errors.New("no aud claim")
			if len(w.Aud) > 0 && string(w.Aud) != "null" {
				cause = errors.New("the aud claim is empty")
			}
			return newError(reason.AudienceInvalid, "The access token is not intended for this resource", cause)
		}
		if !anyOf(c.Audience, is.audiences) {
			return newError(reason.AudienceInvalid, "The access token is not intended for this resource",
				fmt.Errorf("aud %q does not contain any of %q", clipAll(c.Audience), is.audiences))
		}
	}
	if v.cfg.requireATType && !isATType(c.Type) {
		return newError(reason.TypeInvalid, "The token is not an access token", fmt.Errorf("typ %q is not at+jwt", clip(c.Type)))
	}
	if v.cfg.strict {
		if e := strictProfile(c, w); e != nil {
			return e
		}
	}
	if len(is.clients) > 0 && !slices.Contains(is.clients, c.ClientID) {
		return newError(reason.ClientNotAllowed, "The access token was issued to a client that is not allowed", fmt.Errorf("client %q is not allowed", clip(c.ClientID)))
	}
	if len(v.cfg.requiredClaims) > 0 {
		var all map[string]json.RawMessage
		if err := json.Unmarshal(payload, &all); err != nil {
			return newError(reason.TokenMalformed, descMalformed, err)
		}
		for _, name := range v.cfg.requiredClaims {
			if !present(all[name]) {
				return newError(reason.ClaimMissing, "The access token lacks a required claim", fmt.Errorf("no %s claim", name))
			}
		}
	}
	return nil
}

func anyOf(have, want []string) bool {
	for _, h := range have {
		if slices.Contains(want, h) {
			return true
		}
	}
	return false
}

// isATType accepts the RFC 9068 media type, with or without "application/",
// in any letter case (RFC 7515 §4.1.9).
func isATType(typ string) bool {
	typ = strings.ToLower(typ)
	return typ == "at+jwt" || typ == "application/at+jwt"
}

// strictProfile applies RFC 9068 beyond typ: its required claims, and no
// mark of another token kind.
func strictProfile(c *Claims, w *wirePayload) *Error {
	for _, claim := range []struct {
		name string
		raw  json.RawMessage
	}{{"sub", w.Sub}, {"client_id", w.ClientID}, {"iat", w.Iat}, {"jti", w.Jti}, {"aud", w.Aud}} {
		if !present(claim.raw) {
			return newError(reason.ClaimMissing, "The access token lacks a required claim", fmt.Errorf("no %s claim (RFC 9068 §2.2)", claim.name))
		}
	}
	for _, mark := range []struct {
		name string
		raw  json.RawMessage
	}{{"nonce", w.Nonce}, {"at_hash", w.AtHash}, {"c_hash", w.CHash}, {"s_hash", w.SHash}, {"events", w.Events}} {
		if present(mark.raw) {
			return newError(reason.TokenKindInvalid, "The token is not an access token", fmt.Errorf("%s claim: an ID or logout token", mark.name))
		}
	}
	if present(w.Typ) {
		typ, err := stringClaim("typ", w.Typ)
		if err != nil || !strings.EqualFold(typ, "Bearer") && !isATType(typ) {
			return newError(reason.TokenKindInvalid, "The token is not an access token", fmt.Errorf("typ claim %q names another token kind", clip(typ)))
		}
	}
	return nil
}

// checkBinding refuses sender-constrained tokens unless their binding is
// verified: a bound token is never accepted as a bearer token.
func (v *Verifier) checkBinding(r *http.Request, cnf json.RawMessage) *Error {
	if !present(cnf) {
		return nil
	}
	if v.cfg.senderCheck == nil {
		return newError(reason.BindingUnverified, "The access token is bound to a key the request does not prove", errors.New("cnf claim, and no sender-constraint check is configured"))
	}
	if err := v.cfg.senderCheck(r, cnf); err != nil {
		return newError(reason.BindingUnverified, "The access token is bound to a key the request does not prove", err)
	}
	return nil
}

// clipAll clips each of at most the first eight strings of s, for a cause
// that quotes a token's list claim.
func clipAll(s []string) []string {
	out := make([]string, 0, min(len(s), 8))
	for _, x := range s[:min(len(s), 8)] {
		out = append(out, clip(x))
	}
	return out
}
