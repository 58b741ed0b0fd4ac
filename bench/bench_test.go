package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/internal/floor"
	"github.com/jwtguard/jwtguard/jwttest"
)

func setup(tb testing.TB) (*Env, []Peer) {
	tb.Helper()
	env, err := NewEnv()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(env.Issuer.Close)
	peers, err := Peers(context.Background(), env)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		for _, p := range peers {
			p.Close()
		}
	})
	return env, peers
}

func status(h http.Handler, token string) int {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

// Every peer accepts the valid token and refuses a bad signature, a wrong
// audience and an expired token: none is fast by skipping a check.
func TestPeersAreCorrect(t *testing.T) {
	env, peers := setup(t)
	valid := env.Issuer.MustMint(jwttest.ClaimsSet{"sub": "alice"})
	seg := strings.Split(valid, ".")
	forged := seg[0] + "." + strings.Split(env.Issuer.MustMint(jwttest.ClaimsSet{"sub": "mallory"}), ".")[1] + "." + seg[2]
	wrongAud := env.Issuer.MustMint(jwttest.ClaimsSet{"sub": "alice", "aud": "another-api"})
	expired := env.Issuer.MustMint(jwttest.ClaimsSet{"sub": "alice", "iat": 1_000_000_000, "exp": 1_000_003_600})
	if len(peers) < 9 {
		t.Fatalf("%d peers", len(peers))
	}
	for _, p := range peers {
		for _, c := range []struct {
			name  string
			token string
			want  int
		}{{"valid", valid, 204}, {"valid again", valid, 204}, {"bad signature", forged, 401},
			{"wrong audience", wrongAud, 401}, {"expired", expired, 401}} {
			if got := status(p.Handler, c.token); got != c.want {
				t.Errorf("%s, %s token: %d, want %d", p.Name, c.name, got, c.want)
			}
		}
	}
}

// BenchmarkPeers: every peer on the same valid RS256 token next to the raw
// signature check of that token (the floor, internal/floor). "serial" gives
// each its time, bytes and allocations; "paired" and "paired parallel"
// give its ratio to the floor, measured in one loop that alternates both
// (serial, and on every core). make bench turns the output into
// RESULTS.md.
func BenchmarkPeers(b *testing.B) {
	env, peers := setup(b)
	token := env.Issuer.MustMint(jwttest.ClaimsSet{"sub": "alice", "scope": "items:read items:write"})
	verify, err := floor.New("RS256", env.Public, token)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("floor/serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !verify() {
				b.Fatal("floor failed")
			}
		}
	})
	for _, p := range peers {
		if status(p.Handler, token) != 204 {
			b.Fatalf("%s refuses the token", p.Name)
		}
		serve := func() func() error {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			w := new(floor.ResponseWriter)
			return func() error { return w.Serve(p.Handler, req, http.StatusNoContent) }
		}
		b.Run(p.Name+"/serial", func(b *testing.B) {
			op := serve()
			b.ReportAllocs()
			for b.Loop() {
				if err := op(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(p.Name+"/paired", func(b *testing.B) { floor.Paired(b, verify, serve()) })
		b.Run(p.Name+"/paired parallel", func(b *testing.B) { floor.PairedParallel(b, verify, serve) })
	}
}
