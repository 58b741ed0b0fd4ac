package demo

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/jwtguard/jwtguard/middleware"
)

// Item is one thing in the example's store.
type Item struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedBy string `json:"created_by,omitempty"`
}

const maxItems = 1000

// Items is a small in-memory store, safe for concurrent use.
type Items struct {
	mu    sync.Mutex
	next  int
	items []Item
}

// NewItems returns a store with two items in it.
func NewItems() *Items {
	return &Items{next: 3, items: []Item{{ID: "1", Name: "hammer"}, {ID: "2", Name: "wrench"}}}
}

// Healthz answers 200 without authentication.
func Healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// Me answers with the verified claims of the caller.
func Me(w http.ResponseWriter, r *http.Request) {
	c, ok := middleware.ClaimsFromContext(r.Context())
	if !ok {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(c.Raw())
}

// List answers with every item.
func (s *Items) List(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	items := slices.Clone(s.items)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, items)
}

// Create adds an item from a JSON body {"name": "..."}.
func (s *Items) Create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil ||
		in.Name == "" || len(in.Name) > 200 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request",
			"error_description": `Send {"name": "..."} with a name of 1 to 200 bytes`})
		return
	}
	item := Item{Name: in.Name}
	if c, ok := middleware.ClaimsFromContext(r.Context()); ok {
		item.CreatedBy = c.Subject
	}
	s.mu.Lock()
	if len(s.items) >= maxItems {
		s.mu.Unlock()
		writeJSON(w, http.StatusInsufficientStorage, map[string]string{"error": "store_full"})
		return
	}
	item.ID = strconv.Itoa(s.next)
	s.next++
	s.items = append(s.items, item)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, item)
}

// Delete removes the item id; the router supplies id from its path.
func (s *Items) Delete(w http.ResponseWriter, _ *http.Request, id string) {
	s.mu.Lock()
	n := len(s.items)
	s.items = slices.DeleteFunc(s.items, func(it Item) bool { return it.ID == id })
	deleted := len(s.items) != n
	s.mu.Unlock()
	if !deleted {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
