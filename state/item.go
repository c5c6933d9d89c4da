package state

import (
	"github.com/cairn-chain/cairn/core"
)

// The item kinds (V2.md §2): unique items of a collection (an asset with
// the unique flag). The collection's supply counts its live items and an
// owner's holding the live items it owns, so supply = sum of holdings
// holds for collections too. A burned item keeps its record: its id is
// never reused and its history stays.

// collection reads an asset that must be a unique collection.
func (v *View) collection(id core.AssetID) (*Asset, error) {
	a, err := v.asset(id)
	if err == nil && !a.Has(core.FlagUnique) {
		err = core.Errorf(core.CodeNotUnique, "asset %s (%s) is not a unique collection", id, a.Symbol)
	}
	return a, err
}

// liveItem reads an item that exists and is not burned.
func (v *View) liveItem(a *Asset, id []byte) (*Item, error) {
	it, err := v.Item(a.ID, id)
	switch {
	case err != nil:
		return nil, err
	case it == nil:
		return nil, core.Errorf(core.CodeItemNotFound, "no item %s in collection %s (%s)", core.ItemIDText(id), a.ID, a.Symbol)
	case it.Burned:
		return nil, core.Errorf(core.CodeItemBurned, "item %s of collection %s (%s) was burned", core.ItemIDText(id), a.ID, a.Symbol)
	}
	return it, nil
}

// owned reads a live item that from owns.
func (v *View) owned(a *Asset, id []byte, from core.Address) (*Item, error) {
	it, err := v.liveItem(a, id)
	if err == nil && it.Owner != from {
		err = core.Errorf(core.CodeNotOwner, "item %s of collection %s (%s) is not the sender's", core.ItemIDText(id), a.ID, a.Symbol)
	}
	return it, err
}

func (v *View) itemMint(from core.Address, b *core.ItemMint) error {
	a, err := v.collection(b.Collection)
	if err != nil {
		return err
	}
	if err := role(from, a.Minter, core.CodeNotMinter, a, "minter"); err != nil {
		return err
	}
	if it, err := v.Item(a.ID, b.ItemID); err != nil || it != nil {
		if err == nil {
			err = core.Errorf(core.CodeItemExists, "collection %s (%s) has an item %s already", a.ID, a.Symbol, core.ItemIDText(b.ItemID))
		}
		return err
	}
	if a.Supply >= a.MaxSupply {
		return core.Errorf(core.CodeSupplyExceeded, "collection %s (%s) holds %d live items, its max_supply", a.ID, a.Symbol, a.Supply)
	}
	if _, err := v.notFrozen(a, b.To, "recipient"); err != nil {
		return err
	}
	a.Supply++
	if err := v.credit(a, b.To, 1); err != nil {
		return err
	}
	v.setItem(a.ID, b.ItemID, &Item{Owner: b.To, MetadataHash: b.MetadataHash, MintedHeight: v.Height})
	v.setAsset(a)
	return nil
}

func (v *View) itemTransfer(from core.Address, b *core.ItemTransfer) error {
	a, err := v.collection(b.Collection)
	if err != nil {
		return err
	}
	it, err := v.owned(a, b.ItemID, from)
	if err != nil {
		return err
	}
	if _, err := v.notFrozen(a, from, "sender"); err != nil {
		return err
	}
	if _, err := v.notFrozen(a, b.To, "recipient"); err != nil {
		return err
	}
	if err := v.debit(a, from, 1, "sender"); err != nil {
		return err
	}
	if err := v.credit(a, b.To, 1); err != nil {
		return err
	}
	it.Owner = b.To
	v.setItem(a.ID, b.ItemID, it)
	return nil
}

// itemAttest changes no record: the attestation is the tx itself, which
// the item-history index records.
func (v *View) itemAttest(from core.Address, b *core.ItemAttest) error {
	a, err := v.collection(b.Collection)
	if err != nil {
		return err
	}
	it, err := v.liveItem(a, b.ItemID)
	if err != nil {
		return err
	}
	if from != it.Owner && from != a.Minter {
		return core.Errorf(core.CodeNotOwner, "only the owner of item %s or the minter of collection %s (%s) may attest it",
			core.ItemIDText(b.ItemID), a.ID, a.Symbol)
	}
	return nil
}

func (v *View) itemBurn(from core.Address, b *core.ItemBurn) error {
	a, err := v.collection(b.Collection)
	if err != nil {
		return err
	}
	it, err := v.owned(a, b.ItemID, from)
	if err != nil {
		return err
	}
	if err := v.debit(a, from, 1, "owner"); err != nil {
		return err
	}
	a.Supply--
	it.Burned = true
	v.setItem(a.ID, b.ItemID, it)
	v.setAsset(a)
	return nil
}
