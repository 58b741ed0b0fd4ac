package jose

import (
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func seg(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// parseBoth parses raw without and with the memo and fails unless both
// give the same error and the same header.
func parseBoth(t *testing.T, hm *Headers, raw string) {
	t.Helper()
	var plain, memo Token
	errPlain := ParseChecked(&plain, raw, nil, nil, nil)
	errMemo := ParseChecked(&memo, raw, hm, nil, nil)
	if (errPlain == nil) != (errMemo == nil) || errPlain != nil && errPlain.Error() != errMemo.Error() {
		t.Fatalf("%q: without the memo %v, with it %v", raw, errPlain, errMemo)
	}
	if !reflect.DeepEqual(plain.Header, memo.Header) {
		t.Fatalf("%q: without the memo %+v, with it %+v", raw, plain.Header, memo.Header)
	}
}

// A remembered header is the header its segment decodes to: the same
// result, error or header, as without the memo, on the first sight of a
// segment and on every later one, whatever segments came between. More
// segments than the memo holds make it both reuse and replace entries.
func TestRememberedHeadersAreWhatTheSegmentDecodesTo(t *testing.T) {
	t.Parallel()
	headers := []string{
		`{"alg":"RS256","kid":"a","typ":"at+jwt"}`,
		`{"alg":"RS256","kid":"b","typ":"at+jwt"}`,
		`{"alg":"ES256","kid":"a"}`,
		`{"alg":"RS256","kid":"a","typ":"JWT","cty":"json"}`,
		`{"alg":"RS256","kid":"a\u00e9"}`,
		`{"alg":"RS256","crit":["exp"]}`,
		`{"alg":"RS256","b64":false}`,
		`{"alg":"RS256","zip":"DEF"}`,
		`{"alg":"RS256","enc":"A128GCM"}`,
		`{"alg":"RS256","cty":"JWT"}`,
		`{"kid":"no alg"}`,
		`{"alg":7}`,
		`{"alg":"RS256","alg":"HS256"}`,
		`{"alg":"RS256",}`,
		`["alg"]`,
	}
	for i := range 20 {
		headers = append(headers, `{"alg":"EdDSA","kid":"k`+string(rune('a'+i))+`"}`)
	}
	var raws []string
	for _, h := range headers {
		raws = append(raws, seg(h)+"."+seg(`{"iss":"x"}`)+"."+seg("sig"))
	}
	raws = append(raws, "e30=."+seg(`{}`)+"."+seg("sig"), "e30."+seg(`{}`)+"."+seg("sig")) // padded, and {} (no alg)
	hm := NewHeaders()
	for round := range 3 {
		for i := range raws {
			parseBoth(t, hm, raws[(i*7+round)%len(raws)])
		}
	}
}

// The allowlist hook runs for every token, remembered header or not: a
// memo filled under one allowlist never lets a token past another.
func TestTheAcceptHookRunsOnARememberedHeader(t *testing.T) {
	t.Parallel()
	hm := NewHeaders()
	raw := seg(`{"alg":"RS256","kid":"a"}`) + "." + seg(`{"iss":"x"}`) + "." + seg("sig")
	var tok Token
	if err := ParseChecked(&tok, raw, hm, func(string) error { return nil }, nil); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("not on the allowlist")
	var seen string
	err := ParseChecked(&tok, raw, hm, func(alg string) error { seen = alg; return refused }, nil)
	if err != refused || seen != "RS256" {
		t.Fatalf("the second parse returned %v after accept saw %q", err, seen)
	}
}

// Goroutines sharing a memo each get their own token's header (run with
// -race).
func TestConcurrentParsesShareAMemo(t *testing.T) {
	t.Parallel()
	hm := NewHeaders()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				kid := string(rune('a' + (i+g)%40))
				raw := seg(`{"alg":"RS256","kid":"`+kid+`"}`) + "." + seg(`{"iss":"x"}`) + "." + seg("sig")
				var tok Token
				if err := ParseChecked(&tok, raw, hm, nil, nil); err != nil || tok.Header.Kid != kid {
					t.Errorf("kid %q: got %q, %v", kid, tok.Header.Kid, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// A header holds at most MaxHeaderNames member names, nested ones counted:
// it is read before any signature check.
func TestHeaderNamesAreBounded(t *testing.T) {
	t.Parallel()
	header := func(names int, nested bool) string {
		members := []string{`"alg":"RS256"`}
		for i := 1; i < names; i++ {
			members = append(members, fmt.Sprintf(`"x%d":0`, i))
		}
		if nested { // the last two names inside an object
			members[len(members)-2] = `"jwk":{"kty":"RSA"}`
			members = members[:len(members)-1]
		}
		return "{" + strings.Join(members, ",") + "}"
	}
	for _, nested := range []bool{false, true} {
		for names, ok := range map[int]bool{MaxHeaderNames: true, MaxHeaderNames + 1: false} {
			raw := seg(header(names, nested)) + "." + seg(`{"iss":"x"}`) + "." + seg("sig")
			var tok Token
			err := ParseChecked(&tok, raw, nil, nil, nil)
			if ok && err != nil || !ok && (!errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "member names")) {
				t.Errorf("%d names (nested %v): %v", names, nested, err)
			}
		}
	}
}
