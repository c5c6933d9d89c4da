package chain_test

import (
	"errors"
	"testing"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
)

func TestLocatorAndHeaders(t *testing.T) {
	b := scenarios.NewBuilder()
	prev := scenarios.GenesisLabel
	names := []string{}
	for i := 1; i <= 40; i++ {
		name := "m" + string(rune('A'+i%26)) + string(rune('a'+i/26))
		b.Next(name, prev, nil, nil)
		names = append(names, name)
		prev = name
	}
	full, _ := newTestChain(t, b, newClock(scenarios.StartTime))
	for _, n := range names {
		if _, err := full.ProcessBlock(b.Block(n)); err != nil {
			t.Fatal(err)
		}
	}
	behind, _ := newTestChain(t, b, newClock(scenarios.StartTime))
	for _, n := range names[:10] {
		if _, err := behind.ProcessBlock(b.Block(n)); err != nil {
			t.Fatal(err)
		}
	}
	loc := behind.Locator()
	if loc[0] != behind.TipHash() || loc[len(loc)-1] != behind.GenesisHash() {
		t.Fatal("locator must run from the tip to genesis")
	}
	hs := full.HeadersAfter(loc, core.Hash{}, 100)
	if len(hs) != 30 || hs[0].Height != 11 || hs[29].Hash() != full.TipHash() {
		t.Fatalf("headers after height 10: %d, first %d", len(hs), hs[0].Height)
	}
	if n, err := behind.CheckHeaders(hs); err != nil || n != 30 {
		t.Fatalf("valid headers: %d %v", n, err)
	}
	// A header with bad PoW is caught before any body is fetched.
	bad := append([]core.Header(nil), hs...)
	for bad[5].Nonce++; b.Engine.VerifySeal(&bad[5]) == nil; bad[5].Nonce++ {
	}
	if n, err := behind.CheckHeaders(bad); n != 5 || !errors.Is(err, core.CodeBadPoW) {
		t.Fatalf("bad PoW header: %d %v", n, err)
	}
	broken := append([]core.Header(nil), hs...)
	broken[3].PrevHash = core.Hash{1}
	if n, err := behind.CheckHeaders(broken); n != 3 || err == nil {
		t.Fatalf("unlinked header: %d %v", n, err)
	}
	if _, err := behind.CheckHeaders(hs[1:]); !errors.Is(err, core.CodeUnknownParent) {
		t.Fatalf("headers with an unknown parent: %v", err)
	}
	// Stop hash and limits.
	if hs := full.HeadersAfter(loc, b.Block(names[14]).Hash(), 100); len(hs) != 5 {
		t.Fatalf("stop hash: %d headers", len(hs))
	}
	if hs := full.HeadersAfter([]core.Hash{{9}}, core.Hash{}, 7); len(hs) != 7 || hs[0].Height != 1 {
		t.Fatal("an unknown locator starts from genesis")
	}
}

// TestPrefetchSignatures: the signatures of a run of blocks verified
// ahead land in the SigCache, a bad one does not, and the blocks then
// connect (the bad one fails when its block connects, as without the
// prefetch).
func TestPrefetchSignatures(t *testing.T) {
	b := scenarios.NewBuilder()
	to := scenarios.NewKey(9).Addr
	var txs [][]*core.Tx
	for i := range 3 {
		var bt []*core.Tx
		for k := range 20 {
			bt = append(bt, b.Tx(k%4, to, 1, b.Genesis.MinFee, uint64(i*5+k/4)))
		}
		txs = append(txs, bt)
	}
	b.Next("p1", scenarios.GenesisLabel, txs[0], nil)
	b.Next("p2", "p1", txs[1], nil)
	bad := *txs[2][7]
	bad.Signature[0] ^= 1
	txs[2][7] = &bad
	b.Next("p3", "p2", txs[2], nil)
	db, err := store.New(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	sigs := core.NewSigCache(1000)
	c, err := chain.New(chain.Config{Genesis: b.Genesis, Engine: b.Engine, DB: db, Now: newClock(scenarios.StartTime).Now, SigCache: sigs})
	if err != nil {
		t.Fatal(err)
	}
	blocks := []*core.Block{b.Block("p1"), b.Block("p2"), b.Block("p3")}
	c.PrefetchSignatures(blocks)
	if got := sigs.Len(); got != 59 {
		t.Fatalf("cache holds %d IDs after the prefetch, want 59 (60 txs, one bad signature)", got)
	}
	if sigs.Has(bad.ID()) {
		t.Fatal("a signature that does not verify was cached")
	}
	for _, blk := range blocks[:2] {
		if _, err := c.ProcessBlock(blk); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ProcessBlock(blocks[2]); !errors.Is(err, core.CodeBadSignature) {
		t.Fatalf("block with a bad signature after the prefetch: %v, want bad_signature", err)
	}
}
