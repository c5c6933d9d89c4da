package devnet

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// signer is a key with its next nonce.
type signer struct {
	priv  ed25519.PrivateKey
	pub   core.PublicKey
	nonce uint64
}

func newSigner(seed byte) *signer {
	priv := ed25519.NewKeyFromSeed(append([]byte{seed, 'd', 'v'}, make([]byte, 29)...))
	s := &signer{priv: priv}
	copy(s.pub[:], priv.Public().(ed25519.PublicKey))
	return s
}

func (s *signer) addr() core.Address { return s.pub.Address() }

// tx signs the next tx of s: a body (version 2) or, with body nil, a coin
// transfer.
func (s *signer) tx(body core.Body, to core.Address, amount uint64) *core.Tx {
	tx := &core.Tx{Version: core.TxVersion, ChainID: ChainID, From: s.pub, Fee: core.DefaultMinFee, Nonce: s.nonce, To: to, Amount: amount}
	if body != nil {
		tx = &core.Tx{Version: core.TxVersion2, Kind: body.Kind(), ChainID: ChainID, From: s.pub, Fee: core.DefaultMinFee, Nonce: s.nonce, Body: body}
	}
	s.nonce++
	tx.Sign(s.priv)
	return tx
}

// getJSON decodes GET url into v, failing the test on a non-200 answer.
func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// view is what one node serves about the test's asset, collection and item.
type view struct {
	Asset   wire.Asset
	Holders wire.HolderList
	Coll    wire.Asset
	History wire.ItemHistory
}

// TestAssetsAcrossNodes: a 3-node devnet where an asset and a unique
// collection are created, moved, minted, frozen, attested and burned
// through different nodes, then more txs on both sides of a partition:
// after the heal every node serves the same asset, holders, item history
// and state digest, and the losing side's txs came back from its blocks
// to the mempool and were mined.
func TestAssetsAcrossNodes(t *testing.T) {
	n := startTestNet(t)
	ctx, urls, clients := n.ctx, n.urls, n.clients
	submit, confirmedOn, waitConfirmed := n.submit, n.confirmedOn, n.waitConfirmed
	issuer := n.dev
	alice, bob := newSigner(1), newSigner(2)

	// Coins for alice and bob; the asset and the collection.
	token := core.NewAssetID(issuer.addr(), issuer.nonce+2)
	coll := core.NewAssetID(issuer.addr(), issuer.nonce+3)
	ids := []string{
		submit(0, issuer.tx(nil, alice.addr(), 10*core.DefaultInitialReward)),
		submit(0, issuer.tx(nil, bob.addr(), 10*core.DefaultInitialReward)),
		submit(0, issuer.tx(&core.AssetCreate{Symbol: "ACME", Name: "Acme points", Decimals: 2, MaxSupply: 1_000_000, InitialSupply: 10_000,
			Flags: core.FlagMintable | core.FlagFreezable | core.FlagClawback, Manager: issuer.addr(), Minter: issuer.addr(),
			Freezer: issuer.addr(), Clawback: issuer.addr()}, core.Address{}, 0)),
		submit(0, issuer.tx(&core.AssetCreate{Symbol: "LOTS", Name: "Shipments", MaxSupply: 100, Flags: core.FlagUnique,
			Manager: issuer.addr(), Minter: issuer.addr()}, core.Address{}, 0)),
	}
	waitConfirmed("coins and the two assets", ids...)

	// Moved through every node.
	lot := []byte("LOT-42")
	ids = []string{
		submit(1, issuer.tx(&core.AssetTransfer{Asset: token, To: alice.addr(), Amount: 3000}, core.Address{}, 0)),
		submit(2, issuer.tx(&core.AssetMint{Asset: token, To: bob.addr(), Amount: 500}, core.Address{}, 0)),
		submit(1, issuer.tx(&core.ItemMint{Collection: coll, ItemID: lot, To: alice.addr(), MetadataHash: core.Sum([]byte("manifest"))}, core.Address{}, 0)),
		submit(0, issuer.tx(&core.ItemMint{Collection: coll, ItemID: []byte("LOT-43"), To: bob.addr()}, core.Address{}, 0)),
	}
	waitConfirmed("transfers and mints", ids...)
	ids = []string{
		submit(2, alice.tx(&core.ItemAttest{Collection: coll, ItemID: lot, Tag: "shipped", DataHash: core.Sum([]byte("bill of lading"))}, core.Address{}, 0)),
		submit(0, alice.tx(&core.AssetBurn{Asset: token, Amount: 100}, core.Address{}, 0)),
		submit(1, bob.tx(&core.ItemBurn{Collection: coll, ItemID: []byte("LOT-43")}, core.Address{}, 0)),
		submit(1, issuer.tx(&core.AssetFreeze{Asset: token, Holder: bob.addr(), Frozen: true}, core.Address{}, 0)),
	}
	waitConfirmed("attestation, burns and a freeze", ids...)
	// A frozen holder's transfer is refused with its code.
	if _, err := clients[2].SubmitTx(ctx, bob.tx(&core.AssetTransfer{Asset: token, To: alice.addr(), Amount: 1}, core.Address{}, 0)); !isCode(err, core.CodeFrozen) {
		t.Fatalf("a frozen holder's transfer: %v, want frozen", err)
	}
	bob.nonce--

	// A partition, with txs on both sides that do not conflict.
	post(t, urls[0], "/devnet/partition", `{"groups":[[0],[1,2]]}`)
	waitFor(t, "the partition", 30*time.Second, func() bool { return nodes(t, urls[0]).Nodes[0].Peers == 0 })
	sideA := []string{
		submit(0, issuer.tx(&core.AssetMint{Asset: token, To: issuer.addr(), Amount: 700}, core.Address{}, 0)),
		submit(0, issuer.tx(&core.AssetClawback{Asset: token, From: bob.addr(), Amount: 200}, core.Address{}, 0)),
	}
	sideB := []string{
		submit(1, alice.tx(&core.ItemTransfer{Collection: coll, ItemID: lot, To: bob.addr()}, core.Address{}, 0)),
		submit(2, alice.tx(&core.AssetTransfer{Asset: token, To: issuer.addr(), Amount: 50}, core.Address{}, 0)),
	}
	waitFor(t, "both sides to mine their txs", 60*time.Second, func() bool {
		return confirmedOn(0, sideA...) && confirmedOn(1, sideB...) && confirmedOn(2, sideB...)
	})
	post(t, urls[0], "/devnet/heal", "")
	waitConfirmed("every tx of both sides, after the heal", append(sideA, sideB...)...)
	// Bob received LOT-42 on side B; he attests it once that is settled.
	// (A tx that needs another sender's tx of the losing side is refused
	// while that tx waits in the mempool: the pool executes each sender's
	// txs on the confirmed state.)
	waitConfirmed("the attestation", submit(0, bob.tx(&core.ItemAttest{Collection: coll, ItemID: lot, Tag: "received", DataHash: core.Sum([]byte("proof of delivery"))}, core.Address{}, 0)))

	// Every node serves the same.
	read := func(node int) view {
		var v view
		getJSON(t, urls[node]+"/api/v1/assets/"+token.String(), &v.Asset)
		getJSON(t, urls[node]+"/api/v1/assets/"+token.String()+"/holders", &v.Holders)
		getJSON(t, urls[node]+"/api/v1/assets/"+coll.String(), &v.Coll)
		getJSON(t, urls[node]+"/api/v1/items/"+coll.String()+"/"+url.PathEscape(string(lot))+"/history", &v.History)
		return v
	}
	// The state digest changes with every block's reward: it is compared
	// at one tip (sameTip); what the assets' routes serve is stable once
	// every tx is confirmed everywhere.
	waitFor(t, "one tip and state digest on every node", 60*time.Second, n.sameTip)
	var views [3]view
	same := func() bool {
		for i := range views {
			views[i] = read(i)
		}
		return fmt.Sprintf("%+v", views[0]) == fmt.Sprintf("%+v", views[1]) && fmt.Sprintf("%+v", views[1]) == fmt.Sprintf("%+v", views[2])
	}
	if waitUntil(60*time.Second, same); !same() {
		t.Fatalf("nodes serve\n%+v\n%+v\n%+v", views[0], views[1], views[2])
	}
	v := views[0]
	var sum uint64
	for _, h := range v.Holders.Holders {
		sum += h.Balance
	}
	// 10,000 created + 500 + 700 minted - 100 burned; clawback and
	// transfers move units.
	if v.Asset.Supply != 11_100 || sum != v.Asset.Supply {
		t.Fatalf("supply %d, holdings sum %d, want 11100", v.Asset.Supply, sum)
	}
	if v.Coll.Supply != 1 { // LOT-42 live, LOT-43 burned
		t.Fatalf("collection supply %d, want 1", v.Coll.Supply)
	}
	var kinds []string
	for _, e := range v.History.History {
		kinds = append(kinds, e.Kind+":"+e.Tag)
	}
	if fmt.Sprint(kinds) != "[item_mint: item_attest:shipped item_transfer: item_attest:received]" {
		t.Fatalf("item history %v", kinds)
	}
}

// isCode reports whether err is a problem answer with code.
func isCode(err error, code core.Code) bool {
	var p *wire.Problem
	return errors.As(err, &p) && p.Code == string(code)
}

// TestDemoSeed: a new devnet with Demo serves the demo token, collection
// and item history within a few blocks; resuming it seeds nothing again.
func TestDemoSeed(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	d, err := Start(ctx, Config{Dir: dir, Nodes: 1, BlockTime: 200 * time.Millisecond, Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	demo := d.DemoAssets()
	if demo == nil {
		t.Fatal("no demo on a new devnet")
	}
	base := d.Node(0).APIURL()
	waitFor(t, "the demo assets", 60*time.Second, func() bool {
		resp, err := http.Get(base + "/api/v1/assets/" + demo.Token.String() + "/holders")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var h wire.HolderList
		return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&h) == nil && len(h.Holders) == 2
	})
	var hist wire.ItemHistory
	getJSON(t, base+"/api/v1/items/"+demo.Crate.String()+"/"+demo.Item+"/history", &hist)
	if len(hist.History) != 2 || hist.History[1].Tag != "packed" {
		t.Fatalf("demo item history %+v", hist)
	}
	// The demo contract: deployed, and its transfer's event listed.
	var events wire.ContractEvents
	waitFor(t, "the demo contract's events", 60*time.Second, func() bool {
		resp, err := http.Get(base + "/api/v1/contracts/" + demo.Contract.Encode(core.DefaultAddressPrefix) + "/events")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&events) == nil && len(events.Events) == 2
	})
	if events.Events[1].Topic != "transfer" {
		t.Fatalf("demo contract events %+v", events)
	}
	d.Stop()
	cancel()

	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	d2, err := Start(ctx2, Config{Dir: dir, Nodes: 1, BlockTime: 200 * time.Millisecond, Demo: true})
	if err != nil {
		t.Fatalf("resuming a demo devnet: %v", err)
	}
	defer d2.Stop()
	if d2.DemoAssets() != nil {
		t.Fatal("a resumed devnet was seeded again")
	}
}
