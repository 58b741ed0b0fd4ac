package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// Skipped describes a JWKS entry that was not usable. Alarm marks entries
// that should never appear in a public key set (secret or private key
// material): a sign of a misconfigured or compromised provider.
type Skipped struct {
	Index  int
	Reason string
	Alarm  bool
}

// jwkMeta is what jwtguard reads from a JWK itself before handing it to jwx.
type jwkMeta struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid"`
	Use    string   `json:"use"`
	Alg    string   `json:"alg"`
	Crv    string   `json:"crv"`
	KeyOps []string `json:"key_ops"`

	// Private or secret members: their presence alone disqualifies the key.
	D  json.RawMessage `json:"d"`
	P  json.RawMessage `json:"p"`
	Q  json.RawMessage `json:"q"`
	DP json.RawMessage `json:"dp"`
	DQ json.RawMessage `json:"dq"`
	QI json.RawMessage `json:"qi"`
	K  json.RawMessage `json:"k"`
}

// ParseSet parses a JWK Set document. Each unusable key is skipped and
// reported; only a document that is not a JWK Set at all is an error. The
// result may be empty: the caller decides what an empty set means.
func ParseSet(body []byte) ([]*Key, []Skipped, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if !isObject(body) {
		return nil, nil, errors.New("not a JWK Set: not a JSON object")
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, nil, fmt.Errorf("not a JWK Set: %w", err)
	}
	if doc.Keys == nil {
		return nil, nil, errors.New(`not a JWK Set: no "keys" array`)
	}
	var keys []*Key
	var skipped []Skipped
	for i, raw := range doc.Keys {
		k, reason, alarm := parseJWK(raw)
		if k == nil {
			skipped = append(skipped, Skipped{Index: i, Reason: reason, Alarm: alarm})
			continue
		}
		keys = append(keys, k)
	}
	return keys, skipped, nil
}

// isObject reports whether b, less leading JSON whitespace, starts with
// '{'; json.Unmarshal checks the rest.
func isObject(b []byte) bool {
	i := skipSpace(b, 0)
	return i < len(b) && b[i] == '{'
}

func parseJWK(raw json.RawMessage) (key *Key, reason string, alarm bool) {
	var m jwkMeta
	if !isObject(raw) {
		return nil, "not a JSON object", false
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, "member of the wrong type", false
	}
	if m.Kty == "oct" || m.K != nil {
		return nil, "symmetric key in a public key set", true
	}
	if m.D != nil || m.P != nil || m.Q != nil || m.DP != nil || m.DQ != nil || m.QI != nil {
		return nil, "private key material in a public key set", true
	}
	if m.Use != "" && m.Use != "sig" {
		return nil, "use is not sig", false
	}
	if m.KeyOps != nil && !contains(m.KeyOps, "verify") {
		return nil, "key_ops does not allow verify", false
	}
	if m.Alg != "" {
		a, ok := LookupAlg(m.Alg)
		if !ok || a.Family == FamilyHMAC {
			return nil, "alg is not a supported signature algorithm", false
		}
	}
	switch {
	case m.Kty == "RSA", m.Kty == "EC" && algForCurve(m.Crv) != "", m.Kty == "OKP" && m.Crv == "Ed25519":
	default:
		return nil, "unsupported key type or curve", false
	}
	jk, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, "not a valid key", false
	}
	var pub any
	if err := jwk.Export(jk, &pub); err != nil {
		return nil, "not a valid key", false
	}
	k, err := NewPublicKey(m.Kid, m.Alg, normalise(pub))
	if err != nil {
		return nil, err.Error(), errors.Is(err, ErrWeakKey)
	}
	return k, "", false
}

// normalise turns the values jwx exports into the pointer/value forms the
// verifier switches on.
func normalise(pub any) crypto.PublicKey {
	switch p := pub.(type) {
	case rsa.PublicKey:
		return &p
	case ecdsa.PublicKey:
		return &p
	case *ed25519.PublicKey:
		return *p
	}
	return pub
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// MarshalPublicJWK renders a public key as a JWK with kid, alg and use "sig".
func MarshalPublicJWK(kid, alg string, pub crypto.PublicKey) ([]byte, error) {
	jk, err := jwk.Import(pub)
	if err != nil {
		return nil, err
	}
	if err := jk.Set(jwk.KeyIDKey, kid); err != nil {
		return nil, err
	}
	if alg != "" {
		if err := jk.Set(jwk.AlgorithmKey, alg); err != nil {
			return nil, err
		}
	}
	if err := jk.Set(jwk.KeyUsageKey, "sig"); err != nil {
		return nil, err
	}
	return json.Marshal(jk)
}
