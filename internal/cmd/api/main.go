// Command api writes the exported surface of every public package of the
// repository, one file per package under api/, and prints how many
// exported identifiers each has against its budget: make api. A change to
// the surface then shows in review as a change to api/*.txt, and
// TestAPIFilesAreCurrent fails until they are regenerated.
//
//	api [-root .] [-out api]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// budget is the most exported identifiers (types, functions, methods,
// constants, variables; not fields) a package should have.
var budget = map[string]int{"middleware": 60}

func main() {
	root := flag.String("root", ".", "the repository's root")
	out := flag.String("out", "api", "where to write the files")
	flag.Parse()
	surfaces, err := collect(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(2)
	}
	if err := write(*out, surfaces); err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(2)
	}
	for _, s := range surfaces {
		line := fmt.Sprintf("%-28s %4d exported", s.dir, s.count)
		if b, ok := budget[s.dir]; ok {
			line += fmt.Sprintf(" (budget %d)", b)
			if s.count > b {
				line += " OVER"
			}
		}
		fmt.Println(line)
	}
}

// surface is one package's exported declarations, a line each, sorted.
type surface struct {
	dir   string // relative to the root, slash-separated
	lines []string
	count int // lines that are not struct fields or interface methods
}

// file names the package's file under api/: its directory, / as _.
func (s surface) file() string { return strings.ReplaceAll(s.dir, "/", "_") + ".txt" }

func write(out string, surfaces []surface) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(out, "*.txt"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	for _, s := range surfaces {
		body := strings.Join(s.lines, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(out, s.file()), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// collect reads every public package under root: not internal, not a
// command, not an example or benchmark, not test files.
func collect(root string) ([]surface, error) {
	var out []surface
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		switch d.Name() {
		case ".git", "internal", "testdata", "examples", "bench", "api":
			return filepath.SkipDir
		}
		s, ok, err := read(path, rel)
		if ok {
			out = append(out, s)
		}
		return err
	})
	slices.SortFunc(out, func(a, b surface) int { return strings.Compare(a.dir, b.dir) })
	return out, err
}

func read(dir, rel string) (surface, bool, error) {
	fset := token.NewFileSet()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	s := surface{dir: rel}
	found := false
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return s, false, err
		}
		if f.Name.Name == "main" {
			return s, false, nil
		}
		found = true
		for _, decl := range f.Decls {
			s.add(fset, decl)
		}
	}
	slices.Sort(s.lines)
	return s, found, nil
}

func (s *surface) add(fset *token.FileSet, decl ast.Decl) {
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if !d.Name.IsExported() {
			return
		}
		if d.Recv != nil {
			recv := receiverName(d.Recv.List[0].Type)
			if !ast.IsExported(recv) {
				return
			}
		}
		fn := *d
		fn.Doc, fn.Body = nil, nil
		s.lines = append(s.lines, s.print(fset, &fn))
		s.count++
	case *ast.GenDecl:
		for _, spec := range d.Specs {
			switch sp := spec.(type) {
			case *ast.TypeSpec:
				if !sp.Name.IsExported() {
					continue
				}
				s.typeLines(fset, sp)
			case *ast.ValueSpec:
				for _, n := range sp.Names {
					if n.IsExported() {
						s.lines = append(s.lines, fmt.Sprintf("%s %s", d.Tok, n.Name))
						s.count++
					}
				}
			}
		}
	}
}

// typeLines writes a type as its kind, and a struct's exported fields or an
// interface's methods a line each.
func (s *surface) typeLines(fset *token.FileSet, sp *ast.TypeSpec) {
	name := sp.Name.Name
	s.count++
	switch t := sp.Type.(type) {
	case *ast.StructType:
		s.lines = append(s.lines, "type "+name+" struct")
		for _, f := range t.Fields.List {
			typ := s.print(fset, f.Type)
			if len(f.Names) == 0 { // embedded
				s.lines = append(s.lines, "field "+name+" embeds "+typ)
			}
			for _, n := range f.Names {
				if n.IsExported() {
					s.lines = append(s.lines, "field "+name+"."+n.Name+" "+typ)
				}
			}
		}
	case *ast.InterfaceType:
		s.lines = append(s.lines, "type "+name+" interface")
		for _, m := range t.Methods.List {
			for _, n := range m.Names {
				s.lines = append(s.lines, "method "+name+"."+n.Name+strings.TrimPrefix(s.print(fset, m.Type), "func"))
			}
			if len(m.Names) == 0 {
				s.lines = append(s.lines, "field "+name+" embeds "+s.print(fset, m.Type))
			}
		}
	default:
		eq := " "
		if sp.Assign.IsValid() {
			eq = " = "
		}
		s.lines = append(s.lines, "type "+name+eq+s.print(fset, sp.Type))
	}
}

func (s *surface) print(fset *token.FileSet, node any) string {
	var b bytes.Buffer
	_ = printer.Fprint(&b, fset, node)
	return strings.Join(strings.Fields(b.String()), " ")
}

func receiverName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return receiverName(t.X)
	case *ast.IndexExpr:
		return receiverName(t.X)
	case *ast.IndexListExpr:
		return receiverName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return ""
}
