package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/middleware/reason"
)

// The verification pipeline. A token is accepted only after every step,
// in this order, which is RFC 7519 §7.2's with RFC 8725's checks added:
//
//  1. size: no larger than WithMaxTokenSize, before any parsing;
//  2. compact form: three canonical base64url segments (RFC 7515 §7.1);
//  3. header: a UTF-8 JSON object with no duplicate names, no JOSE feature
//     we do not implement (RFC 7519 §7.2 steps 2–6, RFC 7515 §4.1.11);
//  4. algorithm allowlist, as soon as the header is read (RFC 8725 §3.1);
//  5. issuer: the one the payload's iss names, an exact match (RFC 8725
//     §3.8), and its own allowlist;
//  6. key: the issuer's key for kid and alg;
//  7. signature (RFC 7515 §5.2), then the payload as a whole: a UTF-8 JSON
//     object (RFC 7519 §7.2 step 10) whose iss is the issuer whose key
//     verified it, and whose registered claims have their types;
//  8. claims: exp, nbf, iat, aud, client, type and profile (RFC 7519 §4.1,
//     RFC 9068 §4);
//  9. binding: a sender-constrained token proves its key (RFC 7800, 8705);
//  10. revocation.
//
// verifySigned runs steps 1–7, verify the rest. A verified-token cache hit
// (cached) skips steps 1–7 and 9 (a sender-constrained token is never
// cached): it checks the time claims of step 8 and step 10 again, and that
// the key of step 6 is still in its issuer's key set.

// verify verifies raw, from r when a request carried it, at ck: steps 1
// to 10.
func (v *Verifier) verify(ctx context.Context, raw string, r *http.Request, ck clocks, rep *report) (*Claims, string, *Error) {
	useCache := v.cache != nil && len(raw) <= v.cfg.maxTokenSize
	if useCache {
		if c, iss, e, hit := v.cached(raw, ck, rep); hit {
			return c, iss, e
		}
	}
	var sg signed
	iss, e := v.verifySigned(ctx, raw, &sg, ck.mono)
	rep.alg = sg.alg
	if e != nil {
		return nil, iss, e
	}
	if sg.waited {
		ck = v.readClocks() // the claims are judged at the time of the answer
	}
	c, w, is := sg.c, &sg.w, sg.is
	// 8. Claims.
	if e := v.checkClaims(is, c, w, c.raw, ck.wall); e != nil {
		return nil, c.Issuer, e
	}
	// 9. Binding.
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
	// 10. Revocation.
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
	// 1. Size.
	if len(raw) > v.cfg.maxTokenSize {
		return "", newError(reason.TokenTooLarge, descMalformed, &tooLargeError{len(raw), v.cfg.maxTokenSize})
	}
	// 2, 3 and 4. Compact form, header, and the algorithm allowlist, which
	// is applied as soon as the header is read: a token with an algorithm
	// we never accept costs no payload work.
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
	h := &tok.Header
	alg, _ := jose.LookupAlg(h.Alg)
	// 5. Issuer. It names the keys: the payload is read up to its top-level
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
	sg.alg = alg // on the allowlist: the event may name it
	// The signature is decoded only now, for a token of a configured
	// issuer, and before any key lookup, so a malformed one never makes a
	// key set refresh. It is reported without the issuer: a token with a
	// known issuer passes for canonical base64url in verifyAndReport.
	if err := tok.DecodeSignature(); err != nil {
		return "", newError(reason.TokenMalformed, descMalformed, err)
	}
	// 6. Key.
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
	// 7. Signature, then the payload.
	if err := tok.Verify(alg, key); err != nil {
		return iss, newError(reason.SignatureInvalid, descInvalid, err)
	}
	// Signature verified: the payload is validated (a malformed one never
	// masks a bad signature), as the claims are the issuer's own words
	// from here on.
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

// acceptHeader is the allowlist check jose.ParseChecked runs on the header.
func (v *Verifier) acceptHeader(name string) error {
	if alg, ok := jose.LookupAlg(name); !ok || !v.algs.Has(alg) {
		return &algNotAllowedError{clip(name)}
	}
	return nil
}

// The causes of refusals that come before any crypto are formatted only
// when read (a log line, a hook), like unknownIssuerError: a
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
