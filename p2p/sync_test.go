package p2p_test

import (
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/p2p"
)

// stallChain never answers block requests until release is closed.
type stallChain struct {
	p2p.Chain
	release chan struct{}
}

func (s *stallChain) BlockByHash(h core.Hash) (*chain.BlockInfo, error) {
	<-s.release
	return s.Chain.BlockByHash(h)
}

// TestStallingPeerReplaced: a fresh node syncs from two peers, one of
// which never answers block requests; its requests time out and the
// other peer serves every block.
func TestStallingPeerReplaced(t *testing.T) {
	ns, _ := cluster(t, 2, nil)
	release := make(chan struct{})
	staller := startNode(t, 2, ns[0].g, t.TempDir(), func(c *p2p.Config) {
		c.Chain = &stallChain{Chain: c.Chain, release: release}
	})
	t.Cleanup(func() { close(release) }) // runs before the nodes stop
	ns[0].mineQuiet(300)
	connect(t, staller, ns[0])
	waitSameTip(t, []*tnode{ns[0], staller}, 300, 30*time.Second)
	ns[1].Net.SetBlockTimeout(300 * time.Millisecond)
	connect(t, ns[1], staller)
	connect(t, ns[1], ns[0])
	waitSameTip(t, []*tnode{ns[0], ns[1], staller}, 300, 30*time.Second)
}

// TestResolve: GET /nodes/resolve's path syncs from the peer with the
// most work on demand and reports the new height.
func TestResolve(t *testing.T) {
	ns, _ := cluster(t, 2, nil)
	connect(t, ns[1], ns[0])
	ns[0].mineQuiet(50) // not announced: only a sync can bring them
	replaced, height, err := ns[1].Net.Resolve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !replaced || height != 50 {
		t.Fatalf("resolve: replaced=%v height=%d, want true 50", replaced, height)
	}
	replaced, height, err = ns[1].Net.Resolve(t.Context())
	if err != nil || replaced || height != 50 {
		t.Fatalf("second resolve: replaced=%v height=%d err=%v, want false 50 nil", replaced, height, err)
	}
	syncing, h, target := ns[1].Net.SyncStatus()
	if syncing || h != 50 || target != 50 {
		t.Fatalf("sync status %v %d %d, want false 50 50", syncing, h, target)
	}
}
