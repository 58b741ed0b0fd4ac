package middleware_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// Exhaustion (C21): huge, deep and wide tokens are refused cheaply, before
// any key lookup, and the server keeps serving.
func TestAttackExhaustion(t *testing.T) {
	t.Parallel()
	tg := newTarget(t)
	hdr := `{"alg":"RS256","kid":"` + tg.rsaKid + `"}`
	base := string(mustJSON(t, tg.claims(nil)))
	with := func(member string) string { return strings.Replace(base, "{", "{"+member+",", 1) }
	deep := func(n int) string { return `"deep":` + strings.Repeat("[", n) + strings.Repeat("]", n) }
	wideAud := func(n int) string { return `"aud":["` + audience + `"` + strings.Repeat(`,"a"`, n-1) + "]" }
	tooLarge := func(name, tok string) attack {
		return attack{name: name, token: tok, want: ansMalformed, reason: reason.TokenTooLarge, noKeyFetch: true}
	}
	malformed := func(name, tok string) attack {
		return attack{name: name, token: tok, want: ansMalformed, reason: reason.TokenMalformed, noKeyFetch: true}
	}
	tg.run([]attack{
		tooLarge("a 64 KiB token", tg.signed(tg.rsaKid, hdr, with(`"pad":"`+strings.Repeat("x", 64<<10)+`"`))),
		malformed("10,000 dots", strings.Repeat(".", 10000)),
		malformed("10,000 dots between segments", "eyJhbGciOiJSUzI1NiJ9"+strings.Repeat(".", 10000)+"e30"),
		malformed("5,000-level nested JSON within the size cap", tg.signed(tg.rsaKid, hdr, with(deep(5000)))),
		tooLarge("10,000-level nested JSON", tg.signed(tg.rsaKid, hdr, with(deep(10000)))),
		tooLarge("a 100,000-element aud", tg.signed(tg.rsaKid, hdr, strings.Replace(with(wideAud(100000)), `"aud":"`+audience+`",`, "", 1))),
	})

	// With the size cap raised to 1 MiB, the JSON limits still hold.
	big := newTarget(t, middleware.WithMaxTokenSize(1<<20))
	hdr = `{"alg":"RS256","kid":"` + big.rsaKid + `"}`
	base = string(mustJSON(t, big.claims(map[string]any{"aud": nil})))
	wideHeader := `{"alg":"RS256","kid":"` + big.rsaKid + `"` + strings.Repeat(`,"h`, 1)
	var hb strings.Builder
	hb.WriteString(wideHeader[:len(wideHeader)-3])
	for i := range 10001 {
		hb.WriteString(`,"h` + strings.Repeat("x", i%5) + strconv.Itoa(i) + `":0`)
	}
	hb.WriteString("}")
	big.run([]attack{
		malformed("10,000-level nested JSON under a 1 MiB cap", big.signed(big.rsaKid, hdr, with(deep(10000)))),
		malformed("a 100,000-element aud under a 1 MiB cap", big.signed(big.rsaKid, hdr, with(wideAud(100000)))),
		malformed("10,001 header members under a 1 MiB cap", big.signed(big.rsaKid, hb.String(), with(`"aud":"`+audience+`"`))),
		{name: "a 5,000-element aud is fine", token: big.signed(big.rsaKid, hdr, with(wideAud(5000))), want: ansOK},
		{name: "32-level nesting is fine", token: big.signed(big.rsaKid, hdr, with(`"aud":"`+audience+`",`+deep(31))), want: ansOK},
	})
}
