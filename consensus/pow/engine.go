package pow

import (
	"bytes"
	"math/big"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/core"
)

// Engine is the proof-of-work consensus engine of one chain: compact
// targets bounded by the genesis pow_limit, and ASERT difficulty anchored
// at the genesis block. It is immutable after New and safe for concurrent
// use.
type Engine struct {
	params   Params
	powLimit core.Hash   // params.PowLimit as bytes, for allocation-free seal checks
	anchor   core.Header // the genesis header
}

var (
	_ consensus.Engine             = (*Engine)(nil)
	_ consensus.DifficultyReporter = (*Engine)(nil)
)

// New returns the engine for a genesis, after checking its PoW parameters:
// pow_limit non-zero; initial_bits decoding to a target in [1, pow_limit];
// target_block_time_ms and asert_halflife_ms at least 1. Failures are
// *core.RuleError with code core.CodeBadGenesis naming the field.
func New(g *core.Genesis) (*Engine, error) {
	if g == nil {
		return nil, core.Errorf(core.CodeBadGenesis, "genesis: missing")
	}
	if g.PowLimit.IsZero() {
		return nil, core.Errorf(core.CodeBadGenesis, "genesis pow_limit: must not be zero")
	}
	bits := uint32(g.InitialBits)
	target, err := TargetHash(bits)
	switch {
	case err != nil:
		return nil, core.Wrap(core.CodeBadGenesis, err, "genesis initial_bits 0x%08x: not a valid target", bits)
	case target.IsZero():
		return nil, core.Errorf(core.CodeBadGenesis, "genesis initial_bits 0x%08x: target is zero", bits)
	case bytes.Compare(target[:], g.PowLimit[:]) > 0:
		return nil, core.Errorf(core.CodeBadGenesis, "genesis initial_bits 0x%08x: target %s above pow_limit %s", bits, target, g.PowLimit)
	case g.TargetBlockTimeMs == 0:
		return nil, core.Errorf(core.CodeBadGenesis, "genesis target_block_time_ms: must be at least 1")
	case g.AsertHalflifeMs == 0:
		return nil, core.Errorf(core.CodeBadGenesis, "genesis asert_halflife_ms: must be at least 1")
	}
	params, err := NewParams(HashToBig(g.PowLimit), g.TargetBlockTimeMs, g.AsertHalflifeMs)
	if err != nil {
		return nil, err // unreachable after the checks above
	}
	return &Engine{params: params, powLimit: g.PowLimit, anchor: g.Block().Header}, nil
}

// Params returns a copy of the engine's difficulty parameters.
func (e *Engine) Params() Params {
	p := e.params
	p.PowLimit = new(big.Int).Set(e.params.PowLimit)
	return p
}

// PowLimit returns the largest allowed target as 32 big-endian bytes.
func (e *Engine) PowLimit() core.Hash { return e.powLimit }

// Genesis returns a copy of the genesis header, the ASERT anchor.
func (e *Engine) Genesis() *core.Header {
	h := e.anchor
	return &h
}

// VerifySeal checks h's proof of work alone: its bits decode to a target in
// [1, pow_limit] and its hash, read as a big-endian integer, is at most that
// target. It allocates nothing on success. Failures are *core.RuleError
// with code core.CodeBadPoW. The genesis block has no seal to check.
func (e *Engine) VerifySeal(h *core.Header) error {
	if h == nil {
		return core.Errorf(core.CodeMalformed, "pow: no header")
	}
	target, err := TargetHash(h.Bits)
	if err != nil {
		return err
	}
	if target.IsZero() {
		return core.Errorf(core.CodeBadPoW, "bits 0x%08x: target is zero", h.Bits)
	}
	if bytes.Compare(target[:], e.powLimit[:]) > 0 {
		return core.Errorf(core.CodeBadPoW, "target %s of bits 0x%08x above pow_limit %s", target, h.Bits, e.powLimit)
	}
	if hash := h.Hash(); !CheckHash(hash, target) {
		return core.Errorf(core.CodeBadPoW, "block hash %s above target %s of bits 0x%08x", hash, target, h.Bits)
	}
	return nil
}

// NextBits returns the bits a child of parent must carry: NextBitsASERT
// anchored at the genesis header.
func (e *Engine) NextBits(parent *core.Header) uint32 {
	return NextBitsASERT(e.params, &e.anchor, parent)
}

// VerifyHeader checks that h carries the bits ASERT requires after parent.
// A failure is a *core.RuleError with code core.CodeBadBits.
func (e *Engine) VerifyHeader(h, parent *core.Header) error {
	if h == nil || parent == nil {
		return core.Errorf(core.CodeMalformed, "pow: no header or parent")
	}
	if want := e.NextBits(parent); h.Bits != want {
		return core.Errorf(core.CodeBadBits, "block %d bits 0x%08x, want 0x%08x after parent %s at height %d",
			h.Height, h.Bits, want, parent.Hash(), parent.Height)
	}
	return nil
}

// Work returns CalcWork(h.Bits), the fork-choice weight of h; 0 for a nil
// header or bits without a valid non-zero target.
func (e *Engine) Work(h *core.Header) *big.Int {
	if h == nil {
		return new(big.Int)
	}
	return CalcWork(h.Bits)
}

// CheckHeader is VerifyHeader for the chain: PoW needs the parent only.
func (e *Engine) CheckHeader(_ consensus.ChainReader, h, parent *core.Header) error {
	return e.VerifyHeader(h, parent)
}

// Prepare sets h.Bits to the bits ASERT requires after h's parent, read
// from chain. The nonce is the sealer's.
func (e *Engine) Prepare(chain consensus.ChainReader, h *core.Header) error {
	if h == nil || chain == nil {
		return core.Errorf(core.CodeMalformed, "pow: no header or chain")
	}
	parent, ok := chain.HeaderByHash(h.PrevHash)
	if !ok {
		return core.Errorf(core.CodeUnknownParent, "pow: parent %s of block %d unknown", h.PrevHash, h.Height)
	}
	h.Bits = e.NextBits(parent)
	return nil
}

// Author returns h.Miner: a PoW block pays whoever the miner names.
func (e *Engine) Author(h *core.Header) core.Address { return h.Miner }

// PreferTie returns false: between branches of equal work the first seen
// is kept.
func (e *Engine) PreferTie(_ consensus.ChainReader, _, _ *core.Header) bool { return false }

// Difficulty returns pow_limit / target(h.Bits), the difficulty /status
// shows; 0 for bits without a valid non-zero target.
func (e *Engine) Difficulty(h *core.Header) float64 {
	return Difficulty(h.Bits, e.params.PowLimit)
}
