// Command cost counts the instructions one verification costs, with valgrind,
// for a valid token, an ordinary token as large as the size limit allows, and
// each hostile token of internal/hostile (bounded cost on hostile input): make
// cost.
//
// Each figure is (instructions of a run of n verifications − instructions
// of a run that only sets up) / n, counted by callgrind with
// GODEBUG=asyncpreemptoff=1, GOMAXPROCS=1 and GOGC=off in a binary built
// with CGO_ENABLED=0. The keys are derived from fixed seeds, so every run's
// set-up is the same. The counts do not move with machine load (two runs
// agree within about 0.1 ms of instructions); read them as ratios. Valgrind
// reports no SHA extensions to the program, so hashing a large token costs
// more instructions than it does on most hardware.
//
//	cost [-algs RS256,ES256,EdDSA] [-n 100] [-max 3]
//
// exits 1 when a hostile token costs more than max times a valid token of the
// same algorithm (a small one: the bound on hostile input). An ordinary token
// as large as the limit allows is shown beside it.
package main

import (
	"context"
	"crypto"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/internal/callgrind"
	"github.com/jwtguard/jwtguard/internal/hostile"
	"github.com/jwtguard/jwtguard/internal/jose"
	"github.com/jwtguard/jwtguard/internal/seedkey"
	"github.com/jwtguard/jwtguard/middleware"
)

const (
	issuer   = "https://id.example.com/realms/acme"
	audience = "orders-api"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func main() {
	if len(os.Args) == 5 && os.Args[1] == "-run" {
		n, err := strconv.Atoi(os.Args[4])
		if err == nil {
			err = run(os.Args[2], os.Args[3], n)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "cost:", err)
			os.Exit(2)
		}
		return
	}
	algs := flag.String("algs", "RS256", "algorithms, comma-separated (RS256, ES256, EdDSA)")
	n := flag.Int("n", 100, "verifications per count")
	max := flag.Float64("max", 3, "the largest ratio of a hostile token to a valid one")
	flag.Parse()
	over, err := measure(strings.Split(*algs, ","), *n, *max)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(2)
	}
	if over {
		os.Exit(1)
	}
}

// tokens returns the signer's tokens by name: "valid", "valid, as large"
// and the hostile ones.
func tokens(alg string, priv crypto.Signer) (map[string]string, error) {
	a, _ := jose.LookupAlg(alg)
	sign := func(h, p []byte) (string, error) {
		in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
		sig, err := jose.Sign(a, priv, nil, in)
		return in + "." + base64.RawURLEncoding.EncodeToString(sig), err
	}
	t := hostile.Token{Issuer: issuer, Audience: audience, KeyID: "k1", Alg: alg, Expiry: now.Add(time.Hour).Unix()}
	toks, err := hostile.Tokens(sign, t)
	if err != nil {
		return nil, err
	}
	if toks["valid, as large"], err = hostile.Large(sign, t); err != nil {
		return nil, err
	}
	toks["valid"], err = sign([]byte(`{"alg":"`+alg+`","kid":"k1","typ":"at+jwt"}`), []byte(fmt.Sprintf(
		`{"iss":%q,"sub":"alice","aud":%q,"exp":%d,"iat":%d,"scope":"items:read items:write"}`,
		issuer, audience, t.Expiry, now.Unix())))
	return toks, err
}

// keyEnv carries the key, PKCS#8 in base64, from measure to each counted
// run: deriving an RSA key searches for primes, which under valgrind takes
// longer than everything counted.
const keyEnv = "JWTGUARD_COST_KEY"

// run sets up a verifier and verifies token name n times.
func run(alg, name string, n int) error {
	priv, err := seedkey.Import(os.Getenv(keyEnv))
	if err != nil {
		return fmt.Errorf("%s: %w", keyEnv, err)
	}
	toks, err := tokens(alg, priv)
	if err != nil {
		return err
	}
	tok, ok := toks[name]
	if !ok {
		return fmt.Errorf("no token %q", name)
	}
	v, err := middleware.New([]middleware.Issuer{{URL: issuer, Audiences: []string{audience},
		Keys: []middleware.Key{{ID: "k1", Algorithm: alg, Public: priv.Public()}}}},
		middleware.WithAlgorithms(alg), middleware.WithTokenCache(0, 0),
		middleware.WithClock(func() time.Time { return now }))
	if err != nil {
		return err
	}
	defer v.Close()
	want := strings.HasPrefix(name, "valid")
	for range n {
		if _, err := v.Verify(context.Background(), tok); (err == nil) != want {
			return fmt.Errorf("%s: %v", name, err)
		}
	}
	return nil
}

// count runs scenario name of alg n times under callgrind and returns the
// instructions of the whole process.
func count(self, key, alg, name string, n int) (int64, error) {
	return callgrind.Count(self, []string{keyEnv + "=" + key}, "-run", alg, name, strconv.Itoa(n))
}

func measure(algs []string, n int, max float64) (over bool, err error) {
	self, err := os.Executable()
	if err != nil {
		return false, err
	}
	fmt.Printf("Instructions per verification (`make cost`, %s, %s): the difference between a run of %d verifications and a "+
		"run that only sets up, divided by %d, counted by callgrind with GOMAXPROCS=1 and GOGC=off (allocations count, "+
		"collecting them does not). \"valid\" is a small token; \"valid, as large\" an ordinary 16 KiB one (groups); the "+
		"rest are the hostile tokens of internal/hostile, each refused at its signature (or, with a header over 8 KiB or of more than 64 names, before anything else; or, with "+
		"a long escaped iss, for naming no configured issuer). Valgrind shows the program no SHA extensions, so hashing 16 KiB weighs more here than "+
		"on most hardware.\n\n", runtime.Version(), time.Now().UTC().Format("2006-01-02"), n, n)
	fmt.Printf("| alg | token | instructions | × valid | × as large |\n|---|---|---:|---:|---:|\n")
	for _, alg := range algs {
		priv, err := seedkey.Derive(alg, "jwtguard cost")
		if err != nil {
			return false, err
		}
		toks, err := tokens(alg, priv)
		if err != nil {
			return false, err
		}
		keyB64, err := seedkey.Export(priv)
		if err != nil {
			return false, err
		}
		names := []string{"valid", "valid, as large"}
		for name := range toks {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
		slices.Sort(names[2:])
		setup, err := count(self, keyB64, alg, "valid", 0)
		if err != nil {
			return false, err
		}
		per := map[string]float64{}
		for _, name := range names {
			total, err := count(self, keyB64, alg, name, n)
			if err != nil {
				return false, err
			}
			per[name] = float64(total-setup) / float64(n)
		}
		for _, name := range names {
			ratio := per[name] / per["valid"]
			mark := ""
			if !strings.HasPrefix(name, "valid") && ratio > max {
				over, mark = true, " **over**"
			}
			fmt.Printf("| %s | %s | %.0f | %.2f%s | %.2f |\n", alg, name, per[name], ratio, mark, per[name]/per["valid, as large"])
		}
	}
	return over, nil
}
