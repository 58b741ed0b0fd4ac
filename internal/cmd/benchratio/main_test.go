package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
pkg: github.com/jwtguard/jwtguard/adapters/gin
BenchmarkOverhead/nethttp/bare-2         	    2000	       300 ns/op	     223 B/op	       4 allocs/op
BenchmarkOverhead/nethttp/guarded-2      	    2000	     40300 ns/op	    7301 B/op	     107 allocs/op
BenchmarkOverhead/gin/bare-2             	    2000	       200 ns/op	     208 B/op	       4 allocs/op
BenchmarkOverhead/gin/guarded-2          	    2000	     44200 ns/op	    7632 B/op	     109 allocs/op
BenchmarkOverhead/nethttp/bare-2         	    2000	       500 ns/op	     223 B/op	       4 allocs/op
BenchmarkOverhead/nethttp/guarded-2      	    2000	     40500 ns/op	    7301 B/op	     107 allocs/op
BenchmarkOverhead/gin/bare-2             	    2000	       200 ns/op	     208 B/op	       4 allocs/op
BenchmarkOverhead/gin/guarded-2          	    2000	     40200 ns/op	    7632 B/op	     109 allocs/op
BenchmarkOverhead/nethttp/bare-2         	    2000	       400 ns/op	     223 B/op	       4 allocs/op
BenchmarkOverhead/nethttp/guarded-2      	    2000	     40400 ns/op	    7301 B/op	     107 allocs/op
BenchmarkOverhead/gin/bare-2             	    2000	       200 ns/op	     208 B/op	       4 allocs/op
BenchmarkOverhead/gin/guarded-2          	    2000	     42200 ns/op	    7632 B/op	     109 allocs/op
pkg: github.com/jwtguard/jwtguard/adapters/chi
BenchmarkOverhead/table/nethttp/bare-2   	    2000	       100 ns/op
BenchmarkOverhead/table/nethttp/guarded-2	    2000	     10100 ns/op
BenchmarkOverhead/table/chi/bare-2       	    2000	       100 ns/op
BenchmarkOverhead/table/chi/guarded-2    	    2000	     12100 ns/op
`

func TestTableComputesRatiosOfMedians(t *testing.T) {
	var out strings.Builder
	rows, err := table(strings.NewReader(sample), &out)
	if err != nil {
		t.Fatal(err)
	}
	// gin: median guarded 42200 - bare 200 = 42000; nethttp 40400 - 400 = 40000.
	// chi table: 12000 / 10000.
	if len(rows) != 2 || rows[0].name != "gin" || rows[0].ratio != 1.05 || rows[1].name != "chi (table)" || rows[1].ratio != 1.2 {
		t.Fatalf("rows %+v", rows)
	}
	if !strings.Contains(out.String(), "| gin | 200 ns | 42.2 µs | 42.0 µs | 40.0 µs | 1.05× |") {
		t.Fatalf("table:\n%s", out.String())
	}
}

func TestTableRefusesIncompleteInput(t *testing.T) {
	for _, in := range []string{"", "pkg: x\nBenchmarkOverhead/gin/bare-2 1 100 ns/op\n"} {
		if _, err := table(strings.NewReader(in), &strings.Builder{}); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
