package main_test

import (
	"testing"

	"github.com/jwtguard/jwtguard/examples/internal/prodtest"
)

// The program, built and run as a user runs it, with ISSUER and AUDIENCE
// pointing at a test issuer, protects its routes, logs its refusals, and
// stops cleanly on SIGTERM.
func TestTheProgramProtectsItsRoutes(t *testing.T) { prodtest.Run(t) }
