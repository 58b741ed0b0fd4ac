// Command loadtest measures examples/quickstart end to end over loopback
// with a real HTTP client: requests per second and p50/p99 latency of
// GET /api/items with one token (verified-token cache on, then off) and
// with 1,000 distinct tokens, and the server's resident memory before and
// after a long run. It prints a Markdown table.
//
//	go run ./cmd/loadtest -duration 10s -long 5m   # from bench/
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	duration := flag.Duration("duration", 10*time.Second, "length of each measured phase")
	long := flag.Duration("long", 0, "length of the memory run (0: none)")
	conns := flag.Int("c", 32, "concurrent connections")
	flag.Parse()
	if err := run(*duration, *long, *conns); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type server struct {
	cmd      *exec.Cmd
	api      string
	viewer   string
	tokenURL string
}

func run(duration, long time.Duration, conns int) error {
	dir, err := os.MkdirTemp("", "loadtest")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "quickstart")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = "../examples/quickstart" // a module of its own
	build.Env = append(os.Environ(), "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the quickstart: %v\n%s", err, out)
	}
	fmt.Printf("Load on `examples/quickstart` over loopback: GET /api/items (scope items:read), %d connections, %s per phase, %s, %d cores, client and server on the same machine.\n\n",
		conns, duration, runtime.Version(), runtime.NumCPU())
	fmt.Println("| phase | requests/s | p50 | p99 | errors |")
	fmt.Println("|---|---:|---:|---:|---:|")
	for _, phase := range []struct {
		name   string
		args   []string
		tokens int
	}{
		{"one token, verified-token cache on", nil, 1},
		{"one token, cache off (-no-token-cache)", []string{"-no-token-cache"}, 1},
		{"1,000 distinct tokens, cache on", nil, 1000},
	} {
		s, err := start(bin, phase.args...)
		if err != nil {
			return err
		}
		toks := []string{s.viewer}
		if phase.tokens > 1 {
			if toks, err = s.mintTokens(phase.tokens); err != nil {
				s.stop()
				return err
			}
		}
		r := load(s.api+"/api/items", toks, conns, 2*time.Second) // warm-up
		r = load(s.api+"/api/items", toks, conns, duration)
		fmt.Printf("| %s | %.0f | %s | %s | %d |\n", phase.name, r.rps, r.p50, r.p99, r.errors)
		s.stop()
	}
	if long > 0 {
		s, err := start(bin)
		if err != nil {
			return err
		}
		defer s.stop()
		toks, err := s.mintTokens(1000)
		if err != nil {
			return err
		}
		load(s.api+"/api/items", toks, conns, 5*time.Second)
		before := rss(s.cmd.Process.Pid)
		r := load(s.api+"/api/items", toks, conns, long)
		after := rss(s.cmd.Process.Pid)
		fmt.Printf("\nMemory over %s of load with 1,000 tokens (%.0f requests/s, %d errors): server RSS %s before, %s after.\n",
			long, r.rps, r.errors, before, after)
	}
	return nil
}

func start(bin string, args ...string) (*server, error) {
	cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if u, ok := strings.CutPrefix(line, "jwtguard example API listening on "); ok {
			s.api = u
		}
		if v, ok := strings.CutPrefix(line, "export VIEWER="); ok {
			s.viewer = v
		}
		if strings.Contains(line, "client_credentials") {
			if i := strings.LastIndex(line, "http://"); i >= 0 {
				s.tokenURL = strings.Fields(line[i:])[0]
			}
		}
		if line == "Press Ctrl+C to stop." { // the examples' banner ends so
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if s.api == "" || s.viewer == "" || s.tokenURL == "" {
		s.stop()
		return nil, fmt.Errorf("no API URL, token or token endpoint in the banner")
	}
	return s, nil
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
	}
}

// mintTokens gets n distinct tokens from the development issuer.
func (s *server) mintTokens(n int) ([]string, error) {
	toks := make([]string, 0, n)
	for i := range n {
		resp, err := http.PostForm(s.tokenURL, url.Values{"grant_type": {"client_credentials"},
			"client_id": {"load-" + strconv.Itoa(i)}, "scope": {"items:read"}})
		if err != nil {
			return nil, err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		_, rest, ok := strings.Cut(string(b), `"access_token":"`)
		tok, _, ok2 := strings.Cut(rest, `"`)
		if !ok || !ok2 {
			return nil, fmt.Errorf("token endpoint: %s", b)
		}
		toks = append(toks, tok)
	}
	return toks, nil
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
}

func load(u string, toks []string, conns int, d time.Duration) result {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			bad := 0
			for i := w; ctx.Err() == nil; i += conns {
				req, _ := http.NewRequest(http.MethodGet, u, nil)
				req.Header.Set("Authorization", "Bearer "+toks[i%len(toks)])
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					bad++
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					bad++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(all)
	r := result{rps: float64(len(all)) / elapsed.Seconds(), errors: errs}
	if len(all) > 0 {
		r.p50 = all[len(all)/2].Round(time.Microsecond)
		r.p99 = all[len(all)*99/100].Round(time.Microsecond)
	}
	return r
}

// rss reads a process's resident memory from /proc.
func rss(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
