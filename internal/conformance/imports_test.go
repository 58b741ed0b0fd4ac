package conformance_test

import (
	"os/exec"
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
