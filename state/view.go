package state

import (
	"bytes"
	"slices"
	"strings"

	"github.com/cairn-chain/cairn/core"
)

// Reader reads confirmed state. Get returns nil for an absent record.
// Accounts have their own typed read: they are on every tx's path.
type Reader interface {
	Account(a core.Address) (core.Account, error)
	Get(key []byte) ([]byte, error)
}

// Change is one record's value before and after (nil: absent).
type Change struct {
	Key      string
	Old, New []byte
}

// IsAccount reports whether the change is an account's.
func (c Change) IsAccount() bool { _, ok := addressOfAccountKey(c.Key); return ok }

// View is a copy-on-write overlay over a Reader: txs are applied to it and
// its Changes are their effect. A View is itself a Reader, so views nest
// (a check on a scratch view over a mempool's pending view). Not safe for
// concurrent use.
type View struct {
	base Reader
	// Height is the height of the block the txs go into (recorded in new
	// assets and items).
	Height uint64

	accts     map[core.Address]core.Account
	acctsOrig map[core.Address]core.Account
	recs      map[string][]byte // nil value: absent
	recsOrig  map[string][]byte
	journal   []undoStep // how to revert the tx being applied
	events    []Event    // the events of the tx being applied
	env       *env       // the block context; nil: no contracts
	outcome   outcome    // a contract tx's result beyond its changes
}

// undoStep restores one overlay entry.
type undoStep struct {
	acct    bool
	addr    core.Address
	prevAcc core.Account
	key     string
	prevRec []byte
}

// NewView returns an empty overlay over base (with base's block context
// if base is a View).
func NewView(base Reader) *View {
	v := newView(base, 0)
	if p, ok := base.(*View); ok {
		v.env, v.Height = p.env, p.Height
	}
	return v
}

// newView returns an empty overlay sized for n records of each kind.
func newView(base Reader, n int) *View {
	return &View{base: base,
		accts: make(map[core.Address]core.Account, n), acctsOrig: make(map[core.Address]core.Account, n),
		recs: make(map[string][]byte, n), recsOrig: make(map[string][]byte, n)}
}

// Account returns the account as the overlay sees it.
func (v *View) Account(a core.Address) (core.Account, error) {
	if acct, ok := v.accts[a]; ok {
		return acct, nil
	}
	acct, err := v.base.Account(a)
	if err != nil {
		return core.Account{}, err
	}
	v.acctsOrig[a] = acct
	v.accts[a] = acct
	return acct, nil
}

// Get returns a record as the overlay sees it (nil: absent). The result
// must not be modified.
func (v *View) Get(key []byte) ([]byte, error) {
	if a, ok := addressOfAccountKey(string(key)); ok {
		acct, err := v.Account(a)
		if err != nil || acct.IsZero() {
			return nil, err
		}
		return acct.Encode(), nil
	}
	if val, ok := v.recs[string(key)]; ok {
		return val, nil
	}
	val, err := v.base.Get(key)
	if err != nil {
		return nil, err
	}
	k := string(key)
	v.recsOrig[k] = val
	v.recs[k] = val
	return val, nil
}

func (v *View) setAccount(a core.Address, acct core.Account) {
	v.journal = append(v.journal, undoStep{acct: true, addr: a, prevAcc: v.accts[a]})
	v.accts[a] = acct
}

// set writes a record (nil deletes it). The key must have been read first.
func (v *View) set(key []byte, val []byte) {
	k := string(key)
	v.journal = append(v.journal, undoStep{key: k, prevRec: v.recs[k]})
	v.recs[k] = val
}

// revert undoes the overlay writes after journal position mark.
func (v *View) revert(mark int) {
	for i := len(v.journal) - 1; i >= mark; i-- {
		s := v.journal[i]
		if s.acct {
			v.accts[s.addr] = s.prevAcc
		} else {
			v.recs[s.key] = s.prevRec
		}
	}
	v.journal = v.journal[:mark]
}

// Changes returns every record whose value differs from the base, sorted
// by key (a deterministic order for undo data and storage).
func (v *View) Changes() []Change {
	out := make([]Change, 0, len(v.accts)+len(v.recs))
	for a, acct := range v.accts {
		if old := v.acctsOrig[a]; old != acct {
			out = append(out, Change{Key: string(AccountKey(a)), Old: encodeAccount(old), New: encodeAccount(acct)})
		}
	}
	for k, val := range v.recs {
		if old := v.recsOrig[k]; !bytes.Equal(old, val) {
			out = append(out, Change{Key: k, Old: old, New: val})
		}
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// encodeAccount encodes an account record; the zero account is absent.
func encodeAccount(a core.Account) []byte {
	if a.IsZero() {
		return nil
	}
	return a.Encode()
}

// Credit adds amount to a's balance, checked against MaxMoney.
func (v *View) Credit(a core.Address, amount uint64) error {
	acct, err := v.Account(a)
	if err != nil {
		return err
	}
	if amount > core.MaxMoney || acct.Balance+amount > core.MaxMoney {
		return core.Errorf(core.CodeInvalidAmount, "credit of %d to balance %d above MaxMoney", amount, acct.Balance)
	}
	acct.Balance += amount
	v.setAccount(a, acct)
	return nil
}

// ---- typed records ----

// Asset returns the asset with id, or nil if there is none.
func (v *View) Asset(id core.AssetID) (*Asset, error) { return ReadAsset(v, id) }

// ReadAsset reads the asset with id from r, or nil if there is none.
func ReadAsset(r Reader, id core.AssetID) (*Asset, error) {
	raw, err := r.Get(AssetKey(id))
	if err != nil || raw == nil {
		return nil, err
	}
	return DecodeAsset(id, raw)
}

func (v *View) setAsset(a *Asset) { v.set(AssetKey(a.ID), a.encode()) }

// Holding returns holder's holding of an asset (zero if none).
func (v *View) Holding(id core.AssetID, holder core.Address) (Holding, error) {
	return ReadHolding(v, id, holder)
}

// ReadHolding reads holder's holding of an asset from r.
func ReadHolding(r Reader, id core.AssetID, holder core.Address) (Holding, error) {
	raw, err := r.Get(HoldingKey(id, holder))
	if err != nil || raw == nil {
		return Holding{}, err
	}
	return DecodeHolding(raw)
}

// setHolding writes a holding (the zero holding has no record).
func (v *View) setHolding(id core.AssetID, holder core.Address, h Holding) {
	var val []byte
	if !h.IsZero() {
		val = h.encode()
	}
	v.set(HoldingKey(id, holder), val)
}

// Item returns an item of a collection, or nil if there is none.
func (v *View) Item(coll core.AssetID, id []byte) (*Item, error) { return ReadItem(v, coll, id) }

// ReadItem reads an item of a collection from r, or nil if there is none.
func ReadItem(r Reader, coll core.AssetID, id []byte) (*Item, error) {
	raw, err := r.Get(ItemKey(coll, id))
	if err != nil || raw == nil {
		return nil, err
	}
	return DecodeItem(raw)
}

func (v *View) setItem(coll core.AssetID, id []byte, it *Item) { v.set(ItemKey(coll, id), it.encode()) }
