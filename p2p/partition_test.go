package p2p_test

import (
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/libp2p/go-libp2p/core/peer"
)

// partition splits ns into groups that only see their own members.
func partition(groups ...[]*tnode) {
	for i, g := range groups {
		var ids []string
		for _, n := range g {
			ids = append(ids, n.Net.ID())
		}
		for _, n := range g {
			if i == 0 {
				n.Net.SetPartition(ids) // by ID strings, as the devnet does
				continue
			}
			set := map[peer.ID]bool{}
			for _, m := range g {
				set[m.Net.Host().ID()] = true
			}
			n.Net.SetAllow(func(p peer.ID) bool { return set[p] })
		}
	}
}

func heal(ns []*tnode) {
	for _, n := range ns {
		n.Net.SetPartition(nil)
	}
}

func inPools(ns []*tnode, id core.Hash) bool {
	for _, n := range ns {
		if !n.Node.Pool.Has(id) {
			return false
		}
	}
	return true
}

// TestPartitionHeal: five nodes split {0,1} | {2,3,4}; both sides take
// txs and mine, the larger side more. After the heal every node reaches
// the same tip and state digest; the tx confirmed only on the losing
// side goes back to the mempools and is mined; of a nonce spent to two
// different recipients on the two sides, exactly one is confirmed.
func TestPartitionHeal(t *testing.T) {
	ns, b := cluster(t, 5, nil)
	fullMesh(t, ns)
	ns[0].mine()
	waitSameTip(t, ns, 1, 20*time.Second)

	a, bs := ns[:2], ns[2:]
	partition(a, bs)
	waitFor(t, 20*time.Second, "the partition", func() bool {
		for _, n := range ns {
			want := len(a) - 1
			if n.i >= 2 {
				want = len(bs) - 1
			}
			if n.Net.PeerCount() != want {
				return false
			}
		}
		return true
	})

	x, y := scenarios.NewKey(20).Addr, scenarios.NewKey(21).Addr
	txA := b.Tx(0, x, 1000, scenarios.MinFee, 0) // confirmed only on the losing side
	txB := b.Tx(1, y, 2000, scenarios.MinFee, 0) // confirmed only on the winning side
	dsA := b.Tx(2, x, 3000, scenarios.MinFee, 0) // key 2's nonce 0 to x ...
	dsB := b.Tx(2, y, 4000, scenarios.MinFee, 0) // ... and to y
	ns[0].submitTx(txA)
	ns[1].submitTx(dsA)
	ns[2].submitTx(txB)
	ns[3].submitTx(dsB)
	waitFor(t, 20*time.Second, "txs spread within each side", func() bool {
		return inPools(a, txA.ID()) && inPools(a, dsA.ID()) && inPools(bs, txB.ID()) && inPools(bs, dsB.ID())
	})

	ns[0].mine()
	waitSameTip(t, a, 2, 20*time.Second)
	ns[1].mine()
	waitSameTip(t, a, 3, 20*time.Second)
	for _, n := range bs {
		n.mine()
		waitSameTip(t, bs, n.Node.Chain.Tip().Height, 20*time.Second)
	}
	if h := bs[0].tip().Height; h != 4 {
		t.Fatalf("winning side at height %d, want 4", h)
	}
	if !a[0].confirmed(txA.ID()) || !a[0].confirmed(dsA.ID()) || !bs[0].confirmed(txB.ID()) || !bs[0].confirmed(dsB.ID()) {
		t.Fatal("txs not confirmed on their sides")
	}
	if a[0].confirmed(txB.ID()) || bs[0].confirmed(txA.ID()) {
		t.Fatal("a tx crossed the partition")
	}
	winner := bs[0].tip().Hash

	heal(ns)
	waitSameTip(t, ns, 4, 30*time.Second)
	if got := ns[0].tip().Hash; got != winner {
		t.Fatalf("converged on %s, want the heavier side's tip %s", got, winner)
	}
	waitFor(t, 20*time.Second, "the losing side's tx back in every mempool", func() bool { return inPools(ns, txA.ID()) })
	for _, n := range ns {
		if n.Node.Pool.Has(dsA.ID()) {
			t.Fatalf("node %d pools the double spend that lost", n.i)
		}
	}
	ns[4].mine()
	waitSameTip(t, ns, 5, 20*time.Second)
	ns[0].mine()
	waitSameTip(t, ns, 6, 20*time.Second)
	for _, n := range ns {
		for _, id := range []core.Hash{txA.ID(), txB.ID(), dsB.ID()} {
			if !n.confirmed(id) {
				t.Fatalf("node %d: tx %s not confirmed", n.i, id)
			}
		}
		if n.confirmed(dsA.ID()) || n.Node.Pool.Has(dsA.ID()) {
			t.Fatalf("node %d: both spends of one nonce confirmed or pending", n.i)
		}
	}
}
