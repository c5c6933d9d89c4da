package mempool

import (
	"errors"
	"slices"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// TestPersistReload: the store follows the pool through admissions,
// replacements and evictions, and a new pool loading it is the same pool.
func TestPersistReload(t *testing.T) {
	keys := []key{newKey(1), newKey(2), newKey(3), newKey(4)}
	st := newFakeState()
	for _, k := range keys {
		st.set(k.Addr, 1e9, 0)
	}
	size := keys[0].tx(sink, 1, 1000, 0).Size()
	store := newMemStore()
	cfg := func(c *Config) { c.Persist = store; c.MaxBytes = 6 * size }
	p := newTestPool(t, st, cfg)

	mustAdd(t, p,
		keys[0].tx(sink, 1, 1000, 0), keys[0].tx(sink, 1, 1200, 1),
		keys[1].tx(sink, 1, 3000, 0), keys[1].tx(sink, 1, 3000, 2), // gapped
		keys[2].tx(sink, 1, 2000, 0),
	)
	mustAdd(t, p, keys[2].tx(sink, 1, 2200, 0))                               // replacement
	mustAdd(t, p, keys[3].tx(sink, 1, 5000, 0), keys[3].tx(sink, 1, 5000, 1)) // the second evicts keys[0]'s nonce 1
	if got, want := store.ids(), sortedIDs(p); !slices.Equal(got, want) {
		t.Fatalf("store holds %d txs, pool %d", len(got), len(want))
	}

	q := newTestPool(t, st, cfg)
	n, err := q.Load()
	if err != nil {
		t.Fatal(err)
	}
	if n != p.Count() || q.Bytes() != p.Bytes() {
		t.Fatalf("reloaded %d txs (%d bytes), pool had %d (%d bytes)", n, q.Bytes(), p.Count(), p.Bytes())
	}
	if !sameSet(ids(q.Txs(0)), ids(p.Txs(0))) {
		t.Fatal("reloaded pool holds other txs")
	}
	if !slices.Equal(ids(q.Select(1<<20, 100)), ids(p.Select(1<<20, 100))) {
		t.Fatal("reloaded pool selects in another order")
	}
	checkInvariants(t, q, st)
}

// TestLoadDropsStale: persisted txs the chain has moved past are not
// re-admitted and are deleted from the store.
func TestLoadDropsStale(t *testing.T) {
	a := newKey(1)
	st := newFakeState()
	st.set(a.Addr, 1e9, 0)
	store := newMemStore()
	p := newTestPool(t, st, func(c *Config) { c.Persist = store })
	mustAdd(t, p, a.tx(sink, 1, 1000, 0), a.tx(sink, 1, 1000, 1), a.tx(sink, 1, 1000, 2))
	store.m[core.Hash{1}] = []byte("not a tx")

	st.set(a.Addr, 1e9, 2) // blocks with nonces 0 and 1 landed while down
	q := newTestPool(t, st, func(c *Config) { c.Persist = store })
	n, err := q.Load()
	if err != nil || n != 1 {
		t.Fatalf("Load = %d, %v; want 1 tx", n, err)
	}
	if len(store.ids()) != 2 { // nonce 2, and the undecodable record keyed by something else
		t.Fatalf("store holds %d records after Load, want 2", len(store.ids()))
	}
	checkInvariants(t, q, st)
}

// TestPersistFailure: a failed save rejects the tx and leaves the pool as
// it was, displaced txs included; a failed delete is retried later.
func TestPersistFailure(t *testing.T) {
	a, b := newKey(1), newKey(2)
	st := newFakeState()
	st.set(a.Addr, 1e9, 0)
	st.set(b.Addr, 1e9, 0)
	st.set(newKey(3).Addr, 1e9, 0)
	size := a.tx(sink, 1, 1000, 0).Size()
	store := newMemStore()
	p := newTestPool(t, st, func(c *Config) { c.Persist = store; c.MaxBytes = 2 * size })
	a0, b0 := a.tx(sink, 1, 1000, 0), b.tx(sink, 1, 1000, 0)
	mustAdd(t, p, a0, b0)

	tests := []struct {
		name string
		tx   *core.Tx
	}{
		{"replacement", a.tx(sink, 1, 2000, 0)},
		{"eviction", b.tx(sink, 1, 9000, 1)},
		{"new sender evicting", newKey(3).tx(sink, 1, 9000, 0)},
	}
	store.failSave = errDisk
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := p.Add(tc.tx)
			if !errors.Is(err, errDisk) || core.IsRuleError(err) {
				t.Fatalf("Add with a failing store: %v", err)
			}
			if p.Has(tc.tx.ID()) || !p.Has(a0.ID()) || !p.Has(b0.ID()) || p.Count() != 2 {
				t.Fatal("pool changed by a tx that could not be persisted")
			}
			checkInvariants(t, p, st)
		})
	}
	t.Run("batch", func(t *testing.T) {
		// The second replaces the first, the third evicts: all undone.
		batch := []*core.Tx{a.tx(sink, 1, 2000, 0), a.tx(sink, 1, 4000, 0), b.tx(sink, 1, 9000, 1)}
		for i, err := range p.AddBatch(batch) {
			if !errors.Is(err, errDisk) {
				t.Fatalf("tx %d: %v, want the store's error", i, err)
			}
		}
		if !p.Has(a0.ID()) || !p.Has(b0.ID()) || p.Count() != 2 {
			t.Fatal("pool changed by a batch that could not be persisted")
		}
		checkInvariants(t, p, st)
	})
	store.failSave = nil

	store.failDelete = errDisk
	a0r := a.tx(sink, 1, 2000, 0)
	mustAdd(t, p, a0r) // replaces a0; deleting a0's record fails
	if _, ok := store.m[a0.ID()]; !ok {
		t.Fatal("record deleted despite the failure")
	}
	store.failDelete = nil
	mustAdd(t, p, newKey(3).tx(sink, 1, 5000, 0)) // evicts b0; the retried delete goes through
	if _, ok := store.m[a0.ID()]; ok {
		t.Fatal("failed delete was not retried")
	}
	if got, want := store.ids(), sortedIDs(p); !slices.Equal(got, want) {
		t.Fatalf("store holds %d txs, pool %d", len(got), len(want))
	}
}

func sortedIDs(p *Pool) []core.Hash {
	out := ids(p.Txs(0))
	slices.SortFunc(out, func(a, b core.Hash) int { return slices.Compare(a[:], b[:]) })
	return out
}

func sameSet(a, b []core.Hash) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	cmp := func(a, b core.Hash) int { return slices.Compare(a[:], b[:]) }
	slices.SortFunc(x, cmp)
	slices.SortFunc(y, cmp)
	return slices.Equal(x, y)
}
