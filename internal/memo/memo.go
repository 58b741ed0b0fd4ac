// Package memo remembers the latest values of a pure function for a few
// keys: a small, fixed-size, lock-free table for the answers a server
// computes again and again (the header every token of a key carries, the
// few rejections it sends), where a map and its lock would cost more than
// they save.
//
// Each key has one slot, chosen by its hash; a new key takes the slot from
// whichever key held it. A table never grows, so keys an attacker chooses
// can only make it forget (each forgotten value is computed again, as
// without the table), never make it hold more.
package memo

import (
	"hash/maphash"
	"sync/atomic"
)

// Slots is the number of keys a Table can hold at once.
const Slots = 16

// Table holds up to Slots key-value pairs, one per slot, and points at the
// pair stored latest; when two Stores race for one slot, that may be the
// pair that lost it: one pair more until the next Store, harmless since a
// key's value never changes. Values are shared between the goroutines that
// look them up: store only what is never changed after. A Table is safe
// for concurrent use; make it with New.
type Table[K comparable, V any] struct {
	seed  maphash.Seed
	slots [Slots]atomic.Pointer[entry[K, V]]
	// the latest pair stored, which Load compares first: a server mostly
	// looks up one key again and again (one header while one key signs,
	// one rejection under a flood), and a comparison costs less than the
	// hash. Only Store writes it, so lookups share it without contention.
	latest atomic.Pointer[entry[K, V]]
}

type entry[K comparable, V any] struct {
	key K
	val V
}

// New returns an empty table.
func New[K comparable, V any]() *Table[K, V] {
	return &Table[K, V]{seed: maphash.MakeSeed()}
}

// Load returns the value stored for k, if k still holds its slot or was
// the latest stored.
func (t *Table[K, V]) Load(k K) (v V, ok bool) {
	if e := t.latest.Load(); e != nil && e.key == k {
		return e.val, true
	}
	if e := t.slot(k).Load(); e != nil && e.key == k {
		return e.val, true
	}
	return v, false
}

// Store remembers v for k, in place of whatever held k's slot.
func (t *Table[K, V]) Store(k K, v V) {
	e := &entry[K, V]{key: k, val: v}
	t.slot(k).Store(e)
	t.latest.Store(e)
}

func (t *Table[K, V]) slot(k K) *atomic.Pointer[entry[K, V]] {
	return &t.slots[maphash.Comparable(t.seed, k)%Slots]
}
