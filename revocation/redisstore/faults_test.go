package redisstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
	"github.com/jwtguard/jwtguard/revocation"
	"github.com/jwtguard/jwtguard/revocation/redisstore"
	"github.com/redis/go-redis/v9"
)

// freezer is a loopback TCP proxy to Redis whose open connections can be
// frozen: they stay open and nothing more passes either way, as when a NAT
// entry is dropped or a peer hangs. Connections opened afterwards pass.
type freezer struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []*frozenFlag
}

type frozenFlag struct{ atomic.Bool }

func newFreezer(t *testing.T, target string) *freezer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln}
	var wg sync.WaitGroup
	var open []net.Conn
	var openMu sync.Mutex
	t.Cleanup(func() {
		_ = ln.Close()
		openMu.Lock()
		for _, c := range open {
			_ = c.Close()
		}
		openMu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				_ = in.Close()
				continue
			}
			openMu.Lock()
			open = append(open, in, out)
			openMu.Unlock()
			flag := &frozenFlag{}
			f.mu.Lock()
			f.conns = append(f.conns, flag)
			f.mu.Unlock()
			for _, p := range [][2]net.Conn{{in, out}, {out, in}} {
				wg.Add(1)
				go func(dst, src net.Conn) {
					defer wg.Done()
					buf := make([]byte, 32<<10)
					for {
						n, err := src.Read(buf)
						if flag.Load() {
							_, _ = io.Copy(io.Discard, src) // swallow until closed
							return
						}
						if n > 0 {
							if _, werr := dst.Write(buf[:n]); werr != nil {
								return
							}
						}
						if err != nil {
							_ = dst.Close()
							return
						}
					}
				}(p[0], p[1])
			}
		}
	}()
	return f
}

func (f *freezer) addr() string { return f.ln.Addr().String() }

// freeze stops every connection open now.
func (f *freezer) freeze() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		c.Store(true)
	}
}

// A subscription whose connection dies silently is noticed by a ping and
// made anew, and the resync that follows repairs what was published
// meanwhile: long before the periodic resync.
func TestASilentlyDeadSubscriptionIsReplaced(t *testing.T) {
	srv := startRedis(t)
	proxy := newFreezer(t, srv.addr())
	rdb := redis.NewClient(&redis.Options{Addr: proxy.addr(), DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond, MaxRetries: 1})
	t.Cleanup(func() { _ = rdb.Close() })
	b, err := redisstore.New(context.Background(), rdb, redisstore.WithPingInterval(200*time.Millisecond),
		redisstore.WithResyncInterval(time.Hour), redisstore.WithStaleness(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	a := newStore(t, srv)
	proxy.freeze()
	start := time.Now()
	if err := a.Revoke(context.Background(), revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "while-frozen",
		Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the instance behind the frozen connection to learn the revocation", func() bool {
		return revoked(t, b, claims("while-frozen", "x", "", time.Now()))
	})
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("learned after %v: the dead subscription was not replaced", d)
	}
}

// A reconnection of the subscription (here the server drops it: CLIENT
// KILL) is followed by a resync at once: an entry written while it was
// down, never published to it, is enforced without waiting for the
// periodic resync.
func TestAResubscriptionResyncsAtOnce(t *testing.T) {
	srv := startRedis(t)
	b := newStore(t, srv, redisstore.WithResyncInterval(time.Hour), redisstore.WithStaleness(2*time.Hour))
	r := revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "missed", Before: time.Now(), Expires: time.Now().Add(time.Hour)}
	enc, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	admin := srv.client()
	if err := admin.HSet(context.Background(), "jwtguard:revocations", "jti|"+issuer+"|missed", enc).Err(); err != nil {
		t.Fatal(err)
	}
	if revoked(t, b, claims("missed", "x", "", time.Now())) {
		t.Fatal("enforced before any resync")
	}
	if err := admin.Do(context.Background(), "CLIENT", "KILL", "TYPE", "pubsub").Err(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	eventually(t, "the resubscribed instance to resync", func() bool { return revoked(t, b, claims("missed", "x", "", time.Now())) })
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("resynced after %v", d)
	}
}

// While Redis hangs, an operator's revocation cannot be confirmed: the
// admin API says so (503, outcome unknown) instead of a 503 that reads as
// "nothing happened", this instance enforces it, and once Redis resumes
// every instance does, as the answer warned it might.
func TestAnUnconfirmedRevocationSaysItsOutcomeIsUnknown(t *testing.T) {
	srv := startRedis(t)
	s := newStore(t, srv, redisstore.WithResyncInterval(100*time.Millisecond))
	other := newStore(t, srv, redisstore.WithResyncInterval(100*time.Millisecond))
	tv := verifierWith(t, s)
	api := httptest.NewServer(nethttp.Protect(tv.v)(revocation.AdminHandler(s, rbac.Role("security-admin"))))
	t.Cleanup(api.Close)
	admin := tv.iss.MustMint(jwttest.ClaimsSet{"sub": "root", "roles": []string{"security-admin"}})
	mallory := claims("", "mallory", "", time.Now().Add(-time.Minute))

	// A revocation before: Redis has the script, and runs what it reads
	// once it resumes.
	if err := s.Revoke(context.Background(), revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "before",
		Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	srv.pause()
	t.Cleanup(srv.resume)
	req, _ := http.NewRequest("POST", api.URL, strings.NewReader(`{"kind":"sub","iss":"`+issuer+`","value":"mallory"}`))
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 503 || body["outcome"] != "unknown" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("while Redis hangs: %d %v", resp.StatusCode, body)
	}
	if r, _ := s.IsRevoked(mallory); !r {
		t.Fatal("the instance that took the request does not enforce the unconfirmed revocation")
	}
	srv.resume()
	eventually(t, "the other instance to enforce the revocation Redis applied on resuming", func() bool {
		r, err := other.IsRevoked(mallory)
		return err == nil && r
	})
}

// An expired entry another instance widened after it was read is not
// deleted: only the value that was read, unchanged, is.
func TestDeletingExpiredEntriesSparesAWidenedOne(t *testing.T) {
	srv := startRedis(t)
	s := newStore(t, srv, redisstore.WithResyncInterval(time.Hour))
	ctx, c := context.Background(), srv.client()
	old := revocation.Revocation{Kind: revocation.BySubject, Issuer: issuer, Value: "bob", Before: time.Now().Add(-3 * time.Hour),
		Expires: time.Now().Add(-time.Hour)}
	wide := old
	wide.Expires = time.Now().Add(time.Hour)
	oldJSON, _ := json.Marshal(old)
	wideJSON, _ := json.Marshal(wide)
	for field, v := range map[string][]byte{"sub|" + issuer + "|bob": wideJSON, "sub|" + issuer + "|eve": oldJSON} {
		if err := c.HSet(ctx, "jwtguard:revocations", field, v).Err(); err != nil {
			t.Fatal(err)
		}
	}
	// Both were read expired; bob has been widened since.
	if err := s.DeleteExpired(ctx, map[string]string{"sub|" + issuer + "|bob": string(oldJSON), "sub|" + issuer + "|eve": string(oldJSON)}); err != nil {
		t.Fatal(err)
	}
	left, err := c.HKeys(ctx, "jwtguard:revocations").Result()
	if err != nil || len(left) != 1 || left[0] != "sub|"+issuer+"|bob" {
		t.Fatalf("left in Redis: %v %v, want the widened entry only", left, err)
	}
}

// A store whose bound is taken up by entries that have expired makes room
// at once: Revoke deletes them (a full resync) and tries again, rather than
// answer ErrFull until the next full resync.
func TestAFullStoreOfExpiredEntriesMakesRoom(t *testing.T) {
	srv := startRedis(t)
	s := newStore(t, srv, redisstore.WithMaxEntries(2), redisstore.WithLeeway(time.Millisecond), redisstore.WithResyncInterval(time.Hour))
	ctx := context.Background()
	if err := s.Revoke(ctx, revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "live", Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	gone, _ := json.Marshal(revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "gone",
		Before: time.Now().Add(-2 * time.Hour), Expires: time.Now().Add(-time.Hour)})
	if err := srv.client().HSet(ctx, "jwtguard:revocations", "jti|"+issuer+"|gone", gone).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(ctx, revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "new", Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatalf("a store full of one live and one expired entry: %v", err)
	}
	if err := s.Revoke(ctx, revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "third", Expires: time.Now().Add(time.Hour)}); !errors.Is(err, revocation.ErrFull) {
		t.Fatalf("a store full of live entries: %v", err)
	}
}

// A prefix whose braces make no cluster hash tag is refused: its side keys
// could not share the hash's slot.
func TestAPrefixWithoutAHashTagButBracesIsRefused(t *testing.T) {
	srv := startRedis(t)
	for _, p := range []string{"a}b", "x{}y", "a}b{c"} {
		if _, err := redisstore.New(context.Background(), srv.client(), redisstore.WithPrefix(p)); err == nil {
			t.Errorf("prefix %q accepted", p)
		}
	}
	s, err := redisstore.New(context.Background(), srv.client(), redisstore.WithPrefix("{tenant-1}:revocations"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Revoke(context.Background(), revocation.Revocation{Kind: revocation.ByTokenID, Issuer: issuer, Value: "x",
		Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n, _ := srv.client().Exists(context.Background(), "{tenant-1}:revocations:seq").Result(); n != 1 {
		t.Fatal("the side keys of a tagged prefix do not keep its tag")
	}
}
