package index_test

import (
	"testing"
	"time"

	"github.com/cairn-chain/cairn/anchor/memo"
	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
)

// anchorTx is a data tx from key i anchoring root under topic.
func anchorTx(t *testing.T, b *scenarios.Builder, i int, nonce uint64, topic string, root core.Hash) *core.Tx {
	t.Helper()
	m, err := memo.Encode(topic, root)
	if err != nil {
		t.Fatal(err)
	}
	k := b.Keys[i]
	tx := &core.Tx{Version: core.TxVersion, ChainID: scenarios.ChainID, From: k.Pub, To: k.Addr, Fee: scenarios.MinFee, Nonce: nonce, Memo: m}
	tx.Sign(k.Priv)
	return tx
}

func topicIDs(t *testing.T, db *store.DB, topic string) []core.Hash {
	t.Helper()
	var out []core.Hash
	var after *store.ItemEvent
	for { // pages of two, to cross page boundaries
		es, err := db.TopicAnchors(topic, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			out = append(out, e.ID)
		}
		if len(es) < 2 {
			return out
		}
		after = &es[len(es)-1]
	}
}

// TestTopicAnchorsFollowReorgs connects anchors under a topic on a real
// chain, in several blocks and several per block, then reorganises to a
// heavier branch that drops one of them: the topic's history is in chain
// order before and after, and holds only main-chain anchors.
func TestTopicAnchorsFollowReorgs(t *testing.T) {
	b := scenarios.NewBuilder()
	db, err := store.New(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	now := time.UnixMilli(scenarios.GenesisTime + 1_000_000)
	c, err := chain.New(chain.Config{Genesis: b.Genesis, Engine: b.Engine, DB: db, Now: func() time.Time { return now }, SigCache: core.NewSigCache(100)})
	if err != nil {
		t.Fatal(err)
	}
	const topic = "SHIP-2026-0042"
	r := func(s string) core.Hash { return core.Sum([]byte(s)) }
	t1 := anchorTx(t, b, 0, 0, topic, r("invoice"))
	t2 := anchorTx(t, b, 1, 0, topic, r("packing list"))
	other := anchorTx(t, b, 2, 0, "LOT-7", r("other topic"))
	t3 := anchorTx(t, b, 0, 1, topic, r("bill of lading"))
	plain := anchorTx(t, b, 1, 1, "", r("no topic"))
	t4 := anchorTx(t, b, 2, 1, topic, r("customs"))
	process := func(blk *core.Block) {
		t.Helper()
		if _, err := c.ProcessBlock(blk); err != nil {
			t.Fatal(err)
		}
	}
	process(b.Next("a1", scenarios.GenesisLabel, []*core.Tx{t1}, nil))
	process(b.Next("a2", "a1", []*core.Tx{t2, other, t3}, nil))
	process(b.Next("a3", "a2", []*core.Tx{plain, t4}, nil))
	want := []core.Hash{t1.ID(), t2.ID(), t3.ID(), t4.ID()}
	if got := topicIDs(t, db, topic); !equal(got, want) {
		t.Fatalf("topic history %v, want %v", got, want)
	}
	if got := topicIDs(t, db, "LOT-7"); !equal(got, []core.Hash{other.ID()}) {
		t.Fatalf("LOT-7 history %v", got)
	}
	// A heavier branch from a2 without t4: the reorg drops it.
	process(b.Next("b3", "a2", nil, nil))
	process(b.Next("b4", "b3", nil, nil))
	if tip := c.Tip(); tip.Hash != b.Block("b4").Hash() {
		t.Fatalf("tip %s, want b4", b.Name(tip.Hash))
	}
	if got := topicIDs(t, db, topic); !equal(got, want[:3]) {
		t.Fatalf("after the reorg topic history %v, want %v", got, want[:3])
	}
	// t4 mined again on the new branch comes back, last.
	process(b.Next("b5", "b4", []*core.Tx{t4}, nil))
	if got := topicIDs(t, db, topic); !equal(got, want) {
		t.Fatalf("after t4 is mined again: %v, want %v", got, want)
	}
}

func equal(a, b []core.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
