package state

import (
	"github.com/cairn-chain/cairn/core"
)

// The asset kinds (V2.md §2). Roles are addresses in the asset record;
// the zero address is nobody, and a role once cleared stays cleared.
// Flags are fixed at creation. For every asset the sum of its holdings is
// its supply, never above max_supply.

// asset reads an existing asset or fails with asset_not_found.
func (v *View) asset(id core.AssetID) (*Asset, error) {
	a, err := v.Asset(id)
	if err == nil && a == nil {
		err = core.Errorf(core.CodeAssetNotFound, "no asset %s", id)
	}
	return a, err
}

// fungible reads an asset whose units move by amount (not a unique
// collection, whose items move with the item kinds).
func (v *View) fungible(id core.AssetID) (*Asset, error) {
	a, err := v.asset(id)
	if err == nil && a.Has(core.FlagUnique) {
		err = core.Errorf(core.CodeIsUnique, "asset %s (%s) is a unique collection: its items move with item_transfer", id, a.Symbol)
	}
	return a, err
}

// role checks that sender holds a role of a.
func role(sender, holder core.Address, code core.Code, a *Asset, name string) error {
	if holder.IsZero() {
		return core.Errorf(code, "asset %s (%s) has no %s", a.ID, a.Symbol, name)
	}
	if sender != holder {
		return core.Errorf(code, "only the %s of asset %s (%s) may do this", name, a.ID, a.Symbol)
	}
	return nil
}

// flag checks that a has flag f (named name).
func flag(a *Asset, f uint8, name string) error {
	if !a.Has(f) {
		return core.Errorf(core.CodeNotPermitted, "asset %s (%s) was not created %s: its flags are fixed", a.ID, a.Symbol, name)
	}
	return nil
}

// notFrozen reads a holding and fails if it is frozen.
func (v *View) notFrozen(a *Asset, holder core.Address, who string) (Holding, error) {
	h, err := v.Holding(a.ID, holder)
	if err == nil && h.Frozen {
		err = core.Errorf(core.CodeFrozen, "the %s's holding of %s (%s) is frozen", who, a.ID, a.Symbol)
	}
	return h, err
}

// insufficient is the error of a holder holding less than amount.
func insufficient(a *Asset, who string, has, amount uint64) error {
	return core.Errorf(core.CodeInsufficientFunds, "the %s holds %d, needs %d (base units of %s %s, %d decimals)", who, has, amount, a.Symbol, a.ID, a.Decimals)
}

// credit adds amount to holder's holding.
func (v *View) credit(a *Asset, holder core.Address, amount uint64) error {
	h, err := v.Holding(a.ID, holder)
	if err != nil {
		return err
	}
	h.Balance += amount // bounded by the supply, itself <= max_supply <= MaxMoney
	v.setHolding(a.ID, holder, h)
	return nil
}

// debit takes amount from holder's holding.
func (v *View) debit(a *Asset, holder core.Address, amount uint64, who string) error {
	h, err := v.Holding(a.ID, holder)
	if err != nil {
		return err
	}
	if h.Balance < amount {
		return insufficient(a, who, h.Balance, amount)
	}
	h.Balance -= amount
	v.setHolding(a.ID, holder, h)
	return nil
}

func (v *View) assetCreate(creator core.Address, nonce uint64, b *core.AssetCreate) error {
	id := core.NewAssetID(creator, nonce)
	if a, err := v.Asset(id); err != nil || a != nil {
		if err == nil {
			err = core.Errorf(core.CodeAssetExists, "asset %s exists", id)
		}
		return err
	}
	a := &Asset{ID: id, Creator: creator, Symbol: b.Symbol, Name: b.Name, Decimals: b.Decimals,
		MaxSupply: b.MaxSupply, MetadataHash: b.MetadataHash, Flags: b.Flags,
		Manager: b.Manager, Minter: b.Minter, Freezer: b.Freezer, Clawback: b.Clawback, CreatedHeight: v.Height}
	if b.InitialSupply > 0 {
		a.Supply = b.InitialSupply
		if err := v.credit(a, creator, b.InitialSupply); err != nil {
			return err
		}
	}
	v.setAsset(a)
	v.emit("asset_created", id[:])
	return nil
}

func (v *View) assetTransfer(from core.Address, b *core.AssetTransfer) error {
	a, err := v.fungible(b.Asset)
	if err != nil {
		return err
	}
	src, err := v.notFrozen(a, from, "sender")
	if err != nil {
		return err
	}
	dst, err := v.notFrozen(a, b.To, "recipient")
	if err != nil {
		return err
	}
	if src.Balance < b.Amount {
		return insufficient(a, "sender", src.Balance, b.Amount)
	}
	if from == b.To { // to oneself: nothing moves
		return nil
	}
	// Each holding read once and written once (the block path's hot spot).
	src.Balance -= b.Amount
	dst.Balance += b.Amount // bounded by the supply, itself <= max_supply <= MaxMoney
	v.setHolding(a.ID, from, src)
	v.setHolding(a.ID, b.To, dst)
	return nil
}

func (v *View) assetMint(from core.Address, b *core.AssetMint) error {
	a, err := v.fungible(b.Asset)
	if err != nil {
		return err
	}
	if err := role(from, a.Minter, core.CodeNotMinter, a, "minter"); err != nil {
		return err
	}
	if err := flag(a, core.FlagMintable, "mintable"); err != nil {
		return err
	}
	if b.Amount > a.MaxSupply-a.Supply {
		return core.Errorf(core.CodeSupplyExceeded, "minting %d would make the supply %d + %d, above max_supply %d (base units of %s %s, %d decimals)",
			b.Amount, a.Supply, b.Amount, a.MaxSupply, a.Symbol, a.ID, a.Decimals)
	}
	if _, err := v.notFrozen(a, b.To, "recipient"); err != nil {
		return err
	}
	a.Supply += b.Amount
	if err := v.credit(a, b.To, b.Amount); err != nil {
		return err
	}
	v.setAsset(a)
	return nil
}

func (v *View) assetBurn(from core.Address, b *core.AssetBurn) error {
	a, err := v.fungible(b.Asset)
	if err != nil {
		return err
	}
	if _, err := v.notFrozen(a, from, "sender"); err != nil {
		return err
	}
	if err := v.debit(a, from, b.Amount, "sender"); err != nil {
		return err
	}
	a.Supply -= b.Amount
	v.setAsset(a)
	return nil
}

func (v *View) assetFreeze(from core.Address, b *core.AssetFreeze) error {
	a, err := v.asset(b.Asset)
	if err != nil {
		return err
	}
	if err := role(from, a.Freezer, core.CodeNotFreezer, a, "freezer"); err != nil {
		return err
	}
	if err := flag(a, core.FlagFreezable, "freezable"); err != nil {
		return err
	}
	h, err := v.Holding(a.ID, b.Holder)
	if err != nil {
		return err
	}
	h.Frozen = b.Frozen
	v.setHolding(a.ID, b.Holder, h)
	return nil
}

func (v *View) assetClawback(from core.Address, b *core.AssetClawback) error {
	a, err := v.fungible(b.Asset)
	if err != nil {
		return err
	}
	if err := role(from, a.Clawback, core.CodeNotClawback, a, "clawback address"); err != nil {
		return err
	}
	if err := flag(a, core.FlagClawback, "with clawback"); err != nil {
		return err
	}
	// Clawback ignores freezing: it is how a regulated issuer recovers
	// units from a frozen holder.
	if err := v.debit(a, b.From, b.Amount, "holder"); err != nil {
		return err
	}
	return v.credit(a, a.Clawback, b.Amount)
}

func (v *View) assetConfig(from core.Address, b *core.AssetConfig) error {
	a, err := v.asset(b.Asset)
	if err != nil {
		return err
	}
	if err := role(from, a.Manager, core.CodeNotManager, a, "manager"); err != nil {
		return err
	}
	for _, r := range []struct {
		name string
		cur  *core.Address
		new  *core.Address
	}{{"manager", &a.Manager, b.Manager}, {"minter", &a.Minter, b.Minter}, {"freezer", &a.Freezer, b.Freezer}, {"clawback", &a.Clawback, b.Clawback}} {
		if r.new == nil {
			continue
		}
		if r.cur.IsZero() && !r.new.IsZero() {
			return core.Errorf(core.CodeNotPermitted, "the %s of asset %s (%s) was cleared: a cleared role is gone for ever", r.name, a.ID, a.Symbol)
		}
		*r.cur = *r.new
	}
	v.setAsset(a)
	return nil
}
