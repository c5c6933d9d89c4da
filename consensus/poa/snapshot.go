package poa

import (
	"bytes"
	"errors"
	"slices"

	"github.com/cairn-chain/cairn/core"
)

// Reasons a header is rejected by Snapshot.Apply or Snapshot.MaySeal. They
// are the Err of a *core.RuleError with core.CodeBadBlock, so both
// errors.Is(err, core.CodeBadBlock) and errors.Is(err, ErrRecentlySigned)
// hold.
var (
	// ErrUnauthorizedSigner: the header's signer is not in the signer set.
	ErrUnauthorizedSigner = errors.New("unauthorized signer")
	// ErrRecentlySigned: the signer sealed one of the previous
	// SignerLimit()-1 blocks.
	ErrRecentlySigned = errors.New("recently signed")
	// ErrCheckpointVote: a header at an epoch boundary carries a vote.
	ErrCheckpointVote = errors.New("vote in an epoch checkpoint header")
)

// HeaderInfo is what a Snapshot needs of a header: its height, the key of
// the signer that sealed it (the engine has checked the signature) and its
// vote, nil for none.
type HeaderInfo struct {
	Height uint64
	Signer core.PublicKey
	Vote   *Vote
}

// Recent is one entry of the recent-signer window: Signer sealed the block
// at Height.
type Recent struct {
	Height uint64
	Signer core.PublicKey
}

// Snapshot is the signer set after the block at Height(), derived from the
// genesis signers and the headers since: the signers, the recent signers and
// the pending votes. It decides whether the block at Height()+1 may be
// sealed by a given signer and with what weight.
//
// A Snapshot is immutable: Apply returns a new one and leaves the receiver
// as it was, so a node keeps snapshots by block hash and a reorg simply
// continues from the fork point's snapshot. Snapshots are safe for
// concurrent use.
type Snapshot struct {
	epoch   uint64
	height  uint64
	signers []core.PublicKey // ascending by bytes; shared between snapshots, never written
	recents []Recent         // ascending heights, within the window; shared, never written
	votes   []PendingVote    // in the order cast; shared, never written
}

// NewSnapshot returns the snapshot at the genesis block (height 0) of a
// chain whose genesis names signers, with votes reset every epoch blocks. It
// fails with core.CodeBadGenesis if epoch is 0, signers is empty or names a
// key twice. The order of signers does not matter.
func NewSnapshot(epoch uint64, signers []core.PublicKey) (*Snapshot, error) {
	if epoch == 0 {
		return nil, core.Errorf(core.CodeBadGenesis, "poa epoch is 0")
	}
	if len(signers) == 0 {
		return nil, core.Errorf(core.CodeBadGenesis, "poa genesis has no signers")
	}
	sorted := slices.Clone(signers)
	slices.SortFunc(sorted, compareKeys)
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return nil, core.Errorf(core.CodeBadGenesis, "poa signer %s listed twice", sorted[i])
		}
	}
	return &Snapshot{epoch: epoch, signers: sorted}, nil
}

func compareKeys(a, b core.PublicKey) int { return bytes.Compare(a[:], b[:]) }

// Height is the height of the block this snapshot is after.
func (s *Snapshot) Height() uint64 { return s.height }

// Epoch is the number of blocks between vote resets.
func (s *Snapshot) Epoch() uint64 { return s.epoch }

// Signers returns the signer set sorted by key bytes (a new slice).
func (s *Snapshot) Signers() []core.PublicKey { return slices.Clone(s.signers) }

// Len returns the number of signers.
func (s *Snapshot) Len() int { return len(s.signers) }

// SignerIndex returns k's index in the sorted signer set.
func (s *Snapshot) SignerIndex(k core.PublicKey) (int, bool) {
	return slices.BinarySearchFunc(s.signers, k, compareKeys)
}

// IsSigner reports whether k is in the signer set.
func (s *Snapshot) IsSigner(k core.PublicKey) bool {
	_, ok := s.SignerIndex(k)
	return ok
}

// SignerByAddress returns the signer whose address is a.
func (s *Snapshot) SignerByAddress(a core.Address) (core.PublicKey, bool) {
	for _, k := range s.signers {
		if k.Address() == a {
			return k, true
		}
	}
	return core.PublicKey{}, false
}

// SignerLimit is EIP-225's SIGNER_LIMIT, floor(N/2)+1: a signer may seal at
// most one of any SignerLimit consecutive blocks.
func (s *Snapshot) SignerLimit() int { return len(s.signers)/2 + 1 }

// InTurn reports whether signer is in turn at height (normally Height()+1):
// height % N is its index in the sorted signer set.
func (s *Snapshot) InTurn(height uint64, signer core.PublicKey) bool {
	i, ok := s.SignerIndex(signer)
	return ok && height%uint64(len(s.signers)) == uint64(i)
}

// Weight weights of a block, the fork-choice score it adds to its chain.
const (
	WeightInTurn    = 2 // EIP-225's DIFF_INTURN
	WeightOutOfTurn = 1 // EIP-225's DIFF_NOTURN
)

// Weight returns the weight a block at height sealed by signer must carry:
// WeightInTurn if signer is in turn, WeightOutOfTurn if not, 0 if it is not
// a signer.
func (s *Snapshot) Weight(height uint64, signer core.PublicKey) uint64 {
	switch {
	case !s.IsSigner(signer):
		return 0
	case s.InTurn(height, signer):
		return WeightInTurn
	default:
		return WeightOutOfTurn
	}
}

// Recents returns the recent-signer window (a new slice, oldest first): the
// blocks among the last SignerLimit()-1 whose signers may not seal the next
// block. Entries of signers dropped since may remain until they age out.
func (s *Snapshot) Recents() []Recent { return slices.Clone(s.recents) }

// Votes returns the pending votes in the order they were cast (a new
// slice).
func (s *Snapshot) Votes() []PendingVote { return slices.Clone(s.votes) }

// Tallies returns the pending votes counted per target, sorted by target.
func (s *Snapshot) Tallies() []Tally {
	var ts []Tally
	for _, v := range s.votes {
		i, ok := slices.BinarySearchFunc(ts, v.Target, func(t Tally, k core.PublicKey) int { return compareKeys(t.Target, k) })
		if !ok {
			ts = slices.Insert(ts, i, Tally{Target: v.Target, Add: v.Add})
		}
		ts[i].Votes++
	}
	return ts
}

// ValidVote reports whether v could change the signer set, so that a signer
// preparing a header only proposes votes that count: adding a key that is
// not a signer, dropping one that is. Other votes are legal but ignored.
func (s *Snapshot) ValidVote(v Vote) bool { return s.IsSigner(v.Target) != v.Add }

// MaySeal checks that signer may seal the block at height, which must be
// Height()+1: it is a signer and did not seal one of the last SignerLimit()-1
// blocks. A refusal is a *core.RuleError with core.CodeBadBlock wrapping
// ErrUnauthorizedSigner or ErrRecentlySigned, or core.CodeBadHeight.
func (s *Snapshot) MaySeal(height uint64, signer core.PublicKey) error {
	if height != s.height+1 {
		return core.Errorf(core.CodeBadHeight, "poa snapshot at height %d cannot check height %d", s.height, height)
	}
	if !s.IsSigner(signer) {
		return core.Wrap(core.CodeBadBlock, ErrUnauthorizedSigner, "block %d sealed by %s", height, signer)
	}
	for _, r := range s.recents[s.windowStart(height):] {
		if r.Signer == signer {
			return core.Wrap(core.CodeBadBlock, ErrRecentlySigned, "block %d sealed by %s, which sealed block %d (one block in %d)",
				height, signer, r.Height, s.SignerLimit())
		}
	}
	return nil
}

// windowStart returns the index of the first recent entry still in the
// window when the block at height is sealed: those above height-SignerLimit.
func (s *Snapshot) windowStart(height uint64) int {
	limit := uint64(s.SignerLimit())
	i := 0
	for i < len(s.recents) && s.recents[i].Height+limit <= height {
		i++
	}
	return i
}

// Apply returns the snapshot after the header h, whose height must be
// Height()+1, and leaves s unchanged. It fails as MaySeal does, or with
// ErrCheckpointVote if h carries a vote at an epoch boundary. The cost is
// O(N) for a header without a vote and O(N + pending votes) with one; to
// replay many headers use ApplyHeaders.
//
// The rules are EIP-225's: at an epoch boundary (height % epoch == 0) all
// pending votes are discarded first. A vote replaces the voter's earlier
// vote about the same target; it is counted only if it could change the
// target's status. If the target's votes then reach a strict majority of
// the signers (> N/2), the target is added or dropped at once and every
// vote about it is discarded; a dropped signer's own votes are discarded
// too. Only the target of the header's vote can change: a majority reached
// by shrinking the set takes effect when that target is voted on again.
func (s *Snapshot) Apply(h HeaderInfo) (*Snapshot, error) {
	b := builder{s: *s}
	if err := b.apply(h); err != nil {
		return nil, err
	}
	return &b.s, nil
}

// ApplyHeaders applies hs in order (heights Height()+1, +2, ...) as Apply
// would, copying the snapshot's state once rather than per header. It
// returns the final snapshot, or the first header's error.
func (s *Snapshot) ApplyHeaders(hs []HeaderInfo) (*Snapshot, error) {
	b := builder{s: *s}
	for _, h := range hs {
		if err := b.apply(h); err != nil {
			return nil, err
		}
	}
	return &b.s, nil
}

// builder mutates a private copy of a snapshot. The slices it shares with
// the snapshot it was copied from are copied before their first write.
type builder struct {
	s                                Snapshot
	ownSigners, ownRecents, ownVotes bool
}

func (b *builder) apply(h HeaderInfo) error {
	s := &b.s
	if err := s.MaySeal(h.Height, h.Signer); err != nil {
		return err
	}
	checkpoint := h.Height%s.epoch == 0
	if checkpoint && h.Vote != nil {
		return core.Wrap(core.CodeBadBlock, ErrCheckpointVote, "block %d (epoch %d) votes about %s", h.Height, s.epoch, h.Vote.Target)
	}
	s.height = h.Height

	if b.ownRecents {
		s.recents = append(s.recents, Recent{Height: h.Height, Signer: h.Signer})
	} else {
		r := make([]Recent, len(s.recents), len(s.recents)+1)
		copy(r, s.recents)
		s.recents = append(r, Recent{Height: h.Height, Signer: h.Signer})
		b.ownRecents = true
	}
	if checkpoint {
		s.votes, b.ownVotes = nil, true
	} else if h.Vote != nil {
		b.vote(h.Signer, *h.Vote)
	}
	// Keep the window the next block is checked against, with the limit
	// of the set as it now is (it shrinks with the set, grows with it).
	if start := s.windowStart(h.Height + 1); start > 0 {
		s.recents = append(s.recents[:0], s.recents[start:]...)
	}
	return nil
}

// vote counts voter's vote v and enacts it if it reaches a majority.
func (b *builder) vote(voter core.PublicKey, v Vote) {
	s := &b.s
	if !b.ownVotes {
		votes := make([]PendingVote, len(s.votes), len(s.votes)+1)
		copy(votes, s.votes)
		s.votes, b.ownVotes = votes, true
	}
	// The voter's earlier vote about the target is withdrawn, whether or not
	// this one counts; the target's other votes are counted on the way.
	// Touching the target enacts any majority about it, even one reached
	// by an earlier shrink of the set.
	n, earlier := 0, -1
	for i := range s.votes {
		if p := &s.votes[i]; p.Target == v.Target {
			if p.Voter == voter {
				earlier = i
			} else {
				n++
			}
		}
	}
	if earlier >= 0 {
		s.votes = slices.Delete(s.votes, earlier, earlier+1)
	}
	idx, isSigner := s.SignerIndex(v.Target)
	if isSigner != v.Add {
		s.votes = append(s.votes, PendingVote{Voter: voter, Target: v.Target, Add: v.Add})
		n++
	}
	if n <= len(s.signers)/2 {
		return
	}
	if !b.ownSigners {
		s.signers = slices.Clone(s.signers)
		b.ownSigners = true
	}
	if isSigner {
		s.signers = slices.Delete(s.signers, idx, idx+1)
		s.votes = slices.DeleteFunc(s.votes, func(p PendingVote) bool { return p.Voter == v.Target })
	} else {
		s.signers = slices.Insert(s.signers, idx, v.Target)
	}
	s.votes = slices.DeleteFunc(s.votes, func(p PendingVote) bool { return p.Target == v.Target })
}
