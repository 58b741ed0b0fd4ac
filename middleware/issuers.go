package middleware

import (
	"fmt"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// issuerState is one configured issuer, ready to verify with: its rules
// and where its keys come from.
type issuerState struct {
	url       string
	audiences []string
	clients   []string
	skipAud   bool
	algs      jose.AlgSet
	static    *keySet
	remote    *keyFetcher
}

// issuer returns the configured issuer with exactly this identifier, or nil.
func (v *Verifier) issuer(iss []byte) *issuerState {
	if v.only != nil {
		if string(iss) == v.only.url {
			return v.only
		}
		return nil
	}
	return v.issuers[string(iss)] // no copy: the compiler looks the bytes up in place
}

func (v *Verifier) unknownIssuer(iss []byte) error {
	// The error keeps a copy of iss, not the token's payload: of its first
	// kilobyte at most (more than any issuer identifier it could nearly
	// match; the text quotes less).
	return &unknownIssuerError{iss: string(iss[:min(len(iss), 1<<10)]), urls: v.urls}
}

// unknownIssuerError is the cause of a token refused for its iss. It is
// formatted only when read (a log line, a hook), the first
// configured issuer it nearly matches named with the difference: a server
// flooded with another issuer's tokens refuses each without that work.
type unknownIssuerError struct {
	iss  string
	urls []string // the verifier's issuers, never changed
}

func (e *unknownIssuerError) Error() string {
	for _, u := range e.urls {
		if hint := issuerHint(e.iss, u); hint != "" {
			return fmt.Sprintf("iss %q is not a configured issuer; closest is %q%s", clip(e.iss), u, hint)
		}
	}
	return fmt.Sprintf("iss %q is not a configured issuer", clip(e.iss))
}
