package middleware

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtguard/jwtguard/middleware/reason"
)

func TestRefreshAfterClampsCacheControl(t *testing.T) {
	t.Parallel()
	cfg := defaultConfig()
	cases := []struct {
		header string
		want   time.Duration
	}{
		{"", 15 * time.Minute},
		{"public, max-age=3600", time.Hour},
		{"max-age=5", time.Minute},
		{"max-age=0", time.Minute},
		{"no-store", time.Minute},
		{"no-cache", time.Minute},
		{"max-age=31536000", 24 * time.Hour},
		{"max-age=99999999999999999999", 15 * time.Minute},
		{"max-age=-5", 15 * time.Minute},
		{"max-age=abc", 15 * time.Minute},
		{`max-age="600"`, 10 * time.Minute},
		{"s-maxage=10", 15 * time.Minute},
	}
	for _, tc := range cases {
		h := http.Header{}
		if tc.header != "" {
			h.Set("Cache-Control", tc.header)
		}
		if got := refreshAfter(h, &cfg); got != tc.want {
			t.Errorf("Cache-Control %q: got %s, want %s", tc.header, got, tc.want)
		}
	}
}

func TestBackoffIsCappedJitteredAndHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	v := &Verifier{cfg: defaultConfig()}
	r := &keyFetcher{v: v}
	plain := errors.New("down")
	for failures, base := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 30: 5 * time.Minute} {
		lo, hi := base-base/5, base+base/5
		seen := map[time.Duration]bool{}
		for range 50 {
			d := r.backoff(failures, plain)
			if d < lo || d > hi {
				t.Fatalf("failure %d: backoff %s outside [%s, %s]", failures, d, lo, hi)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Fatalf("failure %d: no jitter", failures)
		}
	}
	if d := r.backoff(1, &fetchError{err: plain, retryAfter: 2 * time.Minute}); d != 2*time.Minute {
		t.Fatalf("Retry-After ignored: %s", d)
	}
	if d := r.backoff(1, &fetchError{err: plain, retryAfter: 48 * time.Hour}); d != 10*time.Minute {
		t.Fatalf("Retry-After not capped: %s", d)
	}
}

func TestIssuerHint(t *testing.T) {
	t.Parallel()
	for got, want := range map[[2]string]string{
		{"https://a.example/", "https://a.example"}:  "trailing slash",
		{"http://a.example", "https://a.example"}:    "scheme",
		{"https://A.example", "https://a.example"}:   "letter case",
		{"https://b.example", "https://a.example"}:   "",
		{"https://a.example/x", "https://a.example"}: "",
	} {
		h := issuerHint(got[0], got[1])
		if want == "" && h != "" || want != "" && !strings.Contains(h, want) {
			t.Errorf("issuerHint(%q, %q) = %q", got[0], got[1], h)
		}
	}
}

func TestCheckRedirect(t *testing.T) {
	t.Parallel()
	req := func(u string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	start := []*http.Request{req("https://idp.example/jwks")}
	cases := map[string]struct {
		to   string
		via  []*http.Request
		good bool
	}{
		"same origin":            {"https://idp.example/keys", start, true},
		"https to http":          {"http://idp.example/keys", start, false},
		"another host":           {"https://evil.example/keys", start, false},
		"another port":           {"https://idp.example:8443/keys", start, false},
		"a fourth hop":           {"https://idp.example/4", append(start, req("https://idp.example/2"), req("https://idp.example/3")), false},
		"a third hop is allowed": {"https://idp.example/3", append(start, req("https://idp.example/2")), true},
	}
	for name, tc := range cases {
		if err := checkRedirect(req(tc.to), tc.via); (err == nil) != tc.good {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestAppendFieldsSplitsAsStringsFields(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"a", "items:read", " ", "  ", "\t", "\n", "\v", "\f", "\r", "\u00a0", "\u0085", "\u2003", "é", "x\u00a0y", "\u3000"}
	for range 5000 {
		var b strings.Builder
		for range r.IntN(8) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		got, want := appendFields(nil, s), strings.Fields(s)
		if !slices.Equal(got, want) {
			t.Fatalf("appendFields(%q) = %q, want %q", s, got, want)
		}
	}
}

// timeClaim's integer fast path (smallInteger) reads the numbers it takes
// as strconv.ParseFloat reads them: the same time, the same refusal, for
// random digit strings of every length up to past int64's (19 digits),
// leading zeros included, and at the NumericDate bound; and smallInteger
// takes nothing but at most 15 digits.
func TestTimeClaimsReadAsStrconvReadsThem(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	check := func(b []byte) {
		t.Helper()
		got, err := timeClaim("exp", b)
		f, perr := strconv.ParseFloat(string(b), 64)
		sane := perr == nil && f >= 0 && f <= maxNumericDate
		sec, frac := math.Modf(f)
		if (err == nil) != sane || sane && !got.Equal(time.Unix(int64(sec), int64(frac*1e9)).UTC()) {
			t.Fatalf("timeClaim(%s) = %v, %v; strconv reads %v", b, got, err, f)
		}
		_, ok := smallInteger(b)
		digits := len(b) > 0 && len(b) <= 15 && strings.Trim(string(b), "0123456789") == ""
		if ok != digits {
			t.Fatalf("smallInteger(%q) took it: %v", b, ok)
		}
	}
	for _, n := range []int64{0, 1, maxNumericDate - 1, maxNumericDate, maxNumericDate + 1, 999999999999999, 1000000000000000} {
		check(strconv.AppendInt(nil, n, 10))
	}
	for _, s := range []string{"-1", "1.5", "1e3", "1E3", "-0", "0.0"} { // JSON numbers the fast path leaves
		check([]byte(s))
	}
	for range 20000 {
		b := make([]byte, 1+r.IntN(22))
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		if r.IntN(4) == 0 { // whole seconds of this era, the usual form
			b = strconv.AppendInt(b[:0], r.Int64N(maxNumericDate+2), 10)
		}
		check(b)
	}
}

// quotable and scopeToken return a string that needs nothing removed without
// copying it; whatever the string, the answer is the character filter's.
func TestQuotableAndScopeTokenFilterAsTheRuneMap(t *testing.T) {
	filter := func(lo rune) func(string) string {
		return func(s string) string {
			return strings.Map(func(r rune) rune {
				if r < lo || r > 0x7e || r == '"' || r == '\\' {
					return -1
				}
				return r
			}, s)
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	pieces := []string{"a", "Z", "items:read", " ", "!", "~", "\x7f", "\x1f", "\t", "\"", "\\", "é", "\xff", "\xc3", "\u2028", "The access token is invalid"}
	for range 5000 {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := quotable(s), filter(0x20)(s); got != want {
			t.Fatalf("quotable(%q) = %q, want %q", s, got, want)
		}
		want := filter(0x21)(s)
		if want != s {
			want = "" // not a scope-token: left out, never changed
		}
		if got := scopeToken(s); got != want {
			t.Fatalf("scopeToken(%q) = %q, want %q", s, got, want)
		}
		if got, want := unquotePairs(quotePairs(s)), dropControls(s); got != want {
			t.Fatalf("quotePairs(%q) = %q reads back as %q, want %q", s, quotePairs(s), got, want)
		}
	}
}

// A nil *Error is no reason at all: a 500 with nothing shown, not a panic.
func TestResponseForANilError(t *testing.T) {
	var e *Error
	for _, err := range []error{e, fmt.Errorf("wrapped: %w", e)} {
		if got := ResponseFor(err, "api"); got.Status != http.StatusInternalServerError {
			t.Errorf("ResponseFor(%v) = %d, want 500", err, got.Status)
		}
	}
}

// unquotePairs reads the inside of a quoted-string (RFC 9110 §5.6.4) the
// plain way, and fails on what no quoted-string may hold.
func unquotePairs(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\\' && i+1 < len(q):
			i++
			b.WriteByte(q[i])
		case c == '"' || c == '\\' || (c < 0x20 && c != '\t') || c == 0x7f:
			return "INVALID"
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func dropControls(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\t' || (c >= 0x20 && c != 0x7f) {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Refusals admitted from many goroutines at once: in one window exactly
// one line per reason and issuer, and every other refusal counted once, so
// the next window's first line reports exactly the rest.
func TestRejectionLogAdmitsOncePerWindowUnderConcurrency(t *testing.T) {
	var l rejectionLog
	const goroutines, each = 8, 500
	issuers := []string{"", "https://a.example", "https://b.example"}
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if ok, _, _ := l.admit(reason.AudienceInvalid, issuers[(g+i)%len(issuers)], time.Second); ok {
					admitted.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if admitted.Load() != int64(len(issuers)) {
		t.Fatalf("%d lines in one window, want %d", admitted.Load(), len(issuers))
	}
	total := int64(0)
	for _, iss := range issuers {
		ok, skipped, since := l.admit(reason.AudienceInvalid, iss, time.Second+rejectionEvery)
		if !ok || since != rejectionEvery {
			t.Fatalf("%q: the next window's first line: %v over %v", iss, ok, since)
		}
		total += skipped
	}
	if total != goroutines*each-int64(len(issuers)) {
		t.Fatalf("%d refusals counted, want %d", total, goroutines*each-len(issuers))
	}
	if ok, _, _ := l.admit(reason.TokenExpired, "", time.Second+rejectionEvery); !ok {
		t.Fatal("another reason's first refusal got no line")
	}
	if ok, _, _ := l.admit(reason.TokenExpired, "", time.Second+2*rejectionEvery-1); ok {
		t.Fatal("a second line within the minute")
	}
}
