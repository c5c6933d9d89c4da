package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
)

// TestAssetEndpoints checks the asset and item methods' requests (paths,
// escaping of item ids, paging queries) and the decoding of their answers.
func TestAssetEndpoints(t *testing.T) {
	coll := strings.Repeat("ab", 20)
	var seen []string
	var itemIDs []string // the item_id path value the server decoded
	record := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			seen = append(seen, r.Method+" "+r.URL.RequestURI())
			if v := r.PathValue("item"); v != "" {
				itemIDs = append(itemIDs, v)
			}
			h(w, r)
		}
	}
	asset := wire.Asset{ID: coll, Symbol: "GOLD", Decimals: 2, Supply: 150, MaxSupply: 1000, Holders: 2, Flags: []string{"mintable"}}
	srv := canned(t, map[string]http.HandlerFunc{
		"GET /api/v1/assets":                      record(fixed(200, wire.AssetList{Assets: []wire.Asset{asset}, Next: coll})),
		"GET /api/v1/assets/{id}":                 record(fixed(200, asset)),
		"GET /api/v1/assets/{id}/holders":         record(fixed(200, wire.HolderList{Asset: coll, Holders: []wire.Holder{{Address: "cairn1x", Balance: 150, Frozen: true}}})),
		"GET /api/v1/accounts/{a}/assets":         record(fixed(200, wire.AccountAssets{Address: "cairn1x", Assets: []wire.AccountAsset{{Asset: coll, Symbol: "GOLD", Balance: 150}}})),
		"GET /api/v1/items/{coll}/{item}":         record(fixed(200, wire.Item{Collection: coll, ItemID: "LOT-42", Owner: "cairn1y"})),
		"GET /api/v1/items/{coll}/{item}/history": record(fixed(200, wire.ItemHistory{Collection: coll, ItemID: "LOT-42", History: []wire.ItemEvent{{Kind: "item_mint", Time: 1700000000000}}})),
	})
	c := New(srv.URL)
	ctx := context.Background()
	check := func(name string, err error, ok bool, wantReq string) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			seen = nil
			return
		}
		if !ok {
			t.Errorf("%s: unexpected answer", name)
		}
		if len(seen) != 1 || seen[0] != wantReq {
			t.Errorf("%s: requests %q, want %q", name, seen, wantReq)
		}
		seen = nil
	}
	l, err := c.Assets(ctx, 0, "")
	check("Assets", err, err == nil && len(l.Assets) == 1 && l.Next == coll && l.Assets[0].Flags[0] == "mintable", "GET /api/v1/assets")
	l, err = c.Assets(ctx, 10, coll)
	check("Assets paged", err, err == nil && len(l.Assets) == 1, "GET /api/v1/assets?after="+coll+"&limit=10")
	a, err := c.Asset(ctx, coll)
	check("Asset", err, err == nil && a.Symbol == "GOLD" && a.Decimals == 2 && a.MaxSupply == 1000, "GET /api/v1/assets/"+coll)
	h, err := c.AssetHolders(ctx, coll, 5, "cairn1a")
	check("AssetHolders", err, err == nil && len(h.Holders) == 1 && h.Holders[0].Frozen, "GET /api/v1/assets/"+coll+"/holders?after=cairn1a&limit=5")
	aa, err := c.AccountAssets(ctx, "cairn1x", 0, "")
	check("AccountAssets", err, err == nil && aa.Assets[0].Balance == 150, "GET /api/v1/accounts/cairn1x/assets")
	it, err := c.Item(ctx, coll, "LOT-42")
	check("Item", err, err == nil && it.Owner == "cairn1y", "GET /api/v1/items/"+coll+"/LOT-42")
	hist, err := c.ItemHistory(ctx, coll, "LOT-42", 0, "")
	check("ItemHistory", err, err == nil && len(hist.History) == 1 && hist.History[0].Time == 1700000000000, "GET /api/v1/items/"+coll+"/LOT-42/history")
	_, err = c.ItemHistory(ctx, coll, "LOT-42", 2, "abc")
	check("ItemHistory paged", err, err == nil, "GET /api/v1/items/"+coll+"/LOT-42/history?after=abc&limit=2")

	// Item ids are one escaped path segment, whatever they hold; "." and
	// ".." (which path cleaning would remove) go as 0x + hex.
	itemIDs = nil
	for _, c2 := range []struct{ id, path, server string }{
		{"LOT 42/b?c#d", "LOT%2042%2Fb%3Fc%23d", "LOT 42/b?c#d"},
		{"history", "history", "history"},
		{"é", "%C3%A9", "é"},
		{".", "0x2e", "0x2e"},
		{"..", "0x2e2e", "0x2e2e"},
		{"0xff00", "0xff00", "0xff00"},
	} {
		_, err := c.Item(ctx, coll, c2.id)
		check("Item "+c2.id, err, true, "GET /api/v1/items/"+coll+"/"+c2.path)
		_, err = c.ItemHistory(ctx, coll, c2.id, 0, "")
		check("ItemHistory "+c2.id, err, true, "GET /api/v1/items/"+coll+"/"+c2.path+"/history")
		if len(itemIDs) != 2 || itemIDs[0] != c2.server || itemIDs[1] != c2.server {
			t.Errorf("item id %q reached the server as %q, want %q", c2.id, itemIDs, c2.server)
		}
		itemIDs = nil
	}

	for name, call := range map[string]func() error{
		"Asset":            func() error { _, err := c.Asset(ctx, ""); return err },
		"AssetHolders":     func() error { _, err := c.AssetHolders(ctx, "", 0, ""); return err },
		"AccountAssets":    func() error { _, err := c.AccountAssets(ctx, "", 0, ""); return err },
		"Item collection":  func() error { _, err := c.Item(ctx, "", "x"); return err },
		"Item id":          func() error { _, err := c.Item(ctx, coll, ""); return err },
		"ItemHistory id":   func() error { _, err := c.ItemHistory(ctx, coll, "", 0, ""); return err },
		"ItemHistory coll": func() error { _, err := c.ItemHistory(ctx, "", "x", 0, ""); return err },
	} {
		if err := call(); err == nil {
			t.Errorf("%s with an empty argument succeeded", name)
		}
	}
	if len(seen) != 0 {
		t.Errorf("calls with empty arguments reached the server: %q", seen)
	}
}

// TestAssetProblems: a refusal of an asset route comes back as its problem.
func TestAssetProblems(t *testing.T) {
	srv := canned(t, map[string]http.HandlerFunc{
		"GET /api/v1/assets/{id}": func(w http.ResponseWriter, _ *http.Request) {
			writeProblem(w, wire.Problem{Title: "Not Found", Status: 404, Code: "not_found", Detail: "asset 00 not found"})
		},
	})
	_, err := New(srv.URL).Asset(context.Background(), "00")
	var p *wire.Problem
	if !errors.As(err, &p) || p.Code != "not_found" || p.Status != 404 {
		t.Fatalf("Asset of an unknown id: %v", err)
	}
}
