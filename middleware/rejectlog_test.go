package middleware_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
	"github.com/jwtguard/jwtguard/middleware"
)

// lockedBuffer is a bytes.Buffer a logger and a test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.b.String()), "\n")
}

// At info level, the first refusal of each reason is logged at once with
// its cause, and a flood of them adds at most one line per reason a minute,
// which says how many it left out; at debug level every refusal is logged.
// No line holds the token.
func TestRefusalsAreLoggedOncePerReasonAMinute(t *testing.T) {
	clk := newClock()
	iss := newIssuer(t, jwttest.WithClock(clk.Now))
	var out lockedBuffer
	v := warm(t, iss, middleware.WithCacheClock(clk.Now), middleware.WithClock(clk.Now),
		middleware.WithLogger(slog.New(slog.NewTextHandler(&out, nil))))
	ctx := context.Background()
	wrongAud := mint(t, iss, jwttest.ClaimsSet{"sub": "alice", "aud": "another-api"})
	for range 1000 {
		_, _ = v.Verify(ctx, "garbage")
		_, _ = v.Verify(ctx, wrongAud)
	}
	lines := out.lines()
	if len(lines) != 2 || !strings.Contains(lines[0], "reason=token_malformed") || !strings.Contains(lines[1], "reason=audience_invalid") ||
		!strings.Contains(lines[0], "level=INFO") {
		t.Fatalf("after 2,000 refusals of two reasons:\n%s", strings.Join(lines, "\n"))
	}
	clk.Advance(time.Minute)
	_, _ = v.Verify(ctx, wrongAud)
	lines = out.lines()
	if len(lines) != 3 || !strings.Contains(lines[2], "reason=audience_invalid") || !strings.Contains(lines[2], "not_logged_since=999") {
		t.Fatalf("a minute later:\n%s", strings.Join(lines, "\n"))
	}
	for _, l := range lines {
		if strings.Contains(l, wrongAud) || strings.Contains(l, strings.Split(wrongAud, ".")[2]) {
			t.Fatalf("a line holds the token: %s", l)
		}
	}

	var debug lockedBuffer
	dv := warm(t, iss, middleware.WithLogger(slog.New(slog.NewTextHandler(&debug, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	for range 10 {
		_, _ = dv.Verify(ctx, "garbage")
	}
	n := 0
	for _, l := range debug.lines() {
		if strings.Contains(l, "reason=token_malformed") {
			n++
		}
	}
	if n != 10 {
		t.Fatalf("at debug level %d of 10 refusals were logged", n)
	}
}
