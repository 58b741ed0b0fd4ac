package jose

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
)

// ErrWeakKey marks an RSA key with a known structural weakness: whoever
// published it may have a broken generator (or may not be the issuer), so
// the key is refused and the refusal is an alarm, not a routine skip.
var ErrWeakKey = errors.New("weak RSA key")

// checkRSAStructure refuses moduli that are even, public exponents that
// are even or below 3, and moduli with the ROCA fingerprint
// (CVE-2017-15361).
func checkRSAStructure(p *rsa.PublicKey) error {
	switch {
	case p.E < 3 || p.E%2 == 0:
		return fmt.Errorf("%w: public exponent %d is even or below 3", ErrWeakKey, p.E)
	case p.N.Bit(0) == 0:
		return fmt.Errorf("%w: the modulus is even", ErrWeakKey)
	case hasROCAFingerprint(p.N):
		return fmt.Errorf("%w: the modulus has the ROCA fingerprint (CVE-2017-15361, Infineon RSALib)", ErrWeakKey)
	}
	return nil
}

// rocaPrimes are the small primes of the ROCA test (Nemec et al., CCS 2017).
var rocaPrimes = [...]uint64{3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73,
	79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167}

// hasROCAFingerprint reports whether n mod r lies in the subgroup generated
// by 65537 mod r for every prime r of the test, as the moduli of the
// vulnerable generator do (its primes are k·M + 65537^a mod M). A random
// modulus passes all of them with negligible probability.
func hasROCAFingerprint(n *big.Int) bool {
	var rem, mod big.Int
	for _, r := range rocaPrimes {
		residue := rem.Mod(n, mod.SetUint64(r)).Uint64()
		if !inSubgroupOf65537(residue, r) {
			return false
		}
	}
	return true
}

// inSubgroupOf65537 reports whether x is a power of 65537 modulo the prime r.
func inSubgroupOf65537(x, r uint64) bool {
	g := 65537 % r
	for y, i := uint64(1), uint64(0); i < r; i++ {
		if y == x {
			return true
		}
		if y = y * g % r; y == 1 {
			return false // the whole subgroup has been seen
		}
	}
	return false
}
