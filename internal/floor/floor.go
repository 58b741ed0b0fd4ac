// Package floor is the raw signature check that every benchmark of jwtguard
// compares with: the standard library's fastest verification of a compact
// JWS signature with its public key. Everything a verifier must otherwise
// do (splitting, base64, JSON, claims, key lookup) is left out; only the
// hash of the signing input and the public-key operation remain, so a ratio
// to the floor is the price of everything else.
package floor

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// New returns the floor for token, signed with alg (RS256, ES256 or EdDSA)
// by the key whose public half is pub. The function reports whether the
// signature verified; it is safe for concurrent use.
func New(alg string, pub crypto.PublicKey, token string) (func() bool, error) {
	verify, err := check(alg, pub, token)
	if err != nil {
		return nil, err
	}
	if !verify() {
		return nil, fmt.Errorf("floor: the token's signature does not verify")
	}
	return verify, nil
}

// Rejecting is New for a token whose signature does not verify: the same
// check, failing as the standard library fails it, for comparing with what
// a verifier spends on a rejection.
func Rejecting(alg string, pub crypto.PublicKey, token string) (func() bool, error) {
	verify, err := check(alg, pub, token)
	if err != nil {
		return nil, err
	}
	if verify() {
		return nil, fmt.Errorf("floor: the token's signature verifies")
	}
	return verify, nil
}

func check(alg string, pub crypto.PublicKey, token string) (func() bool, error) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return nil, fmt.Errorf("floor: not a compact JWS")
	}
	input := []byte(token[:i])
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil {
		return nil, fmt.Errorf("floor: signature: %w", err)
	}
	var verify func() bool
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if alg != "RS256" {
			break
		}
		verify = func() bool {
			h := sha256.Sum256(input)
			return rsa.VerifyPKCS1v15(k, crypto.SHA256, h[:], sig) == nil
		}
	case *ecdsa.PublicKey:
		if alg != "ES256" || len(sig) != 64 {
			break
		}
		der := asn1Signature(sig[:32], sig[32:]) // the verifier's conversion is not part of the floor
		verify = func() bool {
			h := sha256.Sum256(input)
			return ecdsa.VerifyASN1(k, h[:], der)
		}
	case ed25519.PublicKey:
		if alg != "EdDSA" {
			break
		}
		verify = func() bool { return ed25519.Verify(k, input, sig) }
	}
	if verify == nil {
		return nil, fmt.Errorf("floor: no floor for %s with a %T key", alg, pub)
	}
	return verify, nil
}

func asn1Signature(r, s []byte) []byte {
	der, _ := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(r), new(big.Int).SetBytes(s)})
	return der
}

// Paired measures op against the floor in one loop that alternates between
// them in blocks of about blockTime each, so that both see the same machine
// within milliseconds of each other: on a shared machine whose speed drifts
// from one second to the next, two separate benchmarks can be several
// percent apart for that reason alone. Blocks, rather than single calls,
// keep the collector's work for op's allocations (a cycle every few
// thousand requests) mostly in op's own blocks. It reports the mean time
// of op ("op-ns") and of the floor ("floor-ns") and their ratio
// ("x-floor"); ns/op, B/op and allocs/op mix both.
func Paired(b *testing.B, floor func() bool, op func() error) {
	b.ReportAllocs()
	var p pairing
	for b.Loop() {
		if err := p.step(floor, op); err != nil {
			b.Fatal(err)
		}
	}
	p.report(b)
}

// PairedParallel is Paired on every core (b.RunParallel). Each goroutine
// gets its own op from newOp (its own request, say) and keeps its own
// blocks and sums, so the measurement shares no counter.
func PairedParallel(b *testing.B, floor func() bool, newOp func() func() error) {
	b.ReportAllocs()
	var mu sync.Mutex
	var all pairing
	b.RunParallel(func(pb *testing.PB) {
		op := newOp()
		var p pairing
		for pb.Next() {
			if err := p.step(floor, op); err != nil {
				b.Error(err)
				return
			}
		}
		p.close()
		mu.Lock()
		all.add(&p)
		mu.Unlock()
	})
	all.report(b)
}

const blockTime = 20 * time.Millisecond

// pairing is the state of one goroutine's alternation.
type pairing struct {
	onOp       bool      // the current block runs op
	start      time.Time // the current block's start
	n          int       // calls in the current block
	floorTime  time.Duration
	floorCalls int
	opTime     time.Duration
	opCalls    int
}

func (p *pairing) step(floor func() bool, op func() error) error {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	if p.onOp {
		if err := op(); err != nil {
			return err
		}
	} else if !floor() {
		return errors.New("floor verification failed")
	}
	p.n++
	if p.n%8 == 0 && time.Since(p.start) >= blockTime {
		p.close()
		p.onOp = !p.onOp
	}
	return nil
}

// close ends the current block and counts it.
func (p *pairing) close() {
	if p.n == 0 {
		return
	}
	d := time.Since(p.start)
	if p.onOp {
		p.opTime, p.opCalls = p.opTime+d, p.opCalls+p.n
	} else {
		p.floorTime, p.floorCalls = p.floorTime+d, p.floorCalls+p.n
	}
	p.start, p.n = time.Now(), 0
}

func (p *pairing) add(q *pairing) {
	p.floorTime, p.floorCalls = p.floorTime+q.floorTime, p.floorCalls+q.floorCalls
	p.opTime, p.opCalls = p.opTime+q.opTime, p.opCalls+q.opCalls
}

func (p *pairing) report(b *testing.B) {
	p.close()
	if p.floorCalls == 0 || p.opCalls == 0 {
		return // too short a run to have both
	}
	fl := float64(p.floorTime) / float64(p.floorCalls)
	o := float64(p.opTime) / float64(p.opCalls)
	b.ReportMetric(o, "op-ns")
	b.ReportMetric(fl, "floor-ns")
	b.ReportMetric(o/fl, "x-floor")
}

// ResponseWriter is a reusable http.ResponseWriter for benchmarks: it keeps
// the status and discards the body, so that a measured request pays for
// the handlers, not for a new recorder each time (net/http's own server
// reuses its buffers across a connection's requests too). Not safe for
// concurrent use: one per goroutine.
type ResponseWriter struct {
	header http.Header
	Code   int
}

// Reset readies w for the next request.
func (w *ResponseWriter) Reset() {
	clear(w.header)
	w.Code = 0
}

// Header returns the response header.
func (w *ResponseWriter) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

// WriteHeader records the status.
func (w *ResponseWriter) WriteHeader(code int) {
	if w.Code == 0 {
		w.Code = code
	}
}

// Write discards b, recording 200 if no status was written.
func (w *ResponseWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(b), nil
}

// Serve runs h on r with w reset, and returns an error unless the status
// is want.
func (w *ResponseWriter) Serve(h http.Handler, r *http.Request, want int) error {
	w.Reset()
	h.ServeHTTP(w, r)
	if w.Code != want {
		return fmt.Errorf("status %d, want %d", w.Code, want)
	}
	return nil
}
