// The development issuer and the banner: what lets this example run
// offline, with ready tokens and curl commands. A service has neither:
// when copying the example, delete this file and the lines of main.go that
// use it. (A test keeps this file identical in examples/quickstart, chi,
// gin and echo.)

package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
)

// devAudience is the audience of the development issuer's tokens.
const devAudience = "jwtguard-example-api"

// endOfBanner is the banner's last line.
const endOfBanner = "Press Ctrl+C to stop."

// startDevIssuer starts the development issuer on loopback: discovery,
// JWKS and a client_credentials token endpoint. Never in production.
func startDevIssuer() (*jwttest.Issuer, error) {
	dev, err := jwttest.NewIssuer(jwttest.WithAudience(devAudience), jwttest.WithTokenLifetime(8*time.Hour))
	if err != nil {
		return nil, fmt.Errorf("starting the development issuer: %w", err)
	}
	return dev, nil
}

// devTokens are the banner's ready tokens.
type devTokens struct {
	viewer, admin, expired, tampered string
}

func mintTokens(dev *jwttest.Issuer) (devTokens, error) {
	var t devTokens
	var err error
	if t.viewer, err = dev.Mint(jwttest.ClaimsSet{"sub": "viewer", "client_id": "quickstart", "scope": "items:read"}); err != nil {
		return t, err
	}
	if t.admin, err = dev.Mint(jwttest.ClaimsSet{"sub": "admin", "client_id": "quickstart",
		"roles": []string{"admin"}, "scope": "items:read items:write"}); err != nil {
		return t, err
	}
	past := time.Now().Add(-time.Hour)
	if t.expired, err = dev.Mint(jwttest.ClaimsSet{"sub": "viewer", "scope": "items:read",
		"iat": past.Add(-time.Hour).Unix(), "exp": past.Unix()}); err != nil {
		return t, err
	}
	// Tampered: the viewer's signature on a payload that claims more.
	forged, err := dev.Mint(jwttest.ClaimsSet{"sub": "viewer", "scope": "items:read items:write"})
	if err != nil {
		return t, err
	}
	f, v := strings.Split(forged, "."), strings.Split(t.viewer, ".")
	t.tampered = f[0] + "." + f[1] + "." + v[2]
	return t, nil
}

// banner prints where the API is, ready tokens (with dev) and curl
// commands. Each curl line ends with the status it should get: the
// examples' tests run these very lines.
func banner(out io.Writer, dev *jwttest.Issuer, apiURL string) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("jwtguard example API listening on %s", apiURL)
	if dev == nil {
		p("Tokens are verified against your provider. Get an access token from it, then:")
		p("")
		p("export TOKEN=<your access token>")
		p("curl -i %s/healthz  # expect 200", apiURL)
		p(`curl -i -H "Authorization: Bearer $TOKEN" %s/api/me  # expect 200`, apiURL)
		p("curl -i %s/api/items  # expect 401", apiURL)
		p("")
		p(endOfBanner)
		_, err := io.WriteString(out, b.String())
		return err
	}
	tok, err := mintTokens(dev)
	if err != nil {
		return err
	}
	p("Development issuer: %s (audience %q; never use it in production)", dev.URL(), devAudience)
	p("")
	p("# Ready tokens, valid for 8 hours:")
	p("# a viewer with scope items:read")
	p("export VIEWER=%s", tok.viewer)
	p(`# an admin with roles ["admin"] and scopes items:read items:write`)
	p("export ADMIN=%s", tok.admin)
	p("# an expired token, and the viewer's token with a forged payload")
	p("export EXPIRED=%s", tok.expired)
	p("export TAMPERED=%s", tok.tampered)
	p("")
	p("# Try it. Rules: GET /api/items needs scope items:read, POST scope items:write, DELETE role admin.")
	p("curl -i %s/healthz  # expect 200", apiURL)
	p(`curl -i -H "Authorization: Bearer $VIEWER" %s/api/me  # expect 200`, apiURL)
	p(`curl -i -H "Authorization: Bearer $VIEWER" %s/api/items  # expect 200`, apiURL)
	p(`curl -i -X POST -H "Authorization: Bearer $VIEWER" -H "Content-Type: application/json" -d '{"name":"widget"}' %s/api/items  # expect 403`, apiURL)
	p(`curl -i -X POST -H "Authorization: Bearer $ADMIN" -H "Content-Type: application/json" -d '{"name":"widget"}' %s/api/items  # expect 201`, apiURL)
	p(`curl -i -X DELETE -H "Authorization: Bearer $VIEWER" %s/api/items/1  # expect 403`, apiURL)
	p(`curl -i -X DELETE -H "Authorization: Bearer $ADMIN" %s/api/items/1  # expect 204`, apiURL)
	p("curl -i %s/api/items  # expect 401", apiURL)
	p(`curl -i -H "Authorization: Bearer $EXPIRED" %s/api/items  # expect 401`, apiURL)
	p(`curl -i -H "Authorization: Bearer $TAMPERED" %s/api/items  # expect 401`, apiURL)
	p("")
	p("# A fresh token from the issuer's client_credentials endpoint:")
	p(`curl -s -d grant_type=client_credentials -d client_id=cli -d scope="items:read items:write" -d roles=admin %s  # expect 200`, dev.TokenURL())
	p("")
	p("# The production example, against this issuer:")
	p("# ADDR=127.0.0.1:8081 ISSUER=%s AUDIENCE=%s go run ./examples/production", dev.URL(), devAudience)
	p("")
	p(endOfBanner)
	_, err = io.WriteString(out, b.String())
	return err
}
