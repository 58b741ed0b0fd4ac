// Package prodtest runs a production example as a user runs it: built,
// started with ISSUER and AUDIENCE pointing at a test issuer, asked for
// its routes, and stopped with SIGTERM. Every production example (net/http,
// chi, gin, echo) is held to the same answers.
package prodtest

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
)

// Run builds the program in the current directory and checks it: it
// protects its routes, logs its refusals, and stops cleanly on SIGTERM.
func Run(t *testing.T) {
	iss, err := jwttest.NewIssuer(jwttest.WithAudience("orders-api"))
	if err != nil {
		t.Fatal(err)
	}
	defer iss.Close()
	bin := filepath.Join(t.TempDir(), "production")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("configured by the environment", func(t *testing.T) {
		serve(t, iss, exec.Command(bin), "ISSUER="+iss.URL(), "AUDIENCE=orders-api", "PRESET=keycloak", "PRESET_PARAM=", "JWKS_URL=",
			"ADDR=127.0.0.1:0")
	})
	t.Run("configured by flags, which win over the environment", func(t *testing.T) {
		serve(t, iss, exec.Command(bin, "-issuer", iss.URL(), "-audience", "orders-api", "-preset", "keycloak", "-addr", "127.0.0.1:0"),
			"ISSUER=https://other.example.com", "AUDIENCE=billing", "PRESET=", "PRESET_PARAM=", "JWKS_URL=", "ADDR=")
	})
	t.Run("refusing to start without an issuer", func(t *testing.T) {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "ISSUER=", "AUDIENCE=orders-api")
		if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "ISSUER and AUDIENCE") {
			t.Fatalf("started without ISSUER: %v\n%s", err, out)
		}
	})
}

// serve runs cmd with env and checks it: it protects its routes with
// iss's tokens, logs its refusals, and stops cleanly on SIGTERM.
func serve(t *testing.T, iss *jwttest.Issuer, cmd *exec.Cmd, env ...string) {
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	lines := make(chan map[string]any, 64)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				lines <- m
			}
		}
		close(lines)
	}()
	next := func(what string, match func(map[string]any) bool) map[string]any {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case m, ok := <-lines:
				if !ok {
					t.Fatalf("the program ended before %s", what)
				}
				if match(m) {
					return m
				}
			case <-deadline:
				t.Fatalf("no log line for %s", what)
			}
		}
	}
	addr := next("listening", func(m map[string]any) bool { return m["msg"] == "listening" })["addr"].(string)
	base := "http://" + addr
	client := &http.Client{Timeout: 10 * time.Second}
	do := func(method, path, tok string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	reader := iss.MustMint(jwttest.ClaimsSet{"sub": "alice", "scope": "items:read"})
	other := iss.MustMint(jwttest.ClaimsSet{"sub": "bob", "scope": "profile"})
	// PRESET=keycloak with no PRESET_PARAM reads the client roles of the
	// audience, as the quickstart and the guide do.
	admin := iss.MustMint(jwttest.ClaimsSet{"sub": "carol", "resource_access": map[string]any{"orders-api": map[string]any{"roles": []string{"admin"}}}})
	otherClientAdmin := iss.MustMint(jwttest.ClaimsSet{"sub": "dave", "resource_access": map[string]any{"web": map[string]any{"roles": []string{"admin"}}}})
	for _, c := range []struct {
		method, path, tok string
		status            int
		body              string
	}{
		{"GET", "/healthz", "", 200, "ok"},
		{"GET", "/api/items", "", 401, "unauthorized"},
		{"GET", "/api/items", reader, 200, `"items"`},
		{"GET", "/api/items", other, 403, "insufficient_scope"},
		{"GET", "/api/me", other, 200, `"sub":"bob"`},
		{"GET", "/api/me", reader + "x", 401, "invalid_token"},
		{"DELETE", "/api/items/1", admin, 204, ""},
		{"DELETE", "/api/items/1", otherClientAdmin, 403, "insufficient_scope"},
		{"DELETE", "/api/items/1", reader, 403, "insufficient_scope"},
	} {
		if status, body := do(c.method, c.path, c.tok); status != c.status || !strings.Contains(body, c.body) {
			t.Errorf("%s %s: %d %q, want %d with %q", c.method, c.path, status, body, c.status, c.body)
		}
	}
	next("a refusal's line", func(m map[string]any) bool { return m["event"] == "rejected" && m["reason"] == "token_missing" })
	// The client keeps its connections open and idle: a graceful shutdown
	// closes them at once (http.Server.Shutdown), where a program waiting
	// for them would take its 20 s bound, past the 10 s allowed below.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	next("shutting down", func(m map[string]any) bool { return m["msg"] == "shutting down" })
	// Every line is read before Wait closes the pipe.
	for drained := time.After(10 * time.Second); ; {
		select {
		case _, ok := <-lines:
			if ok {
				continue
			}
		case <-drained:
			t.Fatal("the program's log did not end")
		}
		break
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the program ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the program did not stop on SIGTERM")
	}
}
