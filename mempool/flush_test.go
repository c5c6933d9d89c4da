package mempool

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
)

// gatedStore is a memStore whose SaveTxs calls wait at the gate while it
// is closed, so a test can hold a write in flight.
type gatedStore struct {
	*memStore
	mu      sync.Mutex
	closed  bool
	opened  chan struct{}
	waiting chan struct{} // receives once per save that waits
}

func newGatedStore() *gatedStore {
	return &gatedStore{memStore: newMemStore(), opened: make(chan struct{}), waiting: make(chan struct{}, 16)}
}

func (g *gatedStore) close() {
	g.mu.Lock()
	g.closed = true
	g.opened = make(chan struct{})
	g.mu.Unlock()
}
func (g *gatedStore) open() { g.mu.Lock(); g.closed = false; close(g.opened); g.mu.Unlock() }

func (g *gatedStore) SaveTxs(txs []*core.Tx) error {
	g.mu.Lock()
	closed, opened := g.closed, g.opened
	g.mu.Unlock()
	if closed {
		g.waiting <- struct{}{}
		<-opened
	}
	return g.memStore.SaveTxs(txs)
}

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestAddBatchDeferred: deferred txs are pooled at once and stored by the
// next Flush, which the tickets report; Add then stores its tx and the
// queued ones in one write.
func TestAddBatchDeferred(t *testing.T) {
	a := newKey(1)
	st := newFakeState()
	st.set(a.Addr, 1e9, 0)
	store := newMemStore()
	p := newTestPool(t, st, func(c *Config) { c.Persist = store })
	txs := []*core.Tx{a.tx(sink, 1, 1000, 0), a.tx(sink, 1, 1000, 1)}
	for i, err := range p.AddBatchDeferred(txs) {
		if err != nil {
			t.Fatalf("tx %d: %v", i, err)
		}
	}
	if p.Count() != 2 || len(store.ids()) != 0 || store.saveCalls != 0 {
		t.Fatalf("pooled %d, stored %d after %d saves; want 2 pooled, nothing written yet", p.Count(), len(store.ids()), store.saveCalls)
	}
	if !p.Unsaved() || p.Saved() >= p.Queued() {
		t.Fatalf("Queued %d, Saved %d: the queued txs are not reported unsaved", p.Queued(), p.Saved())
	}
	mustAdd(t, p, a.tx(sink, 1, 1000, 2)) // durable: writes the queue with it
	if store.saveCalls != 1 || len(store.ids()) != 3 || p.Unsaved() {
		t.Fatalf("%d saves, %d stored, unsaved %v; want the 3 txs in one write", store.saveCalls, len(store.ids()), p.Unsaved())
	}
	if err := p.Flush(); err != nil || store.saveCalls != 1 {
		t.Fatalf("Flush with nothing queued: %v, %d saves", err, store.saveCalls)
	}
}

// TestFlushGroupCommit: while one write is in flight, concurrent Adds
// queue behind it and are all stored by one more write.
func TestFlushGroupCommit(t *testing.T) {
	const n = 8
	keys := make([]key, n+1)
	st := newFakeState()
	for i := range keys {
		keys[i] = newKey(i + 1)
		st.set(keys[i].Addr, 1e9, 0)
	}
	store := newGatedStore()
	p := newTestPool(t, st, func(c *Config) { c.Persist = store })
	store.close()
	first := make(chan error, 1)
	go func() { first <- p.Add(keys[0].tx(sink, 1, 1000, 0)) }()
	<-store.waiting // the first write is in flight
	var wg sync.WaitGroup
	errs := make([]error, n)
	base := p.Queued()
	for i := range n {
		wg.Go(func() { errs[i] = p.Add(keys[i+1].tx(sink, 1, 1000, 0)) })
	}
	waitFor(t, "every Add to queue its tx", func() bool { return p.Queued() == base+n })
	store.open()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Add %d: %v", i, err)
		}
	}
	if store.saveCalls != 2 || len(store.ids()) != n+1 {
		t.Fatalf("%d writes storing %d txs; want 2 writes (the first and one for the group of %d) storing %d", store.saveCalls, len(store.ids()), n, n+1)
	}
}

// TestFlushTxLeavesDuringWrite: a tx that leaves the pool while its write
// is in flight has its record deleted by the next flush.
func TestFlushTxLeavesDuringWrite(t *testing.T) {
	a := newKey(1)
	st := newFakeState()
	st.set(a.Addr, 1e9, 0)
	store := newGatedStore()
	p := newTestPool(t, st, func(c *Config) { c.Persist = store })
	tx := a.tx(sink, 1, 1000, 0)
	if err := p.AddBatchDeferred([]*core.Tx{tx})[0]; err != nil {
		t.Fatal(err)
	}
	store.close()
	done := make(chan error, 1)
	go func() { done <- p.Flush() }()
	<-store.waiting
	blk := block(tx)
	if err := st.apply(blk); err != nil {
		t.Fatal(err)
	}
	p.Update(nil, []*core.Block{blk})
	store.open()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(store.ids()) != 1 || !p.Unsaved() {
		t.Fatalf("stored %d, unsaved %v: the write in flight should have stored the tx and queued its deletion", len(store.ids()), p.Unsaved())
	}
	if err := p.Flush(); err != nil || len(store.ids()) != 0 {
		t.Fatalf("Flush: %v, %d records left; want the included tx's record deleted", err, len(store.ids()))
	}
}

// TestDeferredStoreDown: after a failed write, deferred admissions write
// before returning and are refused while the store fails; what was queued
// is kept and written once the store works again.
func TestDeferredStoreDown(t *testing.T) {
	a, b := newKey(1), newKey(2)
	st := newFakeState()
	st.set(a.Addr, 1e9, 0)
	st.set(b.Addr, 1e9, 0)
	store := newMemStore()
	p := newTestPool(t, st, func(c *Config) { c.Persist = store })
	queued := a.tx(sink, 1, 1000, 0)
	if err := p.AddBatchDeferred([]*core.Tx{queued})[0]; err != nil {
		t.Fatal(err)
	}
	store.failSave = errDisk
	if err := p.Flush(); !errors.Is(err, errDisk) {
		t.Fatalf("Flush on a failing store: %v", err)
	}
	refused := b.tx(sink, 1, 1000, 0)
	if err := p.AddBatchDeferred([]*core.Tx{refused})[0]; !errors.Is(err, errDisk) || core.IsRuleError(err) {
		t.Fatalf("deferred Add after a failed write: %v, want the store's error", err)
	}
	if p.Has(refused.ID()) || !p.Has(queued.ID()) {
		t.Fatal("the refused tx is pooled, or the acknowledged one was dropped")
	}
	store.failSave = nil
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := store.ids(); !slices.Equal(got, []core.Hash{queued.ID()}) {
		t.Fatalf("stored %d txs, want the queued one", len(got))
	}
	if err := p.AddBatchDeferred([]*core.Tx{refused})[0]; err != nil || len(store.ids()) != 1 {
		t.Fatalf("deferred Add once the store works: %v, stored %d (want it queued, not written)", err, len(store.ids()))
	}

	// A failure reported from elsewhere (a block's write) has the same effect.
	p.WriteFailed(errDisk)
	store.failSave = errDisk
	if err := p.AddBatchDeferred([]*core.Tx{b.tx(sink, 1, 1000, 1)})[0]; !errors.Is(err, errDisk) {
		t.Fatalf("deferred Add after WriteFailed: %v, want the store's error", err)
	}
}
