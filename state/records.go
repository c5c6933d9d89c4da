package state

import (
	"encoding/binary"

	"github.com/cairn-chain/cairn/core"
)

// Asset is an asset's (or a unique collection's) record: its definition,
// fixed at creation but for the roles, and its supply.
type Asset struct {
	ID        core.AssetID
	Creator   core.Address
	Symbol    string
	Name      string
	Decimals  uint8
	MaxSupply uint64
	Supply    uint64 // the sum of all holdings (live items of a unique collection)
	// Holders counts the holdings with a non-zero balance. It is not part
	// of the record (a transfer to a new holder would rewrite it): the
	// node's index keeps it, and queries fill it in.
	Holders       uint64
	MetadataHash  core.Hash
	Flags         uint8
	Manager       core.Address
	Minter        core.Address
	Freezer       core.Address
	Clawback      core.Address
	CreatedHeight uint64
}

// Has reports whether the asset has flag f.
func (a *Asset) Has(f uint8) bool { return a.Flags&f != 0 }

// encode: creator (20) || symbol var || name var || decimals u8 ||
// max_supply u64 || supply u64 || metadata hash (32) ||
// flags u8 || manager, minter, freezer, clawback (20 each) || created u64.
// The id is the key's.
func (a *Asset) encode() []byte {
	b := make([]byte, 0, 20+2+len(a.Symbol)+len(a.Name)+1+24+32+1+80+8)
	b = append(b, a.Creator[:]...)
	b = binary.AppendUvarint(b, uint64(len(a.Symbol)))
	b = append(b, a.Symbol...)
	b = binary.AppendUvarint(b, uint64(len(a.Name)))
	b = append(b, a.Name...)
	b = append(b, a.Decimals)
	b = binary.BigEndian.AppendUint64(b, a.MaxSupply)
	b = binary.BigEndian.AppendUint64(b, a.Supply)
	b = append(b, a.MetadataHash[:]...)
	b = append(b, a.Flags)
	for _, r := range []core.Address{a.Manager, a.Minter, a.Freezer, a.Clawback} {
		b = append(b, r[:]...)
	}
	return binary.BigEndian.AppendUint64(b, a.CreatedHeight)
}

// DecodeAsset strictly decodes an asset record of id.
func DecodeAsset(id core.AssetID, b []byte) (*Asset, error) {
	r := core.NewReader("asset record", b)
	a := &Asset{ID: id}
	r.Fixed("creator", a.Creator[:])
	a.Symbol = string(r.Bytes("symbol", core.MaxSymbolLen))
	a.Name = string(r.Bytes("name", core.MaxAssetNameLen))
	var d [1]byte
	r.Fixed("decimals", d[:])
	a.Decimals = d[0]
	a.MaxSupply = r.U64("max_supply")
	a.Supply = r.U64("supply")
	r.Fixed("metadata_hash", a.MetadataHash[:])
	r.Fixed("flags", d[:])
	a.Flags = d[0]
	for _, p := range []*core.Address{&a.Manager, &a.Minter, &a.Freezer, &a.Clawback} {
		r.Fixed("role", p[:])
	}
	a.CreatedHeight = r.U64("created_height")
	return a, r.End()
}

// Holding is an account's balance of an asset (for a unique collection:
// the number of its live items it owns) and whether it is frozen.
type Holding struct {
	Balance uint64
	Frozen  bool
}

// IsZero reports whether the holding is empty (then it has no record).
func (h Holding) IsZero() bool { return h == Holding{} }

func (h Holding) encode() []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 9), h.Balance)
	if h.Frozen {
		return append(b, 1)
	}
	return append(b, 0)
}

// DecodeHolding strictly decodes a holding record.
func DecodeHolding(b []byte) (Holding, error) {
	if len(b) != 9 || b[8] > 1 {
		return Holding{}, core.Errorf(core.CodeMalformed, "holding record: %d bytes, want 8-byte balance and a 0/1 frozen byte", len(b))
	}
	return Holding{Balance: binary.BigEndian.Uint64(b), Frozen: b[8] == 1}, nil
}

// Item is a unique item's record. A burned item keeps its record (its id
// is never reused) with Burned set.
type Item struct {
	Owner        core.Address
	MetadataHash core.Hash
	Burned       bool
	MintedHeight uint64
}

func (it *Item) encode() []byte {
	b := make([]byte, 0, 20+32+1+8)
	b = append(b, it.Owner[:]...)
	b = append(b, it.MetadataHash[:]...)
	if it.Burned {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return binary.BigEndian.AppendUint64(b, it.MintedHeight)
}

// DecodeItem strictly decodes an item record.
func DecodeItem(b []byte) (*Item, error) {
	r := core.NewReader("item record", b)
	it := &Item{}
	r.Fixed("owner", it.Owner[:])
	r.Fixed("metadata_hash", it.MetadataHash[:])
	var f [1]byte
	r.Fixed("burned", f[:])
	if f[0] > 1 {
		r.SetErr(core.Errorf(core.CodeMalformed, "item record: burned byte %d", f[0]))
	}
	it.Burned = f[0] == 1
	it.MintedHeight = r.U64("minted_height")
	return it, r.End()
}
