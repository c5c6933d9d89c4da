package chain_test

import (
	"errors"
	"sync/atomic"
	"testing"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
)

var errKilled = errors.New("process killed")

// cutKV is a store whose commits fail once left runs out: a process killed
// between two batches (each batch is atomic, so that is the only cut).
type cutKV struct {
	store.KV
	left atomic.Int64
}

func (k *cutKV) NewBatch() store.KVBatch { return &cutBatch{KVBatch: k.KV.NewBatch(), kv: k} }

type cutBatch struct {
	store.KVBatch
	kv *cutKV
}

func (b *cutBatch) Commit() error {
	if b.kv.left.Add(-1) < 0 {
		return errKilled
	}
	return b.KVBatch.Commit()
}

// TestReorgCutAnywhere cuts a reorg after every one of its batches (the
// side block's, each disconnect, each connect) and reopens the store: the
// reopened chain finishes the reorg (same tip and digest as a chain that
// was never cut), and the txs of the disconnected blocks are in the
// persisted mempool, so a crash mid-reorg loses neither blocks nor txs.
func TestReorgCutAnywhere(t *testing.T) {
	b := scenarios.NewBuilder()
	k := b.Keys
	b.Next("a1", scenarios.GenesisLabel, []*core.Tx{b.Tx(1, k[2].Addr, 100, scenarios.MinFee, 0)}, nil)
	b.Next("a2", "a1", []*core.Tx{b.Tx(1, k[2].Addr, 100, scenarios.MinFee, 1)}, nil)
	b.Next("a3", "a2", nil, nil)
	b.Next("c1", scenarios.GenesisLabel, []*core.Tx{b.Tx(2, k[3].Addr, 100, scenarios.MinFee, 0)}, nil)
	b.Next("c2", "c1", nil, nil)
	b.Next("c3", "c2", nil, nil)
	b.Next("c4", "c3", nil, nil)
	backToPool := []core.Hash{b.Block("a1").Txs[0].ID(), b.Block("a2").Txs[0].ID()}
	clock := newClock(scenarios.StartTime + 10*60_000)
	for cut := 0; ; cut++ {
		kv := &cutKV{KV: store.NewMemory()}
		kv.left.Store(1 << 30)
		db, err := store.New(kv)
		if err != nil {
			t.Fatal(err)
		}
		c, err := chain.New(chain.Config{Genesis: b.Genesis, Engine: b.Engine, DB: db, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"a1", "a2", "a3", "c1", "c2", "c3"} {
			if _, err := c.ProcessBlock(b.Block(name)); err != nil {
				t.Fatal(err)
			}
		}
		kv.left.Store(int64(cut))
		_, err = c.ProcessBlock(b.Block("c4"))
		if err == nil {
			if cut < 8 { // c4 stored, 3 disconnects, 4 connects
				t.Fatalf("the reorg took %d batches", cut)
			}
			return
		}
		if !errors.Is(err, errKilled) {
			t.Fatalf("cut after %d batches: %v", cut, err)
		}
		kv.left.Store(1 << 30)
		db2, err := store.New(kv)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := chain.New(chain.Config{Genesis: b.Genesis, Engine: b.Engine, DB: db2, Now: clock.Now})
		if err != nil {
			t.Fatalf("cut after %d batches: reopen: %v", cut, err)
		}
		want := "c4"
		if cut == 0 { // c4 itself was not stored
			want = "a3"
		}
		st, _ := b.State(want)
		if tip := c2.Tip(); tip.Hash != b.Block(want).Hash() || tip.StateDigest != st.Digest().Sum() {
			t.Fatalf("cut after %d batches: reopened at %s (height %d), want %s", cut, b.Name(tip.Hash), tip.Height, want)
		}
		if cut == 0 {
			continue
		}
		pooled := map[core.Hash]bool{}
		err = db2.MempoolTxs(func(raw []byte) error {
			tx, err := core.DecodeTx(raw)
			if err != nil {
				return err
			}
			pooled[tx.ID()] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range backToPool {
			if !pooled[id] {
				t.Fatalf("cut after %d batches: tx %s of a disconnected block is not in the persisted mempool", cut, id)
			}
		}
		if _, err := c2.Tx(backToPool[0]); err == nil {
			t.Fatalf("cut after %d batches: tx of the abandoned branch still indexed", cut)
		}
	}
}
