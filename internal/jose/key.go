package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
)

// MinRSABits is the smallest RSA modulus accepted (RFC 7518 §3.3).
const MinRSABits = 2048

// MaxKeyIDLen bounds a kid, in the token header and in a JWKS alike.
const MaxKeyIDLen = 256

// Key is a verification key bound to its algorithm(s). It is immutable once
// built.
type Key struct {
	ID     string
	Alg    string // the only algorithm this key verifies; "" means any of Family (RSA without a JWK "alg")
	Family Family
	Public crypto.PublicKey // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
	Secret []byte           // HMAC only
}

// Accepts reports whether the key may verify a signature made with alg.
func (k *Key) Accepts(alg *Alg) bool {
	if k.Alg != "" {
		return k.Alg == alg.Name
	}
	return k.Family == alg.Family
}

// NewPublicKey validates pub and binds it to alg. An empty alg binds the key to
// its family: any RS*/PS* for RSA, the curve's only algorithm for EC, EdDSA for
// Ed25519.
func NewPublicKey(kid, alg string, pub crypto.PublicKey) (*Key, error) {
	if len(kid) > MaxKeyIDLen {
		return nil, fmt.Errorf("key id longer than %d bytes", MaxKeyIDLen)
	}
	k := &Key{ID: kid}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if err := checkRSA(p); err != nil {
			return nil, err
		}
		k.Family, k.Public = FamilyRSA, p
	case *ecdsa.PublicKey:
		if p == nil || p.Curve == nil {
			return nil, errors.New("empty EC key")
		}
		// ECDH() rejects points that are not on the curve or are the identity.
		if _, err := p.ECDH(); err != nil {
			return nil, fmt.Errorf("invalid EC public key: %w", err)
		}
		curveAlg := algForCurve(p.Curve.Params().Name)
		if curveAlg == "" {
			return nil, fmt.Errorf("unsupported curve %s", p.Curve.Params().Name)
		}
		if alg != "" && alg != curveAlg {
			return nil, fmt.Errorf("curve %s can only be used with %s, not %s", p.Curve.Params().Name, curveAlg, alg)
		}
		k.Family, k.Public, alg = FamilyEC, p, curveAlg
	case ed25519.PublicKey:
		if len(p) != ed25519.PublicKeySize {
			return nil, errors.New("invalid Ed25519 public key size")
		}
		k.Family, k.Public = FamilyOKP, p
		if alg == "" {
			alg = "EdDSA"
		}
	default:
		return nil, fmt.Errorf("unsupported public key type %T", pub)
	}
	if alg != "" {
		a, ok := LookupAlg(alg)
		if !ok || a.Family != k.Family {
			return nil, fmt.Errorf("algorithm %q does not fit this key", alg)
		}
		k.Alg = alg
	}
	return k, nil
}

// NewSecretKey binds an HMAC secret to one HS* algorithm.
func NewSecretKey(kid, alg string, secret []byte) (*Key, error) {
	a, ok := LookupAlg(alg)
	if !ok || a.Family != FamilyHMAC {
		return nil, fmt.Errorf("a secret key needs an HS256, HS384 or HS512 algorithm, not %q", alg)
	}
	if len(secret) < a.MinSecretLen() {
		return nil, fmt.Errorf("%s needs a secret of at least %d bytes", alg, a.MinSecretLen())
	}
	if len(kid) > MaxKeyIDLen {
		return nil, fmt.Errorf("key id longer than %d bytes", MaxKeyIDLen)
	}
	return &Key{ID: kid, Alg: alg, Family: FamilyHMAC, Secret: append([]byte(nil), secret...)}, nil
}

func checkRSA(p *rsa.PublicKey) error {
	if p == nil || p.N == nil {
		return errors.New("empty RSA key")
	}
	if p.N.BitLen() < MinRSABits {
		return fmt.Errorf("RSA key of %d bits is below the %d-bit minimum", p.N.BitLen(), MinRSABits)
	}
	return checkRSAStructure(p)
}
