package revocation

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"sync"
	"time"

	"github.com/jwtguard/jwtguard/internal/logoutx"
	"github.com/jwtguard/jwtguard/middleware"
)

// LogoutHandler receives OpenID Connect Back-Channel Logout 1.0 requests:
// the provider POSTs a logout_token when a user logs out, and every token
// of that session (sid), or of that user (sub, when there is no sid), is
// revoked in the store, so the API refuses them at once on every instance.
//
// Mount it where the provider's back-channel logout URI points, without
// Protect in front: the logout token is the credential.
type LogoutHandler struct {
	v         *middleware.Verifier
	store     Store
	clientIDs []string
	now       func() time.Time

	mu   sync.Mutex
	seen map[string]time.Time // iss|jti -> exp, for replay
}

// maxReplayEntries bounds the replay cache; logout tokens live minutes.
const maxReplayEntries = 100_000

// NewLogoutHandler returns a handler that verifies logout tokens with v
// (the issuers and keys configured for access tokens) for the relying
// party's clientIDs (the logout token's aud), and revokes in store.
func NewLogoutHandler(v *middleware.Verifier, store Store, clientIDs []string) (*LogoutHandler, error) {
	if v == nil || store == nil || len(clientIDs) == 0 {
		return nil, errors.New("revocation: the logout handler needs a verifier, a store and the client IDs")
	}
	return &LogoutHandler{v: v, store: store, clientIDs: clientIDs, now: time.Now,
		seen: map[string]time.Time{}}, nil
}

// ServeHTTP answers 200 when the session or user was logged out, 400 with a
// JSON error otherwise (§2.8), and 405 to anything but POST.
func (h *LogoutHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		fail(w, "invalid_request", "The request must be a form POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		fail(w, "invalid_request", "The request body is not a valid form")
		return
	}
	toks := r.PostForm["logout_token"]
	if len(toks) != 1 || toks[0] == "" {
		fail(w, "invalid_request", "Exactly one logout_token is required")
		return
	}
	x, err := logoutx.Verify(r.Context(), h.v, toks[0], h.clientIDs)
	c, _ := x.(*middleware.Claims)
	if err != nil || c == nil {
		fail(w, "invalid_request", "The logout token is invalid")
		return
	}
	if !h.first(c) {
		fail(w, "invalid_request", "The logout token was already used")
		return
	}
	rev := Revocation{Kind: BySession, Issuer: c.Issuer, Value: c.SessionID, Reason: "back-channel logout"}
	if c.SessionID == "" {
		rev = Revocation{Kind: BySubject, Issuer: c.Issuer, Value: c.Subject, Reason: "back-channel logout"}
	}
	if err := h.store.Revoke(r.Context(), rev); err != nil {
		h.forget(c)
		fail(w, "temporarily_unavailable", "The logout could not be recorded")
		return
	}
	w.WriteHeader(http.StatusOK)
}

// first records the token's jti and reports whether it is new. Entries
// leave when the token expires.
func (h *LogoutHandler) first(c *middleware.Claims) bool {
	k := c.Issuer + "|" + c.ID
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if exp, ok := h.seen[k]; ok && now.Before(exp.Add(time.Minute)) {
		return false
	}
	if len(h.seen) >= maxReplayEntries {
		for k, exp := range h.seen {
			if !now.Before(exp.Add(time.Minute)) {
				delete(h.seen, k)
			}
		}
		if len(h.seen) >= maxReplayEntries {
			return false // fail closed rather than forget what was used
		}
	}
	h.seen[k] = c.ExpiresAt
	return true
}

func (h *LogoutHandler) forget(c *middleware.Claims) {
	h.mu.Lock()
	delete(h.seen, c.Issuer+"|"+c.ID)
	h.mu.Unlock()
}

func fail(w http.ResponseWriter, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}
