// Package callgrind counts the instructions a program executes, with
// valgrind's callgrind tool, for the programs that measure jwtguard's costs
// (internal/cmd/cost, bench/cmd/instr). Counts do not move with machine
// load; read them as ratios or as differences of two runs.
package callgrind

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
)

var collected = regexp.MustCompile(`Collected : (\d+)`)

// Count runs program with args under callgrind and returns the instructions
// of the whole process. env is added to the environment, after settings
// that make two runs count alike: one P (idle Ps spin) and no collector
// (collections start by the clock, and valgrind runs the program slowly),
// so allocations count and collecting them does not.
func Count(program string, env []string, args ...string) (int64, error) {
	cmd := exec.Command("valgrind", append([]string{"--tool=callgrind", "--callgrind-out-file=/dev/null", program}, args...)...)
	cmd.Env = append(append(os.Environ(), "GODEBUG=asyncpreemptoff=1", "GOMAXPROCS=1", "GOGC=off"), env...)
	out, err := cmd.CombinedOutput()
	m := collected.FindSubmatch(out)
	if err != nil || m == nil {
		return 0, fmt.Errorf("valgrind %q: %v\n%s", args, err, out)
	}
	return strconv.ParseInt(string(m[1]), 10, 64)
}
