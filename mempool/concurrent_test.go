package mempool

import (
	"sync"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// TestConcurrentAdd: many goroutines admit, select and read at once (run
// with -race); every valid tx is admitted exactly once.
func TestConcurrentAdd(t *testing.T) {
	const senders, perSender, workers = 24, 12, 8
	st := newFakeState()
	store := newMemStore()
	p := newTestPool(t, st, func(c *Config) { c.Persist = store; c.SigCache = core.NewSigCache(1000) })
	var txs []*core.Tx
	for i := range senders {
		k := newKey(100 + i)
		st.set(k.Addr, 1e9, 0)
		for n := range perSender {
			txs = append(txs, k.tx(sink, 1, 1000+uint64(n*i), uint64(n)))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(txs)*workers)
	for w := range workers {
		wg.Go(func() {
			// Every worker submits every tx, in a different order: one Add
			// wins, the others see a duplicate.
			for j := range txs {
				tx := txs[(j*7+w*31)%len(txs)]
				if err := p.Add(tx); err != nil && core.CodeOf(err) != core.CodeDuplicate {
					errs <- err
				}
				if j%50 == 0 {
					p.Select(1<<16, 100)
					p.PendingState(tx.Sender())
					p.Txs(10)
				}
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			p.Update(nil, nil)
			p.AddBatch(txs[:10])
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if p.Count() != len(txs) {
		t.Fatalf("pooled %d txs, want %d", p.Count(), len(txs))
	}
	if len(store.ids()) != len(txs) {
		t.Fatalf("stored %d txs, want %d", len(store.ids()), len(txs))
	}
	if got := len(p.Select(1<<30, 1<<30)); got != len(txs) {
		t.Fatalf("selected %d txs, want all %d", got, len(txs))
	}
	checkInvariants(t, p, st)
}
