package middleware

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jwtguard/jwtguard/internal/logoutx"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// backchannelLogoutEvent is the member of a logout token's events claim
// that makes it a back-channel logout token (OpenID Connect Back-Channel
// Logout 1.0 §2.4).
const backchannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

func init() {
	logoutx.Verify = func(ctx context.Context, x any, raw string, clientIDs []string) (any, error) {
		v, ok := x.(*Verifier)
		if !ok || v == nil {
			return nil, errors.New("jwtguard: no verifier")
		}
		c, err := v.verifyLogoutToken(ctx, raw, clientIDs)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

// verifyLogoutToken verifies an OpenID Connect back-channel logout token
// for package revocation's logout handler, with the keys of its issuer, as
// configured for access tokens, and the rules of Back-Channel Logout 1.0
// §2.6 instead of the access-token ones: typ logout+jwt (when the token
// has a typ), aud naming one of clientIDs (the relying party's client IDs,
// not the API's audiences), iat and exp, an events claim holding the
// back-channel logout event, sid and/or sub, and no nonce. The caller
// checks jti for replay.
func (v *Verifier) verifyLogoutToken(ctx context.Context, raw string, clientIDs []string) (*Claims, error) {
	var sg signed
	iss, e := v.verifySigned(ctx, raw, &sg, v.readClocks().mono)
	if e == nil {
		e = checkLogoutToken(v, sg.c, &sg.w, clientIDs)
	}
	if e != nil {
		v.emit(Event{Kind: EventRejected, Reason: e.Reason, Issuer: iss, Err: fmt.Errorf("logout token: %w", e)})
		return nil, e
	}
	return sg.c, nil
}

func checkLogoutToken(v *Verifier, c *Claims, w *wirePayload, clientIDs []string) *Error {
	const desc = "The logout token is invalid"
	invalid := func(r reason.Code, format string, args ...any) *Error {
		return newError(r, desc, fmt.Errorf(format, args...))
	}
	if typ := strings.ToLower(c.Type); typ != "" && typ != "logout+jwt" && typ != "application/logout+jwt" {
		return invalid(reason.TypeInvalid, "typ %q is not logout+jwt", clip(c.Type))
	}
	if len(clientIDs) == 0 || !anyOf(c.Audience, clientIDs) {
		return invalid(reason.AudienceInvalid, "aud does not name one of the client IDs")
	}
	now := v.cfg.now()
	if c.IssuedAt.IsZero() || c.ExpiresAt.IsZero() {
		return invalid(reason.ClaimMissing, "iat and exp are required")
	}
	if !now.Before(c.ExpiresAt.Add(v.cfg.leeway)) {
		return invalid(reason.TokenExpired, "expired")
	}
	if now.Add(v.cfg.leeway).Before(c.IssuedAt) {
		return invalid(reason.TokenIssuedInFuture, "issued in the future")
	}
	if c.ID == "" {
		return invalid(reason.ClaimMissing, "jti is required")
	}
	if c.Subject == "" && c.SessionID == "" {
		return invalid(reason.ClaimMissing, "sid or sub is required")
	}
	if present(w.Nonce) {
		return invalid(reason.TokenKindInvalid, "a logout token must not hold a nonce")
	}
	var events map[string]json.RawMessage
	if !present(w.Events) || json.Unmarshal(w.Events, &events) != nil {
		return invalid(reason.ClaimInvalid, "events is not a JSON object")
	}
	ev, ok := events[backchannelLogoutEvent]
	if !ok || len(ev) == 0 || ev[0] != '{' {
		return invalid(reason.TokenKindInvalid, "events has no back-channel logout event object")
	}
	return nil
}
