package main

import (
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	in := `cpu: Test CPU
BenchmarkPeers/floor/serial-2   100  30000 ns/op  1376 B/op  9 allocs/op
BenchmarkPeers/floor/serial-2   100  32000 ns/op  1376 B/op  9 allocs/op
BenchmarkPeers/floor/serial-2   100  31000 ns/op  1376 B/op  9 allocs/op
BenchmarkPeers/floor/parallel-2 100  15000 ns/op  1376 B/op  9 allocs/op
BenchmarkPeers/jwtguard_nethttp/serial-2 100  33000 ns/op  3968 B/op  25 allocs/op
BenchmarkPeers/jwtguard_nethttp/parallel-2 100  16500 ns/op  3968 B/op  25 allocs/op
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Test CPU", "| raw signature check (floor) | 31000 | 1.00× | 15000 | 1.00× | 1376 | 9 |",
		"| jwtguard nethttp | 33000 | 1.06× | 16500 | 1.10× | 3968 | 25 |"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("missing %q in\n%s", want, out.String())
		}
	}
	if err := run(strings.NewReader("nothing"), &strings.Builder{}); err == nil {
		t.Fatal("no results accepted")
	}
}
