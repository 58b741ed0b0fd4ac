// Package logoutx lets package revocation's logout handler verify an
// OpenID Connect back-channel logout token with a middleware.Verifier's
// issuers and keys, without middleware exporting a second verification
// entry point. Package middleware sets Verify when it is initialized.
package logoutx

import "context"

// Verify verifies raw, a logout token, with verifier, a
// *middleware.Verifier, for the relying party's clientIDs. It is never nil
// where a *middleware.Verifier exists: package middleware sets it in its
// init, which runs before any package that names its types. It returns the
// token's *middleware.Claims, or the *middleware.Error that refused it.
var Verify func(ctx context.Context, verifier any, raw string, clientIDs []string) (claims any, err error)
