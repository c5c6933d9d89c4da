package devnet

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/node"
)

// TestPrivateDevnet: under --private every node's allowlist holds the
// devnet's nodes; they mine together, an outside node cannot connect, and
// a partition and its heal (the same gater, another policy) leave the
// allowlists in force: the outsider is still refused and the nodes
// converge.
func TestPrivateDevnet(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := Start(ctx, Config{Dir: t.TempDir(), Nodes: 3, BlockTime: 200 * time.Millisecond, Private: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	base := d.Node(0).APIURL()
	waitFor(t, "3 nodes at the same tip, height >= 2", 60*time.Second, func() bool { return converged(nodes(t, base), 2) })
	var ids []string
	for i := range 3 {
		ids = append(ids, d.Node(i).Net.ID())
	}
	slices.Sort(ids)
	checkLists := func(what string) {
		t.Helper()
		for i := range 3 {
			l, ok := d.Node(i).Net.Allowlist()
			var got []string
			for _, e := range l {
				got = append(got, e.PeerID)
			}
			if !ok || !slices.Equal(got, ids) {
				t.Fatalf("%s: node %d's allowlist %v (on: %v), want the devnet's nodes %v", what, i, got, ok, ids)
			}
		}
	}
	checkLists("at start")

	out, err := node.New(node.Config{DataDir: t.TempDir(), Genesis: d.genesis, Listen: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	refused := func(what string) {
		t.Helper()
		for i := range 3 {
			cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
			err := out.Net.Connect(cctx, d.Node(i).Net.Addrs()[0])
			timedOut := cctx.Err() != nil
			ccancel()
			if err == nil || timedOut {
				t.Fatalf("%s: the outsider's dial to node %d: %v, want a fast refusal", what, i, err)
			}
		}
	}
	refused("at start")

	post(t, base, "/devnet/partition", `{"groups":[[0],[1,2]]}`)
	waitFor(t, "the partition", 30*time.Second, func() bool { return nodes(t, base).Nodes[0].Peers == 0 })
	post(t, base, "/devnet/heal", "")
	checkLists("after a partition and its heal")
	refused("after the heal")
	h := nodes(t, base).Nodes[1].Height
	waitFor(t, "convergence after the heal", 90*time.Second, func() bool { return converged(nodes(t, base), h+1) })
	for i := range 3 {
		for _, p := range d.Node(i).Net.Peers() {
			if p.ID.String() == out.Net.ID() {
				t.Fatalf("node %d lists the outsider", i)
			}
		}
	}
}
