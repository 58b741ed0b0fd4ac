package demotest_test

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// Every example is a program a user can copy: none imports a package of
// ours that a user cannot (an internal one), and the files that the
// quickstart and the router examples have in common (flags and
// environment, the development issuer and banner, the item store) are the same in each, so no copy
// drifts from the others.
func TestEveryExampleStandsAlone(t *testing.T) {
	root := filepath.Join("..", "..")
	dirs, err := filepath.Glob(filepath.Join(root, "*", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join(root, "production", "*", "main.go"))
	dirs = append(dirs, more...)
	if len(dirs) < 8 {
		t.Fatalf("found %d examples: %q", len(dirs), dirs)
	}
	fset := token.NewFileSet()
	for _, main := range dirs {
		files, _ := filepath.Glob(filepath.Join(filepath.Dir(main), "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			parsed, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				if path, _ := strconv.Unquote(imp.Path.Value); strings.Contains(path, "/internal") {
					t.Errorf("%s imports %s, which a copy of it cannot", f, path)
				}
			}
		}
	}
	for _, name := range []string{"flags.go", "dev.go", "items.go"} {
		want, err := os.ReadFile(filepath.Join(root, "quickstart", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range []string{"chi", "gin", "echo"} {
			got, err := os.ReadFile(filepath.Join(root, ex, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("examples/%s/%s differs from examples/quickstart/%s: copy it over", ex, name, name)
			}
		}
	}
}
