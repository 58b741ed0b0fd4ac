// Package jose is the one place where jwtguard touches JOSE machinery: the
// algorithm table, strict compact-JWS parsing, signature verification with the
// standard library's crypto, and JWK (de)serialisation through
// github.com/lestrrat-go/jwx/v3. Nothing outside this package imports jwx, so a
// move to another jwx major version touches this package only.
package jose

import (
	"crypto"
	"crypto/elliptic"

	// Register the hash functions used by the algorithm table.
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// Family is the kind of key an algorithm needs.
type Family uint8

// Key families.
const (
	FamilyNone Family = iota
	FamilyRSA
	FamilyEC
	FamilyOKP
	FamilyHMAC
)

type scheme uint8

const (
	schemePKCS1 scheme = iota + 1
	schemePSS
	schemeECDSA
	schemeEdDSA
	schemeHMAC
)

// Alg describes one JWS algorithm.
type Alg struct {
	Name   string
	Family Family
	scheme scheme
	hash   crypto.Hash
	curve  elliptic.Curve // ECDSA only
	size   int            // ECDSA: bytes per coordinate
	bit    AlgSet         // this algorithm alone, as a set
}

// The algorithm table. LookupAlg finds an entry by a switch on the name:
// no hashing on the hot path.
var (
	rs256 = &Alg{Name: "RS256", Family: FamilyRSA, scheme: schemePKCS1, hash: crypto.SHA256, bit: 1 << 0}
	rs384 = &Alg{Name: "RS384", Family: FamilyRSA, scheme: schemePKCS1, hash: crypto.SHA384, bit: 1 << 1}
	rs512 = &Alg{Name: "RS512", Family: FamilyRSA, scheme: schemePKCS1, hash: crypto.SHA512, bit: 1 << 2}
	ps256 = &Alg{Name: "PS256", Family: FamilyRSA, scheme: schemePSS, hash: crypto.SHA256, bit: 1 << 3}
	ps384 = &Alg{Name: "PS384", Family: FamilyRSA, scheme: schemePSS, hash: crypto.SHA384, bit: 1 << 4}
	ps512 = &Alg{Name: "PS512", Family: FamilyRSA, scheme: schemePSS, hash: crypto.SHA512, bit: 1 << 5}
	es256 = &Alg{Name: "ES256", Family: FamilyEC, scheme: schemeECDSA, hash: crypto.SHA256, curve: elliptic.P256(), size: 32, bit: 1 << 6}
	es384 = &Alg{Name: "ES384", Family: FamilyEC, scheme: schemeECDSA, hash: crypto.SHA384, curve: elliptic.P384(), size: 48, bit: 1 << 7}
	es512 = &Alg{Name: "ES512", Family: FamilyEC, scheme: schemeECDSA, hash: crypto.SHA512, curve: elliptic.P521(), size: 66, bit: 1 << 8}
	eddsa = &Alg{Name: "EdDSA", Family: FamilyOKP, scheme: schemeEdDSA, bit: 1 << 9}
	hs256 = &Alg{Name: "HS256", Family: FamilyHMAC, scheme: schemeHMAC, hash: crypto.SHA256, bit: 1 << 10}
	hs384 = &Alg{Name: "HS384", Family: FamilyHMAC, scheme: schemeHMAC, hash: crypto.SHA384, bit: 1 << 11}
	hs512 = &Alg{Name: "HS512", Family: FamilyHMAC, scheme: schemeHMAC, hash: crypto.SHA512, bit: 1 << 12}
)

// AlgSet is a set of algorithms, checked without hashing.
type AlgSet uint16

// Add returns s with a in it.
func (s AlgSet) Add(a *Alg) AlgSet { return s | a.bit }

// Has reports whether a is in s.
func (s AlgSet) Has(a *Alg) bool { return s&a.bit != 0 }

// AsymmetricAlgorithms lists every supported public-key JWS algorithm, in a
// stable order.
var AsymmetricAlgorithms = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
}

// LookupAlg returns the algorithm with exactly this name. Names are
// case-sensitive (RFC 7515 §4.1.1), so "none", "None" and "rs256" are all
// unknown.
func LookupAlg(name string) (*Alg, bool) {
	var a *Alg
	switch name {
	case "RS256":
		a = rs256
	case "RS384":
		a = rs384
	case "RS512":
		a = rs512
	case "PS256":
		a = ps256
	case "PS384":
		a = ps384
	case "PS512":
		a = ps512
	case "ES256":
		a = es256
	case "ES384":
		a = es384
	case "ES512":
		a = es512
	case "EdDSA":
		a = eddsa
	case "HS256":
		a = hs256
	case "HS384":
		a = hs384
	case "HS512":
		a = hs512
	}
	return a, a != nil
}

// MinSecretLen is the shortest HMAC secret accepted for alg: the hash output
// size (RFC 7518 §3.2).
func (a *Alg) MinSecretLen() int { return a.hash.Size() }

// algForCurve returns the only ECDSA algorithm a curve may be used with.
func algForCurve(crv string) string {
	switch crv {
	case "P-256":
		return "ES256"
	case "P-384":
		return "ES384"
	case "P-521":
		return "ES512"
	}
	return ""
}
