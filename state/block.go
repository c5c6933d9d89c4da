package state

import (
	"encoding/binary"

	"github.com/cairn-chain/cairn/core"
)

// BlockResult is the effect of a block on the state.
type BlockResult struct {
	Changes []Change // sorted by address; Old values are the undo data
	Fees    uint64   // sum of the txs' fees
	Reward  uint64   // block reward at this height
}

// ApplyBlock validates blk's txs in order against r (the parent's state)
// and returns the account changes, crediting the miner with reward + fees.
// It checks each tx's sanity but not its signature: the caller verifies
// signatures first (in parallel, skipping those in its SigCache). Nothing
// is written; on error the block is invalid and r is untouched.
func ApplyBlock(r Reader, g *core.Genesis, blk *core.Block) (*BlockResult, error) {
	v := NewView(r)
	res := &BlockResult{Reward: g.Reward(blk.Header.Height)}
	for i, tx := range blk.Txs {
		if err := tx.CheckSanity(g.ChainID, g.MinFee, false); err != nil {
			return nil, core.Wrap(core.CodeInvalidTx, err, "tx %d (%s)", i, tx.ID())
		}
		fee, err := v.ApplyTx(tx)
		if err != nil {
			if !core.IsRuleError(err) {
				return nil, err
			}
			return nil, core.Wrap(core.CodeInvalidTx, err, "tx %d (%s)", i, tx.ID())
		}
		res.Fees += fee // each fee <= MaxMoney and the sum is bounded by the supply
		if res.Fees > core.MaxMoney {
			return nil, core.Errorf(core.CodeInvalidAmount, "block fees above MaxMoney")
		}
	}
	if err := v.Credit(blk.Header.Miner, res.Reward+res.Fees); err != nil {
		if !core.IsRuleError(err) {
			return nil, err
		}
		return nil, core.Wrap(core.CodeBadBlock, err, "miner reward")
	}
	res.Changes = v.Changes()
	return res, nil
}

// GenesisChanges returns the changes that create the genesis alloc.
func GenesisChanges(g *core.Genesis) []Change {
	out := make([]Change, len(g.Alloc))
	for i, a := range g.Alloc { // Alloc is sorted by address
		out[i] = Change{Address: a.Address, New: core.Account{Balance: a.Balance}}
	}
	return out
}

// Undo data: uvarint count, then per change address (20) || old account
// (16) || new account (16), in address order.
const undoEntrySize = core.AddressSize + 2*core.AccountSize

// EncodeUndo encodes a block's changes as undo data.
func EncodeUndo(changes []Change) []byte {
	b := binary.AppendUvarint(make([]byte, 0, 4+len(changes)*undoEntrySize), uint64(len(changes)))
	for _, c := range changes {
		b = append(b, c.Address[:]...)
		b = append(b, c.Old.Encode()...)
		b = append(b, c.New.Encode()...)
	}
	return b
}

// DecodeUndo strictly decodes undo data.
func DecodeUndo(b []byte) ([]Change, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, core.Errorf(core.CodeMalformed, "undo data: bad count")
	}
	rest := b[k:]
	if n > uint64(len(rest))/undoEntrySize || uint64(len(rest)) != n*undoEntrySize || binary.PutUvarint(make([]byte, 10), n) != k {
		return nil, core.Errorf(core.CodeMalformed, "undo data: %d entries do not fit %d bytes", n, len(rest))
	}
	out := make([]Change, n)
	for i := range out {
		e := rest[i*undoEntrySize:]
		copy(out[i].Address[:], e[:core.AddressSize])
		var err error
		if out[i].Old, err = core.DecodeAccount(e[core.AddressSize : core.AddressSize+core.AccountSize]); err != nil {
			return nil, err
		}
		if out[i].New, err = core.DecodeAccount(e[core.AddressSize+core.AccountSize : undoEntrySize]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Reverse returns changes that undo cs (Old and New swapped).
func Reverse(cs []Change) []Change {
	out := make([]Change, len(cs))
	for i, c := range cs {
		out[i] = Change{Address: c.Address, Old: c.New, New: c.Old}
	}
	return out
}
