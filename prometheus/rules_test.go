package promguard_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	promguard "github.com/jwtguard/jwtguard/prometheus"
	"github.com/prometheus/client_golang/prometheus"
)

// The alerting rules and the dashboard name only metrics promguard
// serves (a histogram's _bucket, _sum and _count included), so a renamed
// metric cannot leave an alert that never fires or a panel that stays
// empty; the dashboard is valid JSON with a query in every panel.
func TestTheRulesAndDashboardNameOnlyServedMetrics(t *testing.T) {
	served := map[string]bool{}
	ch := make(chan *prometheus.Desc, 64)
	go func() { promguard.New().Describe(ch); close(ch) }()
	name := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	for d := range ch {
		m := name.FindStringSubmatch(d.String())
		if m == nil {
			t.Fatalf("no name in %s", d)
		}
		for _, suffix := range []string{"", "_bucket", "_sum", "_count"} {
			served[m[1]+suffix] = true
		}
	}
	metric := regexp.MustCompile(`jwtguard_[a-z_]+`)
	for _, file := range []string{"alerts.yml", "alerts_test.yml", "dashboard.json"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		names := metric.FindAllString(string(b), -1)
		if len(names) < 5 {
			t.Fatalf("%s names %d metrics", file, len(names))
		}
		for _, n := range names {
			if !served[n] {
				t.Errorf("%s names %s, which promguard does not serve", file, n)
			}
		}
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	b, _ := os.ReadFile("dashboard.json")
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	if len(dash.Panels) < 8 {
		t.Fatalf("%d panels", len(dash.Panels))
	}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 || strings.TrimSpace(p.Targets[0].Expr) == "" {
			t.Errorf("panel %q has no query", p.Title)
		}
	}
}
