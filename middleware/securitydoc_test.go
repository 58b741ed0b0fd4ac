package middleware_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// SECURITY.md maps every checklist item to tests by name: each name must be
// a test, fuzz target or benchmark that exists, and every item must be
// mapped, so the document cannot drift from the suite.
func TestSecurityDocNamesRealTests(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Benchmark)\w+)\(`)
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllSubmatch(src, -1) {
			defined[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile("`((?:Test|Fuzz)\\w+)`").FindAllSubmatch(doc, -1)
	if len(named) < 60 {
		t.Fatalf("only %d test names in SECURITY.md", len(named))
	}
	for _, m := range named {
		if !defined[string(m[1])] {
			t.Errorf("SECURITY.md names %s, which does not exist", m[1])
		}
	}
	rows := regexp.MustCompile(`(?m)^\| ([CJ]\d\d) \|.*\|([^|]*)\|$`).FindAllSubmatch(doc, -1)
	if len(rows) != 25+21 {
		t.Fatalf("%d checklist rows, want 46", len(rows))
	}
	for _, r := range rows {
		if strings.Contains(string(r[2]), "planned") {
			t.Errorf("%s is still planned", r[1])
		}
	}
}

// CONTRIBUTING.md and SECURITY.md name exactly the fuzz targets make fuzz
// runs (the Makefile's FUZZ_TARGETS), so a target added or dropped is not
// silently missing from the documents.
func TestTheDocsNameEveryFuzzTarget(t *testing.T) {
	t.Parallel()
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	list := regexp.MustCompile(`(?s)FUZZ_TARGETS = (.*?)\n\n`).FindSubmatch(mk)
	if list == nil {
		t.Fatal("no FUZZ_TARGETS in the Makefile")
	}
	targets := map[string]bool{}
	for _, m := range regexp.MustCompile(`:(Fuzz\w+)`).FindAllSubmatch(list[1], -1) {
		targets[string(m[1])] = true
	}
	if len(targets) < 9 {
		t.Fatalf("read %d targets from the Makefile", len(targets))
	}
	for _, doc := range []string{"../CONTRIBUTING.md", "../SECURITY.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		named := map[string]bool{}
		for _, m := range regexp.MustCompile("`(Fuzz\\w+)`").FindAllSubmatch(b, -1) {
			named[string(m[1])] = true
		}
		for name := range targets {
			if !named[name] {
				t.Errorf("%s does not name the fuzz target %s", doc, name)
			}
		}
		for name := range named {
			if !targets[name] {
				t.Errorf("%s names %s, which make fuzz does not run", doc, name)
			}
		}
	}
}
