package readme

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// apiFiles says which committed surface (api/*.txt, written by make api)
// each of our package names in the documents refers to.
var apiFiles = map[string]string{
	"middleware": "middleware.txt",
	"reason":     "middleware_reason.txt",
	"nethttp":    "nethttp.txt",
	"rbac":       "rbac.txt",
	"revocation": "revocation.txt",
	"redisstore": "revocation_redisstore.txt",
	"jwttest":    "jwttest.txt",
	"chiguard":   "adapters_chi.txt",
	"ginguard":   "adapters_gin.txt",
	"echoguard":  "adapters_echo.txt",
	"promguard":  "prometheus.txt",
	"otelguard":  "otel.txt",
}

// reference is pkg.Name or pkg.Type.Member in a document's prose or code.
var reference = regexp.MustCompile(`\b(middleware|reason|nethttp|rbac|revocation|redisstore|jwttest|chiguard|ginguard|echoguard|promguard)\.([A-Z]\w*)(?:\.([A-Z]\w*))?`)

// declared matches the name a line of an api file declares, and the type
// a method or field belongs to.
var declared = regexp.MustCompile(`^(?:func \(\w+ \*?(\w+)\) (\w+)|(?:method|field) (\w+)\.(\w+)|(?:func|type|const|var) (\w+))`)

// Every name the documents give in prose as well as in code, such as
// `nethttp.WithRealm` or `middleware.Claims.Scopes`, is one the package
// exports, so a rename cannot leave the prose behind the code (the Go
// snippets are compiled by TestEveryDocSnippetIsCompiledCode; this covers
// what no compiler reads). Names of other packages that share one of ours
// (chi's and echo's middleware packages) are listed where they are used.
func TestEveryNameTheDocsGiveIsExported(t *testing.T) {
	exported := map[string]map[string]bool{} // pkg -> "Name" and "Type.Member"
	for pkg, file := range apiFiles {
		b, err := os.ReadFile(filepath.Join(root, "api", file))
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, line := range strings.Split(string(b), "\n") {
			m := declared.FindStringSubmatch(line)
			switch {
			case m == nil:
			case m[1] != "":
				names[m[1]+"."+m[2]] = true
			case m[3] != "":
				names[m[3]+"."+m[4]] = true
			default:
				names[m[5]] = true
			}
		}
		if len(names) < 4 {
			t.Fatalf("api/%s declares %d names", file, len(names))
		}
		exported[pkg] = names
	}
	// Other packages' names that the documents use under the same name.
	foreign := map[string]bool{"middleware.Recoverer": true, "middleware.Recover": true, "middleware.Logger": true,
		"middleware.StripSlashes": true}
	checked := 0
	for _, doc := range docs(t) {
		b, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range reference.FindAllStringSubmatch(line, -1) {
				pkg, name, member := m[1], m[2], m[3]
				if foreign[pkg+"."+name] {
					continue
				}
				checked++
				names := exported[pkg]
				if !names[name] {
					t.Errorf("%s:%d: %s.%s is not exported by %s", doc, i+1, pkg, name, pkg)
					continue
				}
				// pkg.Type.Member: a method or field of Type (a name
				// followed by anything else, such as a value's method, is
				// the caller's business).
				if member != "" && strings.ToUpper(name[:1]) == name[:1] && hasMembers(names, name) && !names[name+"."+member] {
					t.Errorf("%s:%d: %s.%s has no method or field %s", doc, i+1, pkg, name, member)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d names checked", checked)
	}
}

// hasMembers reports whether the api declares any method or field of typ.
func hasMembers(names map[string]bool, typ string) bool {
	for n := range names {
		if strings.HasPrefix(n, typ+".") {
			return true
		}
	}
	return false
}

// The README's "Why 401?" table gives every reason code the verifier
// answers with, so a new code cannot go unexplained.
func TestWhy401NamesEveryReason(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(root, "middleware", "reason", "reason.go"))
	if err != nil {
		t.Fatal(err)
	}
	codes := regexp.MustCompile(`\bCode = "([a-z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(codes) < 20 {
		t.Fatalf("found %d reason codes", len(codes))
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Why 401?")
	section, _, _ = strings.Cut(section, "\n## ")
	if !ok {
		t.Fatal(`README.md has no "Why 401?" section`)
	}
	var rows []string
	for _, line := range strings.Split(section, "\n") {
		if first, _, ok := strings.Cut(strings.TrimPrefix(line, "| "), " |"); ok && strings.HasPrefix(line, "| `") {
			rows = append(rows, first)
		}
	}
	table := strings.Join(rows, " ")
	for _, c := range codes {
		if !strings.Contains(table, "`"+c[1]+"`") {
			t.Errorf("the Why 401? table has no row for %s", c[1])
		}
	}
}
