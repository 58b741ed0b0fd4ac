// Package demotest runs an example server in-process for tests and replays
// the curl commands its banner prints, so the examples' documentation is
// tested as it is shown.
package demotest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RunFunc is an example's run function: its flags, its environment and
// its output.
type RunFunc func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error

// EndOfBanner is the banner's last line.
const EndOfBanner = "Press Ctrl+C to stop."

// Env is an environment for RunFunc: the variables of the map, and no
// other (the tests never read the machine's).
func Env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// Server is a running example.
type Server struct {
	URL    string // the API's URL, from the banner
	Banner string
	Log    *syncBuffer       // what the example wrote to stderr
	Vars   map[string]string // the banner's export lines
	Curls  []Curl            // the banner's curl lines
	stop   func() error
}

// Curl is one curl line of the banner with the status it promises.
type Curl struct {
	Line   string
	Expect int
}

// Start runs the example with args and an empty environment and waits for
// its banner.
func Start(t testing.TB, run RunFunc, args ...string) *Server {
	t.Helper()
	return StartEnv(t, run, nil, args...)
}

// StartEnv is Start with the environment variables env.
func StartEnv(t testing.TB, run RunFunc, env map[string]string, args ...string) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	errc := make(chan error, 1)
	stderr := &syncBuffer{}
	go func() { errc <- run(ctx, args, Env(env), out, stderr) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), EndOfBanner) {
		select {
		case err := <-errc:
			cancel()
			t.Fatalf("the example exited early: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no banner within 30 s:\n%s", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	s := &Server{Banner: out.String(), Log: stderr, Vars: map[string]string{}}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			stopErr = <-errc
		})
		return stopErr
	}
	t.Cleanup(func() { _ = s.stop() })
	for _, line := range strings.Split(s.Banner, "\n") {
		if u, ok := strings.CutPrefix(line, "jwtguard example API listening on "); ok {
			s.URL = u
		}
		if name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && strings.HasPrefix(line, "export ") {
			s.Vars[name] = value
		}
		if cmd, expect, ok := strings.Cut(line, "  # expect "); ok && strings.HasPrefix(cmd, "curl ") {
			code, err := strconv.Atoi(expect)
			if err != nil {
				t.Fatalf("bad expectation in %q", line)
			}
			s.Curls = append(s.Curls, Curl{Line: cmd, Expect: code})
		}
	}
	return s
}

// Stop ends the example as SIGINT would and returns run's error.
func (s *Server) Stop() error { return s.stop() }

// Result is what a curl line got.
type Result struct {
	Status int
	Header http.Header
	Body   string
}

// Do runs one curl line (its -X, -H and -d flags and URL) with Go's client.
func (s *Server) Do(t testing.TB, line string) Result {
	t.Helper()
	words, err := shellWords(line, s.Vars)
	if err != nil || len(words) < 2 || words[0] != "curl" {
		t.Fatalf("cannot run %q: %v", line, err)
	}
	method, url := "", ""
	hdr := http.Header{}
	var data []string
	for i := 1; i < len(words); i++ {
		switch w := words[i]; w {
		case "-i", "-s", "-si":
		case "-X", "-H", "-d":
			if i+1 >= len(words) {
				t.Fatalf("%s without a value in %q", w, line)
			}
			i++
			switch w {
			case "-X":
				method = words[i]
			case "-H":
				k, v, _ := strings.Cut(words[i], ":")
				hdr.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			case "-d":
				data = append(data, words[i])
			}
		default:
			if strings.HasPrefix(w, "-") {
				t.Fatalf("unsupported curl flag %s in %q", w, line)
			}
			url = w
		}
	}
	var body io.Reader
	if data != nil {
		body = strings.NewReader(strings.Join(data, "&"))
		if method == "" {
			method = http.MethodPost
		}
		if hdr.Get("Content-Type") == "" {
			hdr.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	req.Header = hdr
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Result{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// shellWords splits a command line as a POSIX shell would for the subset
// the banners use: single and double quotes, and $NAME expansion outside
// single quotes.
func shellWords(line string, vars map[string]string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	quote := byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '$' && i+1 < len(line) && isNameByte(line[i+1]):
			j := i + 1
			for j < len(line) && isNameByte(line[j]) {
				j++
			}
			name := line[i+1 : j]
			v, ok := vars[name]
			if !ok {
				return nil, fmt.Errorf("undefined variable $%s", name)
			}
			cur.WriteString(v)
			inWord = true
			i = j - 1
		case quote == '"':
			if c == '"' {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, inWord = c, true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
