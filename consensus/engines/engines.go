// Package engines is the one place that maps a genesis to its consensus
// engine: New builds the engine that checks a chain's headers, NewSealer
// the sealer that produces them. Everything else (node, miner, API,
// command line) sees only the consensus interfaces.
//
// Today every genesis is proof of work (consensus/pow, sealed by
// consensus/pow/powseal); a genesis field choosing another engine is
// V2's proof of authority.
package engines

import (
	"fmt"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/consensus/pow/powseal"
	"github.com/cairn-chain/cairn/core"
)

// New returns the consensus engine of a genesis, after the engine's own
// checks of its parameters (PoW: pow_limit, initial_bits, target block
// time, ASERT half-life). Failures are *core.RuleError with code
// core.CodeBadGenesis.
func New(g *core.Genesis) (consensus.Engine, error) {
	e, err := pow.New(g)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// NewSealer returns the sealer for headers of e, an engine New returned
// (PoW: the multi-core nonce search).
func NewSealer(e consensus.Engine) (consensus.Sealer, error) {
	switch e := e.(type) {
	case *pow.Engine:
		return powseal.New(), nil
	case consensus.Sealer: // an engine that seals itself (e.g. consensus/fake)
		return e, nil
	}
	return nil, fmt.Errorf("engines: no sealer for engine %T", e)
}

// CheckSealOffline checks what of a header's seal can be checked without
// its chain's genesis, for a light client holding one header (cairn
// verify-proof). A version-1 header is proof of work: its bits must decode
// to a valid target and its hash be at most that target (the pow_limit is
// the genesis's and is not checked); the genesis header (height 0) has
// no seal, only valid bits. Failures are *core.RuleError with code core.CodeBadPoW.
func CheckSealOffline(h *core.Header) error {
	if h.Version != core.BlockVersion {
		return core.Errorf(core.CodeBadVersion, "header version %d: no engine known", h.Version)
	}
	target, err := pow.TargetHash(h.Bits)
	if err != nil {
		return err
	}
	if hash := h.Hash(); h.Height > 0 && !pow.CheckHash(hash, target) {
		return core.Errorf(core.CodeBadPoW, "hash %s above its target %s (no valid proof of work)", hash, target)
	}
	return nil
}
