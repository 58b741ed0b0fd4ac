package conformance_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCoreImportsNoRouter keeps the routers out of the core's import graph:
// a net/http user compiles neither gin, echo nor chi.
func TestCoreImportsNoRouter(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps",
		"github.com/jwtguard/jwtguard/middleware",
		"github.com/jwtguard/jwtguard/nethttp",
		"github.com/jwtguard/jwtguard/rbac",
		"github.com/jwtguard/jwtguard/jwttest",
	).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list listed only %d packages: %s", len(deps), out)
	}
	for _, p := range deps {
		for _, router := range []string{"github.com/gin-gonic/", "github.com/labstack/", "github.com/go-chi/", "/adapters/"} {
			if strings.Contains(p, router) {
				t.Errorf("the core imports %s", p)
			}
		}
	}
}

// TestCoreModuleNeedsNoHeavyDependency keeps what only some users need out
// of the root module's graph: a user of the core downloads no router but
// chi, no Redis client, no gRPC, no OpenTelemetry and no Prometheus (each
// lives in a nested module). go.sum lists every module of the graph.
func TestCoreModuleNeedsNoHeavyDependency(t *testing.T) {
	for _, file := range []string{"../../go.mod", "../../go.sum"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, heavy := range []string{"github.com/redis/", "google.golang.org/grpc", "go.opentelemetry.io/",
			"github.com/prometheus/", "github.com/gin-gonic/", "github.com/labstack/", "connectrpc.com/"} {
			if strings.Contains(string(b), heavy) {
				t.Errorf("%s names %s", file, heavy)
			}
		}
	}
}

// TestOnlyOneFileCallsJWX keeps the JOSE dependency behind one file:
// internal/jose/jwk.go parses key sets with jwx, and nothing else in the
// module imports it, so replacing or bumping it touches that file alone.
func TestOnlyOneFileCallsJWX(t *testing.T) {
	var importers []string
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "../.." {
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil || d.Name() == ".git" || d.Name() == "testdata" {
				return filepath.SkipDir // another module's, or no code
			}
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if strings.Contains(imp.Path.Value, "github.com/lestrrat-go/jwx") {
				importers = append(importers, filepath.ToSlash(strings.TrimPrefix(path, "../../")))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(importers, []string{"internal/jose/jwk.go"}) {
		t.Fatalf("jwx is imported by %v, want internal/jose/jwk.go alone", importers)
	}
}
