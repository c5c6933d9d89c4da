package core

import (
	"bytes"
	"encoding/binary"
	"slices"
)

// Consensus engines a genesis may name.
const (
	ConsensusPoW = "pow"
	ConsensusPoA = "poa"
)

// Defaults and bounds of the PoA parameters.
const (
	DefaultPoAEpoch = 30_000 // blocks between vote resets
	MinPoAPeriodMs  = 100
	MaxPoASigners   = 256
)

// PoAParams are a proof-of-authority chain's genesis parameters.
type PoAParams struct {
	// Signers are the initial signers' Ed25519 public keys (hex in JSON),
	// kept sorted by their bytes.
	Signers []PublicKey `json:"signers"`
	// PeriodMs is the block interval, unix milliseconds between blocks.
	PeriodMs uint64 `json:"period_ms"`
	// Epoch is how many blocks pass between vote resets (0: the default).
	Epoch uint64 `json:"epoch,omitempty"`
}

// IsPoA reports whether the chain runs proof of authority.
func (g *Genesis) IsPoA() bool { return g.Consensus == ConsensusPoA }

// PoAEpoch returns the epoch, the default applied.
func (p *PoAParams) PoAEpoch() uint64 {
	if p.Epoch == 0 {
		return DefaultPoAEpoch
	}
	return p.Epoch
}

// appendEncode appends the parameters to a genesis encoding: u8 1 (poa)
// || u64 period_ms || u64 epoch (as written) || uvarint n || n signers.
func (p *PoAParams) appendEncode(b []byte) []byte {
	b = append(b, 1)
	b = appendU64(b, p.PeriodMs)
	b = appendU64(b, p.Epoch)
	b = binary.AppendUvarint(b, uint64(len(p.Signers)))
	for _, s := range p.Signers {
		b = append(b, s[:]...)
	}
	return b
}

// validateConsensus checks the engine choice and PoA's parameters (and
// sorts the signers).
func (g *Genesis) validateConsensus() error {
	bad := func(format string, args ...any) error {
		return Errorf(CodeBadGenesis, "genesis "+format, args...)
	}
	switch g.Consensus {
	case "", ConsensusPoW:
		if g.PoA != nil {
			return bad("poa: parameters given, but consensus is %q (want \"poa\")", g.Consensus)
		}
		return nil
	case ConsensusPoA:
	default:
		return bad("consensus %q: want \"pow\" or \"poa\"", clip(g.Consensus))
	}
	p := g.PoA
	switch {
	case p == nil || len(p.Signers) == 0:
		return bad("poa.signers: a proof-of-authority chain needs at least one signer")
	case len(p.Signers) > MaxPoASigners:
		return bad("poa.signers: %d, at most %d", len(p.Signers), MaxPoASigners)
	case p.PeriodMs < MinPoAPeriodMs || p.PeriodMs > 1<<32:
		return bad("poa.period_ms %d: want %d to 2^32", p.PeriodMs, MinPoAPeriodMs)
	}
	slices.SortFunc(p.Signers, func(a, b PublicKey) int { return bytes.Compare(a[:], b[:]) })
	for i := 1; i < len(p.Signers); i++ {
		if p.Signers[i] == p.Signers[i-1] {
			return bad("poa.signers: %s listed twice", p.Signers[i])
		}
	}
	return nil
}
