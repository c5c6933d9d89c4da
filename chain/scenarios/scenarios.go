package scenarios

import (
	"sort"

	"github.com/cairn-chain/cairn/core"
)

// Outcome is what a node must do with a block.
type Outcome int

// Outcomes.
const (
	MainChain Outcome = iota + 1 // accepted; on the main chain afterwards
	SideChain                    // accepted and stored; not the main chain
	Orphan                       // parent unknown: pooled
	Held                         // timestamp too far ahead: pooled until the clock catches up
	Rejected                     // invalid: error with Code
)

func (o Outcome) String() string {
	return [...]string{"?", "main-chain", "side-chain", "orphan", "held", "rejected"}[o]
}

// Step is one scenario step: submit Block (or, if Block is nil, advance
// the clock by AdvanceMs and retry held blocks), expect Want (and Code when
// rejected), then expect the tip to be the block named Tip. FreshDigest
// asks the harness to check that a node fed only the tip's branch reaches
// the same state digest.
type Step struct {
	Name        string
	Block       *core.Block
	Want        Outcome
	Code        core.Code
	Tip         string
	AdvanceMs   uint64
	FreshDigest bool
}

// StartTime is the harness clock's initial time (unix ms): a day after
// genesis, so blocks 5 s apart are never from the future unless meant to.
const StartTime = GenesisTime + 86_400_000

// MedianTimePast returns the median of the timestamps of name and up to
// ten ancestors.
func (b *Builder) MedianTimePast(name string) uint64 {
	var ts []uint64
	for blk := b.Block(name); len(ts) < 11; blk = b.Block(b.names[blk.Header.PrevHash]) {
		ts = append(ts, blk.Header.Timestamp)
		if blk.Header.Height == 0 {
			break
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	return ts[len(ts)/2]
}

// Generate builds the scenario:
//
//	genesis - b1 - b2 - b3 - b4 - b5 - b6 - b7 - b8 - b9 - f10
//	                     \                        (b9 sent before b8: orphan;
//	                      \                        f10 from the future: held)
//	                       s4 - s5 - s6            (s5 ties b5: first seen kept;
//	                        \                       s6 heavier: reorg; b7 back)
//	                         x5 - x6 - x7 - x8     (x5 double-spends: the heavier
//	                                                x-branch is never adopted)
//
// plus, on top of b5, one rejected block per rule (bad PoW, wrong bits,
// wrong tx_root, timestamp at MTP, duplicate tx, double spend, replayed
// nonce, amount+fee overflow, wrong chain_id, over-size, bad height, bad
// signature).
func Generate() (*Builder, []Step) {
	b := NewBuilder()
	k := b.Keys
	var steps []Step
	accept := func(blk *core.Block, name string, want Outcome, tip string) {
		steps = append(steps, Step{Name: name, Block: blk, Want: want, Tip: tip})
	}
	reject := func(blk *core.Block, name string, code core.Code) {
		steps = append(steps, Step{Name: name, Block: blk, Want: Rejected, Code: code, Tip: ""})
	}

	// A valid chain with payments.
	accept(b.Next("b1", GenesisLabel, []*core.Tx{b.Tx(1, k[2].Addr, 1000, MinFee, 0), b.Tx(1, k[3].Addr, 2000, 20, 1)}, nil), "b1", MainChain, "b1")
	accept(b.Next("b2", "b1", []*core.Tx{b.Tx(2, k[1].Addr, 500, MinFee, 0), b.Tx(1, k[2].Addr, 1, MinFee, 2)}, nil), "b2", MainChain, "b2")
	accept(b.Next("b3", "b2", nil, nil), "b3", MainChain, "b3")
	accept(b.Next("b4", "b3", []*core.Tx{b.Tx(3, k[1].Addr, 7777, 100, 0)}, nil), "b4", MainChain, "b4")
	accept(b.Next("b5", "b4", []*core.Tx{b.Tx(2, k[3].Addr, 10, MinFee, 1)}, nil), "b5", MainChain, "b5")

	// One rejected block per rule, each a child of the tip b5.
	okTx := func() *core.Tx { return b.Tx(1, k[2].Addr, 5, MinFee, b.Nonce("b5", 1)) }
	reject(b.NextBadPoW("r-bad-pow", "b5", nil), "bad PoW", core.CodeBadPoW)
	reject(b.Next("r-bits", "b5", nil, func(h *core.Header) { h.Bits ^= 1 }), "wrong bits", core.CodeBadBits)
	reject(b.Next("r-root", "b5", []*core.Tx{okTx()}, func(h *core.Header) { h.TxRoot[0] ^= 1 }), "wrong tx_root", core.CodeBadTxRoot)
	mtp := b.MedianTimePast("b5")
	reject(b.Next("r-mtp", "b5", nil, func(h *core.Header) { h.Timestamp = mtp }), "timestamp at median time past", core.CodeBadTimestamp)
	dup := okTx()
	reject(b.Next("r-dup", "b5", []*core.Tx{dup, dup}, nil), "duplicate tx", core.CodeDuplicateTx)
	n1 := b.Nonce("b5", 1)
	reject(b.Next("r-double", "b5", []*core.Tx{b.Tx(1, k[2].Addr, 5, MinFee, n1), b.Tx(1, k[3].Addr, 5, MinFee, n1)}, nil), "double spend in a block", core.CodeNonceTooLow)
	reject(b.Next("r-replay", "b5", []*core.Tx{b.Block("b1").Txs[0]}, nil), "replayed nonce", core.CodeNonceTooLow)
	reject(b.Next("r-overflow", "b5", []*core.Tx{b.Tx(1, k[2].Addr, core.MaxMoney, MinFee, n1)}, nil), "amount+fee overflow", core.CodeInvalidAmount)
	wrongChain := b.Tx(1, k[2].Addr, 5, MinFee, n1)
	wrongChain.ChainID = "other"
	wrongChain.Sign(k[1].Priv)
	reject(b.Next("r-chain", "b5", []*core.Tx{wrongChain}, nil), "wrong chain_id", core.CodeWrongChain)
	var many []*core.Tx
	for i := 0; i <= MaxBlockTxs; i++ {
		many = append(many, b.Tx(1, k[2].Addr, 5, MinFee, n1+uint64(i)))
	}
	reject(b.Next("r-big", "b5", many, nil), "over-size block", core.CodeTooLarge)
	reject(b.Next("r-height", "b5", nil, func(h *core.Header) { h.Height++ }), "wrong height", core.CodeBadHeight)
	badSig := okTx()
	badSig.Signature[0] ^= 1
	reject(b.Next("r-sig", "b5", []*core.Tx{badSig}, nil), "bad signature", core.CodeBadSignature)

	// A side chain from b3: s5 ties b5 (first seen kept), s6 is heavier.
	accept(b.Next("s4", "b3", []*core.Tx{b.Tx(3, k[2].Addr, 3333, MinFee, 0)}, nil), "s4", SideChain, "b5")
	accept(b.Next("s5", "s4", nil, nil), "s5 (equal work)", SideChain, "b5")
	accept(b.Next("s6", "s5", []*core.Tx{b.Tx(1, k[0].Addr, 42, MinFee, b.Nonce("s5", 1))}, nil), "s6 (heavier: reorg)", MainChain, "s6")
	steps[len(steps)-1].FreshDigest = true

	// A heavier branch with an invalid block deep inside: never adopted.
	x5 := b.Next("x5", "s4", []*core.Tx{b.Tx(2, k[1].Addr, 2*FundPerKey, MinFee, b.Nonce("s4", 2))}, nil) // more than key 2 has
	accept(x5, "x5 (invalid, not yet checked)", SideChain, "s6")
	accept(b.Next("x6", "x5", nil, nil), "x6", SideChain, "s6")
	reject(b.Next("x7", "x6", nil, nil), "x7 (heavier: reorg fails at x5)", core.CodeInsufficientFunds)
	steps[len(steps)-1].Tip = "s6"
	reject(b.Next("x8", "x7", nil, nil), "x8 (descends from invalid)", core.CodeInvalidAncestor)
	steps[len(steps)-1].Tip = "s6"

	// Back to the first branch: A -> B -> A.
	accept(b.Next("b6", "b5", []*core.Tx{b.Tx(3, k[2].Addr, 1, MinFee, b.Nonce("b5", 3))}, nil), "b6 (ties s6)", SideChain, "s6")
	accept(b.Next("b7", "b6", nil, nil), "b7 (heavier: reorg back)", MainChain, "b7")
	steps[len(steps)-1].FreshDigest = true

	// An orphan: b9 arrives before its parent b8.
	b8 := b.Next("b8", "b7", []*core.Tx{b.Tx(1, k[3].Addr, 9, MinFee, b.Nonce("b7", 1))}, nil)
	b9 := b.Next("b9", "b8", []*core.Tx{b.Tx(1, k[3].Addr, 9, MinFee, b.Nonce("b8", 1))}, nil)
	accept(b9, "b9 (orphan)", Orphan, "b7")
	accept(b8, "b8 (connects b9 too)", MainChain, "b9")

	// A block from the future is held, then accepted when the clock catches up.
	future := uint64(StartTime + 3*60_000)
	accept(b.Next("f10", "b9", nil, func(h *core.Header) { h.Timestamp = future }), "f10 (3 minutes ahead)", Held, "b9")
	steps = append(steps, Step{Name: "clock +2 min", AdvanceMs: 2 * 60_000, Tip: "f10", FreshDigest: true})
	return b, steps
}
