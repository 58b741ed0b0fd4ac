// Command benchtable turns the output of BenchmarkPeers into the Markdown
// table of RESULTS.md: for each implementation the median of its serial
// runs (time, bytes, allocations) and the medians of its paired ratios to
// the raw signature check, serial and parallel.
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

func run(in io.Reader, out io.Writer) error {
	runs := map[string][]sample{} // "peer|mode"
	var order []string
	cpu := ""
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "cpu: "); ok {
			cpu = strings.TrimSpace(c)
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkPeers/") {
			continue
		}
		name := strings.TrimPrefix(f[0], "BenchmarkPeers/")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		j := strings.LastIndexByte(name, '/')
		if j < 0 {
			continue
		}
		key := strings.ReplaceAll(name[:j], "_", " ") + "|" + strings.ReplaceAll(name[j+1:], "_", " ")
		s := sample{}
		for k := 2; k+1 < len(f); k += 2 {
			v, err := strconv.ParseFloat(f[k], 64)
			if err != nil {
				return fmt.Errorf("%q: %v", line, err)
			}
			s[f[k+1]] = v
		}
		if _, ok := s["ns/op"]; !ok {
			continue
		}
		peer, _, _ := strings.Cut(key, "|")
		if !slices.Contains(order, peer) {
			order = append(order, peer)
		}
		runs[key] = append(runs[key], s)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(runs["floor|serial"]) == 0 {
		return fmt.Errorf("no floor results")
	}
	fmt.Fprintf(out, "Same RS256 token and JWKS through each implementation, in-process, %s, %s, GOMAXPROCS %d",
		runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH, runtime.GOMAXPROCS(0))
	if cpu != "" {
		fmt.Fprintf(out, ", %s", cpu)
	}
	fmt.Fprintf(out, "; medians of %d runs, %s. Ratios are to the raw `rsa.VerifyPKCS1v15` of the same token, "+
		"measured in one loop that alternates the two in 20 ms blocks (serial, and on every core).\n\n",
		len(runs["floor|serial"]), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintln(out, "| implementation | ns/op | ratio | parallel ratio | B/op | allocs/op |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|")
	for _, peer := range order {
		s := runs[peer+"|serial"]
		label, ratio, parallel := peer, "1.00×", "1.00×"
		if peer == "floor" {
			label = "raw signature check (floor)"
		} else {
			ratio, parallel = times(median(runs[peer+"|paired"], "x-floor")), times(median(runs[peer+"|paired parallel"], "x-floor"))
		}
		fmt.Fprintf(out, "| %s | %.0f | %s | %s | %.0f | %.0f |\n", label, median(s, "ns/op"), ratio, parallel,
			median(s, "B/op"), median(s, "allocs/op"))
	}
	return nil
}

func times(x float64) string {
	if x == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", x)
}

// median is the median of one metric over the samples that have it.
func median(xs []sample, unit string) float64 {
	var v []float64
	for _, x := range xs {
		if f, ok := x[unit]; ok {
			v = append(v, f)
		}
	}
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}
