package jose

import (
	"errors"
	"reflect"
	"testing"
)

// ParseDeferred, under ParseChecked, resets a reused Token field by field:
// what it leaves is what a fresh Token gets.
func TestParseCheckedResetsAReusedToken(t *testing.T) {
	t.Parallel()
	// A new Token field must be reset in ParseDeferred, then counted here.
	if n := reflect.TypeFor[Token]().NumField(); n != 6 {
		t.Fatalf("Token has %d fields: reset the new one in ParseChecked", n)
	}
	first := seg(`{"alg":"RS256","kid":"a","typ":"at+jwt"}`) + "." + seg(`{"iss":"https://one.example","sub":"alice"}`) + "." + seg("sig1")
	second := seg(`{"alg":"ES256"}`) + "." + seg(`{"sub":"bob"}`) + "." + seg("sig2")
	var reused Token
	if err := ParseChecked(&reused, first, nil, nil, func(n, v []byte) {}); err != nil {
		t.Fatal(err)
	}
	if err := ParseChecked(&reused, second, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	var fresh Token
	if err := ParseChecked(&fresh, second, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(reused.Header, fresh.Header) || reused.SigningInput != fresh.SigningInput ||
		string(reused.Payload) != string(fresh.Payload) || string(reused.Signature) != string(fresh.Signature) ||
		reused.sigSegment != fresh.sigSegment || string(reused.sigRoom) != string(fresh.sigRoom) {
		t.Fatalf("reused %+v, fresh %+v", reused, fresh)
	}
}

// ParseDeferred decodes and checks all but the signature and the payload's
// JSON: a payload that is not JSON at all parses, its bytes readable, and
// ScanPayload then refuses it as ParseChecked does; the signature is nil
// until DecodeSignature; base64 faults of the header and the payload are
// its own, the signature's are DecodeSignature's.
func TestParseDeferredLeavesThePayloadsJSONToScanPayload(t *testing.T) {
	t.Parallel()
	hdr := seg(`{"alg":"RS256","kid":"a"}`)
	for _, payload := range []string{`{"iss":"https://id.example","sub":"alice"}`, `not JSON`, `{"sub":"a","sub":"b"}`, "{\"sub\":\"\xff\"}"} {
		raw := hdr + "." + seg(payload) + "." + seg("sig")
		var whole Token
		errWhole := ParseChecked(&whole, raw, nil, nil, nil)

		var tok Token
		if err := ParseDeferred(&tok, raw, nil, nil); err != nil {
			t.Fatalf("%s: ParseDeferred: %v", payload, err)
		}
		if string(tok.Payload) != payload || tok.Signature != nil {
			t.Fatalf("%s: payload %q, signature %q before DecodeSignature", payload, tok.Payload, tok.Signature)
		}
		if err := tok.DecodeSignature(); err != nil || string(tok.Signature) != "sig" {
			t.Fatalf("%s: DecodeSignature: %q, %v", payload, tok.Signature, err)
		}
		err := tok.ScanPayload(nil)
		if (err == nil) != (errWhole == nil) || err != nil && err.Error() != errWhole.Error() {
			t.Fatalf("%s: ScanPayload %v, ParseChecked %v", payload, err, errWhole)
		}
		if payload == `not JSON` && !errors.Is(err, ErrMalformed) {
			t.Fatalf("not JSON: %v", err)
		}
	}
	var tok Token
	for _, raw := range []string{hdr + ".e30=." + seg("sig"), hdr + ".." + seg("sig")} {
		if err := ParseDeferred(&tok, raw, nil, nil); !errors.Is(err, ErrMalformed) {
			t.Fatalf("%s: %v", raw, err)
		}
	}
	for _, sig := range []string{"c2ln=", "c2l\n", "c2lnx"} {
		raw := hdr + "." + seg("{}") + "." + sig
		if err := ParseDeferred(&tok, raw, nil, nil); err != nil {
			t.Fatalf("%s: ParseDeferred: %v", raw, err)
		}
		if err := tok.DecodeSignature(); !errors.Is(err, ErrMalformed) || tok.Signature != nil {
			t.Fatalf("%s: DecodeSignature: %q, %v", raw, tok.Signature, err)
		}
		var whole Token
		if err := ParseChecked(&whole, raw, nil, nil, nil); !errors.Is(err, ErrMalformed) {
			t.Fatalf("%s: ParseChecked: %v", raw, err)
		}
	}
}
