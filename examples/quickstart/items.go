// The example's own API: a small in-memory item store and its handlers,
// which a service replaces with its own. (A test keeps this file identical
// in examples/quickstart, chi, gin and echo.)

package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/jwtguard/jwtguard/middleware"
)

// item is one thing in the store.
type item struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedBy string `json:"created_by,omitempty"`
}

const maxItems = 1000

// items is a small in-memory store, safe for concurrent use.
type items struct {
	mu    sync.Mutex
	next  int
	items []item
}

// newItems returns a store with two items in it.
func newItems() *items {
	return &items{next: 3, items: []item{{ID: "1", Name: "hammer"}, {ID: "2", Name: "wrench"}}}
}

// healthz answers 200 without authentication.
func healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// list answers with every item.
func (s *items) list(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	all := slices.Clone(s.items)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, all)
}

// create adds an item from a JSON body {"name": "..."}, created by the
// token's subject.
func (s *items) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil ||
		in.Name == "" || len(in.Name) > 200 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request",
			"error_description": `Send {"name": "..."} with a name of 1 to 200 bytes`})
		return
	}
	it := item{Name: in.Name}
	if c, ok := middleware.ClaimsFromContext(r.Context()); ok {
		it.CreatedBy = c.Subject
	}
	s.mu.Lock()
	if len(s.items) >= maxItems {
		s.mu.Unlock()
		writeJSON(w, http.StatusInsufficientStorage, map[string]string{"error": "store_full"})
		return
	}
	it.ID = strconv.Itoa(s.next)
	s.next++
	s.items = append(s.items, it)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, it)
}

// remove deletes the item id; the router supplies id from its path.
func (s *items) remove(w http.ResponseWriter, _ *http.Request, id string) {
	s.mu.Lock()
	n := len(s.items)
	s.items = slices.DeleteFunc(s.items, func(it item) bool { return it.ID == id })
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
