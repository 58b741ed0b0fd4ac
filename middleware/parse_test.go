package middleware_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

func TestMalformedTokensAreRefusedBeforeAnyKeyLookup(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	kid := iss.KeyIDs()[0]
	good := segments(mint(t, iss, nil))
	h, p, s := good[0], good[1], good[2]
	signRaw := func(header, payload string) string {
		tok, err := iss.SignRaw(kid, []byte(header), []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	validPayload := `{"iss":"` + iss.URL() + `","aud":"` + audience + `","exp":4102444800}`
	cases := []struct {
		name string
		tok  string
		want reason.Code
	}{
		{"two segments", h + "." + p, reason.TokenMalformed},
		{"four segments", h + "." + p + "." + s + "." + s, reason.TokenMalformed},
		{"an empty payload segment", h + ".." + s, reason.TokenMalformed},
		{"base64 padding", h + "." + p + "." + s + "==", reason.TokenMalformed},
		{"standard base64 characters", h + "." + p + "." + strings.Replace(s, s[:1], "+", 1), reason.TokenMalformed},
		{"whitespace inside", h + ". " + p + "." + s, reason.TokenMalformed},
		{"non-canonical base64 (stray low bits)", h + "." + p + "." + noncanonical(s), reason.TokenMalformed},
		{"JSON serialization", `{"payload":"` + p + `","signatures":[]}`, reason.TokenMalformed},
		{"a JWE (five segments)", h + "." + p + "." + s + "." + s + "." + s, reason.TokenMalformed},
		{"a header that is not JSON", b64.EncodeToString([]byte("alg=RS256")) + "." + p + "." + s, reason.TokenMalformed},
		{"a header that is a JSON array", b64.EncodeToString([]byte(`["RS256"]`)) + "." + p + "." + s, reason.TokenMalformed},
		{"a header with alg of the wrong type", signRaw(`{"alg":1,"kid":"`+kid+`"}`, validPayload), reason.TokenMalformed},
		{"a header without alg", signRaw(`{"kid":"`+kid+`"}`, validPayload), reason.TokenMalformed},
		{"a payload that is a JSON string", signRaw(`{"alg":"RS256","kid":"`+kid+`"}`, `"hello"`), reason.TokenMalformed},
		{"a payload that is not JSON", signRaw(`{"alg":"RS256","kid":"`+kid+`"}`, `exp=1`), reason.TokenMalformed},
		{"invalid UTF-8 in the payload", signRaw(`{"alg":"RS256","kid":"`+kid+`"}`, "{\"iss\":\"\xff\"}"), reason.TokenMalformed},
		{"invalid UTF-8 in the header", signRaw("{\"alg\":\"RS256\",\"kid\":\"\xc3\x28\"}", validPayload), reason.TokenMalformed},
		{"a kid of 10 KB", signRaw(`{"alg":"RS256","kid":"`+strings.Repeat("k", 10<<10)+`"}`, validPayload), reason.TokenMalformed},
		{"an enc header (JWE)", signRaw(`{"alg":"RS256","enc":"A256GCM","kid":"`+kid+`"}`, validPayload), reason.HeaderUnsupported},
		{"a crit header", signRaw(`{"alg":"RS256","crit":["exp"],"exp":1,"kid":"`+kid+`"}`, validPayload), reason.HeaderUnsupported},
		{"an empty crit header", signRaw(`{"alg":"RS256","crit":[],"kid":"`+kid+`"}`, validPayload), reason.HeaderUnsupported},
		{"b64 false (RFC 7797)", signRaw(`{"alg":"RS256","b64":false,"kid":"`+kid+`"}`, validPayload), reason.HeaderUnsupported},
		{"a zip header", signRaw(`{"alg":"RS256","zip":"DEF","kid":"`+kid+`"}`, validPayload), reason.HeaderUnsupported},
		{"a nested JWT (cty JWT)", signRaw(`{"alg":"RS256","cty":"jwt","kid":"`+kid+`"}`, validPayload), reason.HeaderUnsupported},
		{"10,000 dots", strings.Repeat(".", 10000), reason.TokenMalformed},
		{"a token over the size limit", h + "." + strings.Repeat("A", 20<<10) + "." + s, reason.TokenTooLarge},
	}
	v := remoteVerifier(t, iss)
	before := iss.JWKSRequests()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tc.tok)
			wantReason(t, err, tc.want)
		})
	}
	// Junk never reaches the network: the only fetch is the background one.
	if n := iss.JWKSRequests() - before; n > 1 {
		t.Fatalf("malformed tokens caused %d JWKS fetches", n)
	}
	// The same header and payload with the right signature verify, so each
	// case above fails for the reason it names.
	if _, err := v.Verify(context.Background(), signRaw(`{"alg":"RS256","kid":"`+kid+`"}`, validPayload)); err != nil {
		t.Fatal(err)
	}
}

// noncanonical flips the unused low bits of the last base64url character.
func noncanonical(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(seg)%4 == 0 {
		return seg // no spare bits; callers use segments with padding bits
	}
	last := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[last^1])
}

func TestMaxTokenSize(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	tok := mint(t, iss, jwttest.ClaimsSet{"pad": strings.Repeat("x", 600)})
	v := remoteVerifier(t, iss, middleware.WithMaxTokenSize(len(tok)))
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("a token at the limit was refused: %v", err)
	}
	_, err := v.Verify(context.Background(), mint(t, iss, jwttest.ClaimsSet{"pad": strings.Repeat("x", 601)}))
	wantReason(t, err, reason.TokenTooLarge)
}
