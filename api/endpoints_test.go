package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// TestEndpoints walks every endpoint's happy path on a real node: submit
// txs (single, batch, the brief's route), mine through GET /mine, and
// read everything back.
func TestEndpoints(t *testing.T) {
	e := newEnv(t, 4, nil)
	p := e.n.Genesis.AddressPrefix

	var h wire.Health
	e.get("/healthz", &h)
	if h.Status != "ok" {
		t.Fatalf("healthz %+v", h)
	}
	var st wire.Status
	e.get("/api/v1/status", &st)
	g := e.n.Chain.GenesisHash().String()
	if st.ChainID != testChain || st.Height != 0 || st.Tip != g || st.Genesis != g || len(st.StateDigest) != 64 ||
		st.Version != "test" || st.MinFee != testMinFee || st.AddressPrefix != p || st.PeerID != "test-peer" || st.Bits != "0x207fffff" {
		t.Fatalf("status %+v", st)
	}
	digest0 := st.StateDigest

	// One tx through POST /txs: pending.
	tx0 := transfer(0, addr(1), 1000, 10, 0)
	id0 := e.submit(tx0)
	if id0 != tx0.ID().String() {
		t.Fatalf("id %s, want %s", id0, tx0.ID())
	}
	var ti wire.TxInfo
	e.get("/api/v1/txs/"+id0, &ti)
	if ti.Status != wire.StatusPending || ti.Tx.ID != id0 || ti.Tx.FromAddress != addr(0).Encode(p) || ti.Confirmations != 0 {
		t.Fatalf("pending tx %+v", ti)
	}
	var acct wire.Account
	e.get("/api/v1/accounts/"+addr(0).Encode(p), &acct)
	if acct.Balance != testBalance || acct.Nonce != 0 || acct.PendingBalance != testBalance-1010 || acct.PendingNonce != 1 {
		t.Fatalf("account %+v", acct)
	}
	var mp wire.Mempool
	e.get("/api/v1/mempool", &mp)
	if mp.Count != 1 || mp.Bytes != tx0.Size() || len(mp.Txs) != 1 || mp.Txs[0].ID != id0 {
		t.Fatalf("mempool %+v", mp)
	}

	// A batch: two of key 0's next nonces, one of key 2, one bad item.
	batch := []any{
		transfer(0, addr(2), 5, 10, 1).JSON(p),
		transfer(0, addr(2), 6, 10, 2).JSON(p),
		map[string]string{"raw": hexOf(transfer(2, addr(0), 7, 10, 0).Encode())},
		with(fields(transfer(2, addr(0), 7, 10, 5)), "amount", 8, "id", nil),
	}
	code, _, body := e.do(http.MethodPost, "/api/v1/txs/batch", batch)
	if code != http.StatusOK {
		t.Fatalf("batch: %d %s", code, body)
	}
	var results []wire.BatchResult
	if err := json.Unmarshal(body, &results); err != nil || len(results) != 4 {
		t.Fatalf("batch results %s: %v", body, err)
	}
	for i := 0; i < 3; i++ {
		if results[i].ID == "" || results[i].Error != nil {
			t.Fatalf("batch item %d: %+v", i, results[i])
		}
	}
	if r := results[3]; r.ID != "" || r.Error == nil || r.Error.Code != "bad_signature" || r.Error.Status != 422 {
		t.Fatalf("batch item 3: %+v", r.Error)
	}

	// The brief's route is POST /txs.
	tx3 := transfer(3, addr(0), 9, 10, 0)
	code, _, body = e.do(http.MethodPost, "/transactions/new", tx3.JSON(p))
	if code != http.StatusAccepted || !strings.Contains(string(body), tx3.ID().String()) {
		t.Fatalf("/transactions/new: %d %s", code, body)
	}

	var hist wire.AccountTxs
	e.get("/api/v1/accounts/"+addr(0).Encode(p)+"/txs", &hist)
	if len(hist.Txs) != 3 || hist.Txs[0].Tx.Nonce != 2 || hist.Txs[2].Tx.Nonce != 0 || hist.Txs[0].Status != wire.StatusPending {
		t.Fatalf("pending history %+v", hist)
	}

	// Mine them.
	blk := e.mine()
	if blk.Height != 1 || blk.TxCount != 5 || len(blk.Txs) != 5 || blk.Fees != 50 || blk.Reward != e.n.Genesis.Reward(1) ||
		!blk.MainChain || blk.Confirmations != 1 {
		t.Fatalf("mined block %+v", blk.BlockHeader)
	}
	e.get("/api/v1/status", &st)
	if st.Height != 1 || st.Tip != blk.Hash || st.StateDigest == digest0 || st.Mempool != 0 {
		t.Fatalf("status after a block %+v", st)
	}
	e.get("/api/v1/txs/"+id0, &ti)
	if ti.Status != wire.StatusConfirmed || ti.Height != 1 || ti.BlockHash != blk.Hash || ti.Confirmations != 1 {
		t.Fatalf("confirmed tx %+v", ti)
	}
	var pr wire.Proof
	e.get("/api/v1/txs/"+id0+"/proof", &pr)
	if err := verifyProof(pr); err != nil || pr.BlockHash != blk.Hash || pr.Size != 5 {
		t.Fatalf("proof %+v: %v", pr, err)
	}

	var bs wire.Blocks
	e.get("/api/v1/blocks", &bs)
	if len(bs.Blocks) != 2 || bs.Blocks[0].Height != 1 || bs.Blocks[1].Height != 0 || bs.Blocks[0].TxCount != 5 {
		t.Fatalf("blocks %+v", bs)
	}
	e.get("/api/v1/blocks?from=1&limit=5", &bs)
	if len(bs.Blocks) != 1 || bs.Blocks[0].Hash != blk.Hash {
		t.Fatalf("blocks from 1 %+v", bs)
	}
	e.get("/api/v1/blocks?from=0&limit=1", &bs)
	if len(bs.Blocks) != 1 || bs.Blocks[0].Height != 0 {
		t.Fatalf("blocks from 0 %+v", bs)
	}
	var b1, b2 wire.Block
	e.get("/api/v1/blocks/1", &b1)
	e.get("/api/v1/blocks/"+blk.Hash, &b2)
	if b1.Hash != blk.Hash || b2.Hash != blk.Hash || len(b2.Txs) != 5 || b1.PrevHash != g {
		t.Fatalf("block by height %+v / by hash %+v", b1.BlockHeader, b2.BlockHeader)
	}
	for _, ref := range []string{"1", blk.Hash} {
		var ids wire.BlockTxIDs
		e.get("/api/v1/blocks/"+ref+"/txids", &ids)
		if ids.Hash != blk.Hash || ids.Height != 1 || !ids.MainChain || len(ids.TxIDs) != len(b2.Txs) {
			t.Fatalf("txids of block %s: %+v", ref, ids)
		}
		for i, tx := range b2.Txs {
			if ids.TxIDs[i] != tx.ID {
				t.Fatalf("txids of block %s: [%d] = %s, the block has %s", ref, i, ids.TxIDs[i], tx.ID)
			}
		}
	}
	var ch wire.Chain
	e.get("/chain", &ch)
	if ch.Length != 2 || len(ch.Chain) != 2 || ch.Chain[0].Height != 0 || ch.Chain[1].Hash != blk.Hash {
		t.Fatalf("chain %+v", ch)
	}
	e.get("/chain?from=1", &ch)
	if ch.Length != 2 || len(ch.Chain) != 1 || ch.Chain[0].Height != 1 {
		t.Fatalf("chain from 1 %+v", ch)
	}

	// History pages: confirmed, newest first, with a cursor.
	e.get("/api/v1/accounts/"+addr(0).Encode(p)+"/txs?limit=2", &hist)
	if len(hist.Txs) != 2 || hist.Next == "" || hist.Txs[0].Status != wire.StatusConfirmed {
		t.Fatalf("history page 1 %+v", hist)
	}
	seen := len(hist.Txs)
	for hist.Next != "" {
		next := hist.Next
		hist = wire.AccountTxs{}
		e.get("/api/v1/accounts/"+addr(0).Encode(p)+"/txs?limit=2&before="+next, &hist)
		seen += len(hist.Txs)
	}
	if seen != 5 { // 3 sent, 2 received
		t.Fatalf("history of key 0: %d txs, want 5", seen)
	}
	e.get("/api/v1/accounts/"+addr(0).Encode(p), &acct)
	if acct.Nonce != 3 || acct.PendingNonce != 3 || acct.Balance != acct.PendingBalance {
		t.Fatalf("account after the block %+v", acct)
	}

	// Mining settings.
	var m wire.Mining
	e.get("/api/v1/mining", &m)
	if m.Threads != 1 || m.Enabled {
		t.Fatalf("mining %+v", m)
	}
	code, _, body = e.do(http.MethodPost, "/api/v1/mining", map[string]any{"threads": 2, "address": addr(3).Encode(p)}, admin...)
	if code != http.StatusOK {
		t.Fatalf("POST /mining: %d %s", code, body)
	}
	e.get("/api/v1/mining", &m)
	if m.Threads != 2 || m.Address != addr(3).Encode(p) || m.Enabled {
		t.Fatalf("mining after POST %+v", m)
	}
	blk2 := e.mine() // pays the configured address now
	if blk2.Miner != addr(3).Encode(p) || blk2.Height != 2 {
		t.Fatalf("block 2 %+v", blk2.BlockHeader)
	}
	code, _, body = e.do(http.MethodGet, "/mine?address="+addr(1).Encode(p), nil, admin...)
	if code != http.StatusOK || !strings.Contains(string(body), addr(1).Encode(p)) {
		t.Fatalf("GET /mine?address: %d %s", code, body)
	}

	var peers []wire.Peer
	e.get("/api/v1/peers", &peers)
	if peers == nil || len(peers) != 0 {
		t.Fatalf("peers %+v", peers)
	}
}

// TestPeerHooks checks the network routes against fake hooks.
func TestPeerHooks(t *testing.T) {
	var added []string
	resolved := 0
	e := newEnv(t, 1, func(c *api.Config) {
		c.AddPeer = func(_ context.Context, a string) error {
			if strings.Contains(a, "refuse") {
				return core.Errorf(core.CodeMalformed, "peer %s refused", a)
			}
			if strings.Contains(a, "broken") {
				return errors.New("dial: disk on fire")
			}
			added = append(added, a)
			return nil
		}
		c.Resolve = func(context.Context) (bool, error) { resolved++; return true, nil }
		c.Peers = func() []wire.Peer {
			return []wire.Peer{{ID: "p1", Addrs: []string{"/ip4/127.0.0.1/tcp/1"}, Direction: "outbound", Height: 3}}
		}
		c.Listen = func() []string { return []string{"/ip4/127.0.0.1/tcp/30345"} }
	})
	code, _, body := e.do(http.MethodPost, "/api/v1/peers", map[string]string{"addr": "/ip4/127.0.0.1/tcp/1"}, admin...)
	if code != http.StatusOK {
		t.Fatalf("POST /peers: %d %s", code, body)
	}
	code, _, body = e.do(http.MethodPost, "/nodes/register", map[string][]string{"nodes": {"/ip4/127.0.0.1/tcp/2", "/ip4/127.0.0.1/tcp/3"}}, admin...)
	if code != http.StatusOK || !strings.Contains(string(body), "/ip4/127.0.0.1/tcp/1") {
		t.Fatalf("POST /nodes/register: %d %s", code, body)
	}
	if len(added) != 3 {
		t.Fatalf("added %v", added)
	}
	var res wire.NodesResolved
	e.get("/nodes/resolve", &res)
	if !res.Replaced || res.ChainLength != 1 || resolved != 1 {
		t.Fatalf("resolve %+v", res)
	}
	var st wire.Status
	e.get("/api/v1/status", &st)
	if st.Peers != 1 || len(st.Listen) != 1 {
		t.Fatalf("status %+v", st)
	}
	for _, c := range []struct {
		body any
		code int
		want string
	}{
		{map[string]string{"addr": "not-a-multiaddr"}, 400, "multiaddr"},
		{map[string]string{"addr": "/refuse"}, 400, "refused"},
		{map[string]string{"addr": "/broken"}, 500, "internal error"},
		{map[string]any{"addr": 5}, 400, "addr"},
	} {
		code, _, body := e.do(http.MethodPost, "/api/v1/peers", c.body, admin...)
		if p := problemOf(t, body); code != c.code || !strings.Contains(p.Detail, c.want) {
			t.Errorf("POST /peers %v: %d %+v", c.body, code, p)
		}
	}
	if code, _, _ := e.do(http.MethodPost, "/nodes/register", map[string][]string{"nodes": {"/x"}}); code != http.StatusUnauthorized {
		t.Errorf("POST /nodes/register without token: %d", code)
	}
}

func verifyProof(p wire.Proof) error {
	root, err := core.ParseHash(p.TxRoot)
	if err != nil {
		return err
	}
	id, err := core.ParseHash(p.TxID)
	if err != nil {
		return err
	}
	branch := make([]core.Hash, len(p.Branch))
	for i, b := range p.Branch {
		if branch[i], err = core.ParseHash(b); err != nil {
			return err
		}
	}
	return core.VerifyMerkleProof(root, id, uint64(p.Index), uint64(p.Size), branch)
}
