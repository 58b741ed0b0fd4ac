// Package readme holds the test that keeps the documentation's Go snippets
// compiled: each ```go block of the README files is, line for line, a
// region between "// readme:begin" and "// readme:end" of a Go file that
// make test compiles (a test or an example of the package it is about, in
// its own module), and every such region is shown somewhere.
package readme

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// docs returns every Markdown document of the repository (testdata and
// hidden directories aside), relative to root: all their Go snippets must
// compile.
func docs(t *testing.T) []string {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 5 {
		t.Fatalf("found %d Markdown documents", len(out))
	}
	return out
}

const root = "../.."

func TestEveryDocSnippetIsCompiledCode(t *testing.T) {
	regions := map[string]string{} // text -> where
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasPrefix(path, filepath.Join(root, "internal", "readme")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found := goRegions(string(src))
		// A file that a build constraint (a //go:build line or a
		// _GOOS/_GOARCH name) can leave out is not surely compiled: its
		// regions would prove nothing.
		if len(found) > 0 && !everywhere(path) {
			t.Errorf("%s: readme regions in a file that some platforms do not build", path)
		}
		for _, r := range found {
			regions[r] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]bool{}
	total := 0
	for _, doc := range docs(t) {
		b, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range anyGoFence.FindAllString(string(b), -1) {
			if f != "```go" {
				t.Errorf("%s: a Go fence %q that this test does not read: write ```go", doc, f)
			}
		}
		for _, s := range goBlocks(string(b)) {
			total++
			if _, ok := regions[s.text]; !ok {
				t.Errorf("%s:%d: this Go snippet is no region of compiled code (between // readme:begin and // readme:end):\n%s", doc, s.line, s.text)
			}
			shown[s.text] = true
		}
	}
	if total < 10 {
		t.Fatalf("only %d Go snippets found", total)
	}
	for text, where := range regions {
		if !shown[text] {
			t.Errorf("%s: a readme region that no document shows:\n%s", where, text)
		}
	}
}

type block struct {
	line int
	text string
}

// everywhere reports whether the Go file at path is built on every
// platform: no //go:build line and no _GOOS or _GOARCH name leaves it out
// of the common ones.
func everywhere(path string) bool {
	for _, p := range [][2]string{{"linux", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}, {"linux", "arm64"}} {
		ctx := build.Default
		ctx.GOOS, ctx.GOARCH, ctx.BuildTags = p[0], p[1], nil
		if ok, err := ctx.MatchFile(filepath.Dir(path), filepath.Base(path)); err != nil || !ok {
			return false
		}
	}
	return true
}

var fence = regexp.MustCompile("(?m)^```go\n((?s:.*?))^```$")

// anyGoFence finds a Go fence in any spelling (Go, golang, ~~~, indented,
// with attributes): each must be the plain form fence reads, or it would
// escape the check.
var anyGoFence = regexp.MustCompile("(?mi)^[ \t]*(```|~~~)[ \t]*go(lang)?\\b.*$")

// goBlocks returns the document's ```go blocks.
func goBlocks(doc string) []block {
	var out []block
	for _, m := range fence.FindAllStringSubmatchIndex(doc, -1) {
		out = append(out, block{line: strings.Count(doc[:m[0]], "\n") + 1, text: strings.TrimRight(doc[m[2]:m[3]], "\n")})
	}
	return out
}

// goRegions returns the regions of a Go file, each without the indentation
// its lines share.
func goRegions(src string) []string {
	var out []string
	var cur []string
	in := false
	for _, line := range strings.Split(src, "\n") {
		switch strings.TrimSpace(line) {
		case "// readme:begin":
			in, cur = true, nil
			continue
		case "// readme:end":
			if in {
				out = append(out, dedent(cur))
			}
			in = false
			continue
		}
		if in {
			cur = append(cur, line)
		}
	}
	return out
}

func dedent(lines []string) string {
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			if n := len(l) - len(strings.TrimLeft(l, "\t")); indent < 0 || n < indent {
				indent = n
			}
		}
	}
	for i, l := range lines {
		if len(l) >= indent && indent > 0 {
			lines[i] = l[indent:]
		}
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// The README is for users, read in ten minutes: it stays under 20 KB (run
// logs go to bench/RESULTS.md, contributor material to CONTRIBUTING.md).
func TestTheReadmeStaysShort(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 20_000 {
		t.Fatalf("README.md is %d bytes, over 20,000", len(b))
	}
}

// The README's peer table gives the ratios and allocations of the latest
// make bench, as bench/RESULTS.md records them.
func TestTheReadmePeerTableIsTheLatestRun(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	results, err := os.ReadFile(filepath.Join(root, "bench", "RESULTS.md"))
	if err != nil {
		t.Fatal(err)
	}
	// Only the latest wall-clock run, below its mark, counts.
	_, latest, ok := strings.Cut(string(results), "<!-- wall-clock -->")
	if !ok {
		t.Fatal("bench/RESULTS.md has no wall-clock mark")
	}
	results = []byte(latest)
	row := regexp.MustCompile(`(?m)^\| ([^|]+?) \| ([0-9.]+×) \| ([0-9]+) \|$`)
	rows := row.FindAllStringSubmatch(string(readme), -1)
	if len(rows) < 5 {
		t.Fatalf("%d rows in the README's peer table", len(rows))
	}
	for _, r := range rows {
		name := r[1]
		if name == "jwtguard nethttp" {
			name = "jwtguard nethttp (no cache)"
		}
		// | implementation | ns/op | ratio | parallel ratio | B/op | allocs/op |
		want := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(name) + ` \| [0-9]+ \| ` + regexp.QuoteMeta(r[2]) + ` \| [0-9.]+× \| [0-9]+ \| ` + r[3] + ` \|$`)
		if !want.Match(results) {
			t.Errorf("README: %s %s, %s allocations: not what bench/RESULTS.md records", r[1], r[2], r[3])
		}
	}
}
