// Command instr counts, with valgrind, the instructions one request costs
// on the path users run: a valid token through nethttp.Protect and
// Require(rbac.Role) with the default mapper, with the verified-token cache
// off and on, rejections, and the same request through the gin, echo and
// chi adapters. It is the figure the performance targets are judged on
// (make instr, part of make bench; bench/RESULTS.md).
//
// Each figure is (instructions of a run of n requests − instructions of a
// run that only sets up) / n, counted by callgrind in a binary built with
// CGO_ENABLED=0, run with GODEBUG=asyncpreemptoff=1, GOMAXPROCS=1 and
// GOGC=off (allocations count, collecting them does not). Every run sets up
// every scenario and serves each request once before counting, so the
// set-up run is the same for all and one-time costs (first use of a code
// path, the cache's first fill) are not counted. Keys come from fixed seeds
// (internal/seedkey): two runs count the same to a few instructions.
//
//	instr [-algs RS256,ES256,EdDSA] [-n 100] [-runs 3] [-check]
//
// Each figure is counted runs times; the table shows the median, and a
// target holds only if it holds in every run. With -check it exits 1 when
// a target (targets) does not hold.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/internal/callgrind"
	"github.com/jwtguard/jwtguard/internal/seedkey"
)

// keyEnv carries the signing key from the parent to each counted run.
const keyEnv = "JWTGUARD_INSTR_KEY"

func main() {
	if len(os.Args) == 5 && os.Args[1] == "-run" {
		n, err := strconv.Atoi(os.Args[4])
		if err == nil {
			err = serve(os.Args[2], os.Args[3], n)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "instr:", err)
			os.Exit(2)
		}
		return
	}
	algs := flag.String("algs", "RS256,ES256,EdDSA", "algorithms, comma-separated")
	n := flag.Int("n", 100, "requests per count")
	runs := flag.Int("runs", 3, "counts of each figure")
	check := flag.Bool("check", false, "exit 1 when a target does not hold")
	flag.Parse()
	failed, err := measure(strings.Split(*algs, ","), *n, max(*runs, 1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "instr:", err)
		os.Exit(2)
	}
	if failed && *check {
		os.Exit(1)
	}
}

// count runs scenario name of alg n times under callgrind and returns the
// instructions of the whole process.
func count(self, key, alg, name string, n int) (int64, error) {
	return callgrind.Count(self, []string{keyEnv + "=" + key}, "-run", alg, name, strconv.Itoa(n))
}

// measure counts every scenario for each algorithm and prints the tables.
func measure(algs []string, n, runs int) (failed bool, err error) {
	self, err := os.Executable()
	if err != nil {
		return false, err
	}
	fmt.Printf("## Instructions per request (`make instr`): the figures the targets are judged on\n\n")
	fmt.Printf("Instructions per request (`make instr`, %s, %s, n=%d), counted by callgrind: a run of n requests "+
		"minus a run that only sets up, divided by n (%d×n for the rows without a public-key operation; GODEBUG=asyncpreemptoff=1, GOMAXPROCS=1, GOGC=off, CGO_ENABLED=0). "+
		"\"floor\" is the raw signature check of the same token (internal/floor). The route is Protect → "+
		"Require(rbac.Role(\"admin\")) with the default mapper → a handler answering 204; \"cache hit\" has the "+
		"verified-token cache on, every other row has it off. Medians of %d runs.\n\n", runtime.Version(), time.Now().UTC().Format("2006-01-02"), n, cheapRuns, runs)
	var results []result // by run, then algorithm
	for range runs {
		r, err := countAll(self, algs, n)
		if err != nil {
			return false, err
		}
		results = append(results, r...)
	}
	fmt.Printf("| alg | request | instructions | × floor |\n|---|---|---:|---:|\n")
	for _, alg := range algs {
		med := median(results, alg)
		for _, s := range scenarios {
			fmt.Printf("| %s | %s | %.0f | %.3f |\n", alg, s.name, med[s.name], med[s.name]/med[s.floor])
		}
	}
	fmt.Printf("\nTargets (issue 17), each run's figure:\n\n| alg | target | figures | holds |\n|---|---|---:|:---:|\n")
	for _, alg := range algs {
		for _, t := range targets(alg) {
			var figs []string
			ok := true
			for _, r := range results {
				if r.alg == alg {
					got := t.figure(r.per)
					ok = ok && got <= t.max
					figs = append(figs, t.format(got))
				}
			}
			failed = failed || !ok
			fmt.Printf("| %s | %s ≤ %s | %s | %s |\n", alg, t.what, t.format(t.max), strings.Join(figs, ", "), map[bool]string{true: "yes", false: "**no**"}[ok])
		}
	}
	return failed, nil
}

// median returns each scenario's median over the runs of alg.
func median(results []result, alg string) map[string]float64 {
	out := map[string]float64{}
	for _, s := range scenarios {
		var v []float64
		for _, r := range results {
			if r.alg == alg {
				v = append(v, r.per[s.name])
			}
		}
		slices.Sort(v)
		out[s.name] = v[len(v)/2]
	}
	return out
}

// countAll counts every scenario once for each algorithm.
func countAll(self string, algs []string, n int) ([]result, error) {
	var results []result
	for _, alg := range algs {
		priv, err := seedkey.Derive(alg, "jwtguard instr")
		if err != nil {
			return nil, err
		}
		key, err := seedkey.Export(priv)
		if err != nil {
			return nil, err
		}
		setup, err := count(self, key, alg, "floor", 0)
		if err != nil {
			return nil, err
		}
		per := map[string]float64{}
		for _, s := range scenarios {
			runs := n
			if s.cheap {
				runs *= cheapRuns
			}
			total, err := count(self, key, alg, s.name, runs)
			if err != nil {
				return nil, err
			}
			per[s.name] = float64(total-setup) / float64(runs)
		}
		results = append(results, result{alg, per})
	}
	return results, nil
}

type result struct {
	alg string
	per map[string]float64
}

// A target is a bound on a figure derived from one algorithm's counts.
type target struct {
	what   string
	max    float64
	figure func(per map[string]float64) float64
	format func(float64) string
}

func ratio(v float64) string  { return fmt.Sprintf("%.3f×", v) }
func instrs(v float64) string { return fmt.Sprintf("%.0f", v) }

func targets(alg string) []target {
	bound := 1.035
	if alg == "RS256" {
		bound = 1.05
	}
	over := func(guarded, bare string) func(map[string]float64) float64 {
		return func(p map[string]float64) float64 {
			return (p[guarded] - p[bare]) / (p["nethttp"] - p["net/http mux"])
		}
	}
	return []target{
		{"valid token, cache off, × floor", bound, func(p map[string]float64) float64 { return p["nethttp"] / p["floor"] }, ratio},
		{"valid token, cache hit, instructions", 15000, func(p map[string]float64) float64 { return p["nethttp, cache hit"] }, instrs},
		{"valid token with the Prometheus hook, × without", 1.03, func(p map[string]float64) float64 { return p["nethttp, Prometheus"] / p["nethttp"] }, ratio},
		{"valid token with OTel metrics, × without", 1.03, func(p map[string]float64) float64 { return p["nethttp, OTel metrics"] / p["nethttp"] }, ratio},
		{"Verify refusing a garbage token, instructions", 6000, func(p map[string]float64) float64 { return p["Verify: garbage token"] }, instrs},
		{"Verify refusing alg none, instructions", 6000, func(p map[string]float64) float64 { return p["Verify: alg none"] }, instrs},
		{"Verify refusing an unknown issuer, instructions", 6000, func(p map[string]float64) float64 { return p["Verify: unknown issuer"] }, instrs},
		{"bad signature, × the floor refusing it", 1.02, func(p map[string]float64) float64 { return p["bad signature"] / p["floor, refusing"] }, ratio},
		{"gin over bare gin, × nethttp over bare mux", 1.01, over("gin", "gin, bare"), ratio},
		{"echo over bare echo, × nethttp over bare mux", 1.01, over("echo", "echo, bare"), ratio},
		{"chi over bare chi, × nethttp over bare mux", 1.01, over("chi", "chi, bare"), ratio},
	}
}
