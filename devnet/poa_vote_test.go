package devnet

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/node"
)

// TestPoAVoteAddsSigner: on a 3-signer devnet, two signers (a majority)
// propose a new key through the admin API; GET /api/v1/consensus on every
// node then lists it, and every node's engine says the set changed at the
// same block (compared at common hashes of the main chain).
func TestPoAVoteAddsSigner(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	d, err := Start(ctx, Config{Dir: dir, Nodes: 3, BlockTime: 200 * time.Millisecond, Consensus: core.ConsensusPoA})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	clients := make([]*client.Client, 3)
	for i := range clients {
		tok, err := node.ReadAPIToken(filepath.Join(dir, fmt.Sprintf("node%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		clients[i] = client.New(d.Node(i).APIURL(), client.WithToken(tok))
	}
	view := func(i int) *wire.Consensus {
		c, err := clients[i].Consensus(ctx)
		if err != nil {
			t.Fatalf("node %d: GET /consensus: %v", i, err)
		}
		return c
	}
	c0 := view(0)
	if c0.Engine != wire.EnginePoA || len(c0.Signers) != 3 || c0.InTurn == nil || c0.PeriodMs != 200 || c0.Needed != 2 {
		t.Fatalf("GET /consensus: %+v", c0)
	}
	waitFor(t, "3 blocks", 30*time.Second, func() bool { return view(0).Height >= 3 })

	var newKey core.PublicKey
	copy(newKey[:], ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public().(ed25519.PublicKey))
	for i := range 2 {
		ps, err := clients[i].Vote(ctx, newKey, true)
		if err != nil {
			t.Fatalf("node %d: POST /consensus/votes: %v", i, err)
		}
		if len(ps.Proposals) != 1 || ps.Proposals[0].Target != newKey.String() || !ps.Proposals[0].Add {
			t.Fatalf("node %d: proposals %+v", i, ps.Proposals)
		}
	}
	has := func(c *wire.Consensus) bool {
		return slices.ContainsFunc(c.Signers, func(s wire.Signer) bool { return s.Key == newKey.String() })
	}
	waitFor(t, "every node to list the new signer", 60*time.Second, func() bool {
		for i := range clients {
			if c := view(i); len(c.Signers) != 4 || !has(c) || c.Needed != 3 {
				return false
			}
		}
		return true
	})

	// The height where the set changed, as each node's engine sees it
	// along its main chain: the same on every node, at the same block.
	top := view(0).Height
	for i := range clients {
		waitFor(t, fmt.Sprintf("node %d at height %d", i, top), 30*time.Second, func() bool { return view(i).Height >= top })
	}
	changedAt := func(i int) (uint64, core.Hash) {
		n := d.Node(i)
		auth := n.Engine.(consensus.Authority)
		for h := uint64(1); h <= top; h++ {
			bi, err := n.Chain.BlockByHeight(h)
			if err != nil {
				t.Fatalf("node %d height %d: %v", i, h, err)
			}
			var info *consensus.AuthorityInfo
			n.Chain.ReadHeaders(func(r consensus.ChainReader, _ core.Hash) { info, err = auth.Authority(r, bi.Hash) })
			if err != nil {
				t.Fatalf("node %d at %s: %v", i, bi.Hash, err)
			}
			if slices.Contains(info.Signers, newKey) {
				return h, bi.Hash
			}
		}
		t.Fatalf("node %d: the new signer is in no view up to height %d", i, top)
		return 0, core.Hash{}
	}
	h0, hash0 := changedAt(0)
	for i := 1; i < len(clients); i++ {
		if h, hash := changedAt(i); h != h0 || hash != hash0 {
			t.Errorf("node %d: the set changed at height %d (%s), node 0: at %d (%s)", i, h, hash, h0, hash0)
		}
	}
	// Once the set has changed, no vote about the key is pending.
	for _, v := range view(0).Votes {
		if v.Target == newKey.String() {
			t.Errorf("a vote about the new signer is still counted: %+v", v)
		}
	}
	t.Logf("the set changed at height %d (%s)", h0, hash0)
}
