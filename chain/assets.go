package chain

import (
	"fmt"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
	"github.com/cairn-chain/cairn/store"
)

// Queries of assets and items at the tip. They read committed records
// without the chain's lock: a connect commits atomically, so each record
// is consistent, though a page may straddle a block.

// Asset returns an asset with its holder count, or a not-found error.
func (c *Chain) Asset(id core.AssetID) (*state.Asset, error) {
	a, err := state.ReadAsset(c.reader(), id)
	if err == nil && a == nil {
		err = notFound("asset %s", id)
	}
	if err != nil {
		return nil, err
	}
	a.Holders, err = c.holderCount(id)
	return a, err
}

// Assets lists assets in id order after the id after (nil: from the
// first), at most limit.
func (c *Chain) Assets(after *core.AssetID, limit int) ([]*state.Asset, error) {
	var start []byte
	if after != nil {
		start = state.AssetKey(*after)
	}
	var out []*state.Asset
	var bad error
	err := c.cfg.DB.StateIterate([]byte{state.PrefixAsset}, start, func(k, v []byte) bool {
		if len(k) != 1+core.AssetIDSize {
			bad = fmt.Errorf("chain: asset record key %x", k)
			return false
		}
		a, err := state.DecodeAsset(core.AssetID(k[1:]), v)
		if err == nil {
			a.Holders, err = c.holderCount(a.ID)
		}
		if err != nil {
			bad = fmt.Errorf("chain: asset record %x: %w", k, err)
			return false
		}
		out = append(out, a)
		return len(out) < limit
	})
	if err == nil {
		err = bad
	}
	return out, err
}

// Holder is one account's holding of an asset.
type Holder struct {
	Address core.Address
	state.Holding
}

// Holders lists an asset's holding records in address order after the
// address after (nil: from the first), at most limit.
func (c *Chain) Holders(id core.AssetID, after *core.Address, limit int) ([]Holder, error) {
	if _, err := c.Asset(id); err != nil {
		return nil, err
	}
	var start []byte
	if after != nil {
		start = state.HoldingKey(id, *after)
	}
	prefix := state.HoldingPrefix(id)
	var out []Holder
	var bad error
	err := c.cfg.DB.StateIterate(prefix, start, func(k, v []byte) bool {
		h, err := state.DecodeHolding(v)
		if err != nil || len(k) != len(prefix)+core.AddressSize {
			bad = fmt.Errorf("chain: holding record %x: %v", k, err)
			return false
		}
		out = append(out, Holder{Address: core.Address(k[len(prefix):]), Holding: h})
		return len(out) < limit
	})
	if err == nil {
		err = bad
	}
	return out, err
}

// AccountAsset is an asset an account holds, with its holding.
type AccountAsset struct {
	Asset *state.Asset
	state.Holding
}

// AccountAssets lists the assets a holds (a holding record: a balance, or
// a frozen mark), in asset id order after the id after, at most limit.
func (c *Chain) AccountAssets(a core.Address, after *core.AssetID, limit int) ([]AccountAsset, error) {
	ids, err := c.cfg.DB.AccountAssets(a, after, limit)
	if err != nil {
		return nil, err
	}
	st := c.reader()
	out := make([]AccountAsset, 0, len(ids))
	for _, id := range ids {
		asset, err := state.ReadAsset(st, id)
		if err != nil {
			return nil, err
		}
		h, err := state.ReadHolding(st, id, a)
		if err != nil {
			return nil, err
		}
		if asset == nil {
			return nil, fmt.Errorf("chain: account %s lists asset %s, which has no record", a, id)
		}
		out = append(out, AccountAsset{Asset: asset, Holding: h})
	}
	return out, nil
}

// Item returns an item of a collection, or a not-found error.
func (c *Chain) Item(coll core.AssetID, id []byte) (*state.Item, error) {
	it, err := state.ReadItem(c.reader(), coll, id)
	if err == nil && it == nil {
		err = notFound("item %s of collection %s", core.ItemIDText(id), coll)
	}
	return it, err
}

// ItemHistory lists an item's txs, oldest first, after the entry after
// (nil: from the mint), at most limit.
func (c *Chain) ItemHistory(coll core.AssetID, id []byte, after *store.ItemEvent, limit int) ([]store.ItemEvent, error) {
	if _, err := c.Item(coll, id); err != nil {
		return nil, err
	}
	return c.cfg.DB.ItemHistory(coll, id, after, limit)
}
