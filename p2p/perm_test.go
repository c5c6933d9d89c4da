package p2p_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/cairn-chain/cairn/state"
	"github.com/prometheus/client_golang/prometheus"
)

// permChain is a trivial-PoW genesis whose permissions make admin the
// admin and restrict submit to member; admin, member and outsider have
// coins.
func permChain(t *testing.T) (g *core.Genesis, admin, member, outsider testkit.Key) {
	t.Helper()
	admin, member, outsider = testkit.NewKey(901), testkit.NewKey(902), testkit.NewKey(903)
	g = testkit.Genesis("perm", testkit.Fund(1_000_000, admin, member, outsider))
	g.Permissions = &core.Permissions{
		Admins: []core.Address{admin.Addr},
		Submit: core.RolePolicy{Restricted: true, Members: []core.Address{member.Addr}},
	}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	return g, admin, member, outsider
}

// apiOf serves tn's REST API on a loopback httptest server.
func apiOf(t *testing.T, tn *tnode) string {
	t.Helper()
	b := tn.Node.APIBackend()
	b.SubmitTxs = tn.Node.SubmitTxs
	srv, err := api.New(api.Config{Backend: b, Version: "test", Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// postTx posts tx to a node's POST /api/v1/txs and returns the status
// and the problem code (if any).
func postTx(t *testing.T, url string, tx *core.Tx) (int, string) {
	t.Helper()
	body, err := json.Marshal(tx.JSON(core.DefaultAddressPrefix))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url+"/api/v1/txs", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p wire.Problem
	_ = json.NewDecoder(resp.Body).Decode(&p)
	return resp.StatusCode, p.Code
}

// sealOn builds a block on tn's tip holding txs (the miner's template,
// then the txs put in by hand: the template would leave out a tx its
// node refuses) and seals it with tn's engine.
func sealOn(t *testing.T, tn *tnode, txs ...*core.Tx) *core.Block {
	t.Helper()
	blk, err := tn.Node.Chain.Template(testkit.NewKey(1).Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	blk.Txs = append(blk.Txs, txs...)
	blk.Header.TxRoot = core.MerkleRoot(blk.TxIDs())
	for blk.Header.Nonce = 0; tn.Node.Engine.VerifySeal(&blk.Header) != nil; blk.Header.Nonce++ {
		if blk.Header.Nonce > 1<<20 {
			t.Fatal("no nonce meets the trivial target")
		}
	}
	return blk
}

// TestPermissionsAcrossNodes (issue 14): on a 3-node chain whose genesis
// restricts submit, an unpermitted sender's tx gets 403 not_permitted at
// every node; a hand-built block holding it is rejected by every node,
// which penalises the peer that sent it (an invalid block, below the ban
// threshold) and keeps its tip; an admin's grant lets the sender in from
// the next block, a revoke shuts it out again at every node; and after
// the revoke a fresh node syncs the whole history from genesis, the
// revoked sender's old txs included, to the same tip and state digest
// (Besu #1476: a node-local list made new nodes refuse old blocks).
func TestPermissionsAcrossNodes(t *testing.T) {
	g, admin, member, outsider := permChain(t)
	logs := make([]*scoreLog, 3)
	ns := make([]*tnode, 3)
	urls := make([]string, 3)
	for i := range ns {
		logs[i] = &scoreLog{}
		ns[i] = startNode(t, i, g, t.TempDir(), func(c *p2p.Config) {
			c.DisablePEX = true
			c.Logger = slog.New(logs[i])
		})
		urls[i] = apiOf(t, ns[i])
	}
	fullMesh(t, ns)
	ns[0].mine()
	waitSameTip(t, ns, 1, 30*time.Second)

	// 403 at every node, and nothing admitted anywhere.
	bad := outsider.Transfer(g.ChainID, member.Addr, 5, g.MinFee, 0)
	for i, u := range urls {
		if code, prob := postTx(t, u, bad); code != http.StatusForbidden || prob != string(core.CodeNotPermitted) {
			t.Fatalf("node %d: unpermitted sender: %d %q, want 403 not_permitted", i, code, prob)
		}
		if ns[i].Node.Pool.Has(bad.ID()) {
			t.Fatalf("node %d pooled a refused tx", i)
		}
	}

	// A block holding it, sent by an evil node connected to all three (as
	// a v1 peer: it gossips the full block).
	evil := startNode(t, 9, g, t.TempDir(), func(c *p2p.Config) { c.DisablePEX, c.DisableCompactRelay = true, true })
	for _, n := range ns {
		connect(t, evil, n)
	}
	waitSameTip(t, append(slices.Clone(ns), evil), 1, 30*time.Second)
	tip := ns[0].tip()
	blk := sealOn(t, evil, bad)
	if _, err := state.ApplyBlock(evil.Node.Chain.State(), state.Rules{Genesis: g}, blk); !errors.Is(err, core.CodeNotPermitted) {
		t.Fatalf("the hand-built block applies: %v", err)
	}
	for _, n := range ns {
		waitFor(t, 20*time.Second, "the evil node in every block topic", func() bool {
			return slices.Contains(evil.Net.BlockTopicPeers(), n.Net.Host().ID())
		})
	}
	if err := evil.Net.PublishRawBlock(t.Context(), blk.Encode()); err != nil {
		t.Fatal(err)
	}
	id := evil.Net.Host().ID()
	for i, n := range ns {
		var got []penalty
		waitFor(t, 20*time.Second, "node's penalty of the block's sender", func() bool { got = logs[i].of(id); return len(got) > 0 })
		if pen := got[0]; pen.points <= 0 || pen.score >= p2p.BanThreshold {
			t.Fatalf("node %d: penalty %+v, want the invalid-block penalty, below the ban threshold", i, pen)
		}
		if n.tip().Hash != tip.Hash {
			t.Fatalf("node %d moved to %s on an invalid block", i, n.tip().Hash)
		}
	}
	evil.stop()

	// Grant, use, revoke: effective from the next block at every node.
	ns[0].submitTx(admin.Tx2(g.ChainID, &core.PermGrant{Role: "submit", Address: outsider.Addr}, g.MinFee, 0))
	waitFor(t, 20*time.Second, "the grant in every pool", func() bool { return poolsHave(ns, 1) })
	ns[0].mine()
	waitSameTip(t, ns, tip.Height+1, 30*time.Second)
	used := outsider.Transfer(g.ChainID, member.Addr, 5, g.MinFee, 0)
	if code, prob := postTx(t, urls[2], used); code != http.StatusAccepted {
		t.Fatalf("granted sender: %d %q", code, prob)
	}
	ns[2].Net.BroadcastTxs([]*core.Tx{used})
	waitFor(t, 20*time.Second, "the grantee's tx in every pool", func() bool { return poolsHave(ns, 1) })
	ns[1].mine()
	waitSameTip(t, ns, tip.Height+2, 30*time.Second)
	ns[1].submitTx(admin.Tx2(g.ChainID, &core.PermRevoke{Role: "submit", Address: outsider.Addr}, g.MinFee, 1))
	waitFor(t, 20*time.Second, "the revoke in every pool", func() bool { return poolsHave(ns, 1) })
	ns[2].mine()
	waitSameTip(t, ns, tip.Height+3, 30*time.Second)
	after := outsider.Transfer(g.ChainID, member.Addr, 5, g.MinFee, 1)
	for i, u := range urls {
		if code, prob := postTx(t, u, after); code != http.StatusForbidden || prob != string(core.CodeNotPermitted) {
			t.Fatalf("node %d: revoked sender: %d %q, want 403 not_permitted", i, code, prob)
		}
	}
	ns[0].mine()
	waitSameTip(t, ns, tip.Height+4, 30*time.Second)

	// A fresh node syncs it all from genesis: the grantee's tx of block
	// tip+2 is valid at its parent, whatever the tip says now.
	fresh := startNode(t, 5, g, t.TempDir(), func(c *p2p.Config) { c.DisablePEX = true })
	connect(t, fresh, ns[1])
	waitSameTip(t, append(slices.Clone(ns), fresh), tip.Height+4, 60*time.Second)
	if ok, err := state.HasRole(fresh.Node.Chain.State(), core.RoleSubmit, outsider.Addr); err != nil || ok {
		t.Fatalf("fresh node: the revoked sender holds submit (%v)", err)
	}
	acct, err := fresh.Node.Chain.Account(outsider.Addr)
	if err != nil || acct.Nonce != 1 {
		t.Fatalf("fresh node: the grantee's account %+v (%v), want its one tx applied", acct, err)
	}
}

// poolsHave reports whether every node's mempool holds n txs.
func poolsHave(ns []*tnode, n int) bool {
	for _, tn := range ns {
		if tn.Node.Pool.Count() != n {
			return false
		}
	}
	return true
}
