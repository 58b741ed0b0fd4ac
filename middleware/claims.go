package middleware

import (
	"bytes"
	"context"
	"encoding/json"
	"time"
)

// Claims are the verified claims of an access token: the registered claims
// as typed fields, the scopes, and the whole payload for everything else.
// A Claims value is only ever produced by a successful verification. Each
// request gets its own Claims, slices included: changing one request's
// Audience or Scopes changes nothing another request or the verified-token
// cache sees.
type Claims struct {
	Issuer    string    // iss
	Subject   string    // sub
	Audience  []string  // aud, always as a list
	ExpiresAt time.Time // exp
	NotBefore time.Time // nbf; zero when absent
	IssuedAt  time.Time // iat; zero when absent
	ID        string    // jti
	SessionID string    // sid (OpenID Connect session), when present
	ClientID  string    // client_id (RFC 9068), or azp when client_id is absent
	Scopes    []string  // from the space-delimited "scope" string, or the "scp" string or array

	// Header facts of the verified token.
	Algorithm string // alg
	KeyID     string // kid
	Type      string // typ

	raw []byte
	// what the verifier's readers read of raw (readers.go), shared with
	// the cache entry and every Claims it answers with
	derived []derived
}

// Decode decodes the whole payload into v, typically the caller's own struct
// with json tags for provider-specific claims.
func (c *Claims) Decode(v any) error {
	return json.Unmarshal(c.raw, v)
}

// Raw returns a copy of the verified payload's JSON.
func (c *Claims) Raw() json.RawMessage { return bytes.Clone(c.raw) }

// Map decodes every claim of the payload into a new map; numbers are
// json.Number. It decodes on each call: keep the result if you need it
// more than once.
func (c *Claims) Map() map[string]any {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(c.raw))
	d.UseNumber()
	if err := d.Decode(&m); err != nil || m == nil {
		return map[string]any{}
	}
	return m
}

type claimsKey struct{}

// WithClaims returns a copy of ctx carrying c.
func WithClaims(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// ClaimsFromContext returns the claims stored by WithClaims (as the
// middleware does after a successful verification).
func ClaimsFromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok && c != nil
}
