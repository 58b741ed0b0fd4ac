package nethttp_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/floor"
	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
	"github.com/jwtguard/jwtguard/nethttp"
)

// BenchmarkProtect measures the whole middleware (extract, verify, claims,
// context, inner handler) for each algorithm next to the raw signature
// check of the same token (the floor). The paired runs time both in one
// loop and report the ratio as x-floor, serial and on every core; a bad
// signature is paired too, and a signature too short to check shows what a
// rejection costs besides the public-key operation. The floor paired with
// itself is the control: how far from 1 noise alone moves a ratio. "bare
// handler" is the inner handler alone, which the protected figures
// include; the response writer is reused (floor.ResponseWriter).
func BenchmarkProtect(b *testing.B) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		iss, err := jwttest.NewIssuer(jwttest.WithAudience(audience), jwttest.WithKeyAlgorithms(alg))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(iss.Close)
		newV := func(opts ...middleware.Option) *middleware.Verifier {
			v, err := middleware.New([]middleware.Issuer{{URL: iss.URL(), Audiences: []string{audience}}},
				append([]middleware.Option{quiet, middleware.WithRemoteKeys(middleware.RemoteKeys{StartupFetch: true})}, opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = v.Close() })
			return v
		}
		tok := iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "scope": "items:read items:write"}, jwttest.WithAlg(alg))
		verify, err := floor.New(alg, iss.PublicKey(iss.KeyIDs()[0]), tok)
		if err != nil {
			b.Fatal(err)
		}
		protected := nethttp.Protect(newV(middleware.WithTokenCache(0, 0)))(inner)
		cached := nethttp.Protect(newV())(inner)
		b.Run(alg+"/floor", func(b *testing.B) { benchFunc(b, verify) })
		b.Run(alg+"/protected", func(b *testing.B) { benchHandler(b, protected, tok) })
		b.Run(alg+"/protected, cache hit", func(b *testing.B) { benchHandler(b, cached, tok) })
		b.Run(alg+"/protected, cache hit/parallel", func(b *testing.B) { benchHandlerParallel(b, cached, tok) })
		// The ratios: protected and the floor in one loop, serial and on
		// every core.
		serveOne := func() func() error {
			r, w := benchRequest(tok), new(floor.ResponseWriter)
			return func() error { return w.Serve(protected, r, http.StatusNoContent) }
		}
		b.Run(alg+"/paired", func(b *testing.B) { floor.Paired(b, verify, serveOne()) })
		// The control: the floor paired with itself. Its x-floor would be
		// 1 on a quiet machine; its scatter over a run's repetitions is the
		// noise every other ratio of that run carries.
		b.Run(alg+"/floor against itself/paired", func(b *testing.B) {
			floor.Paired(b, verify, func() error {
				if !verify() {
					return errors.New("floor verification failed")
				}
				return nil
			})
		})
		b.Run(alg+"/paired/parallel", func(b *testing.B) { floor.PairedParallel(b, verify, serveOne) })
		// A bad signature costs the whole check and the 401 answer.
		seg, other := strings.Split(tok, "."), strings.Split(iss.MustMint(jwttest.ClaimsSet{"sub": "mallory"}, jwttest.WithAlg(alg)), ".")
		forged := benchRequest(seg[0] + "." + other[1] + "." + seg[2])
		b.Run(alg+"/bad signature/paired", func(b *testing.B) {
			w := new(floor.ResponseWriter)
			floor.Paired(b, verify, func() error { return w.Serve(protected, forged, http.StatusUnauthorized) })
		})
		// A signature one byte short is refused just before the public-key
		// operation: everything a rejection costs besides it.
		sig, err := base64.RawURLEncoding.DecodeString(seg[2])
		if err != nil {
			b.Fatal(err)
		}
		short := seg[0] + "." + seg[1] + "." + base64.RawURLEncoding.EncodeToString(sig[:len(sig)-1])
		b.Run(alg+"/signature too short", func(b *testing.B) {
			r, w := benchRequest(short), new(floor.ResponseWriter)
			b.ReportAllocs()
			for b.Loop() {
				if err := w.Serve(protected, r, http.StatusUnauthorized); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("bare handler", func(b *testing.B) { benchHandler(b, inner, "") })
}

func benchFunc(b *testing.B, verify func() bool) {
	b.ReportAllocs()
	for b.Loop() {
		if !verify() {
			b.Fatal("floor verification failed")
		}
	}
}

func benchRequest(tok string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/api/items", nil)
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	return r
}

func benchHandler(b *testing.B, h http.Handler, tok string) {
	r, w := benchRequest(tok), new(floor.ResponseWriter)
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Serve(h, r, http.StatusNoContent); err != nil {
			b.Fatal(err)
		}
	}
}

func benchHandlerParallel(b *testing.B, h http.Handler, tok string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r, w := benchRequest(tok), new(floor.ResponseWriter)
		for pb.Next() {
			if err := w.Serve(h, r, http.StatusNoContent); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
