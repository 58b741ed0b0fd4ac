package rbac_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/rbac"
)

// FuzzParsePath: any path that parses prints back to a path that parses to
// the same segments, and reading it from any claims never panics.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{`realm_access.roles`, `["https://example.com/roles"]`, `resource_access["my.client"].roles`,
		`a["b\"c"]["d\\e"]`, `a..b`, `["unterminated`, `.a`, `a.`, `[""]`, `a[0]`} {
		f.Add(s)
	}
	claims := map[string]any{"realm_access": map[string]any{"roles": []any{"a"}}, "https://example.com/roles": "x", "a": 1.0}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := rbac.ParsePath(s)
		if err != nil {
			return
		}
		if len(p) == 0 {
			t.Fatalf("%q parsed to no segment", s)
		}
		// Every segment written in bracket form reads back the same.
		var b strings.Builder
		for _, seg := range p {
			b.WriteString(`["`)
			b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(seg))
			b.WriteString(`"]`)
		}
		again, err := rbac.ParsePath(b.String())
		if err != nil || !slices.Equal(again, p) {
			t.Fatalf("%q parsed to %q; its bracket form %q gives %q, %v", s, []string(p), b.String(), []string(again), err)
		}
		m, err := rbac.NewMapper([]rbac.Source{{Kind: rbac.KindRole, Path: p, Shape: rbac.ShapeArray}})
		if err != nil {
			return
		}
		m.MapClaims(claims)
	})
}
