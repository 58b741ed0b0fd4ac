// Command benchtable turns the output of BenchmarkPeers into the Markdown
// table of RESULTS.md: the median of each peer's runs, serial and parallel,
// with its ratio to the raw signature check of the same mode.
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

type sample struct{ ns, bytes, allocs float64 }

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
		if len(f) < 8 || !strings.HasPrefix(f[0], "BenchmarkPeers/") || f[3] != "ns/op" {
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
		key := strings.ReplaceAll(name[:j], "_", " ") + "|" + name[j+1:]
		var s sample
		var err error
		if s.ns, err = strconv.ParseFloat(f[2], 64); err != nil {
			return fmt.Errorf("%q: %v", line, err)
		}
		s.bytes, _ = strconv.ParseFloat(f[4], 64)
		s.allocs, _ = strconv.ParseFloat(f[6], 64)
		if _, seen := runs[key]; !seen {
			order = append(order, key)
		}
		runs[key] = append(runs[key], s)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	floor := map[string]float64{}
	for _, mode := range []string{"serial", "parallel"} {
		floor[mode] = median(runs["floor|"+mode]).ns
		if floor[mode] == 0 {
			return fmt.Errorf("no floor/%s results", mode)
		}
	}
	fmt.Fprintf(out, "Same RS256 token and JWKS through each implementation, in-process (`httptest`), %s, %s, GOMAXPROCS %d",
		runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH, runtime.GOMAXPROCS(0))
	if cpu != "" {
		fmt.Fprintf(out, ", %s", cpu)
	}
	fmt.Fprintf(out, "; medians of %d runs, %s. Ratios are to the raw `rsa.VerifyPKCS1v15` of the same token in the same run.\n\n",
		len(runs["floor|serial"]), time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintln(out, "| implementation | serial ns/op | ratio | parallel ns/op | ratio | B/op | allocs/op |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|")
	seen := map[string]bool{}
	for _, key := range order {
		peer, _, _ := strings.Cut(key, "|")
		if seen[peer] {
			continue
		}
		seen[peer] = true
		s, p := median(runs[peer+"|serial"]), median(runs[peer+"|parallel"])
		label := peer
		if peer == "floor" {
			label = "raw signature check (floor)"
		}
		fmt.Fprintf(out, "| %s | %.0f | %.2f× | %.0f | %.2f× | %.0f | %.0f |\n", label, s.ns, s.ns/floor["serial"], p.ns, p.ns/floor["parallel"], s.bytes, s.allocs)
	}
	return nil
}

func median(xs []sample) sample {
	if len(xs) == 0 {
		return sample{}
	}
	s := slices.Clone(xs)
	slices.SortFunc(s, func(a, b sample) int {
		switch {
		case a.ns < b.ns:
			return -1
		case a.ns > b.ns:
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}
