// Command benchratio reads the output of the adapters' BenchmarkOverhead
// (see internal/conformance.Benchmark) and prints, as a Markdown table, what
// each adapter adds to its bare router next to what nethttp adds to a bare
// ServeMux, from the medians of one run:
//
//	ratio = (adapter guarded - adapter bare) / (nethttp guarded - nethttp bare)
//
// It exits 1 when a ratio is above 1.10.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

const limit = 1.10

func main() {
	rows, err := table(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(2)
	}
	for _, r := range rows {
		if r.ratio > limit {
			fmt.Fprintf(os.Stderr, "benchratio: %s adds %.2fx what nethttp adds (limit %.2fx)\n", r.name, r.ratio, limit)
			os.Exit(1)
		}
	}
}

type row struct {
	name  string
	ratio float64
}

// key names one stack of one benchmark group in one package.
type key struct{ pkg, group, stack string }

// table parses benchmark output and writes the table.
func table(in io.Reader, out io.Writer) ([]row, error) {
	samples := map[key]map[string][]float64{} // variant ("bare", "guarded") -> ns/op
	var order []key                           // first seen first
	pkg := ""
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/jwtguard/jwtguard/")
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkOverhead/") || f[3] != "ns/op" {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		parts := strings.Split(strings.TrimPrefix(name, "BenchmarkOverhead/"), "/")
		if len(parts) < 2 {
			continue
		}
		ns, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return nil, fmt.Errorf("%q: %v", line, err)
		}
		k := key{pkg, strings.Join(parts[:len(parts)-2], "/"), parts[len(parts)-2]}
		if samples[k] == nil {
			samples[k] = map[string][]float64{}
			order = append(order, k)
		}
		variant := parts[len(parts)-1]
		samples[k][variant] = append(samples[k][variant], ns)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	fmt.Fprintln(out, "| adapter | bare router | with jwtguard | added | nethttp added | ratio |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|")
	var rows []row
	for _, k := range order {
		if k.stack == "nethttp" {
			continue
		}
		ref := samples[key{k.pkg, k.group, "nethttp"}]
		bare, guarded := median(samples[k]["bare"]), median(samples[k]["guarded"])
		nb, ng := median(ref["bare"]), median(ref["guarded"])
		if bare == 0 || guarded == 0 || nb == 0 || ng <= nb {
			return nil, fmt.Errorf("%s %s: missing samples", k.pkg, k.stack)
		}
		name := k.stack
		if k.group != "" {
			name += " (" + k.group + ")"
		}
		r := row{name: name, ratio: (guarded - bare) / (ng - nb)}
		rows = append(rows, r)
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %.2f× |\n", name, dur(bare), dur(guarded), dur(guarded-bare), dur(ng-nb), r.ratio)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no BenchmarkOverhead results on standard input")
	}
	return rows, nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func dur(ns float64) string {
	if ns >= 1000 {
		return fmt.Sprintf("%.1f µs", ns/1000)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
