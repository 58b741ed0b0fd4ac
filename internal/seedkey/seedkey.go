// Package seedkey derives signing keys from fixed seeds, for the programs
// that count instructions under valgrind (internal/cmd/cost,
// bench/cmd/instr): the same key, found by the same instructions, in every
// run, so that two runs count the same. Deriving an RSA key searches for
// primes, which under valgrind takes longer than everything counted: the
// parent derives the key once and hands it to each counted run as a string
// (Export, Import).
package seedkey

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
)

// Derive returns the key for alg (RS256, ES256 or EdDSA) drawn from label.
func Derive(alg, label string) (crypto.Signer, error) {
	seed := sha256.Sum256([]byte(label + " " + alg))
	switch alg {
	case "EdDSA":
		return ed25519.NewKeyFromSeed(seed[:]), nil
	case "ES256":
		return ecdsa.ParseRawPrivateKey(elliptic.P256(), seed[:])
	case "RS256":
		return rsaKey(seed)
	}
	return nil, fmt.Errorf("seedkey: no key for %s", alg)
}

// Export encodes priv as base64 PKCS#8, for Import in another process.
func Export(priv crypto.Signer) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// Import decodes a key encoded by Export.
func Import(s string) (crypto.Signer, error) {
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("seedkey: %w", err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("seedkey: %w", err)
	}
	priv, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("seedkey: %T is no signer", parsed)
	}
	return priv, nil
}

// rsaKey builds a 2048-bit RSA key from the first primes after two numbers
// drawn from seed.
func rsaKey(seed [32]byte) (*rsa.PrivateKey, error) {
	e := big.NewInt(65537)
	one := big.NewInt(1)
	prime := func(label byte) *big.Int {
		var b []byte
		for i := byte(0); len(b) < 128; i++ {
			h := sha256.Sum256(append(seed[:], label, i))
			b = append(b, h[:]...)
		}
		b[0] |= 0xC0 // the product has 2048 bits
		p := new(big.Int).SetBytes(b[:128])
		p.SetBit(p, 0, 1)
		for {
			if p.ProbablyPrime(0) && new(big.Int).GCD(nil, nil, e, new(big.Int).Sub(p, one)).Cmp(one) == 0 {
				return p
			}
			p.Add(p, big.NewInt(2))
		}
	}
	p, q := prime('p'), prime('q')
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 65537},
		D: new(big.Int).ModInverse(e, phi), Primes: []*big.Int{p, q}}
	k.Precompute()
	if err := k.Validate(); err != nil {
		return nil, errors.Join(errors.New("seedkey: the derived RSA key"), err)
	}
	return k, nil
}
