// Command benchtable turns benchmark output into the Markdown tables of
// RESULTS.md. From BenchmarkPeers (this module): for each implementation
// the median of its serial runs (time, bytes, allocations) and the medians
// of its paired ratios to the raw signature check, serial and parallel.
// From nethttp's BenchmarkProtect, when present: the same ratios through
// jwtguard's net/http middleware for each algorithm, with a bad signature,
// the verified-token cache and the floor paired with itself (the control),
// then each paired ratio's lowest and highest run. The paired benchmarks
// may have more runs than the others (make bench's PAIREDCOUNT).
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// sample is one benchmark line's metrics by unit (ns/op, B/op, x-floor, …).
type sample map[string]float64

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// results holds every run of every benchmark, by name without the
// "Benchmark" prefix and the GOMAXPROCS suffix, underscores back to spaces.
type results struct {
	runs  map[string][]sample
	order []string
	cpu   string
}

func parse(in io.Reader) (*results, error) {
	r := &results{runs: map[string][]sample{}}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "cpu: "); ok {
			r.cpu = strings.TrimSpace(c)
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		name = strings.ReplaceAll(name, "_", " ")
		s := sample{}
		for k := 2; k+1 < len(f); k += 2 {
			v, err := strconv.ParseFloat(f[k], 64)
			if err != nil {
				return nil, fmt.Errorf("%q: %v", line, err)
			}
			s[f[k+1]] = v
		}
		if _, ok := s["ns/op"]; !ok {
			continue
		}
		if _, seen := r.runs[name]; !seen {
			r.order = append(r.order, name)
		}
		r.runs[name] = append(r.runs[name], s)
	}
	return r, sc.Err()
}

func (r *results) median(name, unit string) float64 { return median(r.runs[name], unit) }

func run(in io.Reader, out io.Writer) error {
	r, err := parse(in)
	if err != nil {
		return err
	}
	if len(r.runs["Peers/floor/serial"]) == 0 {
		return fmt.Errorf("no floor results")
	}
	fmt.Fprintf(out, "%s, %s, GOMAXPROCS %d", runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH, runtime.GOMAXPROCS(0))
	if r.cpu != "" {
		fmt.Fprintf(out, ", %s", r.cpu)
	}
	fmt.Fprintf(out, "; medians of %d runs (`make bench` starts a process for each), %s. Ratios are to the raw signature check of the same token (`internal/floor`), "+
		"measured in one loop that alternates the two in 20 ms blocks, serial and on every core.\n\n",
		len(r.runs["Peers/floor/serial"]), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintln(out, "Same RS256 token and JWKS through each implementation, in-process:")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| implementation | ns/op | ratio | parallel ratio | B/op | allocs/op |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|")
	var peers []string
	for _, name := range r.order {
		if rest, ok := strings.CutPrefix(name, "Peers/"); ok {
			if i := strings.LastIndexByte(rest, '/'); i > 0 && !slices.Contains(peers, rest[:i]) {
				peers = append(peers, rest[:i])
			}
		}
	}
	for _, peer := range peers {
		p := "Peers/" + peer + "/"
		label, ratio, parallel := peer, "1.00×", "1.00×"
		if peer == "floor" {
			label = "raw signature check (floor)"
		} else {
			ratio, parallel = times(r.median(p+"paired", "x-floor")), times(r.median(p+"paired parallel", "x-floor"))
		}
		fmt.Fprintf(out, "| %s | %.0f | %s | %s | %.0f | %.0f |\n", label, r.median(p+"serial", "ns/op"), ratio, parallel,
			r.median(p+"serial", "B/op"), r.median(p+"serial", "allocs/op"))
	}
	var algs []string
	for _, name := range r.order {
		if rest, ok := strings.CutPrefix(name, "Protect/"); ok {
			if alg, _, ok := strings.Cut(rest, "/"); ok && !slices.Contains(algs, alg) {
				algs = append(algs, alg)
			}
		}
	}
	if len(algs) == 0 {
		return nil
	}
	fmt.Fprintln(out)
	fmt.Fprint(out, "Through `nethttp.Protect` (extract, verify, claims, context, inner handler), per algorithm")
	// make bench repeats the paired benchmarks, the targets' ratios, in
	// processes of their own beyond the full runs: say so.
	if n, full := len(r.runs["Protect/"+algs[0]+"/paired"]), len(r.runs["Protect/"+algs[0]+"/floor"]); n != full {
		fmt.Fprintf(out, "; the paired ratios are medians of %d runs, the rest of %d", n, full)
	}
	fmt.Fprintln(out, ":")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| algorithm | floor ns/op | nethttp ns/op | ratio | parallel ratio | bad signature ratio | floor against itself | cache hit ns/op | allocs/op (floor / nethttp) |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, alg := range algs {
		p := "Protect/" + alg + "/"
		fmt.Fprintf(out, "| %s | %.0f | %.0f | %s | %s | %s | %s | %.0f | %.0f / %.0f |\n", alg,
			r.median(p+"floor", "ns/op"), r.median(p+"protected", "ns/op"),
			times3(r.median(p+"paired", "x-floor")), times3(r.median(p+"paired/parallel", "x-floor")),
			times3(r.median(p+"bad signature/paired", "x-floor")), times3(r.median(p+"floor against itself/paired", "x-floor")),
			r.median(p+"protected, cache hit", "ns/op"),
			r.median(p+"floor", "allocs/op"), r.median(p+"protected", "allocs/op"))
	}
	// The medians hide how far single runs stray: the control's range is
	// what noise alone does to a ratio in these runs.
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Lowest and highest of each paired ratio over the runs (the floor against itself shows the noise alone):")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| algorithm | ratio | parallel ratio | bad signature ratio | floor against itself |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|")
	for _, alg := range algs {
		p := "Protect/" + alg + "/"
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s |\n", alg, r.span(p+"paired"), r.span(p+"paired/parallel"),
			r.span(p+"bad signature/paired"), r.span(p+"floor against itself/paired"))
	}
	return nil
}

// span is the lowest and the highest x-floor of a paired benchmark's runs.
func (r *results) span(name string) string {
	v := values(r.runs[name], "x-floor")
	if len(v) == 0 {
		return "—"
	}
	return fmt.Sprintf("%.3f–%.3f", slices.Min(v), slices.Max(v))
}

func times(x float64) string {
	if x == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", x)
}

// times3 is times to three places, for the ratios the targets judge at
// the second decimal (1.05×).
func times3(x float64) string {
	if x == 0 {
		return "—"
	}
	return fmt.Sprintf("%.3f×", x)
}

// median is the median of one metric over the samples that have it.
func median(xs []sample, unit string) float64 {
	v := values(xs, unit)
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// values is one metric of the samples that have it.
func values(xs []sample, unit string) []float64 {
	var v []float64
	for _, x := range xs {
		if f, ok := x[unit]; ok {
			v = append(v, f)
		}
	}
	return v
}
