package main

import (
	"testing"

	"github.com/jwtguard/jwtguard/examples/internal/demotest"
)

// The echo example answers exactly as the quickstart: see demotest.Suite.
func TestExample(t *testing.T) {
	demotest.Suite(t, run)
}
