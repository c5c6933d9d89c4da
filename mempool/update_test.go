package mempool

import (
	"testing"

	"github.com/cairn-chain/cairn/core"
)

var miner = core.Address{0x3a}

func block(txs ...*core.Tx) *core.Block {
	return &core.Block{Header: core.Header{Version: 1, Miner: miner}, Txs: txs}
}

// TestUpdateConnect: a connected block removes the txs it includes and
// drops those it made invalid, keeping the rest.
func TestUpdateConnect(t *testing.T) {
	a, b, c := newKey(1), newKey(2), newKey(3)
	st := newFakeState()
	st.set(a.Addr, 1_000_000, 0)
	st.set(b.Addr, 100_000, 0)
	st.set(c.Addr, 1_000_000, 0)
	store := newMemStore()
	p := newTestPool(t, st, func(cfg *Config) { cfg.Persist = store })

	a0, a1, a2 := a.tx(sink, 1000, 1000, 0), a.tx(sink, 1000, 1000, 1), a.tx(sink, 1000, 1000, 2)
	b0, b1 := b.tx(sink, 40_000, 1000, 0), b.tx(sink, 40_000, 1000, 1)
	c0 := c.tx(sink, 1000, 1000, 0)
	mustAdd(t, p, a0, a1, a2, b0, b1, c0)

	// The block holds a0, another tx with a's nonce 1 (a replacement seen
	// elsewhere), and a tx of b not seen here that takes b's nonce 0 and
	// leaves b 29,000: b1 (41,000) is no longer covered.
	a1other := a.tx(core.Address{5}, 2000, 1500, 1)
	bOther := b.tx(core.Address{5}, 70_000, 1000, 0)
	blk := block(a0, a1other, bOther)
	if err := st.apply(blk); err != nil {
		t.Fatal(err)
	}
	p.Update(nil, []*core.Block{blk})
	if err := p.Flush(); err != nil { // Update queues its writes
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		tx     *core.Tx
		pooled bool
	}{
		{"included tx removed", a0, false},
		{"same nonce as an included tx dropped", a1, false},
		{"later nonce kept", a2, true},
		{"nonce used by the block dropped", b0, false},
		{"later nonce beyond the new balance dropped", b1, false},
		{"untouched sender kept", c0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if p.Has(tc.tx.ID()) != tc.pooled {
				t.Fatalf("pooled = %v, want %v", !tc.pooled, tc.pooled)
			}
		})
	}
	if len(store.ids()) != p.Count() {
		t.Fatalf("store holds %d txs, pool %d: departed txs not deleted", len(store.ids()), p.Count())
	}
	if sel := p.Select(1<<20, 10); len(sel) != 2 {
		t.Fatalf("selected %d txs, want a2 and c0", len(sel))
	}
	checkInvariants(t, p, st)
}

// TestUpdateBalanceDropsFromTheEnd: when a sender's balance no longer
// covers all its txs, the highest nonces go first.
func TestUpdateBalanceDropsFromTheEnd(t *testing.T) {
	a, b := newKey(1), newKey(2)
	st := newFakeState()
	st.set(a.Addr, 100_000, 0)
	st.set(b.Addr, 100_000, 0)
	p := newTestPool(t, st, nil)
	a0, a1, a2 := a.tx(sink, 20_000, 1000, 0), a.tx(sink, 20_000, 1000, 1), a.tx(sink, 20_000, 1000, 2)
	mustAdd(t, p, a0, a1, a2)
	// b mines a block that reorgs out funds: simulate a's balance falling
	// through a disconnected block that had paid a.
	st.set(a.Addr, 45_000, 0)
	p.Update([]*core.Block{block(b.tx(a.Addr, 55_000, 1000, 0))}, nil)
	if !p.Has(a0.ID()) || !p.Has(a1.ID()) || p.Has(a2.ID()) {
		t.Fatalf("want a0, a1 kept and a2 dropped; pooled: %v %v %v", p.Has(a0.ID()), p.Has(a1.ID()), p.Has(a2.ID()))
	}
	checkInvariants(t, p, st)
}

// TestUpdateReorg: the txs of disconnected blocks come back unless the new
// branch includes them; nothing is lost.
func TestUpdateReorg(t *testing.T) {
	a, b := newKey(1), newKey(2)
	st := newFakeState()
	st.set(a.Addr, 1_000_000, 0)
	st.set(b.Addr, 1_000_000, 0)
	store := newMemStore()
	p := newTestPool(t, st, func(cfg *Config) { cfg.Persist = store; cfg.MaxPerSender = 2 })

	a0, a1, a2, a3 := a.tx(sink, 1, 1000, 0), a.tx(sink, 1, 1000, 1), a.tx(sink, 1, 1000, 2), a.tx(sink, 1, 1000, 3)
	b0 := b.tx(sink, 1, 1000, 0)
	mustAdd(t, p, a0, a1, b0)

	// Old branch: one block with a0, a1 and b0.
	before := st.clone()
	old := block(a0, a1, b0)
	if err := st.apply(old); err != nil {
		t.Fatal(err)
	}
	p.Update(nil, []*core.Block{old})
	if p.Count() != 0 {
		t.Fatalf("%d txs left after their block", p.Count())
	}
	mustAdd(t, p, a2, a3) // a's cap of 2 is reached again

	// New branch: a block with only b0.
	st.mu.Lock()
	st.m = before.clone().m
	st.mu.Unlock()
	nw := block(b0)
	if err := st.apply(nw); err != nil {
		t.Fatal(err)
	}
	p.Update([]*core.Block{old}, []*core.Block{nw})
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}

	for _, tx := range []*core.Tx{a0, a1, a2, a3} {
		if !p.Has(tx.ID()) {
			t.Fatalf("a's nonce %d lost in the reorg", tx.Nonce)
		}
	}
	if p.Has(b0.ID()) {
		t.Fatal("b0, included on the new branch, was re-added")
	}
	if got := p.Select(1<<20, 10); len(got) != 4 || got[0].Nonce != 0 || got[3].Nonce != 3 {
		t.Fatalf("selected %d txs after the reorg, want a's 0..3", len(got))
	}
	if len(store.ids()) != 4 {
		t.Fatalf("store holds %d txs, want the 4 pooled", len(store.ids()))
	}
	checkInvariants(t, p, st)

	// And back: the old branch wins again.
	st.mu.Lock()
	st.m = before.clone().m
	st.mu.Unlock()
	if err := st.apply(old); err != nil {
		t.Fatal(err)
	}
	p.Update([]*core.Block{nw}, []*core.Block{old})
	if p.Count() != 2 || !p.Has(a2.ID()) || !p.Has(a3.ID()) {
		t.Fatalf("after reorg back: %d txs, want a2 and a3", p.Count())
	}
	checkInvariants(t, p, st)
}

// TestUpdateConflictingReadmit: a disconnected tx whose nonce is taken by
// a pooled tx competes on fee per byte.
func TestUpdateConflictingReadmit(t *testing.T) {
	a := newKey(1)
	st := newFakeState()
	st.set(a.Addr, 1_000_000, 0)
	p := newTestPool(t, st, nil)
	mined := a.tx(sink, 1, 1000, 0)
	pooled := a.tx(sink, 2, 5000, 0)
	mustAdd(t, p, pooled)
	p.Update([]*core.Block{block(mined)}, nil)
	if !p.Has(pooled.ID()) || p.Has(mined.ID()) || p.Count() != 1 {
		t.Fatal("want the better-paying tx of nonce 0 kept, and only it")
	}
	checkInvariants(t, p, st)
}

// TestUpdateTrimsToMaxBytes: re-added txs can push the pool over its cap;
// the cheapest queue ends go.
func TestUpdateTrimsToMaxBytes(t *testing.T) {
	a, b := newKey(1), newKey(2)
	st := newFakeState()
	st.set(a.Addr, 1_000_000, 0)
	st.set(b.Addr, 1_000_000, 0)
	size := a.tx(sink, 1, 1000, 0).Size()
	p := newTestPool(t, st, func(c *Config) { c.MaxBytes = 2 * size })
	cheap := b.tx(sink, 1, 1000, 0)
	mustAdd(t, p, cheap, b.tx(sink, 1, 9000, 1))
	p.Update([]*core.Block{block(a.tx(sink, 1, 5000, 0))}, nil)
	if p.Bytes() > 2*size || p.Count() != 2 || !p.Has(cheap.ID()) {
		t.Fatalf("after trim: %d txs, %d bytes; want 2 txs with b's front kept", p.Count(), p.Bytes())
	}
	checkInvariants(t, p, st)
}

// TestUpdateStateError: an account that cannot be read keeps its txs,
// unchecked and not selectable, until a later read works.
func TestUpdateStateError(t *testing.T) {
	a := newKey(1)
	st := newFakeState()
	st.set(a.Addr, 1_000_000, 0)
	p := newTestPool(t, st, nil)
	a0, a1 := a.tx(sink, 1, 1000, 0), a.tx(sink, 1, 1000, 1)
	mustAdd(t, p, a1)
	st.fail[a.Addr] = errDisk
	p.Update([]*core.Block{block(a0)}, nil)
	if !p.Has(a0.ID()) || !p.Has(a1.ID()) {
		t.Fatal("txs of an unreadable account were lost")
	}
	if n := len(p.Select(1<<20, 10)); n != 0 {
		t.Fatalf("selected %d unchecked txs", n)
	}
	delete(st.fail, a.Addr)
	p.Update(nil, nil)
	mustAdd(t, p, a.tx(sink, 1, 1000, 2)) // reads the account again
	if n := len(p.Select(1<<20, 10)); n != 3 {
		t.Fatalf("selected %d txs after the account became readable, want 3", n)
	}
	checkInvariants(t, p, st)
}
