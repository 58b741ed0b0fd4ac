package otelguard_test

import (
	"log"

	"github.com/jwtguard/jwtguard/middleware"
	otelguard "github.com/jwtguard/jwtguard/otel"
)

// The README's OpenTelemetry snippet, compiled (internal/readme checks
// the README shows exactly these lines).
func Example_readme() {
	var issuers []middleware.Issuer
	// readme:begin
	tel, err := otelguard.New() // the global providers; or WithTracerProvider, WithMeterProvider
	if err != nil {
		log.Fatal(err)
	}
	v, err := middleware.New(issuers, middleware.WithHook(tel.Hook))
	if err != nil {
		log.Fatal(err)
	}
	if err := tel.Watch(v); err != nil {
		log.Fatal(err)
	}
	// readme:end
}
