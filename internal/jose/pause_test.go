package jose

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// pauseAt returns a member hook that records each member and pauses the
// scan after the one named name.
func pauseAt(name string, got *[]string) func(n, v []byte) bool {
	return func(n, v []byte) bool {
		*got = append(*got, string(n)+"="+string(v))
		return string(n) == name
	}
}

// A token whose scan paused is valid only up to the pause: FinishPayload
// reports the rest's faults exactly as ParseChecked reports them without a
// pause, and gives the members after it.
func TestFinishPayloadScansWhatFollowsThePause(t *testing.T) {
	t.Parallel()
	hdr := seg(`{"alg":"RS256","kid":"a"}`)
	for _, tc := range []struct{ payload, err string }{
		{`{"aud":"x","iss":"https://id.example","sub":"alice","realm_access":{"roles":["a","b"]}}`, ""},
		{`{"iss":"https://id.example"}`, ""},
		{`{"sub":"alice"}`, ""}, // no iss: no pause, one scan
		{`{"iss":"https://id.example","sub":"alice","ISS":"https://evil.example"}`, "twice but for letter case"},
		{`{"iss":"https://id.example","sub":"alice","sub":"mallory"}`, "twice"},
		{"{\"iss\":\"https://id.example\",\"sub\":\"\xff\"}", "not UTF-8"},
		{`{"iss":"https://id.example","sub":"alice"}{}`, "invalid JSON at byte"},
		{`{"iss":"https://id.example",}`, "invalid JSON at byte"},
		{`{"iss":"https://id.example"`, "ends early"},
		{`{"iss":"https://id.example","sub":"alice","iss":"https://evil.example"}`, "twice"},
	} {
		raw := hdr + "." + seg(tc.payload) + "." + seg("sig")
		var whole []string
		var plain Token
		errWhole := ParseChecked(&plain, raw, nil, nil, func(n, v []byte) bool { whole = append(whole, string(n)+"="+string(v)); return false })
		plain.Release()

		var tok Token
		var got []string
		if err := ParseChecked(&tok, raw, nil, nil, pauseAt("iss", &got)); err != nil {
			if tc.err == "" || errWhole == nil || err.Error() != errWhole.Error() {
				t.Fatalf("%s: ParseChecked: %v (one scan: %v)", tc.payload, err, errWhole)
			}
			tok.Release()
			continue
		}
		err := tok.FinishPayload(pauseAt("iss", &got))
		tok.Release()
		switch {
		case tc.err == "" && err != nil, tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Fatalf("%s: FinishPayload: %v, want %q", tc.payload, err, tc.err)
		case (errWhole == nil) != (err == nil) || err != nil && err.Error() != errWhole.Error():
			t.Fatalf("%s: paused %v, one scan %v", tc.payload, err, errWhole)
		case !reflect.DeepEqual(got, whole):
			t.Fatalf("%s: members %q, one scan %q", tc.payload, got, whole)
		}
	}
}

// Once the payload is kept, the members after the pause are read from the
// copy, not from pooled memory another token may already be using; a
// payload released before its scan finished is an error, not a pass.
func TestFinishPayloadAfterKeepAndRelease(t *testing.T) {
	t.Parallel()
	raw := seg(`{"alg":"RS256"}`) + "." + seg(`{"iss":"https://id.example","sub":"alice","scope":"a b"}`) + "." + seg("sig")
	var tok Token
	var values [][]byte
	hook := func(n, v []byte) bool { values = append(values, v); return string(n) == "iss" }
	if err := ParseChecked(&tok, raw, nil, nil, hook); err != nil {
		t.Fatal(err)
	}
	tok.KeepPayload()
	tok.Release()
	if err := tok.FinishPayload(hook); err != nil {
		t.Fatal(err)
	}
	if len(values) != 3 {
		t.Fatalf("%d members", len(values))
	}
	kept := uintptr(unsafe.Pointer(unsafe.SliceData(tok.Payload)))
	for _, v := range values[1:] {
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(v))); p < kept || p >= kept+uintptr(len(tok.Payload)) {
			t.Fatalf("member %q after the pause is not in the kept payload", v)
		}
	}

	var lost Token
	if err := ParseChecked(&lost, raw, nil, nil, hook); err != nil {
		t.Fatal(err)
	}
	lost.Release()
	if err := lost.FinishPayload(hook); err == nil {
		t.Fatal("a released payload's scan finished without an error")
	}
}

// ParseChecked resets a reused Token field by field (its scanner's name
// list needs no zeroing): what it leaves is what a fresh Token gets.
func TestParseCheckedResetsAReusedToken(t *testing.T) {
	t.Parallel()
	// A new Token field must be reset in ParseChecked, then counted here.
	if n := reflect.TypeFor[Token]().NumField(); n != 7 {
		t.Fatalf("Token has %d fields: reset the new one in ParseChecked", n)
	}
	first := seg(`{"alg":"RS256","kid":"a","typ":"at+jwt"}`) + "." + seg(`{"iss":"https://one.example","sub":"alice"}`) + "." + seg("sig1")
	second := seg(`{"alg":"ES256"}`) + "." + seg(`{"sub":"bob"}`) + "." + seg("sig2")
	var reused Token
	var got []string
	if err := ParseChecked(&reused, first, nil, nil, pauseAt("iss", &got)); err != nil {
		t.Fatal(err)
	}
	reused.KeepPayload()
	reused.Release()
	if err := ParseChecked(&reused, second, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	var fresh Token
	if err := ParseChecked(&fresh, second, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(reused.Header, fresh.Header) || reused.SigningInput != fresh.SigningInput ||
		string(reused.Payload) != string(fresh.Payload) || string(reused.Signature) != string(fresh.Signature) ||
		reused.kept != nil || reused.pooled == nil || reused.scan.paused || &reused.scan.b[0] != &reused.Payload[0] {
		t.Fatalf("reused %+v, fresh %+v", reused, fresh)
	}
	reused.Release()
	fresh.Release()
}

// ParseDeferred decodes and checks all but the payload's JSON: a payload
// that is not JSON at all parses, its bytes readable, and ScanPayload then
// refuses it as ParseChecked does; base64 faults are its own.
func TestParseDeferredLeavesThePayloadsJSONToScanPayload(t *testing.T) {
	t.Parallel()
	hdr := seg(`{"alg":"RS256","kid":"a"}`)
	for _, payload := range []string{`{"iss":"https://id.example","sub":"alice"}`, `not JSON`, `{"sub":"a","sub":"b"}`, "{\"sub\":\"\xff\"}"} {
		raw := hdr + "." + seg(payload) + "." + seg("sig")
		var whole Token
		errWhole := ParseChecked(&whole, raw, nil, nil, nil)
		whole.Release()

		var tok Token
		if err := ParseDeferred(&tok, raw, nil, nil); err != nil {
			t.Fatalf("%s: ParseDeferred: %v", payload, err)
		}
		if string(tok.Payload) != payload || string(tok.Signature) != "sig" {
			t.Fatalf("%s: payload %q, signature %q", payload, tok.Payload, tok.Signature)
		}
		err := tok.ScanPayload(nil)
		tok.Release()
		if (err == nil) != (errWhole == nil) || err != nil && err.Error() != errWhole.Error() {
			t.Fatalf("%s: ScanPayload %v, ParseChecked %v", payload, err, errWhole)
		}
		if payload == `not JSON` && !errors.Is(err, ErrMalformed) {
			t.Fatalf("not JSON: %v", err)
		}
	}
	var tok Token
	for _, raw := range []string{hdr + ".e30=." + seg("sig"), hdr + "." + seg("{}") + ".c2ln=", hdr + ".." + seg("sig")} {
		if err := ParseDeferred(&tok, raw, nil, nil); !errors.Is(err, ErrMalformed) {
			t.Fatalf("%s: %v", raw, err)
		}
	}
}
