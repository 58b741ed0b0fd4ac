package revocation

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jwtguard/jwtguard/nethttp"
	"github.com/jwtguard/jwtguard/rbac"
)

// AdminHandler serves a small JSON API over store, for operators:
//
//	GET  → 200 {"revocations": [...]}
//	POST {"kind": "jti"|"sub"|"sid", "iss": "...", "value": "...", "reason": "...", "expires": "RFC 3339"}
//	     → 201 {"revoked": kind, "iss": "...", "value": "..."}
//	     → 503 {"outcome": "not_recorded"} when the store refused it (ErrFull)
//	     → 503 {"outcome": "unknown"} on any other failure (ErrOutcomeUnknown,
//	       or a store that cannot tell): it may have been recorded; POST it
//	       again until 201
//
// Every request must satisfy policy (for example rbac.Role("security-admin"));
// mount it behind nethttp.Protect, whose options opts repeats (realm, error
// writer), so refusals are the usual 401 and 403 answers.
func AdminHandler(store Store, policy rbac.Policy, opts ...nethttp.Option) http.Handler {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		switch r.Method {
		case http.MethodGet:
			list, err := store.List(r.Context())
			if err != nil {
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
				return
			}
			slices.SortFunc(list, func(a, b Revocation) int {
				return strings.Compare(a.Kind.String()+a.Issuer+a.Value, b.Kind.String()+b.Issuer+b.Value)
			})
			writeJSON(w, http.StatusOK, map[string]any{"revocations": list})
		case http.MethodPost:
			var in Revocation
			dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&in); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "The body must be one revocation as JSON"})
				return
			}
			in.Before = time.Time{} // the cutoff is the moment of the request
			switch err := store.Revoke(r.Context(), in); {
			case errors.Is(err, ErrInvalid):
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": err.Error()})
				return
			case errors.Is(err, ErrFull):
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable", "outcome": "not_recorded",
					"error_description": "Nothing was recorded: the store is full of unexpired revocations."})
				return
			case err != nil:
				// Any other failure may have come after the write (ErrOutcomeUnknown,
				// or a store that cannot tell): never claim that nothing happened.
				w.Header().Set("Retry-After", "1")
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable", "outcome": "unknown",
					"error_description": "The store did not confirm the revocation: it may or may not have been recorded. " +
						"Revoking again is safe: retry until the answer is 201."})
				return
			}
			writeJSON(w, http.StatusCreated, map[string]any{"revoked": in.Kind.String(), "iss": in.Issuer, "value": in.Value})
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
	return nethttp.Require(policy, opts...)(api)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
