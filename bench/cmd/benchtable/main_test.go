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
BenchmarkPeers/jwtguard_nethttp/serial-2 100  33000 ns/op  2432 B/op  14 allocs/op
BenchmarkPeers/jwtguard_nethttp/paired-2 100  31500 ns/op  30000 floor-ns  33000 op-ns  1.10 x-floor  1900 B/op  11 allocs/op
BenchmarkPeers/jwtguard_nethttp/paired-2 100  31500 ns/op  30000 floor-ns  32000 op-ns  1.07 x-floor  1900 B/op  11 allocs/op
BenchmarkPeers/jwtguard_nethttp/paired-2 100  31500 ns/op  30000 floor-ns  32500 op-ns  1.08 x-floor  1900 B/op  11 allocs/op
BenchmarkPeers/jwtguard_nethttp/paired_parallel-2 100  16000 ns/op  31000 floor-ns  34000 op-ns  1.12 x-floor  1900 B/op  11 allocs/op
BenchmarkPeers/slow/peer/serial-2 100  66000 ns/op  20000 B/op  250 allocs/op
BenchmarkProtect/EdDSA/floor-2 100 43000 ns/op 0 B/op 0 allocs/op
BenchmarkProtect/EdDSA/protected-2 100 45000 ns/op 992 B/op 4 allocs/op
BenchmarkProtect/EdDSA/protected,_cache_hit-2 100 330 ns/op 657 B/op 3 allocs/op
BenchmarkProtect/EdDSA/paired-2 100 44000 ns/op 43000 floor-ns 45000 op-ns 1.04 x-floor 500 B/op 2 allocs/op
BenchmarkProtect/EdDSA/paired-2 100 44000 ns/op 43000 floor-ns 45000 op-ns 1.06 x-floor 500 B/op 2 allocs/op
BenchmarkProtect/EdDSA/paired-2 100 44000 ns/op 43000 floor-ns 45000 op-ns 1.02 x-floor 500 B/op 2 allocs/op
BenchmarkProtect/EdDSA/paired/parallel-2 100 22000 ns/op 43000 floor-ns 45000 op-ns 1.05 x-floor 500 B/op 2 allocs/op
BenchmarkProtect/EdDSA/bad_signature/paired-2 100 44000 ns/op 43000 floor-ns 45000 op-ns 1.03 x-floor 500 B/op 2 allocs/op
BenchmarkProtect/EdDSA/floor_against_itself/paired-2 100 43000 ns/op 43000 floor-ns 43000 op-ns 1.01 x-floor 0 B/op 0 allocs/op
BenchmarkProtect/EdDSA/floor_against_itself/paired-2 100 43000 ns/op 43000 floor-ns 43000 op-ns 0.98 x-floor 0 B/op 0 allocs/op
BenchmarkProtect/EdDSA/floor_against_itself/paired-2 100 43000 ns/op 43000 floor-ns 43000 op-ns 1.00 x-floor 0 B/op 0 allocs/op
`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Test CPU", "medians of 3 runs", "per algorithm; the paired ratios are medians of 3 runs, the rest of 1:",
		"| raw signature check (floor) | 31000 | 1.00× | 1.00× | 1376 | 9 |",
		"| jwtguard nethttp | 33000 | 1.08× | 1.12× | 2432 | 14 |",
		"| slow/peer | 66000 | — | — | 20000 | 250 |",
		"| EdDSA | 43000 | 45000 | 1.040× | 1.050× | 1.030× | 1.000× | 330 | 0 / 4 |",
		"| EdDSA | 1.020–1.060 | 1.050–1.050 | 1.030–1.030 | 0.980–1.010 |"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("missing %q in\n%s", want, out.String())
		}
	}
	if err := run(strings.NewReader("nothing"), &strings.Builder{}); err == nil {
		t.Fatal("no results accepted")
	}
}
