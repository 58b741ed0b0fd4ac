package middleware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// Issuer is one trusted token issuer and what its tokens must satisfy.
type Issuer struct {
	// URL is the issuer identifier, compared byte for byte with the token's
	// iss claim. Keys are found by OIDC discovery from it unless JWKSURL or
	// Keys is set.
	URL string
	// Audiences this service answers to; a token's aud must contain one of them.
	Audiences []string
	// JWKSURL, when set, is used directly instead of OIDC discovery.
	JWKSURL string
	// Keys, when set, are the issuer's only keys: nothing is fetched.
	Keys []Key
	// ClientIDs, when set, restricts tokens to these clients (client_id, or azp).
	ClientIDs []string
	// SkipAudienceCheck disables the aud check for providers whose access
	// tokens carry none (Amazon Cognito). It MUST NOT be used otherwise: any
	// token of the issuer, for any API, would then be accepted. It requires
	// ClientIDs, which then take the audience's place.
	SkipAudienceCheck bool
}

// Verifier verifies access tokens. Build it once with New; it is safe for
// concurrent use. Close it to stop its background key refreshes.
type Verifier struct {
	cfg       config
	client    *http.Client
	ownClient bool
	algs      jose.AlgSet // the global allowlist
	issuers   map[string]*issuerState
	urls      []string // the issuers' identifiers, in the order configured
	// only is the issuer when there is exactly one: refusing a token of
	// another issuer then costs a comparison, not a map lookup (2.5% of
	// that refusal, bench/RESULTS.md).
	only    *issuerState
	remotes []*remoteKeys
	cache   *tokenCache   // nil when turned off
	headers *jose.Headers // the header segments seen lately, decoded and checked
	readers atomic.Pointer[readerSet]
	// noCredential is the cause of every ErrNoToken error, built once: a
	// request without a token is the most common rejection of all.
	noCredential error

	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
}

type issuerState struct {
	url       string
	audiences []string
	clients   []string
	skipAud   bool
	algs      jose.AlgSet
	static    *keySet
	remote    *remoteKeys
}

// New builds a Verifier for one or more issuers. It validates the whole
// configuration and returns an error rather than weaken a check. Unless
// RemoteKeys.StartupFetch is set, remote keys are fetched in the background and
// New does no I/O.
func New(issuers []Issuer, opts ...Option) (*Verifier, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if len(issuers) == 0 {
		return nil, errors.New("jwtguard: at least one issuer is required")
	}
	v := &Verifier{cfg: cfg, client: cfg.client, issuers: make(map[string]*issuerState, len(issuers)),
		cache: newTokenCache(cfg.cacheEntries, cfg.cacheBytes), headers: jose.NewHeaders(),
		noCredential: noCredential(cfg.sources)}
	if v.client == nil {
		v.client, v.ownClient = defaultHTTPClient(), true
	} else {
		v.client = withRedirectPolicy(v.client)
	}
	if v.cfg.logger == nil {
		v.cfg.logger = slog.Default()
	}
	global, err := v.globalAlgorithms(issuers)
	if err != nil {
		return nil, err
	}
	for a := range global {
		if alg, ok := jose.LookupAlg(a); ok { // a secret's unknown algorithm fails with its issuer below
			v.algs = v.algs.Add(alg)
		}
	}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	for i := range issuers {
		st, err := v.newIssuer(&issuers[i], global)
		if err != nil {
			v.cancel()
			return nil, fmt.Errorf("jwtguard: issuer %q: %w", issuers[i].URL, err)
		}
		if _, dup := v.issuers[st.url]; dup {
			v.cancel()
			return nil, fmt.Errorf("jwtguard: issuer %q configured twice", st.url)
		}
		v.issuers[st.url] = st
		v.urls = append(v.urls, st.url)
		if st.remote != nil {
			v.remotes = append(v.remotes, st.remote)
		}
		if len(issuers) == 1 {
			v.only = st
		}
	}
	if cfg.startupFetch {
		for _, r := range v.remotes {
			c := r.refresh(false)
			<-c.done
			if c.err != nil {
				v.Close()
				return nil, fmt.Errorf("jwtguard: issuer %q: fetching keys: %w", r.issuer, c.err)
			}
		}
	}
	for _, r := range v.remotes {
		v.wg.Add(1)
		go r.run()
	}
	return v, nil
}

func (c *config) validate() error {
	switch {
	case c.leeway < 0 || c.leeway > 5*time.Minute:
		return errors.New("jwtguard: leeway must be between 0 and 5 minutes")
	case c.maxTokenSize <= 0:
		return errors.New("jwtguard: max token size must be positive")
	case len(c.sources) == 0:
		return errors.New("jwtguard: at least one token source is required")
	case slices.Contains(c.sources, nil):
		return errors.New("jwtguard: nil token source")
	case c.now == nil || c.mono == nil:
		return errors.New("jwtguard: nil clock")
	case c.refreshInterval <= 0, c.minRefresh <= 0, c.maxRefresh < c.minRefresh, c.kidRefresh <= 0,
		c.fetchTimeout <= 0, c.maxWait <= 0, c.maxStale <= 0:
		return errors.New("jwtguard: RemoteKeys durations must be positive (and MinRefresh ≤ MaxRefresh)")
	case c.maxJWKSSize <= 0:
		return errors.New("jwtguard: RemoteKeys.MaxResponseSize must be positive")
	case c.maxAge < 0:
		return errors.New("jwtguard: max token age must not be negative")
	}
	// A revocation store that compares iat with a cutoff must allow at
	// least the verifier's leeway, or a token minted just before a logout
	// by an issuer whose clock runs ahead passes.
	if s, ok := c.revocations.(interface{ Leeway() time.Duration }); ok && s.Leeway() < c.leeway {
		return fmt.Errorf("jwtguard: the revocation store allows a leeway of %v, shorter than the verifier's %v: "+
			"give the store the verifier's leeway (revocation.WithLeeway)", s.Leeway(), c.leeway)
	}
	return nil
}

// globalAlgorithms validates the allowlist. By default it is every
// asymmetric algorithm plus the algorithm of each configured secret.
func (v *Verifier) globalAlgorithms(issuers []Issuer) (map[string]bool, error) {
	out := map[string]bool{}
	if v.cfg.algorithmsSet {
		for _, a := range v.cfg.algorithms {
			if _, ok := jose.LookupAlg(a); !ok {
				return nil, fmt.Errorf("jwtguard: unsupported algorithm %q", a)
			}
			out[a] = true
		}
		if len(out) == 0 {
			return nil, errors.New("jwtguard: empty algorithm allowlist")
		}
		return out, nil
	}
	for _, a := range jose.AsymmetricAlgorithms {
		out[a] = true
	}
	for _, is := range issuers {
		for _, k := range is.Keys {
			if k.Secret != nil {
				out[k.Algorithm] = true
			}
		}
	}
	return out, nil
}

func (v *Verifier) newIssuer(is *Issuer, global map[string]bool) (*issuerState, error) {
	if is.URL == "" {
		return nil, errors.New("URL is required")
	}
	st := &issuerState{
		url: is.URL, audiences: slices.Clone(is.Audiences), clients: slices.Clone(is.ClientIDs),
		skipAud: is.SkipAudienceCheck,
	}
	switch {
	case len(st.audiences) == 0 && !st.skipAud:
		return nil, errors.New("at least one audience is required (RFC 9068 §4, RFC 8725 §3.9)")
	case st.skipAud && len(st.clients) == 0:
		return nil, errors.New("SkipAudienceCheck requires ClientIDs")
	case slices.Contains(st.audiences, ""), slices.Contains(st.clients, ""):
		return nil, errors.New("empty audience or client ID")
	}
	if len(is.Keys) > 0 {
		if is.JWKSURL != "" {
			return nil, errors.New("set Keys or JWKSURL, not both")
		}
		set, err := staticKeySet(is.Keys)
		if err != nil {
			return nil, err
		}
		for a := range global {
			alg, ok := jose.LookupAlg(a)
			if !ok {
				continue
			}
			for _, k := range set.all {
				if k.Accepts(alg) {
					st.algs = st.algs.Add(alg)
				}
			}
		}
		for _, k := range set.all {
			if k.Family == jose.FamilyHMAC && !global[k.Alg] {
				return nil, fmt.Errorf("secret key algorithm %s is not in the algorithm allowlist", k.Alg)
			}
		}
		st.static = set
	} else {
		u := is.JWKSURL
		if u == "" {
			u = is.URL
		}
		if err := checkKeyURL(u, v.cfg.insecureHTTP); err != nil {
			return nil, err
		}
		// Remote key sets never carry secrets: HS* is impossible for them.
		for a := range global {
			if alg, ok := jose.LookupAlg(a); ok && alg.Family != jose.FamilyHMAC {
				st.algs = st.algs.Add(alg)
			}
		}
		st.remote = newRemoteKeys(v, is.URL, is.JWKSURL)
	}
	if st.algs == 0 {
		return nil, errors.New("no allowed algorithm fits this issuer's keys")
	}
	return st, nil
}

// Close stops every background refresh and waits for fetches in flight to
// end. Verification keeps working on the keys already obtained. Close is
// idempotent.
func (v *Verifier) Close() error {
	v.closeOnce.Do(func() {
		for _, r := range v.remotes {
			r.close()
		}
		v.cancel()
		v.wg.Wait()
		if v.ownClient {
			v.client.CloseIdleConnections()
		}
	})
	return nil
}

// Refresh fetches every remote key set now (with Cache-Control: no-cache),
// as after a known key rotation, and returns the first error. Each fetch
// it waits for starts after Refresh was called: a fetch already in flight
// may predate the rotation, so Refresh waits for it and fetches again.
// Requests keep using the previous keys until a fetch succeeds.
func (v *Verifier) Refresh(ctx context.Context) error {
	var errs []error
	for _, r := range v.remotes {
		// Wait out every fetch already in flight, and one that is not
		// forced (a background refresh, which a cache may answer with the
		// old set), until the fetch joined is forced and began after the
		// call: then a rotation before the call is in what it fetches.
		prior := r.inFlight()
		var c *fetchCall
		for {
			if prior != nil {
				select {
				case <-prior.done:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			if c = r.refresh(true); c.force {
				break
			}
			prior = c
		}
		select {
		case <-c.done:
			if c.err != nil {
				errs = append(errs, fmt.Errorf("issuer %q: %w", r.issuer, c.err))
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.Join(errs...)
}

// VerifyRequest extracts the token from r with the configured sources and
// verifies it. It never writes a response; map its error with ResponseFor.
func (v *Verifier) VerifyRequest(r *http.Request) (*Claims, error) {
	raw, src, err := locate(r, v.cfg.sources, v.noCredential)
	if err != nil {
		v.emit(Event{Kind: EventRejected, Reason: ReasonOf(err), Err: err})
		return nil, err
	}
	return v.verifyAndReport(r.Context(), raw, r, src)
}

// Verify verifies a raw compact JWS access token and returns its claims, or
// an *Error. ctx bounds any wait for a key fetch.
//
// A sender-constrained token (cnf claim) fails here unless the
// WithSenderConstraint check accepts it without a request: use
// VerifyRequest for those.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Claims, error) {
	return v.verifyAndReport(ctx, raw, nil, nil)
}

// verifyAndReport verifies raw, taken from src when a request carried it,
// and reports the outcome.
func (v *Verifier) verifyAndReport(ctx context.Context, raw string, r *http.Request, src TokenSource) (*Claims, error) {
	c, iss, err := v.verify(ctx, raw, r)
	if err != nil && src != nil && iss == "" && !isB64Token(raw) {
		// Not even the RFC 6750 syntax: the request is malformed (400), as
		// checking the syntax before verifying would have said. A token
		// whose issuer is known has parsed, so its three segments are
		// canonical base64url and it is a b64token already.
		err, iss = src.malformed(), ""
	}
	if err != nil {
		v.emit(Event{Kind: EventRejected, Reason: err.Reason, Issuer: iss, Err: err})
		return nil, err
	}
	v.emit(Event{Kind: EventAccepted, Issuer: iss, Claims: c})
	return c, nil
}

func (v *Verifier) verify(ctx context.Context, raw string, r *http.Request) (*Claims, string, *Error) {
	ck := v.readClocks()
	useCache := v.cache != nil && len(raw) <= v.cfg.maxTokenSize
	if useCache {
		if c, iss, e, hit := v.cached(raw, ck); hit {
			return c, iss, e
		}
	}
	var sg signed
	iss, e := v.verifySigned(ctx, raw, &sg, ck.mono)
	if e != nil {
		return nil, iss, e
	}
	if sg.waited {
		ck = v.readClocks() // the claims are judged at the time of the answer
	}
	c, w, is := sg.c, &sg.w, sg.is
	if e := v.checkClaims(is, c, w, c.raw, ck.wall); e != nil {
		return nil, c.Issuer, e
	}
	if e := v.checkBinding(r, w.Cnf); e != nil {
		return nil, c.Issuer, e
	}
	// The cache's copy is taken before the revocation checker, the
	// caller's code, sees c.
	var entry *cacheEntry
	if useCache && !present(w.Cnf) {
		// The caller may change c, slices included: the cache keeps its own
		// copy, its slices exactly as long as they need be.
		kept := *c
		kept.Audience, kept.Scopes = cloneNil(c.Audience), cloneNil(c.Scopes)
		entry = &cacheEntry{claims: &kept, is: is, key: sg.key, kid: sg.kid, alg: sg.alg}
		// The set the key was found in, not the current one: a refresh that
		// removed the key since must make the first hit look again.
		entry.set.Store(sg.set)
	}
	if e := v.checkRevoked(c); e != nil {
		return nil, c.Issuer, e
	}
	// The attached readers (a mapper's) read a token that passed every
	// check, revocation included; the entry is not shared before put.
	c.derived = w.readers.read()
	if entry != nil {
		entry.claims.derived = c.derived
		v.cache.put(raw, entry)
	}
	return c, c.Issuer, nil
}

// clocks is one reading of the verifier's two clocks: the wall clock for
// the claims and the key cache's monotonic clock. With the default clocks a
// single time.Now serves both.
type clocks struct{ wall, mono time.Time }

func (v *Verifier) readClocks() clocks {
	if v.cfg.realClocks {
		t := time.Now()
		return clocks{t, t}
	}
	return clocks{v.cfg.now(), v.cfg.mono()}
}

// checkRevoked consults the revocation checker, if any.
func (v *Verifier) checkRevoked(c *Claims) *Error {
	rc := v.cfg.revocations
	if rc == nil {
		return nil
	}
	revoked, err := rc.IsRevoked(c)
	switch {
	case err != nil:
		return newError(reason.RevocationUnavailable, "", err)
	case revoked:
		return newError(reason.TokenRevoked, "The access token has been revoked", nil)
	}
	return nil
}

// verifySigned runs every check up to and including the signature, and
// the claims' JSON types: what any JWT of a configured issuer must pass. It
// fills the caller's sg (no allocation of its own) and returns the issuer
// whenever it is known, also with an error.
func (v *Verifier) verifySigned(ctx context.Context, raw string, sg *signed, mono time.Time) (string, *Error) {
	if len(raw) > v.cfg.maxTokenSize {
		return "", newError(reason.TokenTooLarge, descMalformed, &tooLargeError{len(raw), v.cfg.maxTokenSize})
	}
	// The allowlist is applied as soon as the header is read: a token with
	// an algorithm we never accept costs no payload work.
	tok, w := &sg.tok, &sg.w
	if err := jose.ParseDeferred(tok, raw, v.headers, v.acceptHeader); err != nil {
		switch {
		case errors.Is(err, errAlgNotAllowed):
			return "", newError(reason.AlgorithmNotAllowed, descInvalid, err)
		case errors.Is(err, jose.ErrUnsupported):
			return "", newError(reason.HeaderUnsupported, descMalformed, err)
		}
		return "", newError(reason.TokenMalformed, descMalformed, err)
	}
	// The payload and the signature are in pooled memory until Release:
	// until the signature has verified and the payload has been kept,
	// nothing read from them may outlive this function (errors copy what
	// they quote; the issuer is returned as configured).
	defer tok.Release()
	h := &tok.Header
	alg, _ := jose.LookupAlg(h.Alg)
	// The issuer names the keys: the payload is read up to its top-level
	// iss and no further, unvalidated, so a forged token's claims cost no
	// scan. What it names picks the keys only; once the signature has
	// verified, the whole payload is validated and its own iss must be the
	// issuer whose keys verified it, so an unsigned iss never chooses whose
	// rules apply. A payload that names no configured issuer is refused
	// before any signature check.
	tokIss, err := jose.PeekIssuer(tok.Payload)
	switch {
	case errors.Is(err, jose.ErrNoIssuer):
		return "", newError(reason.IssuerInvalid, descInvalid, err)
	case err != nil:
		return "", newError(reason.TokenMalformed, descMalformed, err)
	}
	is := v.issuer(tokIss)
	if is == nil {
		return "", newError(reason.IssuerInvalid, descInvalid, v.unknownIssuer(tokIss))
	}
	iss := is.url // the same string, in memory of its own
	if !is.algs.Has(alg) {
		return iss, newError(reason.AlgorithmNotAllowed, descInvalid, fmt.Errorf("alg %s is not allowed for this issuer", alg.Name))
	}
	// The signature is decoded only now, for a token of a configured
	// issuer, and before any key lookup, so a malformed one never makes a
	// key set refresh. It is reported without the issuer: a token with a
	// known issuer passes for canonical base64url in verifyAndReport.
	if err := tok.DecodeSignature(); err != nil {
		return "", newError(reason.TokenMalformed, descMalformed, err)
	}
	var key *jose.Key
	if is.static != nil {
		key, err = is.static.find(h.Kid, alg)
	} else {
		key, sg.set, sg.waited, err = is.remote.lookup(ctx, h.Kid, alg, mono)
	}
	if err != nil {
		switch {
		case errors.Is(err, errKeysUnavailable):
			return iss, newError(reason.JWKSUnavailable, "", err)
		case errors.Is(err, errKeyAlgorithm):
			return iss, newError(reason.AlgorithmNotAllowed, descInvalid, err)
		}
		return iss, newError(reason.KeyNotFound, descInvalid, err)
	}
	if err := tok.Verify(alg, key); err != nil {
		return iss, newError(reason.SignatureInvalid, descInvalid, err)
	}
	// Signature verified: the payload is validated (a malformed one never
	// masks a bad signature), kept out of pooled memory first, as the
	// claims are the issuer's own words from here on.
	tok.KeepPayload()
	w.readers.set = v.readers.Load()
	if err := tok.ScanPayload(w.member); err != nil {
		return iss, newError(reason.TokenMalformed, descMalformed, err)
	}
	// Defence in depth: on a payload the scan accepts, PeekIssuer found
	// this very member (checkPeek in internal/jose), so this never refuses.
	if got, err := stringClaim("iss", w.Iss); err != nil || got != iss {
		return iss, newError(reason.IssuerInvalid, descInvalid, errors.New("the payload's iss is not the issuer whose keys verified it"))
	}
	box := newClaimsBox(Claims{Issuer: iss, Algorithm: alg.Name, KeyID: h.Kid, Type: h.Typ, raw: tok.Payload})
	c := &box.c
	if err := typedClaims(w, c, box.room[:]); err != nil {
		return iss, newError(reason.ClaimInvalid, "The access token has a claim of the wrong type", err)
	}
	sg.c, sg.is, sg.key, sg.kid, sg.alg = c, is, key, h.Kid, alg
	return iss, nil
}

var errAlgNotAllowed = errors.New("alg is not allowed")

// issuer returns the configured issuer with exactly this identifier, or nil.
func (v *Verifier) issuer(iss []byte) *issuerState {
	if v.only != nil {
		if string(iss) == v.only.url {
			return v.only
		}
		return nil
	}
	return v.issuers[string(iss)] // no copy: the compiler looks the bytes up in place
}

// acceptHeader is the allowlist check jose.ParseChecked runs on the header.
func (v *Verifier) acceptHeader(name string) error {
	if alg, ok := jose.LookupAlg(name); !ok || !v.algs.Has(alg) {
		// A header's strings share no memory with a token's pooled payload
		// (jose.Headers): the error may keep the name as it is.
		return &algNotAllowedError{clip(name)}
	}
	return nil
}

// The causes of refusals that come before any crypto are formatted only
// when read (a log at debug level, a hook), like unknownIssuerError: a
// flood of such tokens costs no formatting.
type (
	tooLargeError      struct{ size, limit int }
	algNotAllowedError struct{ alg string }
)

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("token of %d bytes exceeds the %d-byte limit", e.size, e.limit)
}

func (e *algNotAllowedError) Error() string { return fmt.Sprintf("%v: %q", errAlgNotAllowed, e.alg) }
func (e *algNotAllowedError) Unwrap() error { return errAlgNotAllowed }

// signed is a token whose signature verified, with what verified it.
type signed struct {
	tok    jose.Token
	waited bool // for a key: the clock reading taken before is stale
	c      *Claims
	w      wirePayload
	is     *issuerState
	key    *jose.Key
	kid    string  // the header's kid, which the key was looked up by
	set    *keySet // the remote set the key was found in; nil for static keys
	alg    *jose.Alg
}

func (v *Verifier) unknownIssuer(iss []byte) error {
	// iss lies in pooled memory: the error keeps a copy, of its first
	// kilobyte at most (more than any issuer identifier it could nearly
	// match; the text quotes less).
	return &unknownIssuerError{iss: string(iss[:min(len(iss), 1<<10)]), urls: v.urls}
}

// unknownIssuerError is the cause of a token refused for its iss. It is
// formatted only when read (a log at debug level, a hook), the first
// configured issuer it nearly matches named with the difference: a server
// flooded with another issuer's tokens refuses each without that work.
type unknownIssuerError struct {
	iss  string
	urls []string // the verifier's issuers, never changed
}

func (e *unknownIssuerError) Error() string {
	for _, u := range e.urls {
		if hint := issuerHint(e.iss, u); hint != "" {
			return fmt.Sprintf("iss %q is not a configured issuer; closest is %q%s", clip(e.iss), u, hint)
		}
	}
	return fmt.Sprintf("iss %q is not a configured issuer", clip(e.iss))
}
