package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"io"
)

// ErrSignature is returned when a signature does not verify.
var ErrSignature = errors.New("signature does not verify")

// Verify checks sig over signingInput with key under alg. The caller must
// already have checked key.Accepts(alg); Verify checks it again so that no
// code path can verify under an algorithm the key is not bound to.
func Verify(alg *Alg, key *Key, signingInput string, sig []byte) error {
	if !key.Accepts(alg) {
		return fmt.Errorf("%w: key is not bound to %s", ErrSignature, alg.Name)
	}
	if alg.scheme == schemeEdDSA {
		pub, ok := key.Public.(ed25519.PublicKey)
		// ed25519.Verify decodes the public key (a few microseconds) before
		// it looks at the signature's length, and panics on a key of the
		// wrong size: both lengths are checked first.
		if !ok || len(pub) != ed25519.PublicKeySize || len(sig) != ed25519.SignatureSize {
			return ErrSignature
		}
		if !ed25519.Verify(pub, []byte(signingInput), sig) {
			return ErrSignature
		}
		return nil
	}
	switch alg.scheme {
	case schemePKCS1, schemePSS:
		pub, ok := key.Public.(*rsa.PublicKey)
		if !ok || len(sig) != pub.Size() || verifyRSA(alg, pub, signingInput, sig) != nil {
			return ErrSignature
		}
		return nil
	case schemeECDSA:
		pub, ok := key.Public.(*ecdsa.PublicKey)
		// RFC 7518 §3.4: R and S as fixed-length big-endian octets, nothing else.
		if !ok || pub.Curve != alg.curve || len(sig) != 2*alg.size {
			return ErrSignature
		}
		sum, n := digest(alg.hash, signingInput)
		const maxDER = 2*66 + 16 // P-521's
		if !ecdsa.VerifyASN1(pub, sum[:n], derSignature(make([]byte, 0, maxDER), sig[:alg.size], sig[alg.size:])) {
			return ErrSignature
		}
		return nil
	case schemeHMAC:
		if key.Secret == nil {
			return ErrSignature
		}
		mac := hmac.New(alg.hash.New, key.Secret)
		_, _ = io.WriteString(mac, signingInput)
		if !hmac.Equal(mac.Sum(nil), sig) {
			return ErrSignature
		}
		return nil
	}
	return ErrSignature
}

// verifyRSA checks an RSA signature of the right length. The rsa package's
// verifiers keep the digest's memory, so it moves to the heap: here, and
// in verifyPSS, which is apart so that PKCS #1 v1.5 does not pay for the
// PSS options' allocation as well.
func verifyRSA(alg *Alg, pub *rsa.PublicKey, signingInput string, sig []byte) error {
	if alg.scheme != schemePKCS1 {
		return verifyPSS(alg, pub, signingInput, sig)
	}
	sum, n := digest(alg.hash, signingInput)
	return rsa.VerifyPKCS1v15(pub, alg.hash, sum[:n], sig)
}

func verifyPSS(alg *Alg, pub *rsa.PublicKey, signingInput string, sig []byte) error {
	sum, n := digest(alg.hash, signingInput)
	return rsa.VerifyPSS(pub, alg.hash, sum[:n], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: alg.hash})
}

// digest hashes s without a hasher allocation for the SHA-2 sums the
// algorithms use.
func digest(h crypto.Hash, s string) (sum [sha512.Size]byte, n int) {
	in := []byte(s)
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(in)
		n = copy(sum[:], d[:])
	case crypto.SHA384:
		d := sha512.Sum384(in)
		n = copy(sum[:], d[:])
	case crypto.SHA512:
		sum = sha512.Sum512(in)
		n = len(sum)
	default:
		hh := h.New()
		_, _ = io.WriteString(hh, s)
		n = copy(sum[:], hh.Sum(nil))
	}
	return sum, n
}

// derSignature appends to dst the ASN.1 SEQUENCE of two INTEGERs r and s
// (big-endian, possibly zero-padded). Zero values encode as INTEGER 0,
// which ecdsa.VerifyASN1 rejects.
func derSignature(dst, r, s []byte) []byte {
	r, s = trimInt(r), trimInt(s)
	out := append(dst, 0x30)
	out = derLen(out, derIntLen(r)+derIntLen(s))
	return appendDERInt(appendDERInt(out, r), s)
}

var derZero = []byte{0}

// trimInt drops leading zero bytes, keeping one byte for zero itself.
func trimInt(b []byte) []byte {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) == 0 {
		return derZero
	}
	return b
}

// derIntLen is the encoded length of the INTEGER holding the trimmed b.
func derIntLen(b []byte) int {
	n := len(b) + int(b[0]>>7) // a high bit needs a leading zero
	if n < 0x80 {
		return 2 + n
	}
	return 3 + n
}

func appendDERInt(out, b []byte) []byte {
	out = append(out, 0x02)
	if b[0]&0x80 != 0 {
		out = derLen(out, len(b)+1)
		out = append(out, 0)
	} else {
		out = derLen(out, len(b))
	}
	return append(out, b...)
}

func derLen(out []byte, n int) []byte {
	if n < 0x80 {
		return append(out, byte(n))
	}
	return append(out, 0x81, byte(n))
}

// Sign signs signingInput with a private key (or an HMAC secret) under alg.
// It serves jwttest; the verifier never signs.
func Sign(alg *Alg, priv crypto.Signer, secret []byte, signingInput string) ([]byte, error) {
	if alg.scheme == schemeHMAC {
		if len(secret) == 0 {
			return nil, errors.New("HMAC signing needs a secret")
		}
		mac := hmac.New(alg.hash.New, secret)
		_, _ = io.WriteString(mac, signingInput)
		return mac.Sum(nil), nil
	}
	if priv == nil {
		return nil, errors.New("no private key")
	}
	if alg.scheme == schemeEdDSA {
		k, ok := priv.(ed25519.PrivateKey)
		if !ok {
			return nil, errors.New("EdDSA needs an Ed25519 key")
		}
		return ed25519.Sign(k, []byte(signingInput)), nil
	}
	sum, n := digest(alg.hash, signingInput)
	d := sum[:n]
	switch alg.scheme {
	case schemePKCS1:
		k, ok := priv.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s needs an RSA key", alg.Name)
		}
		return rsa.SignPKCS1v15(rand.Reader, k, alg.hash, d)
	case schemePSS:
		k, ok := priv.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%s needs an RSA key", alg.Name)
		}
		return rsa.SignPSS(rand.Reader, k, alg.hash, d, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case schemeECDSA:
		k, ok := priv.(*ecdsa.PrivateKey)
		if !ok || k.Curve != alg.curve {
			return nil, fmt.Errorf("%s needs an EC key on its curve", alg.Name)
		}
		r, s, err := ecdsa.Sign(rand.Reader, k, d)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 2*alg.size)
		r.FillBytes(out[:alg.size])
		s.FillBytes(out[alg.size:])
		return out, nil
	}
	return nil, fmt.Errorf("cannot sign with %s", alg.Name)
}

// Verify checks t's signature with key under alg, as the package's Verify
// does.
func (t *Token) Verify(alg *Alg, key *Key) error {
	return Verify(alg, key, t.SigningInput, t.Signature)
}
