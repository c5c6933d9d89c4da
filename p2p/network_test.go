package p2p_test

import (
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
)

// TestTxReachesEveryMempool: a tx sent to one node of a line of four
// reaches every mempool (relayed hop by hop by the validators).
func TestTxReachesEveryMempool(t *testing.T) {
	ns, b := cluster(t, 4, nil)
	line(t, ns)
	tx := b.Tx(0, scenarios.NewKey(9).Addr, 1000, scenarios.MinFee, 0)
	ns[0].submitTx(tx)
	id := tx.ID()
	waitFor(t, 20*time.Second, "the tx in every mempool", func() bool {
		for _, n := range ns {
			if !n.Node.Pool.Has(id) {
				return false
			}
		}
		return true
	})
}

// TestBlockReachesAll: blocks mined on one node reach all, and the txs
// they confirm leave every mempool.
func TestBlockReachesAll(t *testing.T) {
	ns, b := cluster(t, 4, nil)
	line(t, ns)
	tx := b.Tx(1, scenarios.NewKey(9).Addr, 1000, scenarios.MinFee, 0)
	ns[3].submitTx(tx)
	waitFor(t, 20*time.Second, "the tx at node 1", func() bool { return ns[1].Node.Pool.Has(tx.ID()) })
	blk := ns[1].mine()
	if len(blk.Txs) != 1 {
		t.Fatalf("mined block holds %d txs, want 1", len(blk.Txs))
	}
	waitSameTip(t, ns, 1, 20*time.Second)
	ns[2].mine()
	waitSameTip(t, ns, 2, 20*time.Second)
	ns[0].mine()
	waitSameTip(t, ns, 3, 20*time.Second)
	for _, n := range ns {
		if n.Node.Pool.Has(tx.ID()) || !n.confirmed(tx.ID()) {
			t.Fatalf("node %d: tx not confirmed or still pooled", n.i)
		}
	}
}

// TestSyncThousandBlocks: a node holding 1,000 blocks serves them to a
// peer, and a new node then syncs them from both peers in parallel.
func TestSyncThousandBlocks(t *testing.T) {
	ns, _ := cluster(t, 3, nil)
	start := time.Now()
	ns[0].mineQuiet(1000)
	t.Logf("mined 1000 blocks in %v", time.Since(start))
	start = time.Now()
	connect(t, ns[1], ns[0])
	waitSameTip(t, ns[:2], 1000, 40*time.Second)
	t.Logf("node 1 synced in %v", time.Since(start))
	start = time.Now()
	connect(t, ns[2], ns[0])
	connect(t, ns[2], ns[1])
	waitSameTip(t, ns, 1000, 40*time.Second)
	t.Logf("node 2 synced from two peers in %v", time.Since(start))
}

var _ = core.Hash{}

// TestOfflineNodeCatchesUp: a node stopped while the others mine 100
// blocks comes back (same data dir, a new port), reconnects to the peers
// in its peer store and catches up by itself.
func TestOfflineNodeCatchesUp(t *testing.T) {
	ns, _ := cluster(t, 3, nil)
	fullMesh(t, ns)
	ns[0].mine()
	waitSameTip(t, ns, 1, 20*time.Second)
	ns[2].stop()
	for range 100 {
		ns[0].mine()
	}
	waitSameTip(t, ns[:2], 101, 20*time.Second)
	ns[2].start()
	waitSameTip(t, ns, 101, 30*time.Second)
	ns[1].mine()
	waitSameTip(t, ns, 102, 20*time.Second)
}
