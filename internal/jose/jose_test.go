package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/floor"
)

func TestDERSignatureMatchesEncodingASN1(t *testing.T) {
	t.Parallel()
	for _, size := range []int{32, 48, 66} {
		for range 200 {
			raw := make([]byte, 2*size)
			_, _ = rand.Read(raw)
			if size == 66 {
				raw[0] &= 1
				raw[size] &= 1
			}
			for _, zero := range []int{0, 1, 2} { // leading zero bytes exercise trimming
				for i := 0; i < zero; i++ {
					raw[i], raw[size+i] = 0, 0
				}
			}
			r, s := new(big.Int).SetBytes(raw[:size]), new(big.Int).SetBytes(raw[size:])
			want, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
			if err != nil {
				t.Fatal(err)
			}
			if got := derSignature(nil, raw[:size], raw[size:]); string(got) != string(want) {
				t.Fatalf("size %d: got %x want %x", size, got, want)
			}
		}
	}
}

func TestECDSAInputsAreChecked(t *testing.T) {
	t.Parallel()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := NewPublicKey("k", "", &priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	alg, _ := LookupAlg("ES256")
	input := "header.payload"
	sig, err := Sign(alg, priv, nil, input)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(alg, key, input, sig); err != nil {
		t.Fatalf("a good signature failed: %v", err)
	}
	cases := map[string][]byte{
		"r = s = 0 (CVE-2022-21449)": make([]byte, 64),
		"r = s = n": append(elliptic.P256().Params().N.FillBytes(make([]byte, 32)),
			elliptic.P256().Params().N.FillBytes(make([]byte, 32))...),
		"one byte short":       sig[:63],
		"one byte long":        append(append([]byte{}, sig...), 0),
		"ASN.1 instead of raw": derSignature(nil, sig[:32], sig[32:]),
	}
	for name, bad := range cases {
		if err := Verify(alg, key, input, bad); err == nil {
			t.Errorf("%s verified", name)
		}
	}
	es384, _ := LookupAlg("ES384")
	if err := Verify(es384, key, input, sig); err == nil {
		t.Error("a P-256 key verified under ES384")
	}
	// An off-curve point is refused when the key is built.
	off := &ecdsa.PublicKey{Curve: elliptic.P256(), X: big.NewInt(1), Y: big.NewInt(1)}
	if _, err := NewPublicKey("k", "", off); err == nil {
		t.Error("an off-curve point was accepted")
	}
}

func TestEdDSAAndHMACInputsAreChecked(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := NewPublicKey("", "", pub)
	if err != nil || key.Alg != "EdDSA" {
		t.Fatalf("%v %+v", err, key)
	}
	if _, err := NewPublicKey("", "", ed25519.PublicKey(pub[:31])); err == nil {
		t.Error("a short Ed25519 key was accepted")
	}
	alg, _ := LookupAlg("EdDSA")
	sig, _ := Sign(alg, priv, nil, "a.b")
	if Verify(alg, key, "a.b", sig) != nil || Verify(alg, key, "a.c", sig) == nil {
		t.Error("EdDSA verification is wrong")
	}
	for _, bad := range [][]byte{nil, sig[:63], append(sig[:64:64], 0)} {
		if Verify(alg, key, "a.b", bad) == nil {
			t.Errorf("a %d-byte Ed25519 signature verified", len(bad))
		}
	}
	// A key of the wrong size, which NewPublicKey refuses, is refused here
	// too rather than make ed25519.Verify panic.
	short := &Key{Alg: "EdDSA", Family: key.Family, Public: ed25519.PublicKey(pub[:31])}
	if Verify(alg, short, "a.b", sig) == nil {
		t.Error("a 31-byte Ed25519 key verified")
	}
	hs, _ := LookupAlg("HS256")
	secret := []byte(strings.Repeat("s", 32))
	hk, err := NewSecretKey("", "HS256", secret)
	if err != nil {
		t.Fatal(err)
	}
	mac, _ := Sign(hs, nil, secret, "a.b")
	if Verify(hs, hk, "a.b", mac) != nil || Verify(hs, hk, "a.b", mac[:31]) == nil {
		t.Error("HMAC verification is wrong")
	}
	if Verify(hs, key, "a.b", mac) == nil {
		t.Error("an Ed25519 key verified an HMAC")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c.d.e")
	f.Add("eyJhbGciOiJSUzI1NiIsImNyaXQiOltdfQ.e30.c2ln")
	f.Add("....")
	hm := NewHeaders() // shared by the inputs: each may meet another's remembered header
	f.Fuzz(func(t *testing.T, raw string) {
		parseBoth(t, hm, raw)
		tok, err := Parse(raw)
		if err != nil {
			return
		}
		// Whatever parses holds base64url characters and two dots only (so
		// it is an RFC 6750 b64token: the middleware relies on that to check
		// the request syntax only after a failed verification).
		if strings.Trim(raw, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") != "" || strings.Count(raw, ".") != 2 {
			t.Fatalf("parsed a token with other characters: %q", raw)
		}
		// Whatever parses is canonical: re-encoding gives the same bytes.
		sig := tok.Signature
		parts := strings.Split(raw, ".")
		if len(parts) != 3 {
			t.Fatalf("parsed %d segments", len(parts))
		}
		if base64.RawURLEncoding.EncodeToString(tok.Payload) != parts[1] ||
			base64.RawURLEncoding.EncodeToString(sig) != parts[2] ||
			tok.SigningInput != parts[0]+"."+parts[1] || tok.Header.Alg == "" {
			t.Fatalf("non-canonical token accepted: %q", raw)
		}
	})
}

func FuzzParseSet(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		keys, _, err := ParseSet(body)
		if err != nil && len(keys) > 0 {
			t.Fatal("keys returned with an error")
		}
		for _, k := range keys {
			if k.Family == FamilyHMAC || k.Secret != nil {
				t.Fatal("a secret key came out of a JWKS")
			}
		}
	})
}

func TestRSAKeysAreChecked(t *testing.T) {
	t.Parallel()
	n := new(big.Int).Lsh(big.NewInt(1), 2047)
	n.Add(n, big.NewInt(1))
	for _, tc := range []struct {
		e    int
		bits int
		ok   bool
	}{{65537, 2048, true}, {3, 2048, true}, {1, 2048, false}, {4, 2048, false}, {0, 2048, false}, {65537, 2047, false}} {
		nn := n
		if tc.bits == 2047 {
			nn = new(big.Int).Rsh(n, 1)
		}
		_, err := NewPublicKey("", "", &rsa.PublicKey{N: nn, E: tc.e})
		if (err == nil) != tc.ok {
			t.Errorf("e=%d bits=%d: %v", tc.e, tc.bits, err)
		}
	}
	if _, err := NewPublicKey("", "", (*rsa.PublicKey)(nil)); err == nil {
		t.Error("a nil key was accepted")
	}
}

func TestAlgorithmTable(t *testing.T) {
	var all AlgSet
	for _, name := range append(slices.Clone(AsymmetricAlgorithms), "HS256", "HS384", "HS512") {
		a, ok := LookupAlg(name)
		if !ok || a.Name != name {
			t.Fatalf("LookupAlg(%q) = %v, %v", name, a, ok)
		}
		if all.Has(a) {
			t.Fatalf("%s shares its set bit", name)
		}
		all = all.Add(a)
	}
	for _, name := range []string{"none", "None", "rs256", "RS256 ", "ES256K", "HS1", ""} {
		if a, ok := LookupAlg(name); ok || a != nil {
			t.Fatalf("LookupAlg(%q) found %v", name, a)
		}
	}
}

// decodeB64 must judge and decode every segment as strict encoding/base64
// does, with CR and LF refused instead of skipped.
func TestDecodeB64AgreesWithEncodingBase64(t *testing.T) {
	r := mrand.New(mrand.NewPCG(1, 2))
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.\r\n \x00\xff"
	for range 20000 {
		n := r.IntN(40)
		b := make([]byte, n)
		for i := range b {
			if r.IntN(30) == 0 {
				b[i] = chars[64+r.IntN(len(chars)-64)]
			} else {
				b[i] = chars[r.IntN(64)]
			}
		}
		checkDecodeB64(t, string(b))
	}
}

func FuzzDecodeB64(f *testing.F) {
	for _, s := range []string{"", "A", "AA", "AB", "AAA", "AAB", "AAAA", "AAAAAAAA", "AAAAAAAAAA", "AAAA\nAAAAAA", "-_-_-_-_-_-"} {
		f.Add(s)
	}
	f.Fuzz(checkDecodeB64)
}

func checkDecodeB64(t *testing.T, seg string) {
	want := make([]byte, b64.DecodedLen(len(seg)))
	wn, werr := b64.Decode(want, []byte(seg))
	wok := werr == nil && !strings.ContainsAny(seg, "\r\n")
	got := make([]byte, b64.DecodedLen(len(seg)))
	gn, gok := decodeB64(got, seg)
	if gok != wok {
		t.Fatalf("%q: decodeB64 ok=%v, encoding/base64 ok=%v (%v)", seg, gok, wok, werr)
	}
	if gok && (gn != wn || string(got[:gn]) != string(want[:wn])) {
		t.Fatalf("%q: decoded %x, want %x", seg, got[:gn], want[:wn])
	}
}

// Verify allocates what the standard library's check allocates (the floor,
// whose DER form of an ECDSA signature is built once beforehand, and which
// holds the signing input as bytes already), and nothing besides but that
// DER form and the signing input's bytes.
func TestVerifyAllocatesNoMoreThanTheStandardLibrary(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	epub, epriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		alg   string
		priv  crypto.Signer
		pub   crypto.PublicKey
		extra float64 // allocations the floor leaves out
	}{{"RS256", rk, &rk.PublicKey, 1}, {"ES256", ek, &ek.PublicKey, 2}, {"EdDSA", epriv, epub, 1}} {
		alg, _ := LookupAlg(c.alg)
		input := b64.EncodeToString([]byte(`{"alg":"`+c.alg+`"}`)) + "." + b64.EncodeToString([]byte(`{"iss":"https://issuer.example"}`))
		sig, err := Sign(alg, c.priv, nil, input)
		if err != nil {
			t.Fatal(err)
		}
		verify, err := floor.New(c.alg, c.pub, input+"."+b64.EncodeToString(sig))
		if err != nil {
			t.Fatal(err)
		}
		key, err := NewPublicKey("", c.alg, c.pub)
		if err != nil {
			t.Fatal(err)
		}
		want := testing.AllocsPerRun(50, func() { verify() })
		got := testing.AllocsPerRun(50, func() {
			if err := Verify(alg, key, input, sig); err != nil {
				t.Fatal(err)
			}
		})
		if got > want+c.extra {
			t.Errorf("%s: Verify allocates %v times, the standard library %v", c.alg, got, want)
		}
	}
}
