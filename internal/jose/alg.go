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
}

var algs = map[string]*Alg{
	"RS256": {Name: "RS256", Family: FamilyRSA, scheme: schemePKCS1, hash: crypto.SHA256},
	"RS384": {Name: "RS384", Family: FamilyRSA, scheme: schemePKCS1, hash: crypto.SHA384},
	"RS512": {Name: "RS512", Family: FamilyRSA, scheme: schemePKCS1, hash: crypto.SHA512},
	"PS256": {Name: "PS256", Family: FamilyRSA, scheme: schemePSS, hash: crypto.SHA256},
	"PS384": {Name: "PS384", Family: FamilyRSA, scheme: schemePSS, hash: crypto.SHA384},
	"PS512": {Name: "PS512", Family: FamilyRSA, scheme: schemePSS, hash: crypto.SHA512},
	"ES256": {Name: "ES256", Family: FamilyEC, scheme: schemeECDSA, hash: crypto.SHA256, curve: elliptic.P256(), size: 32},
	"ES384": {Name: "ES384", Family: FamilyEC, scheme: schemeECDSA, hash: crypto.SHA384, curve: elliptic.P384(), size: 48},
	"ES512": {Name: "ES512", Family: FamilyEC, scheme: schemeECDSA, hash: crypto.SHA512, curve: elliptic.P521(), size: 66},
	"EdDSA": {Name: "EdDSA", Family: FamilyOKP, scheme: schemeEdDSA},
	"HS256": {Name: "HS256", Family: FamilyHMAC, scheme: schemeHMAC, hash: crypto.SHA256},
	"HS384": {Name: "HS384", Family: FamilyHMAC, scheme: schemeHMAC, hash: crypto.SHA384},
	"HS512": {Name: "HS512", Family: FamilyHMAC, scheme: schemeHMAC, hash: crypto.SHA512},
}

// AsymmetricAlgorithms lists every supported public-key JWS algorithm, in a
// stable order.
var AsymmetricAlgorithms = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
}

// LookupAlg returns the algorithm with exactly this name. Names are
// case-sensitive (RFC 7515 §4.1.1), so "none", "None" and "rs256" are all
// unknown.
func LookupAlg(name string) (*Alg, bool) {
	a, ok := algs[name]
	return a, ok
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
