package devnet

import (
	"context"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
)

// TestPoALiveness: a 3-signer proof-of-authority devnet makes blocks every
// period; with one signer stopped the chain goes on; with two stopped it
// halts (a signer may seal only one of any two consecutive blocks) and
// does not fork; restarted, the signers resume by themselves and every
// node ends on one chain.
func TestPoALiveness(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := Start(ctx, Config{Dir: t.TempDir(), Nodes: 3, BlockTime: 200 * time.Millisecond, Consensus: core.ConsensusPoA})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	if !d.genesis.IsPoA() || len(d.genesis.PoA.Signers) != 3 {
		t.Fatalf("genesis %+v", d.genesis.PoA)
	}
	base := d.Node(0).APIURL()
	height := func() uint64 { return nodes(t, base).Nodes[0].Height }
	waitFor(t, "10 blocks", 30*time.Second, func() bool { return height() >= 10 })
	// Every block is signed by a signer, in turn or out of turn.
	for h := uint64(1); h <= 10; h++ {
		bi, err := d.Node(0).Chain.BlockByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		hd := bi.Block.Header
		if hd.Version != core.BlockVersionSigned || hd.Miner != hd.Signer.Address() || (hd.Bits != 1 && hd.Bits != 2) {
			t.Fatalf("block %d header %+v", h, hd)
		}
	}

	post(t, base, "/devnet/nodes/2/stop", "")
	h := height()
	waitFor(t, "blocks with one signer stopped", 30*time.Second, func() bool { return height() >= h+6 })

	post(t, base, "/devnet/nodes/1/stop", "")
	// Node 0 alone may seal at most one block more, then the chain halts.
	last, since := height(), time.Now()
	waitFor(t, "the chain to halt (5 periods without a block)", 30*time.Second, func() bool {
		if h := height(); h != last {
			last, since = h, time.Now()
			return false
		}
		return time.Since(since) > 5*200*time.Millisecond
	})
	halted := height()

	post(t, base, "/devnet/nodes/1/start", "")
	post(t, base, "/devnet/nodes/2/start", "")
	waitFor(t, "the chain to resume", 60*time.Second, func() bool { return height() >= halted+5 })
	waitFor(t, "one chain on every node", 60*time.Second, func() bool {
		ns := nodes(t, base).Nodes
		return ns[0].Tip == ns[1].Tip && ns[1].Tip == ns[2].Tip
	})
	t.Logf("halted at %d, resumed to %d", halted, height())
}
