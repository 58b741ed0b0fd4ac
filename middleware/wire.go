package middleware

import (
	"encoding/json"
	"strconv"
)

// member keeps the raw JSON value of a registered claim, as a subslice of
// the payload (no copy), while the payload is validated, after the
// signature. It is the first, lenient pass: each claim's type is checked
// next. Member names match exactly, as RFC 7519 says (Go's decoder would
// also take "ISS" for "iss"); a name twice, or twice but for case, fails
// the validation, so what member kept last is never read.
func (w *wirePayload) member(name, value []byte) {
	if field := w.field(name); field != nil {
		*field = value
	}
	w.readers.member(name, value)
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

// parseNumber parses a JSON number (already validated).
func parseNumber(raw []byte) (float64, error) { return strconv.ParseFloat(string(raw), 64) }
