package devnet

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/wallet"
)

// testNet is a running 3-node devnet with fast blocks, its dev wallet as
// a signer, and a client per node; Stop runs at the test's end.
type testNet struct {
	t       *testing.T
	ctx     context.Context
	d       *Devnet
	dev     *signer
	urls    []string
	clients []*client.Client
}

func startTestNet(t *testing.T) *testNet {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dir := t.TempDir()
	d, err := Start(ctx, Config{Dir: dir, Nodes: 3, BlockTime: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Stop() })
	ks, err := wallet.Open(filepath.Join(dir, "keystore"), wallet.LightParams())
	if err != nil {
		t.Fatal(err)
	}
	key, err := ks.Load(WalletName, WalletPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	n := &testNet{t: t, ctx: ctx, d: d, dev: &signer{priv: key.Private}}
	copy(n.dev.pub[:], key.Private.Public().(ed25519.PublicKey))
	for i := range 3 {
		n.urls = append(n.urls, d.Node(i).APIURL())
		n.clients = append(n.clients, client.New(n.urls[i]))
	}
	return n
}

// submit sends tx through node i and returns its id.
func (n *testNet) submit(node int, tx *core.Tx) string {
	n.t.Helper()
	id, err := n.clients[node].SubmitTx(n.ctx, tx)
	if err != nil {
		n.t.Fatalf("%s through node %d: %v", tx.Kind, node, err)
	}
	return id
}

// confirmedOn reports whether node i has every tx confirmed.
func (n *testNet) confirmedOn(node int, ids ...string) bool {
	for _, id := range ids {
		info, err := n.clients[node].Tx(n.ctx, id)
		if err != nil || info.Status != wire.StatusConfirmed {
			return false
		}
	}
	return true
}

// waitConfirmed waits until every node has every tx confirmed.
func (n *testNet) waitConfirmed(what string, ids ...string) {
	n.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !(n.confirmedOn(0, ids...) && n.confirmedOn(1, ids...) && n.confirmedOn(2, ids...)) {
		if time.Now().After(deadline) {
			// Say where each node stands: a timeout alone (seen once under
			// CI load after a heal) cannot tell a slow sync from a stuck one.
			for i, c := range n.clients {
				st, err := c.Status(n.ctx)
				if err != nil {
					n.t.Logf("node %d: %v", i, err)
					continue
				}
				n.t.Logf("node %d: height %d tip %s work %s peers %d mempool %d syncing %v; confirmed here: %v", i, st.Height, st.Tip, st.TotalWork, st.Peers, st.Mempool, st.Syncing, n.confirmedOn(i, ids...))
			}
			n.t.Fatalf("timed out after 90s waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not synchronisation
	}
}

// sameTip reports whether the three nodes are at one tip with one state
// digest (read with one status call each, so a new block rarely falls in
// between; callers wait for it).
func (n *testNet) sameTip() bool {
	var tips [3]string
	for i := range tips {
		st, err := n.clients[i].Status(n.ctx)
		if err != nil {
			n.t.Fatal(err)
		}
		tips[i] = st.Tip + " " + st.StateDigest
	}
	return tips[0] == tips[1] && tips[1] == tips[2]
}

// waitUntil polls cond until it holds or d passes (the caller reports).
func waitUntil(d time.Duration, cond func() bool) {
	deadline := time.Now().Add(d)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() && time.Now().Before(deadline) {
		<-tick.C
	}
}
