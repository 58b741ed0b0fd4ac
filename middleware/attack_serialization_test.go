package middleware_test

import (
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/middleware/reason"
)

// Serialization (C06–C08, C15): only the strict compact form, canonical
// base64url, UTF-8 JSON objects without duplicate names.
func TestAttackSerialization(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	payload := string(mustJSON(t, tg.claims(nil)))
	hdr := `{"alg":"RS256","kid":"` + tg.rsaKid + `"}`
	good := tg.signed(tg.rsaKid, hdr, payload)
	seg := segments(good)
	if len(seg[2])%4 == 0 {
		t.Fatal("the signature segment has no spare bits to make non-canonical")
	}
	malformed := func(name, tok string) attack {
		return attack{name: name, token: tok, want: ansMalformed, reason: reason.TokenMalformed, noKeyFetch: true}
	}
	std := strings.NewReplacer("-", "+", "_", "/")
	attacks := []attack{
		malformed("two segments", seg[0]+"."+seg[1]),
		malformed("four segments", good+".AAAA"),
		malformed("five segments (JWE form)", seg[0]+"."+seg[1]+"."+seg[2]+"."+seg[1]+"."+seg[2]),
		malformed("an empty payload segment", seg[0]+".."+seg[2]),
		malformed("padding at the end", good+"=="),
		{name: "padding inside (no RFC 6750 b64token)", token: seg[0] + "." + seg[1] + "=." + seg[2],
			want: ansBadBearer, reason: reason.RequestMalformed, noKeyFetch: true},
		malformed("standard base64 characters", std.Replace(good)+"+/"),
		{name: "a space inside", token: seg[0] + ". " + seg[1] + "." + seg[2],
			want: ansBadBearer, reason: reason.RequestMalformed, noKeyFetch: true},
		malformed("a non-canonical last character", seg[0]+"."+seg[1]+"."+noncanonical(seg[2])),
		{name: "JSON serialization", token: `{"payload":"` + seg[1] + `","protected":"` + seg[0] + `","signature":"` + seg[2] + `"}`,
			want: ansBadBearer, reason: reason.RequestMalformed, noKeyFetch: true},
		malformed("invalid UTF-8 in the payload", tg.signed(tg.rsaKid, hdr, `{"iss":"`+tg.iss.URL()+`","sub":"\xff\xfe"}`)),
		malformed("invalid UTF-8 in the header", tg.signed(tg.rsaKid, `{"alg":"RS256","kid":"\xc3\x28"}`, payload)),
		malformed("a header that is an array", tg.signed(tg.rsaKid, `["RS256"]`, payload)),
		malformed("a payload that is a string", tg.signed(tg.rsaKid, hdr, `"just a string"`)),
		malformed("a payload that is not JSON", tg.signed(tg.rsaKid, hdr, `iss=me`)),
		malformed("a duplicate exp in the payload", tg.signed(tg.rsaKid, hdr, strings.Replace(payload, "{", `{"exp":1,`, 1))),
		malformed("exp and EXP in the payload", tg.signed(tg.rsaKid, hdr, strings.Replace(payload, "{", `{"EXP":1,`, 1))),
		malformed("a duplicate iss spelled with an escape", tg.signed(tg.rsaKid, hdr, strings.TrimSuffix(payload, "}")+`,"\u0069ss":"https://evil.example"}`)),
		// First, it is the iss that names the keys (the payload is read up to
		// it, no further, before the signature): an untrusted one is refused
		// as such, before any key is fetched.
		{name: "a duplicate iss spelled with an escape, first", token: tg.signed(tg.rsaKid, hdr,
			strings.Replace(payload, "{", `{"\u0069ss":"https://evil.example",`, 1)),
			want: ansInvalid, reason: reason.IssuerInvalid, noKeyFetch: true},
		malformed("a duplicate inside a nested claim", tg.signed(tg.rsaKid, hdr, strings.Replace(payload, "{", `{"realm_access":{"roles":["a"],"roles":["admin"]},`, 1))),
		malformed("trailing data after the payload object", tg.signed(tg.rsaKid, hdr, payload+`{}`)),
		{name: "a JWE (five segments with an enc header)", token: unsigned(`{"alg":"RSA-OAEP","enc":"A256GCM"}`, "x", "y") + ".AAAA.BBBB",
			want: ansMalformed, reason: reason.TokenMalformed, noKeyFetch: true},
		{name: "whitespace around the JSON is fine", token: tg.signed(tg.rsaKid, " "+hdr+"\n", "\t"+payload+" "), want: ansOK},
	}
	tg.run(attacks)
}
