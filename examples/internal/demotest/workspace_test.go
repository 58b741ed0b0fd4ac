package demotest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamplesRunFromTheRoot builds every example the way the README runs
// them, `go run ./examples/<name>` from the repository's root: the gin and
// echo examples are modules of their own and are found through go.work.
func TestExamplesRunFromTheRoot(t *testing.T) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	work := filepath.Join(root, "go.work")
	if _, err := os.Stat(work); err != nil {
		t.Fatalf("no go.work at the root: %v", err)
	}
	bin := t.TempDir()
	cmd := exec.Command("go", "build", "-o", bin+string(filepath.Separator),
		"./examples/quickstart", "./examples/chi", "./examples/gin", "./examples/echo", "./examples/production")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK="+work)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build from the root: %v\n%s", err, out)
	}
	for _, name := range []string{"quickstart", "chi", "gin", "echo", "production"} {
		if _, err := os.Stat(filepath.Join(bin, name)); err != nil {
			t.Errorf("%s was not built: %v", name, err)
		}
	}
	// The production programs for each router, into a directory of their
	// own (their names are the routers' too).
	prod := t.TempDir()
	cmd = exec.Command("go", "build", "-o", prod+string(filepath.Separator),
		"./examples/production/chi", "./examples/production/gin", "./examples/production/echo")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK="+work)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build of the production examples from the root: %v\n%s", err, out)
	}
	for _, name := range []string{"chi", "gin", "echo"} {
		if _, err := os.Stat(filepath.Join(prod, name)); err != nil {
			t.Errorf("production/%s was not built: %v", name, err)
		}
	}
}
