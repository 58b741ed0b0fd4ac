package middleware

import (
	"encoding/json"
	"strconv"
	"unsafe"

	"github.com/jwtguard/jwtguard/internal/jose"
)

// member keeps the raw JSON value of a registered claim, as a subslice of
// the payload (no copy), while jose.ParseChecked validates the payload. It
// is the first, lenient pass: each claim's type is checked after the
// signature. Member names match exactly, as RFC 7519 says (Go's decoder
// would also take "ISS" for "iss"). Duplicate names are refused by the
// scan as it reads them, or, in an object of more than 32 names, when the
// object closes: a value read before the pause only names the keys, and a
// duplicate found after it still refuses the token.
// The issuer is all that is needed before the signature check (it names
// the keys), so the scan pauses there and the rest of the payload waits
// for Token.FinishPayload: a forged token, however many claims it carries,
// costs no scan of what follows its issuer.
func (w *wirePayload) member(name, value []byte) (pause bool) {
	if field := w.field(name); field != nil {
		*field = value
		return field == &w.Iss
	}
	return false
}

// collect is member without the pause: it reads every member.
func (w *wirePayload) collect(name, value []byte) (pause bool) {
	w.member(name, value)
	return false
}

// keep moves the raw values w holds from old, the token's pooled payload,
// to payload, the copy that outlives the check.
func (w *wirePayload) keep(old, payload []byte) {
	for _, f := range w.fields() {
		*f = jose.Rebase(*f, old, payload)
	}
}

// fields lists every member of w.
func (w *wirePayload) fields() [19]*json.RawMessage {
	return [...]*json.RawMessage{&w.Iss, &w.Sub, &w.Aud, &w.Exp, &w.Nbf, &w.Iat, &w.Jti, &w.Scope, &w.Scp,
		&w.ClientID, &w.Azp, &w.Cnf, &w.Sid, &w.Nonce, &w.AtHash, &w.CHash, &w.SHash, &w.Events, &w.Typ}
}

func (w *wirePayload) field(name []byte) *json.RawMessage {
	switch string(name) { // no allocation: the compiler compares in place
	case "iss":
		return &w.Iss
	case "sub":
		return &w.Sub
	case "aud":
		return &w.Aud
	case "exp":
		return &w.Exp
	case "nbf":
		return &w.Nbf
	case "iat":
		return &w.Iat
	case "jti":
		return &w.Jti
	case "scope":
		return &w.Scope
	case "scp":
		return &w.Scp
	case "client_id":
		return &w.ClientID
	case "azp":
		return &w.Azp
	case "cnf":
		return &w.Cnf
	case "sid":
		return &w.Sid
	case "nonce":
		return &w.Nonce
	case "at_hash":
		return &w.AtHash
	case "c_hash":
		return &w.CHash
	case "s_hash":
		return &w.SHash
	case "events":
		return &w.Events
	case "typ":
		return &w.Typ
	}
	return nil
}

// bytesString views b as a string without copying, for parsing functions
// that do not keep it.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// parseNumber parses a JSON number (already validated).
func parseNumber(raw []byte) (float64, error) { return strconv.ParseFloat(bytesString(raw), 64) }
