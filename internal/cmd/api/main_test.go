package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The committed api/*.txt are the surface the code exports: a change to
// either without the other fails here (run make api).
func TestAPIFilesAreCurrent(t *testing.T) {
	surfaces, err := collect("../../..")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, s := range surfaces {
		want[s.file()] = strings.Join(s.lines, "\n") + "\n"
	}
	committed, _ := filepath.Glob("../../../api/*.txt")
	var names []string
	for _, path := range committed {
		name := filepath.Base(path)
		names = append(names, name)
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := want[name]; !ok {
			t.Errorf("api/%s names no package: run make api", name)
		} else if string(got) != w {
			t.Errorf("api/%s is not what the package exports: run make api and review the diff", name)
		}
	}
	for name := range want {
		if !slices.Contains(names, name) {
			t.Errorf("api/%s is missing: run make api", name)
		}
	}
}

// A package with a budget exports no more than it: make test fails
// before a change past it lands, not only make api's report.
func TestEveryPackageIsWithinItsBudget(t *testing.T) {
	surfaces, err := collect("../../..")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, s := range surfaces {
		if b, ok := budget[s.dir]; ok {
			seen++
			if s.count > b {
				t.Errorf("%s exports %d identifiers, over its budget of %d", s.dir, s.count, b)
			}
		}
	}
	if seen != len(budget) {
		t.Errorf("%d of the %d budgeted packages found", seen, len(budget))
	}
}

// Unexported names, methods of unexported types and test files are not the
// surface; a struct's exported fields and an interface's methods are.
func TestSurfaceOfAPackage(t *testing.T) {
	dir := t.TempDir()
	src := `package p

type T struct {
	A int
	b string
}

type I interface{ M(x int) error }

type hidden struct{}

func (hidden) Exported() {}

func (t *T) Method() string { return "" }

func New[K comparable](k K) *T { return nil }

func helper() {}

const C, d = 1, 2

var V = 3
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p_test.go"), []byte("package p\n\nfunc TestX() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, ok, err := read(dir, "p")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	want := []string{
		"const C",
		"field T.A int",
		"func (t *T) Method() string",
		"func New[K comparable](k K) *T",
		"method I.M(x int) error",
		"type I interface",
		"type T struct",
		"var V",
	}
	if !slices.Equal(s.lines, want) || s.count != 6 {
		t.Fatalf("lines %q (count %d), want %q (count 6)", s.lines, s.count, want)
	}
}

// The checklist's IDs (C23, J17) mean nothing to a user: the documentation
// of exported names says the requirement in words.
func TestExportedDocsCiteNoChecklistID(t *testing.T) {
	id := regexp.MustCompile(`\b[CJ][0-9]{2}\b`)
	surfaces, err := collect("../../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range surfaces {
		files, _ := filepath.Glob(filepath.Join("../../..", s.dir, "*.go"))
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			docs := []*ast.CommentGroup{f.Doc}
			ast.Inspect(f, func(n ast.Node) bool {
				switch d := n.(type) {
				case *ast.FuncDecl:
					if d.Name.IsExported() {
						docs = append(docs, d.Doc)
					}
					return false
				case *ast.GenDecl:
					if exportsAny(d) {
						docs = append(docs, d.Doc)
					}
				case *ast.TypeSpec:
					if !d.Name.IsExported() {
						return false // nor its fields
					}
					docs = append(docs, d.Doc)
				case *ast.ValueSpec:
					if exportsAny(&ast.GenDecl{Specs: []ast.Spec{d}}) {
						docs = append(docs, d.Doc)
					}
				case *ast.Field:
					docs = append(docs, d.Doc)
				}
				return true
			})
			for _, d := range docs {
				if m := id.FindString(d.Text()); m != "" {
					t.Errorf("%s: a doc comment cites %s: say the requirement in words", name, m)
				}
			}
		}
	}
}

// exportsAny reports whether a declaration names an exported type,
// constant or variable.
func exportsAny(d *ast.GenDecl) bool {
	for _, spec := range d.Specs {
		switch sp := spec.(type) {
		case *ast.TypeSpec:
			if sp.Name.IsExported() {
				return true
			}
		case *ast.ValueSpec:
			for _, n := range sp.Names {
				if n.IsExported() {
					return true
				}
			}
		}
	}
	return false
}
