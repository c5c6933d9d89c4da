package browsertest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/node"
)

// chainClient submits signed txs to a node through its REST API and mines
// them with GET /mine (the admin token).
type chainClient struct {
	t      *testing.T
	n      *node.Node
	b      *scenarios.Builder
	nonces map[int]uint64
	miner  core.Address
}

// startChainNode runs a node on b's genesis with its API on 127.0.0.1,
// stopped when the test ends, and a client mining to key 9.
func startChainNode(t *testing.T, b *scenarios.Builder) *chainClient {
	t.Helper()
	n, err := node.New(node.Config{DataDir: t.TempDir(), Genesis: b.Genesis, Threads: 1, APIAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done }) // runs before Close
	return &chainClient{t: t, n: n, b: b, nonces: map[int]uint64{}, miner: scenarios.NewKey(9).Addr}
}

// submit signs tx with key i's key, posts it, counts the nonce and mines
// a block; what names the tx in a failure.
func (c *chainClient) submit(i int, tx *core.Tx, what string) {
	c.t.Helper()
	tx.Sign(c.b.Keys[i].Priv)
	raw, err := json.Marshal(wire.TxSubmit{TxJSON: tx.JSON(c.b.Genesis.AddressPrefix)})
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.Post(c.n.APIURL()+"/api/v1/txs", "application/json", bytes.NewReader(raw))
	if err != nil {
		c.t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		c.t.Fatalf("POST /txs %s: %d %s", what, resp.StatusCode, msg)
	}
	c.nonces[i]++
	c.mine()
}

func (c *chainClient) addr(i int) string { return c.b.Keys[i].Addr.Encode(c.b.Genesis.AddressPrefix) }

// send signs body as a version-2 tx of key i, submits it through POST
// /api/v1/txs and mines a block holding it; it returns the tx id.
func (c *chainClient) send(i int, body core.Body) core.Hash {
	c.t.Helper()
	return c.sendFee(i, body, scenarios.MinFee)
}

// sendFee is send with a fee (a contract tx's covers its gas).
func (c *chainClient) sendFee(i int, body core.Body, fee uint64) core.Hash {
	c.t.Helper()
	k := c.b.Keys[i]
	tx := &core.Tx{Version: core.TxVersion2, Kind: body.Kind(), Body: body, From: k.Pub, ChainID: c.b.Genesis.ChainID,
		Fee: fee, Nonce: c.nonces[i]}
	c.submit(i, tx, body.Kind().String())
	if _, err := c.n.Chain.Tx(tx.ID()); err != nil {
		c.t.Fatalf("%s not in the chain after mining: %v", body.Kind(), err)
	}
	return tx.ID()
}

// mine mines one block with GET /mine.
func (c *chainClient) mine() {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.n.APIURL()+"/mine?address="+url.QueryEscape(c.miner.Encode(c.b.Genesis.AddressPrefix)), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.n.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("GET /mine: %d %s", resp.StatusCode, msg)
	}
}

func hashOf(s string) core.Hash { return core.Hash(sha256.Sum256([]byte(s))) }

// Markup in chain data: the pages must show it as text.
const (
	markupName = `<img src=x onerror="window.pwned=1">`
	markupTag  = `<script>pwned=1</script>`
	itemName   = `crate/7` // its URL escapes the "/"
)

// TestAssetsInBrowser submits asset and item txs of every kind to a real
// node through its API, mines them, and opens the explorer's pages: the
// asset list, an asset with its holders and supply in its decimals, a
// collection, an item's timeline, a tx page of each kind, an account's
// assets and the tables' summaries; malformed and unknown ids get clear
// messages, markup is shown as text, and nothing logs an error.
func TestAssetsInBrowser(t *testing.T) {
	chromiumPath(t) // skip (or fail under CI) before starting any node
	b := scenarios.NewBuilder()
	c := startChainNode(t, b)
	n := c.n
	k0, k1, k2 := b.Keys[0].Addr, b.Keys[1].Addr, b.Keys[2].Addr
	gold := core.NewAssetID(k0, 0)
	box := core.NewAssetID(k0, 1)
	txs := map[string]core.Hash{}
	txs["asset_create"] = c.send(0, &core.AssetCreate{Symbol: "GOLD", Name: "Gold reserve", Decimals: 2, MaxSupply: 1_000_000, InitialSupply: 100_000,
		Flags: core.FlagMintable | core.FlagFreezable | core.FlagClawback, Manager: k0, Minter: k0, Freezer: k0, Clawback: k0})
	c.send(0, &core.AssetCreate{Symbol: "BOX", Name: markupName, MaxSupply: 1000, Flags: core.FlagUnique | core.FlagMintable, Manager: k0, Minter: k0})
	txs["asset_transfer"] = c.send(0, &core.AssetTransfer{Asset: gold, To: k1, Amount: 2550})
	txs["asset_mint"] = c.send(0, &core.AssetMint{Asset: gold, To: k2, Amount: 5})
	txs["asset_freeze"] = c.send(0, &core.AssetFreeze{Asset: gold, Holder: k2, Frozen: true})
	txs["asset_clawback"] = c.send(0, &core.AssetClawback{Asset: gold, From: k1, Amount: 50})
	txs["asset_burn"] = c.send(1, &core.AssetBurn{Asset: gold, Amount: 100})
	cleared := core.Address{}
	txs["asset_config"] = c.send(0, &core.AssetConfig{Asset: gold, Clawback: &cleared})
	txs["item_mint"] = c.send(0, &core.ItemMint{Collection: box, ItemID: []byte(itemName), MetadataHash: hashOf("manifest"), To: k0})
	c.send(0, &core.ItemAttest{Collection: box, ItemID: []byte(itemName), Tag: "packed", DataHash: hashOf("packing list")})
	txs["item_transfer"] = c.send(0, &core.ItemTransfer{Collection: box, ItemID: []byte(itemName), To: k1})
	txs["item_attest"] = c.send(1, &core.ItemAttest{Collection: box, ItemID: []byte(itemName), Tag: markupTag, DataHash: hashOf("customs")})
	txs["item_burn"] = c.send(1, &core.ItemBurn{Collection: box, ItemID: []byte(itemName)})
	c.send(0, &core.ItemMint{Collection: box, ItemID: []byte("crate-2"), To: k2})
	// Balances of GOLD (2 decimals): k0 1000 - 25.5 + 0.5 = 975, k1 25.5 -
	// 0.5 - 1 = 24, k2 0.05 (frozen); supply 999.05.

	base := n.APIURL()
	ctx, errs := browser(t)
	began := time.Now()
	open := func(path, ready string) {
		t.Helper()
		t.Logf("%6.1fs open %s", time.Since(began).Seconds(), path)
		var pwned bool // on the page being left
		if err := chromedp.Run(ctx, chromedp.Evaluate(`window.pwned === 1`, &pwned)); err != nil || pwned {
			t.Fatalf("before %s: markup from the chain ran in the page (%v)", path, err)
		}
		if err := chromedp.Run(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(base+path)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Run(wctx, chromedp.WaitVisible(ready, chromedp.ByQuery)); err != nil {
			var main string
			_ = chromedp.Run(ctx, chromedp.Evaluate(textJS("main"), &main))
			t.Fatalf("%s: waiting for %s: %v; the page says %q (console errors: %v)", path, ready, err, main, *errs)
		}
	}
	eval := func(js string, out any) {
		t.Helper()
		if err := chromedp.Run(ctx, chromedp.Evaluate(js, out)); err != nil {
			t.Fatal(err)
		}
	}

	// The asset list, reached by the nav link.
	var list []map[string]string
	if err := chromedp.Run(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible("#stat-height", chromedp.ByID),
		chromedp.Click("#nav-assets", chromedp.ByID), chromedp.WaitVisible("#assets tr", chromedp.ByQuery)); err != nil {
		t.Fatalf("assets list: %v", err)
	}
	eval(`Array.from(document.querySelectorAll('#assets tr')).map((r) => ({ id: r.dataset.asset, symbol: r.cells[0].textContent,
		name: r.cells[1].textContent, type: r.cells[2].textContent, supply: r.cells[3].textContent, holders: r.cells[4].textContent }))`, &list)
	want := map[string]map[string]string{
		gold.String(): {"id": gold.String(), "symbol": "GOLD", "name": "Gold reserve", "type": "asset", "supply": "999.05 GOLD", "holders": "3"},
		box.String():  {"id": box.String(), "symbol": "BOX", "name": markupName, "type": "unique items", "supply": "1 item", "holders": "1"},
	}
	if len(list) != 2 || !reflect.DeepEqual(list[0], want[list[0]["id"]]) || !reflect.DeepEqual(list[1], want[list[1]["id"]]) {
		t.Errorf("asset list %v, want %v", list, want)
	}

	// The asset: supply against its maximum in its decimals, flags, roles
	// and holders.
	open("/#/asset/"+gold.String(), "#holders tr")
	var asset struct {
		Title, Supply, Max, Holders, Flags string
		Rows                               map[string]string
		HolderRows                         [][]string
	}
	eval(`({
		title: document.querySelector('main h1').textContent,
		supply: document.getElementById('asset-supply').textContent,
		max: document.getElementById('asset-max').textContent,
		holders: document.getElementById('asset-holders').textContent,
		flags: document.getElementById('asset-flags').textContent,
		rows: Object.fromEntries(Array.from(document.querySelectorAll('#asset > dt')).map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
		holderRows: Array.from(document.querySelectorAll('#holders tr')).map((r) => Array.from(r.cells).map((c) => c.textContent)),
	})`, &asset)
	if asset.Title != "Asset GOLD Gold reserve" || asset.Supply != "999.05 GOLD" || asset.Max != "10000 GOLD" || asset.Holders != "3" ||
		asset.Flags != "mintable freezable clawback " {
		t.Errorf("asset page: %+v", asset)
	}
	if asset.Rows["Decimals"] != "2" || asset.Rows["Minter"] != b.Keys[0].Addr.Encode(b.Genesis.AddressPrefix) || asset.Rows["Clawback"] != "none" {
		t.Errorf("asset page rows: %v", asset.Rows)
	}
	wantHolders := map[string][]string{
		c.addr(0): {c.addr(0), "975 GOLD", ""},
		c.addr(1): {c.addr(1), "24 GOLD", ""},
		c.addr(2): {c.addr(2), "0.05 GOLD", "frozen"},
	}
	if len(asset.HolderRows) != 3 {
		t.Errorf("holders %v, want 3", asset.HolderRows)
	}
	for _, r := range asset.HolderRows {
		if !reflect.DeepEqual(r, wantHolders[r[0]]) {
			t.Errorf("holder row %q, want %q", r, wantHolders[r[0]])
		}
	}
	screenshot(t, ctx, "asset")

	// A collection says it is one and counts items.
	open("/#/asset/"+box.String(), "#unique-note")
	var boxSupply, boxName string
	eval(textJS("#asset-supply"), &boxSupply)
	eval(textJS("#asset-name"), &boxName)
	if boxSupply != "1 item" || boxName != markupName {
		t.Errorf("collection: supply %q, name %q; want 1 item, %q as text", boxSupply, boxName, markupName)
	}

	// A live item: its owner.
	open("/#/item/"+box.String()+"/crate-2", "#timeline li.event")
	var owner, state string
	eval(textJS("#item-owner"), &owner)
	eval(textJS("#item-state"), &state)
	if owner != c.addr(2) || state != "live" {
		t.Errorf("item crate-2: owner %q, state %q; want %s, live", owner, state, c.addr(2))
	}

	// The item: its history as a timeline, oldest first, with tags, each
	// entry linking its tx and block, dated.
	open("/#/item/"+box.String()+"/"+url.PathEscape(itemName), "#timeline li.event")
	type event struct {
		Kind, Label, Tag, Tx, Block, When string
	}
	var item struct {
		ID, State, Owner, Meta string
		Events                 []event
	}
	eval(`({
		id: document.getElementById('item-id').textContent,
		state: document.getElementById('item-state').textContent,
		owner: document.getElementById('item-owner').textContent,
		meta: document.getElementById('item-metadata').textContent,
		events: Array.from(document.querySelectorAll('#timeline li.event')).map((li) => ({
			kind: li.dataset.kind, label: li.querySelector('.label').textContent,
			tag: (li.querySelector('.tag') || {}).textContent || '',
			tx: li.querySelector('a[href^="#/tx/"]').getAttribute('href'),
			block: li.querySelector('a.block-link').getAttribute('href'),
			when: li.querySelector('time').textContent,
		})),
	})`, &item)
	if item.ID != itemName || item.State != "burned" || item.Meta != hashOf("manifest").String() || !strings.Contains(item.Owner, "burned") {
		t.Errorf("item page: %+v", item)
	}
	wantKinds := []string{"item_mint:Minted:", "item_attest:Attested:packed", "item_transfer:Handed over:", "item_attest:Attested:" + markupTag, "item_burn:Burned:"}
	var gotKinds []string
	for _, e := range item.Events {
		gotKinds = append(gotKinds, e.Kind+":"+e.Label+":"+e.Tag)
		if !strings.HasPrefix(e.Tx, "#/tx/") || !strings.HasPrefix(e.Block, "#/block/") || !strings.Contains(e.When, time.Now().UTC().Format("2006-01-02")) {
			t.Errorf("timeline entry %+v: want tx and block links and today's date", e)
		}
	}
	if !slices.Equal(gotKinds, wantKinds) {
		t.Errorf("timeline %q, want %q", gotKinds, wantKinds)
	}
	if len(item.Events) > 0 && item.Events[0].Tx != "#/tx/"+txs["item_mint"].String() {
		t.Errorf("first entry's tx %s, want the mint %s", item.Events[0].Tx, txs["item_mint"])
	}
	screenshot(t, ctx, "item")

	// A tx page of each kind: its rows, amounts in the asset's decimals.
	readTx := func(kind string) txView {
		t.Helper()
		t.Logf("tx page of %s", kind)
		open("/#/tx/"+txs[kind].String(), "#tx-kind")
		var v txView
		eval(readTxJS, &v)
		if v.Kind != kind {
			t.Errorf("tx page of %s says kind %q", kind, v.Kind)
		}
		return v
	}
	goldRef := "GOLD Gold reserve " + gold.String()
	for kind, rows := range map[string]map[string]string{
		"asset_transfer": {"Asset": goldRef, "To": c.addr(1), "Amount": "25.5 GOLD"},
		"asset_mint":     {"Asset": goldRef, "To": c.addr(2), "Amount": "0.05 GOLD"},
		"asset_burn":     {"Asset": goldRef, "Amount": "1 GOLD"},
		"asset_freeze":   {"Holder": c.addr(2), "Action": "freeze"},
		"asset_clawback": {"From": c.addr(1), "Amount": "0.5 GOLD"},
		"asset_config":   {"New clawback": "cleared (gone for ever)"},
		"asset_create":   {"Symbol": "GOLD", "Name": "Gold reserve", "Decimals": "2", "Initial supply": "1000 GOLD", "Max supply": "10000 GOLD", "Clawback": c.addr(0)},
		"item_mint":      {"Item": itemName, "To": c.addr(0), "Metadata hash": hashOf("manifest").String()},
		"item_transfer":  {"Item": itemName, "To": c.addr(1)},
		"item_attest":    {"Item": itemName, "Tag": markupTag, "Data hash": hashOf("customs").String()},
		"item_burn":      {"Collection": "BOX " + markupName + " " + box.String(), "Item": itemName},
	} {
		v := readTx(kind)
		for label, value := range rows {
			if v.Values[label] != value {
				t.Errorf("tx page of %s: %s = %q, want %q", kind, label, v.Values[label], value)
			}
		}
		if kind == "asset_transfer" {
			screenshot(t, ctx, "tx-asset-transfer")
		}
		if kind == "asset_create" {
			var created string
			poll(t, ctx, "the created asset's id", 10*time.Second, func() bool {
				eval(textJS("#created-asset"), &created)
				return created != ""
			})
			if created != gold.String() {
				t.Errorf("asset_create's asset id %q, want %s", created, gold)
			}
		}
	}
	// The item's link on a tx page escapes its id and opens its page.
	open("/#/tx/"+txs["item_mint"].String(), ".item-link")
	var itemID string
	if err := chromedp.Run(ctx, chromedp.Click(".item-link", chromedp.ByQuery), chromedp.WaitVisible("#timeline li.event", chromedp.ByQuery)); err != nil {
		t.Fatalf("item link: %v", err)
	}
	eval(textJS("#item-id"), &itemID)
	if itemID != itemName {
		t.Errorf("the item link opened item %q, want %q", itemID, itemName)
	}

	// The account: its assets, and its history's summaries.
	open("/#/account/"+c.addr(1), "#account-assets tr")
	var acct struct {
		Assets    [][]string
		Summaries []string
	}
	eval(`({
		assets: Array.from(document.querySelectorAll('#account-assets tr')).map((r) => Array.from(r.cells).map((c) => c.textContent)),
		summaries: Array.from(document.querySelectorAll('#history .tx-summary')).map((s) => s.dataset.kind + ': ' + s.textContent),
	})`, &acct)
	screenshot(t, ctx, "account-assets")
	if len(acct.Assets) == 0 || !slices.ContainsFunc(acct.Assets, func(r []string) bool { return slices.Equal(r, []string{"GOLD", "Gold reserve", "24 GOLD", ""}) }) {
		t.Errorf("account assets %q, want GOLD 24", acct.Assets)
	}
	for _, s := range []string{"asset_transfer: send 25.5 GOLD to ", "asset_burn: burn 1 GOLD", "item_attest: attest " + markupTag + " on item " + itemName + " of BOX"} {
		if !slices.ContainsFunc(acct.Summaries, func(x string) bool { return strings.HasPrefix(x, s) }) {
			t.Errorf("account history summaries %q lack %q", acct.Summaries, s)
		}
	}

	// A block's txs and the dashboard's latest txs are summarised too.
	loc, err := n.Chain.Tx(txs["asset_transfer"])
	if err != nil {
		t.Fatal(err)
	}
	open("/#/block/"+loc.BlockHash.String(), ".tx-summary")
	var blockSummary string
	eval(textJS(".tx-summary"), &blockSummary)
	if !strings.HasPrefix(blockSummary, "send 25.5 GOLD to cairn") {
		t.Errorf("block's tx summary %q", blockSummary)
	}
	open("/", "#latest-txs .tx-summary")
	screenshot(t, ctx, "dashboard-summaries")

	// Search: an asset id opens its page.
	if err := chromedp.Run(ctx, chromedp.SetValue("#q", gold.String(), chromedp.ByID), chromedp.Click("#search button", chromedp.ByQuery),
		chromedp.WaitVisible("#asset-supply", chromedp.ByID)); err != nil {
		t.Fatalf("search for an asset id: %v", err)
	}

	// Malformed and unknown ids get a clear message.
	for path, want := range map[string]string{
		"/#/asset/xyz":                                            "Not an asset id",
		"/#/asset/" + strings.Repeat("0", 40):                     "Not found",
		"/#/item/zz/abc":                                          "Not a collection id",
		"/#/item/" + box.String() + "/0xzz":                       "Not an item id",
		"/#/item/" + box.String() + "/" + strings.Repeat("x", 65): "at most 64 bytes",
		"/#/item/" + box.String() + "/nope":                       "Not found: no item “nope”",
		"/#/item/" + strings.Repeat("0", 40) + "/nope":            "Not found",
		"/#/assets?after=nothex":                                  "Not an asset id",
	} {
		var text string
		open(path, "main .error")
		eval(textJS("main .error"), &text)
		if !strings.Contains(text, want) {
			t.Errorf("%s says %q, want %q", path, text, want)
		}
	}
	var pwned bool
	eval(`window.pwned === 1`, &pwned)
	if pwned {
		t.Error("markup from the chain ran in the page")
	}
	if len(*errs) > 0 {
		t.Fatalf("console errors: %v", *errs)
	}
}
