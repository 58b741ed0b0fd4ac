package jose

import (
	"encoding/base64"
	"errors"
	"reflect"
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
	plain.Release()
	memo.Release()
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
	tok.Release()
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
				tok.Release()
			}
		}()
	}
	wg.Wait()
}

// Rebase moves a subslice to the same place in the copy, and copies
// anything that does not lie within the original.
func TestRebase(t *testing.T) {
	t.Parallel()
	back := []byte("0123456789AB")
	from := back[:10]
	to := []byte("abcdefghij")
	if got := Rebase(from[2:5], from, to); string(got) != "cde" || &got[0] != &to[2] || cap(got) != 3 {
		t.Fatalf("Rebase(from[2:5]) = %q (cap %d)", got, cap(got))
	}
	if got := Rebase(from[7:], from, to); string(got) != "hij" {
		t.Fatalf("Rebase(from[7:]) = %q", got)
	}
	if Rebase(nil, from, to) != nil {
		t.Fatal("Rebase(nil) is not nil")
	}
	elsewhere := []byte("elsewhere")
	got := Rebase(elsewhere[1:4], from, to)
	if string(got) != "lse" || &got[0] == &elsewhere[1] {
		t.Fatalf("a slice outside from: %q, shared: %v", got, &got[0] == &elsewhere[1])
	}
	if got := Rebase(back[8:12], from, to); string(got) != "89AB" || &got[0] == &back[8] {
		t.Fatalf("a slice running past from: %q", got)
	}
}
