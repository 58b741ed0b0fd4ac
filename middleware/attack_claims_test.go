package middleware_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/middleware/reason"
)

// Claims (C09, C10, C16, C25): claims of the wrong type are refused, not
// ignored; time claims are bounded numbers; iss and aud match exactly.
func TestAttackClaims(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	hdr := map[string]any{"alg": "RS256", "kid": tg.rsaKid}
	tok := func(extra map[string]any) string { return tg.signed(tg.rsaKid, hdr, tg.claims(extra)) }
	now := time.Now()
	wrongType := func(name string, extra map[string]any) attack {
		return attack{name: name, token: tok(extra), want: ansClaimType, reason: reason.ClaimInvalid, noKeyFetch: true}
	}
	attacks := []attack{
		{name: "exp 0 is expired", token: tok(map[string]any{"exp": 0}), want: ansExpired, reason: reason.TokenExpired, noKeyFetch: true},
		{name: "exp in the past beyond the leeway", token: tok(map[string]any{"exp": now.Add(-2 * time.Minute).Unix()}), want: ansExpired, reason: reason.TokenExpired, noKeyFetch: true},
		{name: "exp missing", token: tok(map[string]any{"exp": nil}), want: ansNoExpiry, reason: reason.ClaimMissing, noKeyFetch: true},
		{name: "exp null", token: tg.signed(tg.rsaKid, hdr, strings.Replace(string(mustJSON(t, tg.claims(map[string]any{"exp": nil}))), "{", `{"exp":null,`, 1)),
			want: ansNoExpiry, reason: reason.ClaimMissing, noKeyFetch: true},
		wrongType("exp as a string", map[string]any{"exp": "2099-01-01"}),
		wrongType("exp as a numeric string", map[string]any{"exp": "4102444800"}),
		wrongType("exp negative", map[string]any{"exp": -1}),
		wrongType("exp beyond year 9999", map[string]any{"exp": 1e300}),
		wrongType("exp as a boolean", map[string]any{"exp": true}),
		wrongType("exp as an array", map[string]any{"exp": []int{4102444800}}),
		wrongType("nbf as a string", map[string]any{"nbf": "0"}),
		wrongType("iat as an object", map[string]any{"iat": map[string]any{}}),
		{name: "nbf in the future", token: tok(map[string]any{"nbf": now.Add(time.Hour).Unix()}), want: ansNotYet, reason: reason.TokenNotYetValid, noKeyFetch: true},
		{name: "iat in the future", token: tok(map[string]any{"iat": now.Add(time.Hour).Unix()}), want: ansFuture, reason: reason.TokenIssuedInFuture, noKeyFetch: true},
		wrongType("aud as a number", map[string]any{"aud": 7}),
		wrongType("aud with a number inside", map[string]any{"aud": []any{audience, 7}}),
		wrongType("aud with null inside", map[string]any{"aud": []any{audience, nil}}),
		wrongType("aud as an object", map[string]any{"aud": map[string]any{audience: true}}),
		{name: "aud missing", token: tok(map[string]any{"aud": nil}), want: ansAudience, reason: reason.AudienceInvalid, noKeyFetch: true},
		{name: "aud empty", token: tok(map[string]any{"aud": []string{}}), want: ansAudience, reason: reason.AudienceInvalid, noKeyFetch: true},
		{name: "aud of another API", token: tok(map[string]any{"aud": "billing-api"}), want: ansAudience, reason: reason.AudienceInvalid, noKeyFetch: true},
		{name: "aud differing in case", token: tok(map[string]any{"aud": strings.ToUpper(audience)}), want: ansAudience, reason: reason.AudienceInvalid, noKeyFetch: true},
		{name: "aud as a prefix", token: tok(map[string]any{"aud": audience + "-admin"}), want: ansAudience, reason: reason.AudienceInvalid, noKeyFetch: true},
		{name: "aud as a list holding ours", token: tok(map[string]any{"aud": []string{"billing-api", audience}}), want: ansOK},
		wrongType("sub as a number", map[string]any{"sub": 42}),
		wrongType("jti as an array", map[string]any{"jti": []string{"a"}}),
		wrongType("scope as a number", map[string]any{"scope": 7}),
		wrongType("client_id as a boolean", map[string]any{"client_id": true}),
		{name: "iss as a number", token: tok(map[string]any{"iss": 7}), want: ansInvalid, reason: reason.IssuerInvalid, noKeyFetch: true},
		{name: "iss missing", token: tok(map[string]any{"iss": nil}), want: ansInvalid, reason: reason.IssuerInvalid, noKeyFetch: true},
		{name: "iss with a trailing slash", token: tok(map[string]any{"iss": tg.iss.URL() + "/"}), want: ansInvalid, reason: reason.IssuerInvalid, noKeyFetch: true},
		{name: "iss of an unknown issuer", token: tok(map[string]any{"iss": tg.attacker.URL}), want: ansInvalid, reason: reason.IssuerInvalid, noKeyFetch: true},
		{name: "iss in upper case", token: tok(map[string]any{"iss": strings.ToUpper(tg.iss.URL())}), want: ansInvalid, reason: reason.IssuerInvalid, noKeyFetch: true},
		{name: "an expired token with a forged signature fails on the signature",
			token: withSig(tok(map[string]any{"exp": 1}), segments(tok(nil))[2]), want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		{name: "a wrong-typed claim with a forged signature fails on the signature",
			token: withSig(tok(map[string]any{"aud": 7}), segments(tok(nil))[2]), want: ansInvalid, reason: reason.SignatureInvalid, noKeyFetch: true},
		{name: "a cnf claim on a bearer token", token: tok(map[string]any{"cnf": map[string]any{"jkt": "abc"}}),
			want: answer{401, "invalid_token", "The access token is bound to a key the request does not prove"}, reason: reason.BindingUnverified, noKeyFetch: true},
	}
	tg.run(attacks)
}
