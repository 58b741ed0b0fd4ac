package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/jwtguard/jwtguard/examples/internal/demotest"
)

// The quickstart does what every example does: see demotest.Suite.
func TestExample(t *testing.T) {
	demotest.Suite(t, run)
}

// TestMain lets TestSignalsShutDownCleanly run this test binary as the
// quickstart program itself.
func TestMain(m *testing.M) {
	if os.Getenv("QUICKSTART_AS_MAIN") == "1" {
		os.Args = append([]string{"quickstart"}, strings.Fields(os.Getenv("QUICKSTART_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestSignalsShutDownCleanly(t *testing.T) {
	t.Parallel()
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "QUICKSTART_AS_MAIN=1", "QUICKSTART_ARGS=-addr 127.0.0.1:0",
				"ISSUER=", "AUDIENCE=", "JWKS_URL=", "PRESET=") // the development issuer, whatever the machine's environment
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(out)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			var api string
			for sc.Scan() {
				if u, ok := strings.CutPrefix(sc.Text(), "jwtguard example API listening on "); ok {
					api = u
				}
				if sc.Text() == demotest.EndOfBanner {
					break
				}
			}
			resp, err := http.Get(api + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			go func() { _, _ = io.Copy(io.Discard, out) }()
			if err := cmd.Wait(); err != nil {
				t.Fatalf("exit after %s: %v", sig, err)
			}
		})
	}
}
