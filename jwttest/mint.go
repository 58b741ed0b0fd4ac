package jwttest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// ClaimsSet is the JWT Claims Set (RFC 7519 §2) of a token to mint: its payload.
type ClaimsSet map[string]any

// MintOption adjusts one minted token.
type MintOption func(*mintOptions)

type mintOptions struct {
	alg        string
	kid        string
	header     map[string]any
	noDefaults bool
}

// WithAlg signs with the newest key for alg; "HS256" signs with Secret().
// Default: RS256.
func WithAlg(alg string) MintOption { return func(o *mintOptions) { o.alg = alg } }

// WithKeyID signs with the published key kid (its algorithm wins over WithAlg).
func WithKeyID(kid string) MintOption { return func(o *mintOptions) { o.kid = kid } }

// WithHeader sets (or, with a nil value, removes) a JOSE header member after
// the defaults, e.g. WithHeader("typ", "JWT") or WithHeader("jku", url).
// The signature is still made with the selected key.
func WithHeader(name string, value any) MintOption {
	return func(o *mintOptions) {
		if o.header == nil {
			o.header = map[string]any{}
		}
		o.header[name] = value
	}
}

// WithoutDefaults mints the claims exactly as given, without the default
// iss, iat, exp and aud.
func WithoutDefaults() MintOption { return func(o *mintOptions) { o.noDefaults = true } }

// Mint signs claims as a compact JWS. Unless WithoutDefaults is given, iss
// (the issuer URL), iat (now), exp (now + lifetime) and aud (WithAudience)
// are added when absent. The header is {"alg", "kid", "typ": "at+jwt"}.
func (i *Issuer) Mint(claims ClaimsSet, opts ...MintOption) (string, error) {
	o := mintOptions{alg: "RS256"}
	for _, opt := range opts {
		opt(&o)
	}
	payload := make(map[string]any, len(claims)+4)
	if !o.noDefaults {
		now := i.now()
		payload["iss"] = i.URL()
		payload["iat"] = now.Unix()
		payload["exp"] = now.Add(i.ttl).Unix()
		if i.audience != "" {
			payload["aud"] = i.audience
		}
	}
	for k, v := range claims {
		payload[k] = v
	}
	header := map[string]any{"alg": o.alg, "typ": "at+jwt"}
	var key *signingKey
	if o.alg != "HS256" || o.kid != "" {
		var err error
		if key, err = i.signer(o.alg, o.kid); err != nil {
			return "", err
		}
		header["alg"], header["kid"] = key.alg, key.kid
	}
	for k, v := range o.header {
		if v == nil {
			delete(header, k)
		} else {
			header[k] = v
		}
	}
	hb, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	pb, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	alg := o.alg
	if key != nil {
		alg = key.alg
	}
	return i.sign(alg, key, hb, pb)
}

// MustMint is Mint that panics on error, for tests.
func (i *Issuer) MustMint(claims ClaimsSet, opts ...MintOption) string {
	t, err := i.Mint(claims, opts...)
	if err != nil {
		panic(err)
	}
	return t
}

// SignRaw signs arbitrary header and payload bytes with the key kid (or, with
// kid "", the HS256 secret), for tests that need malformed or hostile tokens.
// The bytes are base64url-encoded as given.
func (i *Issuer) SignRaw(kid string, header, payload []byte) (string, error) {
	if kid == "" {
		return i.sign("HS256", nil, header, payload)
	}
	key, err := i.signer("", kid)
	if err != nil {
		return "", err
	}
	return i.sign(key.alg, key, header, payload)
}

func (i *Issuer) sign(alg string, key *signingKey, header, payload []byte) (string, error) {
	a, ok := jose.LookupAlg(alg)
	if !ok {
		return "", fmt.Errorf("jwttest: unknown algorithm %q", alg)
	}
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	var sig []byte
	var err error
	if key == nil {
		sig, err = jose.Sign(a, nil, i.secret, input)
	} else {
		sig, err = jose.Sign(a, key.priv, nil, input)
	}
	if err != nil {
		return "", err
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
