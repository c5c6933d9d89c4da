package p2p_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/libp2p/go-libp2p/core/peer"
)

// privateDirs creates k data directories with their identity keys and
// returns them with the nodes' peer IDs (known before any node starts, as
// an operator writing an allowlist knows them).
func privateDirs(t *testing.T, k int) (dirs []string, ids []peer.ID) {
	t.Helper()
	for range k {
		dir := t.TempDir()
		s, err := p2p.PeerIDOf(dir)
		if err != nil {
			t.Fatal(err)
		}
		id, err := peer.Decode(s)
		if err != nil {
			t.Fatal(err)
		}
		dirs, ids = append(dirs, dir), append(ids, id)
	}
	return dirs, ids
}

func allowOf(ids ...peer.ID) []p2p.AllowEntry {
	out := []p2p.AllowEntry{}
	for i, id := range ids {
		out = append(out, p2p.AllowEntry{PeerID: id.String(), Label: "org" + string(rune('0'+i))})
	}
	return out
}

func withAllowlist(list []p2p.AllowEntry) func(*p2p.Config) {
	return func(c *p2p.Config) { c.Allowlist = list }
}

// watch fails the test if any of nets ever lists or holds a connection to
// id, until the returned stop is called.
func watch(t *testing.T, id peer.ID, nets ...*p2p.Network) (stop func()) {
	t.Helper()
	done, quit := make(chan struct{}), make(chan struct{})
	var seen []string
	go func() {
		defer close(done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, n := range nets {
				listed := slices.ContainsFunc(n.Peers(), func(p p2p.PeerInfo) bool { return p.ID == id })
				if listed || len(n.Host().Network().ConnsToPeer(id)) > 0 {
					seen = append(seen, n.ID())
				}
			}
			select {
			case <-quit:
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		t.Helper()
		close(quit)
		<-done
		if len(seen) > 0 {
			t.Fatalf("peer %s was connected to or listed by %v", id, slices.Compact(seen))
		}
	}
}

// refusedFast dials from a to b and checks the dial fails, and fails long
// before the dial and handshake timeouts.
func refusedFast(t *testing.T, a, b *tnode, what string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := a.Net.Connect(ctx, b.addr())
	if err == nil {
		t.Fatalf("%s: node %d connected to node %d", what, a.i, b.i)
	}
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%s: node %d's dial to node %d was not refused, it timed out: %v", what, a.i, b.i, err)
	}
	return err
}

// TestAllowlistPrivateNetwork: nodes 0 and 1 allow each other only. Node
// 2 never appears in their peers, its blocks and txs never reach them,
// its dials fail fast and theirs to it are never made. Allowed on both,
// it connects and syncs without a restart, and the change survives their
// restarts; revoked, it is disconnected within a second and stays out
// after everyone restarts.
func TestAllowlistPrivateNetwork(t *testing.T) {
	dirs, ids := privateDirs(t, 3)
	list := allowOf(ids[0], ids[1])
	b := scenarios.NewBuilder()
	n0 := startNode(t, 0, b.Genesis, dirs[0], withAllowlist(list))
	n1 := startNode(t, 1, b.Genesis, dirs[1], withAllowlist(list))
	n2 := startNode(t, 2, b.Genesis, dirs[2], nil) // the outsider: no list of its own
	stop := watch(t, ids[2], n0.Net, n1.Net)
	connect(t, n1, n0)

	// Its dials fail fast; theirs are refused before dialling.
	refusedFast(t, n2, n0, "outsider -> node 0")
	refusedFast(t, n2, n1, "outsider -> node 1")
	if err := refusedFast(t, n0, n2, "node 0 -> outsider"); !strings.Contains(err.Error(), "allowlist") {
		t.Fatalf("node 0's dial to the outsider: %v, want an allowlist refusal", err)
	}
	if got := n0.Net.RefusedInbound(); got == 0 {
		t.Fatal("node 0 counted no refusal at the secured handshake")
	}

	// Its blocks and txs never reach them.
	b2 := n2.mine()
	tx2 := b.Tx(0, scenarios.NewKey(20).Addr, 1000, scenarios.MinFee, 0)
	n2.submitTx(tx2)
	n0.mine() // a barrier: once it reached node 1, so would have node 2's
	waitSameTip(t, []*tnode{n0, n1}, 1, 20*time.Second)
	for _, n := range []*tnode{n0, n1} {
		if n.Node.Chain.HasBlock(b2.Hash()) || n.Node.Pool.Has(tx2.ID()) {
			t.Fatalf("node %d got the outsider's block or tx", n.i)
		}
	}
	stop()

	// Allowed (live, no restart), it connects and syncs.
	for _, n := range []*tnode{n0, n1} {
		if err := n.Net.Allow(p2p.AllowEntry{PeerID: ids[2].String(), Label: "org2"}); err != nil {
			t.Fatal(err)
		}
	}
	connect(t, n2, n0)
	connect(t, n2, n1)
	n0.mine()
	waitSameTip(t, []*tnode{n0, n1, n2}, 2, 20*time.Second)

	// The change survives restarts: node 2 is let in again.
	n0.restart()
	n1.restart()
	connect(t, n2, n0)
	connect(t, n2, n1)
	if l, _ := n0.Net.Allowlist(); len(l) != 3 {
		t.Fatalf("after a restart node 0's allowlist has %d peers, want 3", len(l))
	}

	// Revoked, it is gone within a second.
	for _, n := range []*tnode{n0, n1} {
		if ok, err := n.Net.Revoke(ids[2].String()); err != nil || !ok {
			t.Fatalf("node %d: revoke: %v %v", n.i, ok, err)
		}
	}
	waitFor(t, time.Second, "the revoked peer disconnected", func() bool {
		return !connected(n0, n2) && !connected(n1, n2) && n2.Net.PeerCount() == 0
	})
	stop = watch(t, ids[2], n0.Net, n1.Net)
	refusedFast(t, n2, n0, "revoked -> node 0")
	stop()

	// And stays gone after everyone restarts (on new ports: the harness
	// listens on port 0, so the nodes are introduced again).
	for _, n := range []*tnode{n0, n1, n2} {
		n.restart()
	}
	stop = watch(t, ids[2], n0.Net, n1.Net)
	connect(t, n1, n0)
	refusedFast(t, n2, n0, "revoked, after restarts -> node 0")
	refusedFast(t, n2, n1, "revoked, after restarts -> node 1")
	if n0.Net.RefusedInbound() == 0 || n1.Net.RefusedInbound() == 0 {
		t.Fatal("the revoked peer's dials after the restarts were not refused at the secured handshake")
	}
	n1.mine()
	waitSameTip(t, []*tnode{n0, n1}, 3, 20*time.Second)
	stop()
	var st struct{ Peers []p2p.AllowEntry }
	data, err := os.ReadFile(filepath.Join(dirs[0], p2p.AllowlistFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &st); err != nil || len(st.Peers) != 2 || slices.ContainsFunc(st.Peers, func(e p2p.AllowEntry) bool { return e.PeerID == ids[2].String() }) {
		t.Fatalf("node 0's saved allowlist %s (%v): want nodes 0 and 1 only", data, err)
	}
}

// TestAllowlistPEX: a private node learns by peer exchange only the
// peers on its list, even from a public peer that knows others.
func TestAllowlistPEX(t *testing.T) {
	dirs, ids := privateDirs(t, 4)
	b := scenarios.NewBuilder()
	noPEX := func(c *p2p.Config) { c.DisablePEX = true }
	priv := startNode(t, 0, b.Genesis, dirs[0], func(c *p2p.Config) { noPEX(c); c.Allowlist = allowOf(ids[0], ids[1], ids[2]) })
	hub := startNode(t, 1, b.Genesis, dirs[1], noPEX) // public: it tells of everyone
	member := startNode(t, 2, b.Genesis, dirs[2], noPEX)
	outsider := startNode(t, 3, b.Genesis, dirs[3], noPEX)
	connect(t, priv, hub)
	connect(t, member, hub)
	connect(t, outsider, hub)
	waitFor(t, 10*time.Second, "the hub's peers ready", func() bool { return hub.Net.PeerCount() == 3 })
	priv.Net.ExchangePeersWith(context.Background(), ids[1])
	if !priv.Net.KnowsPeer(ids[2]) {
		t.Fatal("the private node did not learn the listed peer from the exchange")
	}
	if priv.Net.KnowsPeer(ids[3]) {
		t.Fatal("the private node learnt a peer outside its allowlist")
	}
}

// TestPartitionKeepsAllowlist: the devnet partition and the allowlist are
// separate policies of one gater; setting and healing a partition leaves
// the allowlist in force.
func TestPartitionKeepsAllowlist(t *testing.T) {
	dirs, ids := privateDirs(t, 3)
	b := scenarios.NewBuilder()
	list := allowOf(ids[0], ids[1])
	n0 := startNode(t, 0, b.Genesis, dirs[0], withAllowlist(list))
	n1 := startNode(t, 1, b.Genesis, dirs[1], withAllowlist(list))
	n2 := startNode(t, 2, b.Genesis, dirs[2], nil)
	connect(t, n1, n0)
	n0.Net.SetPartition([]string{}) // node 0 alone
	waitFor(t, 5*time.Second, "the partition", func() bool { return !connected(n0, n1) && !connected(n1, n0) && n1.Net.PeerCount() == 0 })
	refusedFast(t, n1, n0, "across the partition")
	n0.Net.SetPartition(nil) // healed: the allowlist still applies
	refusedFast(t, n2, n0, "outsider after the heal")
	waitFor(t, 20*time.Second, "node 0 redials node 1 after the heal", func() bool { return connected(n0, n1) })
	n0.Net.SetPartition([]string{ids[1].String(), ids[2].String()}) // a partition cannot let an outsider in
	refusedFast(t, n2, n0, "outsider in node 0's partition group")
	if l, ok := n0.Net.Allowlist(); !ok || len(l) != 2 {
		t.Fatalf("allowlist after partitions: %v %v", l, ok)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, _ := json.Marshal(v)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAllowlistStartup: which list applies at a start (the file seeds
// the live list; the live list with its API changes is kept while the
// file is unchanged; an edited file replaces it; without the flag the
// live list still applies), and the start-up errors.
func TestAllowlistStartup(t *testing.T) {
	dirs, ids := privateDirs(t, 4)
	b := scenarios.NewBuilder()
	g := b.Genesis
	cfg := func(list []p2p.AllowEntry, peers ...string) func(*p2p.Config) {
		return func(c *p2p.Config) { c.Allowlist, c.Peers, c.DisablePEX = list, peers, true }
	}
	live := func(n *tnode) []string {
		l, ok := n.Net.Allowlist()
		if !ok {
			return nil
		}
		var out []string
		for _, e := range l {
			out = append(out, e.PeerID)
		}
		return out
	}
	want := func(ids ...peer.ID) []string {
		var out []string
		for _, id := range ids {
			out = append(out, id.String())
		}
		slices.Sort(out)
		return out
	}
	seed := allowOf(ids[0], ids[1])
	n := startNode(t, 0, g, dirs[0], cfg(seed))
	if got := live(n); !slices.Equal(got, want(ids[0], ids[1])) {
		t.Fatalf("first start: %v", got)
	}
	if err := n.Net.Allow(p2p.AllowEntry{PeerID: ids[2].String()}); err != nil {
		t.Fatal(err)
	}
	n.restart() // same file: the API's change is kept
	if got := live(n); !slices.Equal(got, want(ids[0], ids[1], ids[2])) {
		t.Fatalf("restart with the same file: %v", got)
	}
	n.opts = cfg(slices.Concat(seed, allowOf(ids[3])))
	n.restart() // an edited file replaces the live list
	if got := live(n); !slices.Equal(got, want(ids[0], ids[1], ids[3])) {
		t.Fatalf("restart with an edited file: %v", got)
	}
	n.opts = cfg(nil)
	n.restart() // no flag: the live list still applies
	if got := live(n); !slices.Equal(got, want(ids[0], ids[1], ids[3])) {
		t.Fatalf("restart without the flag: %v", got)
	}
	n.stop()

	// A --peer outside the list is a start-up error.
	other := startNode(t, 1, g, dirs[1], nil)
	ncfg := p2p.Config{DataDir: t.TempDir(), Chain: other.Node.Chain, SubmitBlock: other.Node.SubmitBlock, SubmitTxs: other.Node.SubmitTxs,
		HasTx: other.Node.Pool.Has, Allowlist: allowOf(ids[0]), Peers: []string{other.addr()}}
	if _, err := p2p.New(ncfg); err == nil || !strings.Contains(err.Error(), "not on the peer allowlist") {
		t.Fatalf("a --peer outside the allowlist: %v", err)
	}
	// A damaged live list is named.
	bad := t.TempDir()
	writeJSON(t, filepath.Join(bad, p2p.AllowlistFile), map[string]any{"peers": []map[string]string{{"peer_id": "nope"}}})
	ncfg.DataDir, ncfg.Peers = bad, nil
	if _, err := p2p.New(ncfg); err == nil || !strings.Contains(err.Error(), p2p.AllowlistFile) {
		t.Fatalf("a damaged live list: %v", err)
	}
	// Without a list the API cannot make a node private.
	if err := other.Net.Allow(p2p.AllowEntry{PeerID: ids[0].String()}); !errors.Is(err, p2p.ErrNoAllowlist) {
		t.Fatalf("Allow without a list: %v", err)
	}
	if _, err := other.Net.Revoke(ids[0].String()); !errors.Is(err, p2p.ErrNoAllowlist) {
		t.Fatalf("Revoke without a list: %v", err)
	}
}

func TestParseAllowlist(t *testing.T) {
	_, ids := privateDirs(t, 2)
	good := `[{"peer_id": "` + ids[0].String() + `", "label": "acme"}, {"peer_id": "` + ids[1].String() + `"}]`
	l, err := p2p.ParseAllowlist([]byte(good))
	if err != nil || len(l) != 2 || l[0].Label != "acme" {
		t.Fatalf("good list: %v %v", l, err)
	}
	if l, err := p2p.ParseAllowlist([]byte(`[]`)); err != nil || l == nil || len(l) != 0 {
		t.Fatalf("an empty list: %v %v (want a non-nil empty list)", l, err)
	}
	for _, c := range []struct{ in, want string }{
		{`{"peer_id": "x"}`, "JSON array"},
		{`[{"peer_id": ""}]`, "entry 0: peer_id is missing"},
		{`[{"peer_id": "not-a-peer-id"}]`, "entry 0: peer_id \"not-a-peer-id\" is not a peer ID"},
		{`[{"peer_id": "` + ids[0].String() + `", "lable": "x"}]`, "unknown field"},
		{`[{"peer_id": "` + ids[0].String() + `"}, {"peer_id": "` + ids[0].String() + `"}]`, "entry 1: peer_id " + ids[0].String() + " is also entry 0"},
		{`[{"peer_id": "` + ids[0].String() + `", "label": "a\u0007b"}]`, "control character"},
		{`[{"peer_id": "` + ids[0].String() + `", "label": "` + strings.Repeat("x", 200) + `"}]`, "label: 200 bytes"},
		{`[] []`, "after the JSON array"},
	} {
		if _, err := p2p.ParseAllowlist([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.in, err, c.want)
		}
	}
}

func FuzzParseAllowlist(f *testing.F) {
	f.Add([]byte(`[{"peer_id": "12D3KooWLRPJAA5o6Z6vGoRXYjRrgXkYEz2wGXyDUf5AmMsnQJpd", "label": "a"}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"peer_id": 1}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := p2p.ParseAllowlist(data)
		if err != nil {
			return
		}
		// What parses re-encodes to a list that parses to the same.
		again, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		l2, err := p2p.ParseAllowlist(again)
		if err != nil || !slices.Equal(l, l2) {
			t.Fatalf("round trip: %v %v", l2, err)
		}
	})
}
