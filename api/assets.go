package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

const tagAssets = "assets"

// Assets is what the API reads of native assets and unique items at the
// tip. Lookups of something unknown fail with a core.CodeNotFound rule
// error.
type Assets interface {
	Asset(core.AssetID) (*state.Asset, error)
	// Assets lists assets in id order after the id after (nil: the first).
	Assets(after *core.AssetID, limit int) ([]*state.Asset, error)
	// Holders lists an asset's holdings in address order after after.
	Holders(id core.AssetID, after *core.Address, limit int) ([]Holder, error)
	// AccountAssets lists the assets an account holds, in id order.
	AccountAssets(a core.Address, after *core.AssetID, limit int) ([]AccountAsset, error)
	Item(coll core.AssetID, id []byte) (*state.Item, error)
	// ItemHistory lists an item's txs, oldest first, after after.
	ItemHistory(coll core.AssetID, id []byte, after *TxLoc, limit int) ([]TxLoc, error)
}

// Holder is one account's holding of an asset.
type Holder struct {
	Address core.Address
	state.Holding
}

// AccountAsset is an asset an account holds, with its holding.
type AccountAsset struct {
	Asset *state.Asset
	state.Holding
}

type (
	assetOut       struct{ Body wire.Asset }
	assetListOut   struct{ Body wire.AssetList }
	holderListOut  struct{ Body wire.HolderList }
	acctAssetsOut  struct{ Body wire.AccountAssets }
	itemOut        struct{ Body wire.Item }
	itemHistoryOut struct{ Body wire.ItemHistory }
	assetPath      struct {
		ID string `path:"id" doc:"An asset id: 40 hex characters"`
	}
	assetListIn struct {
		Limit int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"Assets per page"`
		After string `query:"after" doc:"Cursor: the next of the previous page (an asset id)"`
	}
	holdersIn struct {
		ID    string `path:"id" doc:"An asset id: 40 hex characters"`
		Limit int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"Holders per page"`
		After string `query:"after" doc:"Cursor: the next of the previous page (an address)"`
	}
	acctAssetsIn struct {
		Address string `path:"address" doc:"A bech32m address with this chain's prefix"`
		Limit   int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"Assets per page"`
		After   string `query:"after" doc:"Cursor: the next of the previous page (an asset id)"`
	}
	itemPath struct {
		Collection string `path:"collection" doc:"The collection's asset id: 40 hex characters"`
		ItemID     string `path:"item_id" doc:"The item id: its UTF-8 text, URL-escaped, or 0x + hex for a binary id"`
	}
	itemHistoryIn struct {
		Collection string `path:"collection" doc:"The collection's asset id: 40 hex characters"`
		ItemID     string `path:"item_id" doc:"The item id: its UTF-8 text, URL-escaped, or 0x + hex for a binary id"`
		Limit      int    `query:"limit" minimum:"1" maximum:"500" default:"100" doc:"Entries per page"`
		After      string `query:"after" doc:"Cursor: the next of the previous page (a tx id)"`
	}
)

func (s *Server) registerAssets() {
	errs := []int{http.StatusBadRequest, http.StatusNotFound}
	register(s, route{id: "list-assets", method: http.MethodGet, path: "/api/v1/assets", tag: tagAssets,
		summary: "Native assets and unique collections, in id order", errs: errs,
		desc: "Each asset with its supply and roles; next is the cursor of the following page."}, s.listAssets)
	register(s, route{id: "get-asset", method: http.MethodGet, path: "/api/v1/assets/{id}", tag: tagAssets,
		summary: "One asset: definition, roles, supply and holder count", errs: errs}, s.getAsset)
	register(s, route{id: "list-asset-holders", method: http.MethodGet, path: "/api/v1/assets/{id}/holders", tag: tagAssets,
		summary: "An asset's holders, in address order", errs: errs,
		desc: "Every holding record: a balance, or a frozen mark (a frozen holder may hold nothing)."}, s.listHolders)
	register(s, route{id: "list-account-assets", method: http.MethodGet, path: "/api/v1/accounts/{address}/assets", tag: tagAccounts,
		summary: "The assets an account holds", errs: errs,
		desc: "In asset id order, with balance (in the asset's base units; a collection: the items owned) and frozen."}, s.listAccountAssets)
	register(s, route{id: "get-item", method: http.MethodGet, path: "/api/v1/items/{collection}/{item_id}", tag: tagAssets,
		summary: "A unique item: owner, metadata, burned", errs: errs}, s.getItem)
	register(s, route{id: "get-item-history", method: http.MethodGet, path: "/api/v1/items/{collection}/{item_id}/history", tag: tagAssets,
		summary: "An item's history, oldest first", errs: errs,
		desc: "Its mint, transfers, attestations and burn, each with its tx id, height and block time."}, s.getItemHistory)
}

func (s *Server) parseAssetID(field, v string) (core.AssetID, error) {
	id, err := core.ParseAssetID(v)
	if err != nil {
		return id, malformed("%s: %v", field, err)
	}
	return id, nil
}

// assetFail turns a lookup error into its problem.
func (s *Server) assetFail(err error) error {
	if errors.Is(err, core.CodeNotFound) {
		return notFound("%v", err)
	}
	return s.fail(err)
}

func (s *Server) assetJSON(a *state.Asset) wire.Asset {
	flags := []string{}
	for i, n := range core.FlagNames {
		if a.Flags&(1<<i) != 0 {
			flags = append(flags, n)
		}
	}
	meta := ""
	if !a.MetadataHash.IsZero() {
		meta = a.MetadataHash.String()
	}
	return wire.Asset{ID: a.ID.String(), Symbol: a.Symbol, Name: a.Name, Decimals: a.Decimals, Supply: a.Supply,
		MaxSupply: a.MaxSupply, Holders: a.Holders, Flags: flags, Unique: a.Has(core.FlagUnique), MetadataHash: meta,
		Creator: core.RoleText(a.Creator, s.prefix), Manager: core.RoleText(a.Manager, s.prefix), Minter: core.RoleText(a.Minter, s.prefix),
		Freezer: core.RoleText(a.Freezer, s.prefix), Clawback: core.RoleText(a.Clawback, s.prefix), CreatedHeight: a.CreatedHeight}
}

func (s *Server) listAssets(_ context.Context, in *assetListIn) (*assetListOut, error) {
	var after *core.AssetID
	if in.After != "" {
		id, err := s.parseAssetID("after", in.After)
		if err != nil {
			return nil, err
		}
		after = &id
	}
	list, err := s.cfg.Assets.Assets(after, in.Limit+1)
	if err != nil {
		return nil, s.fail(err)
	}
	out := wire.AssetList{Assets: []wire.Asset{}}
	for i, a := range list {
		if i == in.Limit {
			out.Next = list[i-1].ID.String()
			break
		}
		out.Assets = append(out.Assets, s.assetJSON(a))
	}
	return &assetListOut{Body: out}, nil
}

func (s *Server) getAsset(_ context.Context, in *assetPath) (*assetOut, error) {
	id, err := s.parseAssetID("id", in.ID)
	if err != nil {
		return nil, err
	}
	a, err := s.cfg.Assets.Asset(id)
	if err != nil {
		return nil, s.assetFail(err)
	}
	return &assetOut{Body: s.assetJSON(a)}, nil
}

func (s *Server) listHolders(_ context.Context, in *holdersIn) (*holderListOut, error) {
	id, err := s.parseAssetID("id", in.ID)
	if err != nil {
		return nil, err
	}
	after, err := s.parseAfter(in.After)
	if err != nil {
		return nil, err
	}
	list, err := s.cfg.Assets.Holders(id, after, in.Limit+1)
	if err != nil {
		return nil, s.assetFail(err)
	}
	out := wire.HolderList{Asset: id.String(), Holders: []wire.Holder{}}
	for i, h := range list {
		if i == in.Limit {
			out.Next = list[i-1].Address.Encode(s.prefix)
			break
		}
		out.Holders = append(out.Holders, wire.Holder{Address: h.Address.Encode(s.prefix), Balance: h.Balance, Frozen: h.Frozen})
	}
	return &holderListOut{Body: out}, nil
}

func (s *Server) listAccountAssets(_ context.Context, in *acctAssetsIn) (*acctAssetsOut, error) {
	a, err := s.parseAddress(in.Address)
	if err != nil {
		return nil, err
	}
	var after *core.AssetID
	if in.After != "" {
		id, err := s.parseAssetID("after", in.After)
		if err != nil {
			return nil, err
		}
		after = &id
	}
	list, err := s.cfg.Assets.AccountAssets(a, after, in.Limit+1)
	if err != nil {
		return nil, s.fail(err)
	}
	out := wire.AccountAssets{Address: a.Encode(s.prefix), Assets: []wire.AccountAsset{}}
	for i, h := range list {
		if i == in.Limit {
			out.Next = list[i-1].Asset.ID.String()
			break
		}
		out.Assets = append(out.Assets, wire.AccountAsset{Asset: h.Asset.ID.String(), Symbol: h.Asset.Symbol, Name: h.Asset.Name,
			Decimals: h.Asset.Decimals, Unique: h.Asset.Has(core.FlagUnique), Balance: h.Balance, Frozen: h.Frozen})
	}
	return &acctAssetsOut{Body: out}, nil
}

func (s *Server) parseItem(coll, item string) (core.AssetID, []byte, error) {
	c, err := s.parseAssetID("collection", coll)
	if err != nil {
		return c, nil, err
	}
	id, err := core.ParseItemID(item)
	if err != nil {
		return c, nil, malformed("item_id: %v", err)
	}
	return c, id, nil
}

func (s *Server) getItem(_ context.Context, in *itemPath) (*itemOut, error) {
	coll, id, err := s.parseItem(in.Collection, in.ItemID)
	if err != nil {
		return nil, err
	}
	it, err := s.cfg.Assets.Item(coll, id)
	if err != nil {
		return nil, s.assetFail(err)
	}
	a, err := s.cfg.Assets.Asset(coll)
	if err != nil {
		return nil, s.assetFail(err)
	}
	meta := ""
	if !it.MetadataHash.IsZero() {
		meta = it.MetadataHash.String()
	}
	return &itemOut{Body: wire.Item{Collection: coll.String(), Symbol: a.Symbol, ItemID: core.ItemIDText(id),
		Owner: it.Owner.Encode(s.prefix), MetadataHash: meta, Burned: it.Burned, MintedHeight: it.MintedHeight}}, nil
}

func (s *Server) getItemHistory(_ context.Context, in *itemHistoryIn) (*itemHistoryOut, error) {
	coll, id, err := s.parseItem(in.Collection, in.ItemID)
	if err != nil {
		return nil, err
	}
	after, err := s.txCursor(in.After)
	if err != nil {
		return nil, s.assetFail(err)
	}
	entries, err := s.cfg.Assets.ItemHistory(coll, id, after, in.Limit+1)
	if err != nil {
		return nil, s.assetFail(err)
	}
	out := wire.ItemHistory{Collection: coll.String(), ItemID: core.ItemIDText(id), History: []wire.ItemEvent{}}
	for i, e := range entries {
		if i == in.Limit {
			out.Next = entries[i-1].ID.String()
			break
		}
		ev, err := s.itemEvent(e)
		if err != nil {
			return nil, s.fail(err)
		}
		out.History = append(out.History, ev)
	}
	return &itemHistoryOut{Body: out}, nil
}

// itemEvent describes one tx of an item's history.
func (s *Server) itemEvent(e TxLoc) (wire.ItemEvent, error) {
	ti, err := s.cfg.Chain.Tx(e.ID)
	if err != nil {
		return wire.ItemEvent{}, err
	}
	hdr, _, _, err := s.cfg.Chain.SummaryByHeight(e.Height)
	if err != nil {
		return wire.ItemEvent{}, err
	}
	tx := ti.Tx
	ev := wire.ItemEvent{Kind: tx.Kind.String(), TxID: e.ID.String(), Height: e.Height, Time: hdr.Timestamp, From: tx.Sender().Encode(s.prefix)}
	switch b := tx.Body.(type) {
	case *core.ItemMint:
		ev.To = b.To.Encode(s.prefix)
		if !b.MetadataHash.IsZero() {
			ev.DataHash = b.MetadataHash.String()
		}
	case *core.ItemTransfer:
		ev.To = b.To.Encode(s.prefix)
	case *core.ItemAttest:
		ev.Tag, ev.DataHash = b.Tag, b.DataHash.String()
	}
	return ev, nil
}

// txCursor reads a page cursor that is a confirmed tx's id (nil: none):
// where that tx is, for the pages of histories in chain order.
func (s *Server) txCursor(after string) (*TxLoc, error) {
	if after == "" {
		return nil, nil
	}
	h, err := core.ParseHash(after)
	if err != nil {
		return nil, malformed("after: %v", err)
	}
	ti, err := s.cfg.Chain.Tx(h)
	if err != nil {
		return nil, err
	}
	return &TxLoc{Height: ti.Height, Index: ti.Index, ID: h}, nil
}
