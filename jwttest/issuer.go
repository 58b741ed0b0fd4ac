package jwttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// Issuer is an OpenID Connect issuer running in-process on a loopback port:
// discovery document, JWKS, a client_credentials token endpoint, token
// minting, key rotation and switchable faults. Close it when done.
//
// It exists for tests and local development. Its token endpoint issues
// tokens to any client that asks: never expose it beyond loopback.
type Issuer struct {
	srv      *httptest.Server
	now      func() time.Time
	audience string
	ttl      time.Duration

	mu           sync.Mutex
	keys         []*signingKey // published keys, oldest first
	secret       []byte
	fault        Fault
	slow         time.Duration
	cacheControl string
	lastJWKSHdr  http.Header

	jwksHits      atomic.Int64
	discoveryHits atomic.Int64
	closed        chan struct{}
	closeOnce     sync.Once
}

type signingKey struct {
	kid  string
	alg  string
	priv crypto.Signer
	jwk  json.RawMessage
}

// Option configures an Issuer.
type Option func(*issuerOptions)

type issuerOptions struct {
	algs     []string
	now      func() time.Time
	audience string
	ttl      time.Duration
	addr     string
}

// WithKeyAlgorithms creates one signing key for each algorithm (RS256, RS384,
// RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA). Default: RS256.
func WithKeyAlgorithms(algs ...string) Option {
	return func(o *issuerOptions) { o.algs = algs }
}

// WithClock sets the clock used for iat and exp of minted tokens.
// Default: time.Now.
func WithClock(now func() time.Time) Option { return func(o *issuerOptions) { o.now = now } }

// WithAudience sets the aud of minted tokens that do not set one.
// Default: none.
func WithAudience(aud string) Option { return func(o *issuerOptions) { o.audience = aud } }

// WithTokenLifetime sets the lifetime of minted tokens. Default: 1 hour.
func WithTokenLifetime(d time.Duration) Option { return func(o *issuerOptions) { o.ttl = d } }

// WithAddress listens on a fixed loopback address such as "127.0.0.1:9000".
// Default: a free port on 127.0.0.1.
func WithAddress(addr string) Option { return func(o *issuerOptions) { o.addr = addr } }

// NewIssuer starts an issuer on loopback.
func NewIssuer(opts ...Option) (*Issuer, error) {
	o := issuerOptions{algs: []string{"RS256"}, now: time.Now, ttl: time.Hour}
	for _, opt := range opts {
		opt(&o)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	iss := &Issuer{now: o.now, audience: o.audience, ttl: o.ttl, secret: secret, closed: make(chan struct{})}
	for _, alg := range o.algs {
		if _, err := iss.AddKey(alg); err != nil {
			return nil, err
		}
	}
	srv := httptest.NewUnstartedServer(iss.handler())
	if o.addr != "" {
		if err := srv.Listener.Close(); err != nil {
			return nil, err
		}
		l, err := listen(o.addr)
		if err != nil {
			return nil, err
		}
		srv.Listener = l
	}
	// Set before Start: the handlers read it (URL) from the first request.
	iss.srv = srv
	srv.Start()
	return iss, nil
}

// URL is the issuer identifier (the iss of minted tokens), e.g. "http://127.0.0.1:41234".
func (i *Issuer) URL() string { return i.srv.URL }

// JWKSURL is the URL of the key set.
func (i *Issuer) JWKSURL() string { return i.srv.URL + "/jwks" }

// TokenURL is the URL of the client_credentials token endpoint.
func (i *Issuer) TokenURL() string { return i.srv.URL + "/token" }

// Close stops the server, ending any slow response at once.
func (i *Issuer) Close() {
	i.closeOnce.Do(func() {
		close(i.closed)
		i.srv.CloseClientConnections()
		i.srv.Close()
	})
}

// AddKey creates a key for alg, publishes it and makes it the key that
// tokens for alg are signed with (rotation, step one). It returns its kid.
func (i *Issuer) AddKey(alg string) (string, error) {
	priv, err := generate(alg)
	if err != nil {
		return "", err
	}
	kidBytes := make([]byte, 8)
	if _, err := rand.Read(kidBytes); err != nil {
		return "", err
	}
	kid := alg + "-" + hex.EncodeToString(kidBytes)
	j, err := jose.MarshalPublicJWK(kid, alg, priv.Public())
	if err != nil {
		return "", err
	}
	i.mu.Lock()
	i.keys = append(i.keys, &signingKey{kid: kid, alg: alg, priv: priv, jwk: j})
	i.mu.Unlock()
	return kid, nil
}

// RemoveKey unpublishes a key and stops signing with it (rotation, step
// two). It reports whether the key existed.
func (i *Issuer) RemoveKey(kid string) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	n := len(i.keys)
	i.keys = slices.DeleteFunc(i.keys, func(k *signingKey) bool { return k.kid == kid })
	return len(i.keys) != n
}

// KeyIDs lists the published kids, oldest first.
func (i *Issuer) KeyIDs() []string {
	i.mu.Lock()
	defer i.mu.Unlock()
	out := make([]string, len(i.keys))
	for n, k := range i.keys {
		out[n] = k.kid
	}
	return out
}

// PublicKey returns the public key for kid, or nil.
func (i *Issuer) PublicKey(kid string) crypto.PublicKey {
	i.mu.Lock()
	defer i.mu.Unlock()
	for _, k := range i.keys {
		if k.kid == kid {
			return k.priv.Public()
		}
	}
	return nil
}

// Secret is the 32-byte HS256 secret that Mint uses with WithAlg("HS256").
// It is never published: configure it as a static key on the verifier.
func (i *Issuer) Secret() []byte { return slices.Clone(i.secret) }

// JWKSRequests counts the requests the JWKS endpoint has received.
func (i *Issuer) JWKSRequests() int { return int(i.jwksHits.Load()) }

// DiscoveryRequests counts the requests the discovery endpoint has received.
func (i *Issuer) DiscoveryRequests() int { return int(i.discoveryHits.Load()) }

// LastJWKSRequestHeader returns the headers of the latest JWKS request, or nil.
func (i *Issuer) LastJWKSRequestHeader() http.Header {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.lastJWKSHdr.Clone()
}

// SetCacheControl sets the Cache-Control header of JWKS responses ("" for none).
func (i *Issuer) SetCacheControl(v string) {
	i.mu.Lock()
	i.cacheControl = v
	i.mu.Unlock()
}

func generate(alg string) (crypto.Signer, error) {
	a, ok := jose.LookupAlg(alg)
	if !ok || a.Family == jose.FamilyHMAC {
		return nil, fmt.Errorf("jwttest: cannot create a key for %q", alg)
	}
	switch alg {
	case "ES256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "EdDSA":
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return rsa.GenerateKey(rand.Reader, 2048)
}

// signer returns the newest key for alg, or the key kid when kid is set.
func (i *Issuer) signer(alg, kid string) (*signingKey, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	for n := len(i.keys) - 1; n >= 0; n-- {
		k := i.keys[n]
		if (kid != "" && k.kid == kid) || (kid == "" && k.alg == alg) {
			return k, nil
		}
	}
	if kid != "" {
		return nil, fmt.Errorf("jwttest: no key %q", kid)
	}
	return nil, fmt.Errorf("jwttest: no key for %s (add one with AddKey)", alg)
}
