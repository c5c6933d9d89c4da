// Package fake is a consensus engine for tests where consensus itself is
// not under test: every seal is valid, every header has the same weight,
// and sealing is instant. It is its own Sealer.
//
// Tie-breaking and seal rejection can be scripted through Engine's
// fields, to test how the chain uses an engine.
package fake

import (
	"context"
	"math/big"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/core"
)

// Engine is the fake engine. Its zero value is ready: weight 1, any seal,
// the first seen kept on ties. Set the fields before use; it is then safe
// for concurrent use (the hooks must be too).
type Engine struct {
	// Weight is each header's fork-choice weight; < 1 means 1.
	Weight int64
	// Tie breaks ties (consensus.Engine.PreferTie); nil keeps the first
	// seen.
	Tie func(chain consensus.ChainReader, current, candidate *core.Header) bool
	// RejectSeal, if not nil, makes VerifySeal fail (code
	// core.CodeBadPoW) for the headers it reports true for.
	RejectSeal func(h *core.Header) bool
}

var (
	_ consensus.Engine = (*Engine)(nil)
	_ consensus.Sealer = (*Engine)(nil)
)

// New returns an engine of weight 1 that accepts every seal.
func New() *Engine { return &Engine{} }

// VerifySeal accepts every header, unless RejectSeal says otherwise.
func (e *Engine) VerifySeal(h *core.Header) error {
	if e.RejectSeal != nil && e.RejectSeal(h) {
		return core.Errorf(core.CodeBadPoW, "fake: seal of block %d rejected", h.Height)
	}
	return nil
}

// CheckHeader requires a child to carry its parent's bits (which the fake
// engine never changes).
func (e *Engine) CheckHeader(_ consensus.ChainReader, h, parent *core.Header) error {
	if h.Bits != parent.Bits {
		return core.Errorf(core.CodeBadBits, "fake: block %d bits 0x%08x, want the parent's 0x%08x", h.Height, h.Bits, parent.Bits)
	}
	return nil
}

// Prepare copies the parent's bits.
func (e *Engine) Prepare(chain consensus.ChainReader, h *core.Header) error {
	parent, ok := chain.HeaderByHash(h.PrevHash)
	if !ok {
		return core.Errorf(core.CodeUnknownParent, "fake: parent %s of block %d unknown", h.PrevHash, h.Height)
	}
	h.Bits = parent.Bits
	return nil
}

// Author returns h.Miner.
func (e *Engine) Author(h *core.Header) core.Address { return h.Miner }

// Work returns Weight (1 if unset).
func (e *Engine) Work(*core.Header) *big.Int { return big.NewInt(max(e.Weight, 1)) }

// PreferTie calls Tie, or keeps the first seen.
func (e *Engine) PreferTie(chain consensus.ChainReader, current, candidate *core.Header) bool {
	if e.Tie == nil || *current == *candidate {
		return false
	}
	return e.Tie(chain, current, candidate)
}

// Seal returns h unchanged at once, sealed, unless ctx has ended or
// opts.Abort reports true.
func (e *Engine) Seal(ctx context.Context, h core.Header, opts consensus.SealOptions) (core.Header, bool, error) {
	if ctx.Err() != nil || opts.Abort != nil && opts.Abort() {
		return h, false, nil
	}
	if opts.Progress != nil {
		opts.Progress(1)
	}
	return h, true, nil
}
