package mempool

import (
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// TestLoadKeepsReorgOverflow: a reorg returns more txs of a sender than
// the per-sender and nonce-window limits admit (Update applies neither);
// a restart loads them all, so no acknowledged tx is lost to a restart
// (or a crash) after a deep reorg.
func TestLoadKeepsReorgOverflow(t *testing.T) {
	a := newKey(1)
	st := newFakeState()
	st.set(a.Addr, 1e9, 0)
	store := newMemStore()
	cfg := func(c *Config) { c.Persist = store; c.MaxPerSender = 2; c.MaxNonceAhead = 2 }
	p := newTestPool(t, st, cfg)

	// Three blocks, each with two txs admitted just before it.
	before := st.clone()
	var blocks []*core.Block
	var txs []*core.Tx
	for i := uint64(0); i < 6; i += 2 {
		t0, t1 := a.tx(sink, 1, 1000, i), a.tx(sink, 1, 1000, i+1)
		mustAdd(t, p, t0, t1)
		b := block(t0, t1)
		if err := st.apply(b); err != nil {
			t.Fatal(err)
		}
		p.Update(nil, []*core.Block{b})
		blocks = append(blocks, b)
		txs = append(txs, t0, t1)
	}
	// A heavier branch without them: all six come back.
	st.mu.Lock()
	st.m = before.clone().m
	st.mu.Unlock()
	p.Update([]*core.Block{blocks[2], blocks[1], blocks[0]}, nil)
	if err := p.Flush(); err != nil { // Update queues its writes
		t.Fatal(err)
	}
	if p.Count() != 6 {
		t.Fatalf("%d txs pooled after the reorg, want 6", p.Count())
	}

	q := newTestPool(t, st, cfg)
	n, err := q.Load()
	if err != nil || n != 6 {
		t.Fatalf("Load = %d, %v; want the 6 txs", n, err)
	}
	for _, tx := range txs {
		if !q.Has(tx.ID()) {
			t.Fatalf("nonce %d lost at the restart", tx.Nonce)
		}
	}
	checkInvariants(t, q, st)
	// New submissions still meet the limits.
	if err := q.Add(a.tx(sink, 1, 1000, 6)); core.CodeOf(err) != core.CodeMempoolFull && core.CodeOf(err) != core.CodeNonceGap {
		t.Fatalf("a new tx past the limits: %v", err)
	}
}
