// Package bench runs the same token and key set through jwtguard (net/http,
// gin, echo, chi) and through its peers — auth0/go-jwt-middleware,
// go-chi/jwtauth, echo-jwt with golang-jwt and keyfunc, coreos/go-oidc —
// next to the raw signature check, so that every cost is read as a ratio
// to the same floor in one run. It is a module of its own so that the
// library's users never download the peers.
//
// Every peer is first checked for correctness (TestPeersAreCorrect): it
// must accept the valid token and refuse a bad signature and a wrong
// audience, so that no peer looks fast by skipping a check.
//
//	make bench   # from the repository root: writes bench/RESULTS.md
package bench
