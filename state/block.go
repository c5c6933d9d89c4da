package state

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/cairn-chain/cairn/core"
)

// BlockResult is the effect of a block on the state.
type BlockResult struct {
	Changes []Change // sorted by key; Old values are the undo data
	Fees    uint64   // sum of the txs' fees
	Reward  uint64   // block reward at this height
	// Receipts are the txs' receipts, in block order.
	Receipts []Receipt
}

// Builder applies a block's txs in order on a view of the parent's state:
// block validation uses it to check a block (ApplyBlock), the miner's
// template to fill one (skipping the txs Add refuses). Not safe for
// concurrent use.
type Builder struct {
	v   *View
	g   *core.Genesis
	res BlockResult
	gas uint64 // the gas limits of the contract txs so far
}

// NewBuilder starts block h (its height and timestamp) over r, the
// parent's state.
func NewBuilder(r Reader, rules Rules, h *core.Header) *Builder {
	return newBuilder(NewView(r), rules, h)
}

func newBuilder(v *View, rules Rules, h *core.Header) *Builder {
	v.env = newEnv(rules, v.base, h.Height, h.Timestamp, false)
	v.Height = h.Height
	g := rules.Genesis
	return &Builder{v: v, g: g, res: BlockResult{Reward: g.Reward(h.Height)}}
}

// Add checks tx's sanity (not its signature: the caller verifies those,
// in parallel and through its SigCache) and applies it. On error nothing
// changed: a *core.RuleError for a tx the block may not hold.
func (b *Builder) Add(tx *core.Tx) error { return b.add(tx, tx.Sender()) }

// add is Add with the tx's sender address already derived.
func (b *Builder) add(tx *core.Tx, from core.Address) error {
	if err := tx.CheckSanity(b.g.ChainID, b.g.MinFee, false); err != nil {
		return err
	}
	if b.res.Fees+tx.Fee > core.MaxMoney { // each fee <= MaxMoney and the sum is bounded by the supply
		return core.Errorf(core.CodeInvalidAmount, "block fees above MaxMoney")
	}
	gas := GasLimit(b.g, tx)
	if max := b.v.env.contracts.MaxBlockGas; gas > max-min(max, b.gas) {
		return core.Errorf(core.CodeBlockGasExceeded, "gas limit %d: the block's contract txs already use %d of max_block_gas %d", gas, b.gas, max)
	}
	rc, fee, err := b.v.apply(tx, from)
	if err != nil {
		return err
	}
	b.gas += gas
	b.res.Fees += fee
	b.res.Receipts = append(b.res.Receipts, rc)
	return nil
}

// Finish credits miner with the reward and the fees and returns the
// block's effect.
func (b *Builder) Finish(miner core.Address) (*BlockResult, error) {
	if err := b.v.Credit(miner, b.res.Reward+b.res.Fees); err != nil {
		if !core.IsRuleError(err) {
			return nil, err
		}
		return nil, core.Wrap(core.CodeBadBlock, err, "miner reward")
	}
	res := b.res
	res.Changes = b.v.Changes()
	return &res, nil
}

// ApplyBlock validates blk's txs in order against r (the parent's state)
// and returns the changes, crediting the miner with reward + fees.
// Signatures are not checked (see Builder.Add). Nothing is written; on
// error the block is invalid and r is untouched.
func ApplyBlock(r Reader, rules Rules, blk *core.Block) (*BlockResult, error) {
	return ApplyBlockFrom(r, rules, blk, nil)
}

// ApplyBlockFrom is ApplyBlock for a caller that has already derived the
// txs' sender addresses (the chain does, once per block): senders[i] must
// be blk.Txs[i].Sender(); nil derives them.
func ApplyBlockFrom(r Reader, rules Rules, blk *core.Block, senders []core.Address) (*BlockResult, error) {
	if senders != nil && len(senders) != len(blk.Txs) {
		return nil, fmt.Errorf("state: %d senders for %d txs", len(senders), len(blk.Txs))
	}
	b := newBuilder(newView(r, 2*len(blk.Txs)), rules, &blk.Header) // sized for the block: its maps do not grow step by step
	for i, tx := range blk.Txs {
		var from core.Address
		if senders != nil {
			from = senders[i]
		} else {
			from = tx.Sender()
		}
		if err := b.add(tx, from); err != nil {
			if !core.IsRuleError(err) {
				return nil, err
			}
			return nil, core.Wrap(core.CodeInvalidTx, err, "tx %d (%s)", i, tx.ID())
		}
	}
	return b.Finish(blk.Header.Miner)
}

// GenesisChanges returns the changes that create the genesis alloc and
// permissions, in key order.
func GenesisChanges(g *core.Genesis) []Change {
	out := make([]Change, len(g.Alloc))
	for i, a := range g.Alloc { // Alloc is sorted by address
		out[i] = Change{Key: string(AccountKey(a.Address)), New: core.Account{Balance: a.Balance}.Encode()}
	}
	return append(out, genesisPermChanges(g.Permissions)...) // 'p' sorts after 'a'
}

// Undo data, version 2: 0x00 0x02 || uvarint count || per change, in key
// order: var key || var old || var new, where var is a uvarint length + 1
// (0: absent) and the bytes. Version 1 (accounts only: uvarint count ||
// per change address (20) || old account (16) || new account (16)) is
// still read, for blocks connected before protocol v2; a version-1 undo
// with changes never starts 0x00, and one without is the single byte 0x00.
var undoV2 = []byte{0x00, 0x02}

// EncodeUndo encodes a block's changes as undo data.
func EncodeUndo(changes []Change) []byte {
	n := len(undoV2) + 4
	for _, c := range changes {
		n += len(c.Key) + len(c.Old) + len(c.New) + 9
	}
	b := append(make([]byte, 0, n), undoV2...)
	b = binary.AppendUvarint(b, uint64(len(changes)))
	for _, c := range changes {
		b = binary.AppendUvarint(b, uint64(len(c.Key)))
		b = append(b, c.Key...)
		b = appendOpt(b, c.Old)
		b = appendOpt(b, c.New)
	}
	return b
}

func appendOpt(b, v []byte) []byte {
	if v == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(v))+1)
	return append(b, v...)
}

// maxRecordSize bounds a key or value in undo data.
const maxRecordSize = 1 << 16

// DecodeUndo strictly decodes undo data of either version.
func DecodeUndo(b []byte) ([]Change, error) {
	if !bytes.HasPrefix(b, undoV2) {
		return decodeUndoV1(b)
	}
	r := core.NewReader("undo data", b[len(undoV2):])
	n := r.Count("count", 1<<30, 3)
	out := make([]Change, n)
	for i := range out {
		key := r.Bytes("key", maxRecordSize)
		if r.Err() == nil && len(key) == 0 {
			r.SetErr(core.Errorf(core.CodeMalformed, "undo data: empty key"))
		}
		if i > 0 && r.Err() == nil && string(key) <= out[i-1].Key {
			r.SetErr(core.Errorf(core.CodeMalformed, "undo data: keys not in strictly increasing order"))
		}
		out[i].Key = string(key)
		out[i].Old = readOpt(r)
		out[i].New = readOpt(r)
		if r.Err() != nil {
			break
		}
	}
	if err := r.End(); err != nil {
		return nil, err
	}
	return out, nil
}

func readOpt(r *core.Reader) []byte {
	l := r.Uvarint("value length", maxRecordSize+1)
	if l == 0 {
		return nil
	}
	v := r.Take("value", int(l-1))
	if v == nil {
		return nil
	}
	return bytes.Clone(v)
}

// Undo data version 1: accounts only.
const undoEntrySizeV1 = core.AddressSize + 2*core.AccountSize

func decodeUndoV1(b []byte) ([]Change, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, core.Errorf(core.CodeMalformed, "undo data: bad count")
	}
	rest := b[k:]
	if n > uint64(len(rest))/undoEntrySizeV1 || uint64(len(rest)) != n*undoEntrySizeV1 || binary.PutUvarint(make([]byte, 10), n) != k {
		return nil, core.Errorf(core.CodeMalformed, "undo data: %d entries do not fit %d bytes", n, len(rest))
	}
	out := make([]Change, n)
	for i := range out {
		e := rest[i*undoEntrySizeV1:]
		var a core.Address
		copy(a[:], e[:core.AddressSize])
		old, err := core.DecodeAccount(e[core.AddressSize : core.AddressSize+core.AccountSize])
		if err != nil {
			return nil, err
		}
		nw, err := core.DecodeAccount(e[core.AddressSize+core.AccountSize : undoEntrySizeV1])
		if err != nil {
			return nil, err
		}
		out[i] = Change{Key: string(AccountKey(a)), Old: encodeAccount(old), New: encodeAccount(nw)}
	}
	return out, nil
}

// Reverse returns changes that undo cs (Old and New swapped).
func Reverse(cs []Change) []Change {
	out := make([]Change, len(cs))
	for i, c := range cs {
		out[i] = Change{Key: c.Key, Old: c.New, New: c.Old}
	}
	return out
}
