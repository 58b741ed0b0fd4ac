package demo

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/jwttest"
)

// EndOfBanner is the banner's last line.
const EndOfBanner = "Press Ctrl+C to stop."

// Tokens are the ready tokens the banner prints.
type Tokens struct {
	Viewer, Admin, Expired, Tampered string
}

// MintTokens mints the banner's tokens with the development issuer.
func MintTokens(dev *jwttest.Issuer) (Tokens, error) {
	var t Tokens
	var err error
	if t.Viewer, err = dev.Mint(jwttest.ClaimsSet{"sub": "viewer", "client_id": "quickstart", "scope": "items:read"}); err != nil {
		return t, err
	}
	if t.Admin, err = dev.Mint(jwttest.ClaimsSet{"sub": "admin", "client_id": "quickstart",
		"roles": []string{"admin"}, "scope": "items:read items:write"}); err != nil {
		return t, err
	}
	past := time.Now().Add(-time.Hour)
	if t.Expired, err = dev.Mint(jwttest.ClaimsSet{"sub": "viewer", "scope": "items:read",
		"iat": past.Add(-time.Hour).Unix(), "exp": past.Unix()}); err != nil {
		return t, err
	}
	// Tampered: the viewer's signature on a payload that claims more.
	forged, err := dev.Mint(jwttest.ClaimsSet{"sub": "viewer", "scope": "items:read items:write"})
	if err != nil {
		return t, err
	}
	f, v := strings.Split(forged, "."), strings.Split(t.Viewer, ".")
	t.Tampered = f[0] + "." + f[1] + "." + v[2]
	return t, nil
}

// Banner prints where the API is, ready tokens, and curl commands. Each
// curl line ends with the status it should get: the examples' tests run
// these very lines.
func Banner(out io.Writer, app *App, apiURL string) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("jwtguard example API listening on %s", apiURL)
	if app.Dev == nil {
		p("Tokens are verified against your provider. Get an access token from it, then:")
		p("")
		p("export TOKEN=<your access token>")
		p("curl -i %s/healthz  # expect 200", apiURL)
		p(`curl -i -H "Authorization: Bearer $TOKEN" %s/api/me  # expect 200`, apiURL)
		p("curl -i %s/api/items  # expect 401", apiURL)
		p("")
		p(EndOfBanner)
		_, err := io.WriteString(out, b.String())
		return err
	}
	tok, err := MintTokens(app.Dev)
	if err != nil {
		return err
	}
	p("Development issuer: %s (audience %q; never use it in production)", app.Dev.URL(), DevAudience)
	p("")
	p("# Ready tokens, valid for 8 hours:")
	p("# a viewer with scope items:read")
	p("export VIEWER=%s", tok.Viewer)
	p(`# an admin with roles ["admin"] and scopes items:read items:write`)
	p("export ADMIN=%s", tok.Admin)
	p("# an expired token, and the viewer's token with a forged payload")
	p("export EXPIRED=%s", tok.Expired)
	p("export TAMPERED=%s", tok.Tampered)
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
	p(`curl -s -d grant_type=client_credentials -d client_id=cli -d scope="items:read items:write" -d roles=admin %s  # expect 200`, app.Dev.TokenURL())
	p("")
	p(EndOfBanner)
	_, err = io.WriteString(out, b.String())
	return err
}
