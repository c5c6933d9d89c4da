package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// v2tx returns a signed version-2 tx from key i.
func v2tx(i int, body core.Body, nonce uint64) *core.Tx {
	return key(i).Tx2(testChain, body, 10_000, nonce)
}

// TestAssetRoutes: assets and items created through POST /txs (as JSON)
// and mined are served by every asset route; refusals carry their code
// and status; malformed ids are 400 and unknown ones 404.
func TestAssetRoutes(t *testing.T) {
	e := newEnv(t, 2, disableRateLimit)
	issuer, bob := addr(0), addr(1)
	token := core.NewAssetID(issuer, 0)
	coll := core.NewAssetID(issuer, 1)
	createID := e.submit(v2tx(0, &core.AssetCreate{Symbol: "ACME", Name: "Acme points", Decimals: 2, MaxSupply: 1_000_000, InitialSupply: 5000,
		Flags: core.FlagMintable | core.FlagFreezable, Manager: issuer, Minter: issuer, Freezer: issuer}, 0))
	e.submit(v2tx(0, &core.AssetCreate{Symbol: "LOTS", MaxSupply: 10, Flags: core.FlagUnique, Minter: issuer}, 1))
	e.submit(v2tx(0, &core.AssetTransfer{Asset: token, To: bob, Amount: 1250}, 2))
	e.submit(v2tx(0, &core.ItemMint{Collection: coll, ItemID: []byte("LOT 42/ü"), To: issuer}, 3))
	e.submit(v2tx(0, &core.ItemTransfer{Collection: coll, ItemID: []byte("LOT 42/ü"), To: bob}, 4))
	e.mine()
	e.submit(v2tx(1, &core.ItemAttest{Collection: coll, ItemID: []byte("LOT 42/ü"), Tag: "received", DataHash: core.Sum([]byte("pod"))}, 0))
	e.mine()

	// The creation's receipt names the new asset.
	var info wire.TxInfo
	e.get("/api/v1/txs/"+createID, &info)
	if r := info.Receipt; r == nil || r.Status != "success" || len(r.Events) != 1 || r.Events[0].Topic != "asset_created" || r.Events[0].Data != token.String() {
		t.Fatalf("receipt of asset_create: %+v", info.Receipt)
	}
	if info.Tx.Kind != "asset_create" || info.Tx.Body == nil {
		t.Fatalf("tx %+v", info.Tx)
	}
	var a wire.Asset
	e.get("/api/v1/assets/"+token.String(), &a)
	if a.Symbol != "ACME" || a.Supply != 5000 || a.Holders != 2 || a.Decimals != 2 || len(a.Flags) != 2 || a.Minter != issuer.Encode("cairn") || a.Clawback != "" {
		t.Fatalf("asset %+v", a)
	}
	// The holder count follows blocks after it was first counted.
	e.submit(v2tx(0, &core.AssetTransfer{Asset: token, To: addr(7), Amount: 1}, 5))
	e.mine()
	e.get("/api/v1/assets/"+token.String(), &a)
	if a.Holders != 3 {
		t.Fatalf("holders after a transfer to a new holder: %d, want 3", a.Holders)
	}
	var list wire.AssetList
	e.get("/api/v1/assets?limit=1", &list)
	if len(list.Assets) != 1 || list.Next == "" {
		t.Fatalf("page 1 %+v", list)
	}
	var page2 wire.AssetList
	e.get("/api/v1/assets?limit=1&after="+list.Next, &page2)
	if len(page2.Assets) != 1 || page2.Next != "" || page2.Assets[0].ID == list.Assets[0].ID {
		t.Fatalf("page 2 %+v after %+v", page2, list)
	}
	var holders wire.HolderList
	e.get("/api/v1/assets/"+token.String()+"/holders", &holders)
	var sum uint64
	for _, h := range holders.Holders {
		sum += h.Balance
	}
	if len(holders.Holders) != 3 || sum != 5000 {
		t.Fatalf("holders %+v", holders)
	}
	var mine wire.AccountAssets
	e.get("/api/v1/accounts/"+bob.Encode("cairn")+"/assets", &mine)
	if len(mine.Assets) != 2 {
		t.Fatalf("bob's assets %+v", mine)
	}
	for _, x := range mine.Assets {
		if x.Asset == token.String() && x.Balance != 1250 || x.Asset == coll.String() && (x.Balance != 1 || !x.Unique) {
			t.Fatalf("bob's assets %+v", mine)
		}
	}
	itemPath := "/api/v1/items/" + coll.String() + "/" + url.PathEscape("LOT 42/ü")
	var it wire.Item
	e.get(itemPath, &it)
	if it.Owner != bob.Encode("cairn") || it.Burned || it.ItemID != "LOT 42/ü" || it.Symbol != "LOTS" {
		t.Fatalf("item %+v", it)
	}
	var hist wire.ItemHistory
	e.get(itemPath+"/history", &hist)
	if len(hist.History) != 3 || hist.History[0].Kind != "item_mint" || hist.History[1].Kind != "item_transfer" ||
		hist.History[2].Kind != "item_attest" || hist.History[2].Tag != "received" || hist.History[0].Time == 0 || hist.History[2].Height != 2 {
		t.Fatalf("history %+v", hist)
	}
	var hist2 wire.ItemHistory
	e.get(itemPath+"/history?limit=2", &hist2)
	if len(hist2.History) != 2 || hist2.Next != hist.History[1].TxID {
		t.Fatalf("paged history %+v", hist2)
	}

	// A refused tx: its code, its status, and nothing changes.
	before := e.snapshot()
	code, _, body := e.do(http.MethodPost, "/api/v1/txs", v2tx(1, &core.AssetMint{Asset: token, To: bob, Amount: 1}, 1).JSON("cairn"))
	if p := problemOf(t, body); code != http.StatusForbidden || p.Code != string(core.CodeNotMinter) {
		t.Fatalf("mint by a non-minter: %d %+v", code, p)
	}
	code, _, body = e.do(http.MethodPost, "/api/v1/txs", v2tx(0, &core.AssetMint{Asset: token, To: bob, Amount: 1_000_000}, 6).JSON("cairn"))
	if p := problemOf(t, body); code != http.StatusUnprocessableEntity || p.Code != string(core.CodeSupplyExceeded) {
		t.Fatalf("mint above max_supply: %d %+v", code, p)
	}
	if e.snapshot() != before {
		t.Fatal("refused txs changed the node")
	}

	for _, c := range []struct {
		path string
		code int
	}{
		{"/api/v1/assets/zz", http.StatusBadRequest},
		{"/api/v1/assets/" + core.AssetID{9}.String(), http.StatusNotFound},
		{"/api/v1/assets/" + core.AssetID{9}.String() + "/holders", http.StatusNotFound},
		{"/api/v1/items/" + coll.String() + "/0xzz", http.StatusBadRequest},
		{"/api/v1/items/" + coll.String() + "/LOT-404", http.StatusNotFound},
		{"/api/v1/items/" + coll.String() + "/LOT-404/history", http.StatusNotFound},
		{"/api/v1/accounts/nope/assets", http.StatusBadRequest},
	} {
		if code, _, body := e.do(http.MethodGet, c.path, nil); code != c.code {
			t.Errorf("GET %s: %d, want %d: %s", c.path, code, c.code, body)
		}
	}
}
