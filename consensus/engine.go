package consensus

import (
	"math/big"

	"github.com/cairn-chain/cairn/core"
)

// Engine is a consensus mechanism as the chain package sees it. An Engine
// holds no chain state beyond its own parameters; implementations must be
// safe for concurrent use.
//
// The chain calls VerifySeal first, during sanity checks (it needs nothing
// but the header), then VerifyHeader once the parent is known, and sums Work
// along a branch for fork choice. The genesis header is the chain's root and
// is never passed to VerifySeal.
type Engine interface {
	// VerifySeal checks the header's seal alone (PoW: hash <= target(bits)
	// <= pow_limit). It is stateless and cheap: run it before anything
	// expensive. A failure is a *core.RuleError with core.CodeBadPoW.
	VerifySeal(h *core.Header) error

	// NextBits returns the bits a child of parent must carry.
	NextBits(parent *core.Header) uint32

	// VerifyHeader checks h's consensus fields against its parent (PoW:
	// h.Bits == NextBits(parent)). A failure is a *core.RuleError with
	// core.CodeBadBits. Height, timestamp and the other contextual rules
	// are the chain's.
	VerifyHeader(h, parent *core.Header) error

	// Work returns the fork-choice weight h adds to its chain (PoW:
	// 2^256 / (target+1)); 0 for a header whose seal cannot be valid. The
	// result is a new value the caller may modify.
	Work(h *core.Header) *big.Int
}
