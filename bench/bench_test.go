package bench

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
	valid := env.Issuer.MustMint(jwttest.Claims{"sub": "alice"})
	seg := strings.Split(valid, ".")
	forged := seg[0] + "." + strings.Split(env.Issuer.MustMint(jwttest.Claims{"sub": "mallory"}), ".")[1] + "." + seg[2]
	wrongAud := env.Issuer.MustMint(jwttest.Claims{"sub": "alice", "aud": "another-api"})
	expired := env.Issuer.MustMint(jwttest.Claims{"sub": "alice", "iat": 1_000_000_000, "exp": 1_000_003_600})
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

// BenchmarkPeers: every peer on the same valid RS256 token, serial and on
// all cores, next to the raw signature check ("floor"). make bench turns
// the output into RESULTS.md with ratios to the floor.
func BenchmarkPeers(b *testing.B) {
	env, peers := setup(b)
	token := env.Issuer.MustMint(jwttest.Claims{"sub": "alice", "scope": "items:read items:write"})
	i := strings.LastIndexByte(token, '.')
	input := []byte(token[:i])
	sig, _ := base64.RawURLEncoding.DecodeString(token[i+1:])
	floor := func() bool {
		h := sha256.Sum256(input)
		return rsa.VerifyPKCS1v15(env.Public, crypto.SHA256, h[:], sig) == nil
	}
	b.Run("floor/serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !floor() {
				b.Fatal("floor failed")
			}
		}
	})
	b.Run("floor/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if !floor() {
					b.Error("floor failed")
					return
				}
			}
		})
	})
	for _, p := range peers {
		if status(p.Handler, token) != 204 {
			b.Fatalf("%s refuses the token", p.Name)
		}
		b.Run(p.Name+"/serial", func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				p.Handler.ServeHTTP(w, req)
				if w.Code != 204 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
		b.Run(p.Name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				for pb.Next() {
					w := httptest.NewRecorder()
					p.Handler.ServeHTTP(w, req)
					if w.Code != 204 {
						b.Errorf("status %d", w.Code)
						return
					}
				}
			})
		})
	}
}
