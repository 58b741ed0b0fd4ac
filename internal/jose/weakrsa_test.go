package jose

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"math/big"
	"os"
	"testing"
)

// rocaPrime makes a prime of the vulnerable generator's form:
// k·M + (65537^a mod M), M the primorial of the primes up to 167.
func rocaPrime(t testing.TB, bits int) *big.Int {
	t.Helper()
	m := big.NewInt(2)
	for _, r := range rocaPrimes {
		m.Mul(m, new(big.Int).SetUint64(r))
	}
	for range 100_000 {
		a, err := rand.Int(rand.Reader, m)
		if err != nil {
			t.Fatal(err)
		}
		k, err := rand.Int(rand.Reader, new(big.Int).Div(new(big.Int).Lsh(big.NewInt(1), uint(bits)), m))
		if err != nil {
			t.Fatal(err)
		}
		p := new(big.Int).Exp(big.NewInt(65537), a, m)
		p.Add(p, k.Mul(k, m))
		// The top two bits set: the product of two such primes has
		// exactly twice their bits.
		if p.BitLen() == bits && p.Bit(bits-2) == 1 && p.ProbablyPrime(20) {
			return p
		}
	}
	t.Fatal("no prime found")
	return nil
}

// rocaKey returns a 2048-bit public key of the ROCA-vulnerable form.
func rocaKey(t testing.TB) *rsa.PublicKey {
	return &rsa.PublicKey{N: new(big.Int).Mul(rocaPrime(t, 1024), rocaPrime(t, 1024)), E: 65537}
}

// The fingerprint finds the vulnerable generator's moduli and no
// ordinary one; even moduli and bad exponents are refused as weak.
func TestWeakRSAKeysAreRefused(t *testing.T) {
	t.Parallel()
	roca := rocaKey(t)
	if !hasROCAFingerprint(roca.N) {
		t.Fatal("a ROCA-form modulus was not recognised")
	}
	for range 20 {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		if hasROCAFingerprint(k.N) {
			t.Fatal("an ordinary key has the ROCA fingerprint")
		}
		if _, err := NewPublicKey("", "", &k.PublicKey); err != nil {
			t.Fatalf("an ordinary key was refused: %v", err)
		}
	}
	ordinary, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	even := &rsa.PublicKey{N: new(big.Int).Lsh(ordinary.N, 1), E: 65537}
	for name, pub := range map[string]*rsa.PublicKey{
		"roca": roca, "even modulus": even,
		"exponent 1": {N: ordinary.N, E: 1}, "even exponent": {N: ordinary.N, E: 65538},
	} {
		if _, err := NewPublicKey("", "", pub); err == nil || !errors.Is(err, ErrWeakKey) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// In a key set, a weak key is skipped with an alarm; the others stay.
func TestAWeakKeyInAKeySetRaisesAnAlarm(t *testing.T) {
	t.Parallel()
	ordinary, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	weak, err := MarshalPublicJWK("roca", "RS256", rocaKey(t))
	if err != nil {
		t.Fatal(err)
	}
	good, err := MarshalPublicJWK("good", "RS256", &ordinary.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	keys, skipped, err := ParseSet([]byte(`{"keys":[` + string(weak) + `,` + string(good) + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].ID != "good" || len(skipped) != 1 || !skipped[0].Alarm || skipped[0].Index != 0 {
		t.Fatalf("keys %v, skipped %+v", keys, skipped)
	}
}

// Key types we cannot use, ML-DSA (AKP) keys with and without an alg and an
// Ed448 key, are skipped without an alarm and without failing the set: the
// Ed25519 key beside them is used.
func TestKeyTypesWeCannotUseAreSkipped(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/jwks-unusable-kinds.json")
	if err != nil {
		t.Fatal(err)
	}
	keys, skipped, err := ParseSet(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys[0].ID != "ed25519" {
		t.Fatalf("keys %v, want the Ed25519 key alone", keys)
	}
	if len(skipped) != 3 || skipped[0].Index != 0 || skipped[1].Index != 1 || skipped[2].Index != 2 {
		t.Fatalf("skipped %+v, want the first three", skipped)
	}
	for _, s := range skipped {
		if s.Alarm || s.Reason == "" {
			t.Errorf("skipped %+v: want a reason and no alarm", s)
		}
	}
}
