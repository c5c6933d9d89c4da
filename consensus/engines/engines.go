// Package engines is the one place that maps a genesis to its consensus
// engine: New builds the engine that checks a chain's headers, NewSealer
// the sealer that produces them. Everything else (node, miner, API,
// command line) sees only the consensus interfaces.
//
// A genesis is proof of work (consensus/pow, sealed by
// consensus/pow/powseal) unless its consensus is "poa": proof of authority
// (consensus/poa, sealed by consensus/poa/poaseal with the node's signer
// key).
package engines

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/consensus/poa/poaseal"
	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/consensus/pow/powseal"
	"github.com/cairn-chain/cairn/core"
)

// New returns the consensus engine of a genesis, after the engine's own
// checks of its parameters (PoW: pow_limit, initial_bits, target block
// time, ASERT half-life). Failures are *core.RuleError with code
// core.CodeBadGenesis.
//
// A proof-of-authority genesis gets a *poa.Engine (checks of its signers
// and period), which also implements consensus.Voter and
// consensus.Authority.
func New(g *core.Genesis) (consensus.Engine, error) {
	if g != nil && g.IsPoA() {
		e, err := poa.New(g)
		if err != nil {
			return nil, err
		}
		return e, nil
	}
	e, err := pow.New(g)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ErrNoSignerKey: a proof-of-authority sealer needs the node's signer key.
var ErrNoSignerKey = errors.New("a proof-of-authority chain is sealed by a signer: give its key (cairn node --signer NAME)")

// SealerConfig is what a block producer brings to its sealer.
type SealerConfig struct {
	// SignerKey is the node's signing key (cairn node --signer NAME): it
	// signs proof-of-authority headers and is ignored by proof of work.
	SignerKey ed25519.PrivateKey
}

// NewSealer returns the sealer for headers of e, an engine New returned
// (PoW: the multi-core nonce search). A proof-of-authority engine needs a
// key: see NewSealerWith.
func NewSealer(e consensus.Engine) (consensus.Sealer, error) {
	return NewSealerWith(e, SealerConfig{})
}

// NewSealerWith returns the sealer for headers of e with the producer's
// settings. For proof of authority it also makes cfg.SignerKey's public
// key e's local signer, so that e.Prepare (the chain's template) prepares
// headers for it; it fails with ErrNoSignerKey without a key.
func NewSealerWith(e consensus.Engine, cfg SealerConfig) (consensus.Sealer, error) {
	switch e := e.(type) {
	case *pow.Engine:
		return powseal.New(), nil
	case *poa.Engine:
		if cfg.SignerKey == nil {
			return nil, ErrNoSignerKey
		}
		s, err := poaseal.New(e, cfg.SignerKey, poaseal.Options{})
		if err != nil {
			return nil, err
		}
		e.SetSigner(s.Signer())
		return s, nil
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
// no seal, only valid bits. A version-2 header is signed: its signature
// must verify for its signer and its miner be the signer's address (whether
// the signer was authorised needs the chain). Failures are
// *core.RuleError with code core.CodeBadPoW.
func CheckSealOffline(h *core.Header) error {
	if h.Version == core.BlockVersionSigned {
		if want := h.Signer.Address(); h.Miner != want {
			return core.Wrap(core.CodeBadPoW, poa.ErrMinerNotSigner, "miner %s, signer %s has address %s", h.Miner, h.Signer, want)
		}
		if !ed25519.Verify(h.Signer[:], h.SigningBytes(), h.Signature[:]) {
			return core.Wrap(core.CodeBadPoW, poa.ErrBadSignature, "signature by %s", h.Signer)
		}
		return nil
	}
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
