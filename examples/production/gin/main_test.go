package main_test

import (
	"testing"

	"github.com/jwtguard/jwtguard/examples/internal/prodtest"
)

// The gin program answers as examples/production does (prodtest.Run).
func TestTheProgramProtectsItsRoutes(t *testing.T) { prodtest.Run(t) }
