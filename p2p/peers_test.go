package p2p_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/p2p"
	"github.com/libp2p/go-libp2p/core/network"
)

func connected(a, b *tnode) bool {
	return a.Net.Host().Network().Connectedness(b.Net.Host().ID()) == network.Connected
}

// TestIdentityPersists: the identity key is created 0600 in the data dir
// and reused; a restarted node redials the peers in its peer store.
func TestIdentityPersists(t *testing.T) {
	ns, _ := cluster(t, 2, nil)
	connect(t, ns[1], ns[0])
	id := ns[1].Net.ID()
	fi, err := os.Stat(filepath.Join(ns[1].dir, p2p.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	ns[1].restart()
	if got := ns[1].Net.ID(); got != id {
		t.Fatalf("peer ID %s after restart, want %s", got, id)
	}
	waitFor(t, 20*time.Second, "the restarted node to redial its peer", func() bool { return ns[0].Net.PeerCount() == 1 && connected(ns[1], ns[0]) })
	if _, err := os.Stat(filepath.Join(ns[1].dir, p2p.PeersFile)); err != nil {
		t.Fatalf("peer store not saved: %v", err)
	}
}

// TestPeerExchange: two nodes that only know a third learn of each other
// from it and connect.
func TestPeerExchange(t *testing.T) {
	ns, _ := cluster(t, 3, nil)
	connect(t, ns[1], ns[0])
	connect(t, ns[2], ns[0])
	waitFor(t, 30*time.Second, "nodes 1 and 2 to find each other", func() bool { return connected(ns[1], ns[2]) })
	// Node 1 may have been dialled by node 2 (which learned of it first):
	// it records node 2 in its store shortly after, not at once.
	waitFor(t, 30*time.Second, "node 1 to know both peers", func() bool { return ns[1].Net.KnownPeers() >= 2 })
}

// TestMaxInbound: a node with MaxInbound 2 refuses a third inbound peer.
func TestMaxInbound(t *testing.T) {
	ns, _ := cluster(t, 4, func(c *p2p.Config) { c.DisablePEX = true })
	ns[0].stop()
	ns[0].opts = func(c *p2p.Config) { c.MaxInbound = 2; c.DisablePEX = true }
	ns[0].start()
	connect(t, ns[1], ns[0])
	connect(t, ns[2], ns[0])
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := ns[3].Net.Connect(ctx, ns[0].addr())
	if err == nil {
		t.Fatal("a third inbound peer was accepted")
	}
	t.Logf("third peer refused: %v", err)
	waitFor(t, 10*time.Second, "two peers", func() bool { return ns[0].Net.PeerCount() == 2 })
}

// TestBanUnban: a peer banned through the API is disconnected and cannot
// reconnect until it is unbanned.
func TestBanUnban(t *testing.T) {
	ns, _ := cluster(t, 2, nil)
	connect(t, ns[1], ns[0])
	if err := ns[0].Net.Ban(ns[1].Net.ID(), time.Hour, "test"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the disconnection", func() bool { return !connected(ns[0], ns[1]) && !connected(ns[1], ns[0]) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ns[1].Net.Connect(ctx, ns[0].addr()); err == nil {
		t.Fatal("banned peer reconnected")
	}
	if bans := ns[0].Net.Bans(); len(bans) != 1 || bans[0].Reason != "test" {
		t.Fatalf("bans %+v", bans)
	}
	if ok, err := ns[0].Net.Unban(ns[1].Net.ID()); !ok || err != nil {
		t.Fatalf("unban: %v %v", ok, err)
	}
	connect(t, ns[1], ns[0])
	if len(ns[0].Net.Bans()) != 0 {
		t.Fatal("ban list not empty after unban")
	}
}
