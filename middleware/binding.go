package middleware

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
)

// MTLSCertificateBinding is a WithSenderConstraint check for
// certificate-bound access tokens (RFC 8705 §3): the token's cnf claim holds
// "x5t#S256", the base64url SHA-256 of the client certificate, and the
// request must come over a TLS connection whose client certificate has that
// thumbprint. The server must request client certificates
// (tls.Config.ClientAuth); behind a TLS-terminating proxy, write a check that
// reads the certificate the proxy forwards instead.
func MTLSCertificateBinding(r *http.Request, cnf json.RawMessage) error {
	var c struct {
		X5tS256 *string `json:"x5t#S256"`
	}
	if err := json.Unmarshal(cnf, &c); err != nil || c.X5tS256 == nil {
		return errors.New("cnf has no x5t#S256 member of type string")
	}
	want, err := base64.RawURLEncoding.Strict().DecodeString(*c.X5tS256)
	if err != nil || len(want) != sha256.Size {
		return errors.New("cnf x5t#S256 is not a base64url SHA-256 thumbprint")
	}
	if r == nil || r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return errors.New("the request presents no client certificate")
	}
	got := sha256.Sum256(r.TLS.PeerCertificates[0].Raw)
	if subtle.ConstantTimeCompare(got[:], want) != 1 {
		return errors.New("the client certificate is not the one the token is bound to")
	}
	return nil
}
