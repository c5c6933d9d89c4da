package consensus

import (
	"context"
	"errors"
	"math/big"

	"github.com/cairn-chain/cairn/core"
)

// ChainReader is the chain as an engine sees it while it checks or
// prepares a header: the headers it already knows. It is valid only for the
// duration of the call it is passed to, and may be called only from that
// call's goroutine.
type ChainReader interface {
	// HeaderByHash returns a copy of a known header: the genesis, a block
	// stored on any branch, or an earlier header of the batch being
	// checked. Ancestors are reached by following PrevHash.
	HeaderByHash(h core.Hash) (*core.Header, bool)
}

// Engine is a consensus mechanism as the chain package sees it: the rules
// every node applies to block headers. An Engine holds no chain state
// beyond its own parameters (a history-dependent engine derives what it
// needs, e.g. a signer set, from the ChainReader, and may cache it);
// implementations must be safe for concurrent use and pure.
//
// The chain calls VerifySeal first, during sanity checks (it needs nothing
// but the header), then CheckHeader once the parent is known, and sums Work
// along a branch for fork choice; between branches of equal total work it
// asks PreferTie. It builds a new block's header with Prepare. The genesis
// header is the chain's root and is never passed to VerifySeal,
// CheckHeader or Prepare.
//
// Producing a seal is not part of Engine: see Sealer.
type Engine interface {
	// VerifySeal checks the header's seal alone (PoW: hash <= target(bits)
	// <= pow_limit). It is stateless and cheap: run it before anything
	// expensive. A failure is a *core.RuleError with core.CodeBadPoW.
	VerifySeal(h *core.Header) error

	// CheckHeader checks h's consensus fields against its parent and,
	// when the engine needs them, further ancestors read from chain (PoW:
	// h.Bits == the ASERT bits after parent). A failure is a
	// *core.RuleError with core.CodeBadBits. Height, timestamp and the
	// other contextual rules are the chain's.
	CheckHeader(chain ChainReader, h, parent *core.Header) error

	// Prepare sets the consensus fields of a new header whose version,
	// height, prev_hash, timestamp and miner are set (PoW: bits from the
	// parent). The parent is chain.HeaderByHash(h.PrevHash). The seal
	// itself is the Sealer's.
	Prepare(chain ChainReader, h *core.Header) error

	// Author returns the address a block's rewards and fees go to, the
	// block's producer (PoW: h.Miner).
	Author(h *core.Header) core.Address

	// Work returns the fork-choice weight h adds to its chain (PoW:
	// 2^256 / (target+1)); 0 for a header whose seal cannot be valid. The
	// result is a new value the caller may modify.
	Work(h *core.Header) *big.Int

	// PreferTie breaks a tie between two branches of equal total work:
	// it reports whether candidate's branch should replace current's (the
	// branch the chain saw first, or its tip). It must be false when both
	// are the same header. PoW: always false, the first seen is kept.
	PreferTie(chain ChainReader, current, candidate *core.Header) bool
}

// SealOptions are the producer's settings for one Seal call.
type SealOptions struct {
	// Threads is the number of goroutines a sealer that can use several
	// may run (< 1: one per CPU).
	Threads int
	// Limit is the work each thread does before Seal gives up unsolved
	// (PoW: hashes per thread); 0 means no limit.
	Limit uint64
	// Abort is polled often (at least every millisecond or so of work);
	// Seal returns unsolved once it reports true. Nil means never.
	Abort func() bool
	// Progress, if not nil, is called, possibly concurrently, with each
	// batch of work done (PoW: hashes); a caller may block in it to
	// throttle the sealer.
	Progress func(n uint64)
}

// Sealer produces the seal of a prepared header: PoW's multi-core nonce
// search, a signature for an authority engine. Unlike Engine it may start
// goroutines, use keys and wait; only block producers need one.
type Sealer interface {
	// Seal returns h sealed, whether a seal was found before ctx ended,
	// opts.Abort reported true or opts.Limit was reached, and an error if h
	// cannot be sealed by this sealer at all (e.g. its consensus fields are
	// invalid). h's own seal fields are a starting point only (PoW: the
	// search starts at h.Nonce).
	Seal(ctx context.Context, h core.Header, opts SealOptions) (core.Header, bool, error)
}

// DifficultyReporter is implemented by engines whose headers have a
// difficulty worth showing (PoW); others have none and /status omits it.
type DifficultyReporter interface {
	// Difficulty returns h's difficulty: the easiest target over h's.
	Difficulty(h *core.Header) float64
}

// Proposal is a block producer's pending proposal about the signer set of
// an authority engine: add Target (Add) or drop it. The producer's headers
// vote for it until it is discarded.
type Proposal struct {
	Target core.PublicKey
	Add    bool
}

// Voter is implemented by engines whose headers carry votes (PoA): the
// proposals the local signer's next headers vote for. The admin API's
// POST /api/v1/consensus/votes calls Propose.
type Voter interface {
	// Propose makes the local signer's headers vote to add (add) or drop
	// target, replacing an earlier proposal about target.
	Propose(target core.PublicKey, add bool)
	// Discard withdraws the proposal about target, if any.
	Discard(target core.PublicKey)
	// Proposals returns the pending proposals sorted by target.
	Proposals() []Proposal
}

// VoteTally is the count of the votes in a chain about one target.
type VoteTally struct {
	Target core.PublicKey
	Add    bool
	Votes  int
}

// AuthorityInfo is an authority engine's view of a chain after one block,
// for GET /api/v1/consensus.
type AuthorityInfo struct {
	Engine   string           // "poa"
	Hash     core.Hash        // the block the view is after
	Height   uint64           // its height
	Signers  []core.PublicKey // the signer set, sorted by key bytes
	InTurn   core.PublicKey   // the signer in turn for the next height
	Votes    []VoteTally      // pending votes by target
	PeriodMs uint64           // the block interval
	Epoch    uint64           // blocks between vote resets
}

// Authority is implemented by engines with a signer set (PoA).
type Authority interface {
	// Authority returns the view after the block hash. chain is read
	// only for a view the engine has not cached (e.g. after a restart);
	// it may be nil, and the call then fails for such a block.
	Authority(chain ChainReader, hash core.Hash) (*AuthorityInfo, error)
}

// ErrWaitForTip is what a Sealer's error wraps when it may not seal on
// this parent but may on a later one (PoA: this signer sealed too
// recently). The miner waits for the next tip without complaint.
var ErrWaitForTip = errors.New("not this node's turn: waiting for the next tip")
