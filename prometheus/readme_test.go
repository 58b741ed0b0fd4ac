package promguard_test

import (
	"log"

	"github.com/jwtguard/jwtguard/middleware"
	promguard "github.com/jwtguard/jwtguard/prometheus"
	"github.com/prometheus/client_golang/prometheus"
)

// The README's Observability snippet, compiled (internal/readme checks
// the README shows exactly these lines).
func Example_readme() {
	var issuers []middleware.Issuer
	// readme:begin
	m := promguard.New()
	v, err := middleware.New(issuers, middleware.WithHook(m.Hook))
	if err != nil {
		log.Fatal(err)
	}
	if err := m.Watch(v); err != nil {
		log.Fatal(err)
	}
	prometheus.MustRegister(m) // and serve promhttp.Handler() on /metrics
	// readme:end
}
