// The flags and the environment every example reads, the same for each.
// (A test keeps this file identical in examples/quickstart, chi, gin and
// echo.)

package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/jwtguard/jwtguard/rbac"
)

// config is what the flags and the environment say.
type config struct {
	addr        string // API listen address
	issuer      string // a real provider's issuer URL; empty starts the development issuer
	audience    string // the audience to require (with issuer)
	jwks        string // optional JWKS URL, skipping discovery (with issuer)
	preset      string // rbac preset naming where roles and scopes are
	presetParam string // the preset's parameter (Keycloak client ID, ZITADEL project ID, Auth0 or Hydra roles claim)
	rolesClaim  string // claim path of the roles, overriding the preset's
	noCache     bool   // turn the verified-token cache off (for measurements)
}

// parseConfig reads the flags; ISSUER, AUDIENCE, JWKS_URL, PRESET and
// PRESET_PARAM in the environment are their defaults. more, when not nil,
// adds an example's own flags.
func parseConfig(name string, args []string, getenv func(string) string, stderr io.Writer, more func(*flag.FlagSet)) (config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "API listen address (\":0\" or \"127.0.0.1:0\" picks a free port)")
	fs.StringVar(&c.issuer, "issuer", getenv("ISSUER"), "protect the API with a real provider's tokens: its issuer URL (no development issuer starts) [ISSUER]")
	fs.StringVar(&c.audience, "audience", getenv("AUDIENCE"), "the audience the provider's tokens must carry (required with -issuer) [AUDIENCE]")
	fs.StringVar(&c.jwks, "jwks", getenv("JWKS_URL"), "the provider's JWKS URL, to skip OIDC discovery (optional) [JWKS_URL]")
	fs.StringVar(&c.preset, "preset", cmp.Or(getenv("PRESET"), "default"), "where tokens keep roles and scopes: "+
		strings.Join(rbac.PresetNames(), ", ")+" [PRESET]")
	fs.StringVar(&c.presetParam, "preset-param", getenv("PRESET_PARAM"), "the preset's parameter: Keycloak's client ID or ZITADEL's project ID "+
		"(default: -audience), the claim of Auth0's or Hydra's roles [PRESET_PARAM]")
	fs.StringVar(&c.rolesClaim, "roles-claim", "", `claim path of the roles array, e.g. realm_access.roles or '["https://example.com/roles"]'`)
	fs.BoolVar(&c.noCache, "no-token-cache", false, "verify every request's signature (turns the verified-token cache off, to measure it)")
	if more != nil {
		more(fs)
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if _, err := rbac.Preset(c.preset, ""); err != nil {
		return c, err
	}
	switch {
	case c.issuer == "" && (c.audience != "" || c.jwks != ""):
		return c, errors.New("-audience and -jwks need -issuer")
	case c.issuer != "" && c.audience == "":
		return c, errors.New("-issuer needs -audience")
	}
	return c, nil
}

// dialable turns a listen address into one a client can use: a wildcard
// listener (":0", "0.0.0.0:0") is reached through loopback.
func dialable(a *net.TCPAddr) string {
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(a.Port))
}
