package middleware

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Verifier.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	algorithms     []string
	algorithmsSet  bool
	leeway         time.Duration
	now            func() time.Time // wall clock, for claims
	mono           func() time.Time // the key cache's clock; time.Now's monotonic reading
	realClocks     bool             // now and mono are both time.Now: one reading serves both
	client         *http.Client
	sources        []TokenSource
	maxTokenSize   int
	requireATType  bool
	strict         bool
	senderCheck    func(*http.Request, json.RawMessage) error
	revocations    RevocationChecker
	cacheEntries   int
	cacheBytes     int
	maxAge         time.Duration
	requiredClaims []string
	hook           func(Event)
	logger         *slog.Logger

	refreshInterval time.Duration
	minRefresh      time.Duration
	maxRefresh      time.Duration
	kidRefresh      time.Duration
	fetchTimeout    time.Duration
	maxJWKSSize     int64
	maxWait         time.Duration
	maxStale        time.Duration
	startupFetch    bool
	insecureHTTP    bool
	sameOriginJWKS  bool
}

func defaultConfig() config {
	return config{
		leeway:          60 * time.Second,
		now:             time.Now,
		mono:            time.Now,
		realClocks:      true,
		sources:         []TokenSource{FromAuthorizationHeader()},
		maxTokenSize:    16 << 10,
		refreshInterval: 15 * time.Minute,
		minRefresh:      time.Minute,
		maxRefresh:      24 * time.Hour,
		kidRefresh:      30 * time.Second,
		fetchTimeout:    10 * time.Second,
		maxJWKSSize:     1 << 20,
		maxWait:         2 * time.Second,
		maxStale:        24 * time.Hour,
		cacheEntries:    10_000,
		cacheBytes:      16 << 20,
	}
}

// WithAlgorithms sets the allowlist of JWS algorithms, by their exact
// (case-sensitive) names. "none" is never accepted, whatever this says.
// HS256/384/512 additionally need a secret Key configured on the issuer.
// Default: RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA, plus
// the algorithm of each configured secret key.
func WithAlgorithms(algs ...string) Option {
	return optionFunc(func(c *config) { c.algorithms, c.algorithmsSet = append([]string(nil), algs...), true })
}

// WithLeeway sets the clock skew tolerated on exp, nbf and iat. It must be
// between 0 and 5 minutes. Default: 60 s. A revocation store that reports
// its own leeway (revocation's stores) must allow at least this much: New
// fails otherwise.
func WithLeeway(d time.Duration) Option { return optionFunc(func(c *config) { c.leeway = d }) }

// WithClock replaces the wall clock of the claim checks (exp, nbf, iat), for
// tests and simulations. The key cache keeps its own time on the monotonic
// clock, whatever this says: a wall-clock jump (NTP step, VM resume) neither
// expires good keys nor lifts a fetch rate limit early.
// Default: time.Now.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.now, c.realClocks = now, false })
}

// WithTokenSources sets where VerifyRequest looks for the token, in order.
// A request carrying credentials in more than one of them is rejected as
// invalid_request. Default: FromAuthorizationHeader().
func WithTokenSources(sources ...TokenSource) Option {
	return optionFunc(func(c *config) { c.sources = append([]TokenSource(nil), sources...) })
}

// WithMaxTokenSize sets the largest token, in bytes, that is parsed at all.
// Default: 16384.
func WithMaxTokenSize(n int) Option { return optionFunc(func(c *config) { c.maxTokenSize = n }) }

// WithRequireAccessTokenType requires the RFC 9068 header typ "at+jwt" (or
// "application/at+jwt", case-insensitive), so that ID tokens and other JWTs
// from the same issuer are never accepted as access tokens.
// Default: typ is not checked.
func WithRequireAccessTokenType() Option {
	return optionFunc(func(c *config) { c.requireATType = true })
}

// WithStrictProfile enforces the JWT access token profile of RFC 9068: typ
// at+jwt (or application/at+jwt, in any letter case); the claims iss, exp,
// aud, sub, client_id, iat and jti all present; and no token of another kind,
// even one signed by the same issuer with the right audience: ID tokens
// (nonce, at_hash, c_hash or s_hash), logout tokens (events), and tokens whose
// own "typ" claim names another kind (Keycloak's "ID", "Refresh", "Logout"…).
// Rejections: type_invalid, claim_missing, token_kind_invalid. Default: off,
// because many providers' access tokens have no at+jwt typ or no client_id.
func WithStrictProfile() Option {
	return optionFunc(func(c *config) { c.strict, c.requireATType = true, true })
}

// WithSenderConstraint accepts sender-constrained tokens (a cnf claim, RFC
// 7800) when check, given the request and the cnf claim's JSON, returns nil:
// the request proves possession of the key the token is bound to. Request is
// nil when Verify is called without one, and check should then fail.
// MTLSCertificateBinding checks RFC 8705 certificate-bound tokens.
// Default: tokens with cnf are refused (binding_unverified): accepted as
// plain bearer tokens, they would let whoever steals one use it, which is
// exactly what binding them prevents.
func WithSenderConstraint(check func(r *http.Request, cnf json.RawMessage) error) Option {
	return optionFunc(func(c *config) { c.senderCheck = check })
}

// RevocationChecker says whether a verified token has been revoked. It is
// called on every request that passes every other check, so it must answer
// from memory (the stores of package revocation keep a local copy).
type RevocationChecker interface {
	// IsRevoked reports whether c is revoked. An error means the checker
	// cannot tell (its state is too old): the request is then refused with
	// 503 and reason revocation_unavailable, never let through.
	IsRevoked(c *Claims) (bool, error)
}

// WithRevocation consults rc after a token's signature and claims pass: a
// revoked token is refused (401 invalid_token, reason token_revoked).
// Default: no revocation check.
func WithRevocation(rc RevocationChecker) Option {
	return optionFunc(func(c *config) { c.revocations = rc })
}

// WithTokenCache sizes the verified-token cache: a token that passed every
// check is remembered (keyed by the exact token, compared in full) so that
// the same token again costs no signature verification. On every hit the time
// claims and revocation are checked again and the key that verified the
// token must still be in its issuer's current key set; sender-constrained
// tokens are never cached. The cache holds at most maxEntries entries and
// about maxBytes of tokens and claims; beyond, the oldest entries leave
// first. Adding an entry costs the same whatever the cache holds, and hits
// take no lock. WithTokenCache(0, 0) turns it off. Default: 10,000
// entries, 16 MiB.
func WithTokenCache(maxEntries, maxBytes int) Option {
	return optionFunc(func(c *config) { c.cacheEntries, c.cacheBytes = maxEntries, maxBytes })
}

// WithMaxTokenAge rejects tokens whose iat is older than d (plus leeway);
// tokens without iat are then rejected too. Default: no limit.
func WithMaxTokenAge(d time.Duration) Option { return optionFunc(func(c *config) { c.maxAge = d }) }

// WithRequiredClaims rejects tokens that lack any of these top-level claims
// (or carry them as null). Default: only exp (and iss, aud) are required.
func WithRequiredClaims(names ...string) Option {
	return optionFunc(func(c *config) { c.requiredClaims = append(c.requiredClaims, names...) })
}

// WithHook adds a function that sees every verification outcome and every
// key-set event. Given more than once, every hook sees every event, in the
// order given (an exporter of metrics beside one of traces). Hooks run
// synchronously on the request path: keep them fast. Default: none (the
// logger still logs: see WithLogger).
func WithHook(fn func(Event)) Option {
	return optionFunc(func(c *config) {
		switch prev := c.hook; {
		case fn == nil:
		case prev == nil:
			c.hook = fn
		default:
			c.hook = func(e Event) { prev(e); fn(e) }
		}
	})
}

// WithLogger sets the logger. A refused token is logged at info level with
// its reason and cause: the first refusal of each reason (and configured
// issuer) at once, then at most one line a minute, which says how many it
// did not log since the last one and how long ago that was (not_logged,
// since_last_line), so a flood of bad tokens cannot fill the log. With
// the logger at debug level every outcome is logged. Key-set failures are
// logged at warn level. A token is never logged.
// Default: slog.Default().
func WithLogger(l *slog.Logger) Option { return optionFunc(func(c *config) { c.logger = l }) }

// RemoteKeys says how the key sets found by OIDC discovery or an Issuer's
// JWKSURL are fetched and kept. A field left zero keeps its value: the
// default, or what an earlier WithRemoteKeys set. So a zero duration or
// size never means zero (none may be), and a later WithRemoteKeys cannot
// turn a bool off again. A negative duration or size is a configuration error:
// New fails on it.
type RemoteKeys struct {
	// StartupFetch makes New fetch every remote key set before returning,
	// and fail if any cannot be fetched. Default: New returns at once and
	// keys are fetched in the background; requests that arrive first wait
	// up to MaxWait for them.
	StartupFetch bool

	// HTTPClient is the client of discovery and JWKS fetches. The verifier
	// still bounds every fetch with FetchTimeout and MaxResponseSize, and
	// uses a copy of it whose redirects also obey the default policy (at
	// most 3, same origin only, so never https to http) after its own.
	// Default: a client with connection, TLS and header timeouts that
	// follows at most 3 redirects, never to another origin and never from
	// https to http.
	HTTPClient *http.Client

	// RefreshInterval is how often a key set is refreshed in the
	// background when its JWKS response has no Cache-Control max-age.
	// Default: 15 min.
	RefreshInterval time.Duration

	// MinRefresh and MaxRefresh clamp the refresh interval a JWKS response
	// asks for with Cache-Control max-age. Default: 1 min and 24 h.
	MinRefresh, MaxRefresh time.Duration

	// UnknownKeyRefreshInterval is how often a token with an unknown kid
	// may trigger a refresh of a key set. Concurrent requests share one
	// fetch, and a kid the refresh did not produce is refused at once
	// until the interval has passed. Default: 30 s.
	UnknownKeyRefreshInterval time.Duration

	// FetchTimeout bounds each discovery or JWKS fetch. Default: 10 s.
	FetchTimeout time.Duration

	// MaxResponseSize bounds the size in bytes of a discovery or JWKS
	// response body. Default: 1 MiB.
	MaxResponseSize int64

	// MaxWait bounds how long a request waits for a key fetch in flight;
	// the fetch itself goes on in the background. Default: 2 s.
	MaxWait time.Duration

	// MaxStaleness bounds how long the last good key set is used while
	// every refresh fails; past it, requests fail closed with 503.
	// Default: 24 h.
	MaxStaleness time.Duration

	// SameOriginJWKS requires the jwks_uri found by OIDC discovery to be
	// on the issuer's own origin (scheme, host and port), so that a
	// tampered or misconfigured discovery document cannot point the
	// verifier at keys elsewhere. A JWKSURL set in the configuration is
	// trusted as it is. Default: any https jwks_uri (Google, for one,
	// serves its keys from another host than its issuer).
	SameOriginJWKS bool

	// InsecureHTTP allows issuer, discovery and JWKS URLs over plain http
	// to hosts other than loopback. It MUST NOT be used in production:
	// anyone on the network path could then substitute the keys.
	// Default: https is required, except for loopback addresses.
	InsecureHTTP bool
}

// WithRemoteKeys sets how remote key sets are fetched and kept: see
// RemoteKeys.
func WithRemoteKeys(k RemoteKeys) Option {
	return optionFunc(func(c *config) {
		c.startupFetch = c.startupFetch || k.StartupFetch
		c.sameOriginJWKS = c.sameOriginJWKS || k.SameOriginJWKS
		c.insecureHTTP = c.insecureHTTP || k.InsecureHTTP
		if k.HTTPClient != nil {
			c.client = k.HTTPClient
		}
		set(&c.refreshInterval, k.RefreshInterval)
		set(&c.minRefresh, k.MinRefresh)
		set(&c.maxRefresh, k.MaxRefresh)
		set(&c.kidRefresh, k.UnknownKeyRefreshInterval)
		set(&c.fetchTimeout, k.FetchTimeout)
		set(&c.maxJWKSSize, k.MaxResponseSize)
		set(&c.maxWait, k.MaxWait)
		set(&c.maxStale, k.MaxStaleness)
	})
}

// set sets *dst to v unless v is zero.
func set[T comparable](dst *T, v T) {
	var zero T
	if v != zero {
		*dst = v
	}
}
