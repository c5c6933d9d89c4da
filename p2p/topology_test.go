package p2p_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/p2p"
)

// TestSparseTopologyConverges: 20 nodes on a sparse random topology (a
// random tree plus a few extra edges, at most two outbound peers each)
// take txs and blocks at random nodes, and every node converges on the
// same tip and state digest with every tx confirmed.
func TestSparseTopologyConverges(t *testing.T) {
	if testing.Short() {
		t.Skip("20 nodes")
	}
	const k = 20
	start := time.Now()
	ns, b := cluster(t, k, func(c *p2p.Config) { c.MaxOutbound = 2 })
	t.Logf("started %d nodes in %v", k, time.Since(start))
	rng := rand.New(rand.NewPCG(1, 2))
	edges := 0
	for i := 1; i < k; i++ {
		connect(t, ns[i], ns[rng.IntN(i)])
		edges++
		if i > 2 && rng.IntN(3) == 0 {
			j := rng.IntN(i)
			if ns[i].Net.Host().Network().Connectedness(ns[j].Net.Host().ID()) != 1 {
				connect(t, ns[i], ns[j])
				edges++
			}
		}
	}
	t.Logf("%d nodes, %d edges, connected at %v", k, edges, time.Since(start))
	var ids []core.Hash
	for round := 0; round < 5; round++ {
		for key := 0; key < scenarios.NumKeys; key++ {
			tx := b.Tx(key, scenarios.NewKey(30+round).Addr, 100, scenarios.MinFee, uint64(round))
			ns[rng.IntN(k)].submitTx(tx)
			ids = append(ids, tx.ID())
		}
		last := ids[len(ids)-scenarios.NumKeys:]
		waitFor(t, 30*time.Second, "the round's txs in every mempool", func() bool {
			for _, id := range last {
				if !inPools(ns, id) {
					return false
				}
			}
			return true
		})
		t.Logf("round %d: txs everywhere at %v", round, time.Since(start))
		ns[rng.IntN(k)].mine()
		waitSameTip(t, ns, uint64(round+1), 30*time.Second)
		t.Logf("round %d: block everywhere at %v", round, time.Since(start))
	}
	for _, n := range ns {
		for _, id := range ids {
			if !n.confirmed(id) {
				t.Fatalf("node %d: tx %s not confirmed", n.i, id)
			}
		}
	}
}
