package jwttest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Fault is a misbehaviour of the issuer's discovery and JWKS endpoints.
type Fault int

// Faults.
const (
	FaultNone    Fault = iota // answer normally
	Fault500                  // 500 Internal Server Error
	Fault429                  // 429 Too Many Requests with Retry-After: 1
	FaultSlow                 // answer normally, after the delay set with SetSlowDelay (default 5 s)
	FaultGarbage              // 200 with an HTML body
	FaultEmpty                // 200 with {"keys":[]}
	FaultDown                 // close the connection without an answer
)

// SetFault switches the discovery and JWKS endpoints to misbehave.
func (i *Issuer) SetFault(f Fault) {
	i.mu.Lock()
	i.fault = f
	i.mu.Unlock()
}

// SetSlowDelay sets how long FaultSlow waits before answering.
func (i *Issuer) SetSlowDelay(d time.Duration) {
	i.mu.Lock()
	i.slow = d
	i.mu.Unlock()
}

func (i *Issuer) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		i.discoveryHits.Add(1)
		if i.injectFault(w, r) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                                i.URL(),
			"jwks_uri":                              i.JWKSURL(),
			"token_endpoint":                        i.TokenURL(),
			"grant_types_supported":                 []string{"client_credentials"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported":              []string{"token"},
			"subject_types_supported":               []string{"public"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		i.jwksHits.Add(1)
		i.mu.Lock()
		i.lastJWKSHdr = r.Header.Clone()
		cc := i.cacheControl
		keys := make([]json.RawMessage, len(i.keys))
		for n, k := range i.keys {
			keys[n] = k.jwk
		}
		i.mu.Unlock()
		if i.injectFault(w, r) {
			return
		}
		if cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
	})
	mux.HandleFunc("POST /token", i.token)
	return mux
}

// injectFault answers per the current fault and reports whether it did.
func (i *Issuer) injectFault(w http.ResponseWriter, r *http.Request) bool {
	i.mu.Lock()
	f, slow := i.fault, i.slow
	i.mu.Unlock()
	switch f {
	case Fault500:
		http.Error(w, "internal error", http.StatusInternalServerError)
	case Fault429:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case FaultSlow:
		if slow == 0 {
			slow = 5 * time.Second
		}
		t := time.NewTimer(slow)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true
		case <-i.closed:
			return true
		}
		return false
	case FaultGarbage:
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
	case FaultEmpty:
		writeJSON(w, http.StatusOK, map[string]any{"keys": []any{}})
	case FaultDown:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	default:
		return false
	}
	return true
}

// token is a client_credentials token endpoint (RFC 6749 §4.4) for
// development: any client gets a token with the scopes it asks for, and
// with the roles of the non-standard "roles" parameter (space- or
// comma-separated).
func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	client, _, ok := r.BasicAuth()
	if !ok {
		client = r.PostForm.Get("client_id")
	}
	if client == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	claims := ClaimsSet{"sub": client, "client_id": client}
	if s := strings.Join(strings.Fields(r.PostForm.Get("scope")), " "); s != "" {
		claims["scope"] = s
	}
	if roles := strings.FieldsFunc(r.PostForm.Get("roles"), func(c rune) bool { return c == ' ' || c == ',' }); len(roles) > 0 {
		claims["roles"] = roles
	}
	if aud := r.PostForm.Get("audience"); aud != "" {
		claims["aud"] = aud
	}
	tok, err := i.Mint(claims)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int(i.ttl / time.Second),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// listen refuses anything but a loopback address: the token endpoint
// must never be reachable from another machine.
func listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("jwttest: %q is not a loopback address", addr)
	}
	return net.Listen("tcp", addr)
}
