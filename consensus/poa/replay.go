package poa

import (
	"github.com/cairn-chain/cairn/core"
)

// ApplyVotes returns the snapshot after the block at height, replayed
// from s through the vote-bearing headers hs alone (ascending heights above
// Height(), at most height), the headers in between taken to carry no
// vote. It leaves s unchanged.
//
// The signer set and the pending votes after a block depend only on the
// genesis and the votes below it: headers without a vote change neither,
// and an epoch boundary (which discards the pending votes) is a height,
// not a header. So ApplyVotes gives the signers and votes Apply would give
// over every header, through the same code: each header of hs is applied
// as Apply does (its signer a member of the set as replayed to it, no vote
// at a checkpoint, the vote counted and enacted), after the votes are
// discarded if an epoch boundary lies in the gap before it. What it cannot
// know is the recent-signer window, which needs every signer: the result's
// window holds only the vote headers still in it (none after a gap), so it
// decides membership and weights but not recency.
// A header without a vote, or out of order, fails with core.CodeBadHeight.
func (s *Snapshot) ApplyVotes(hs []HeaderInfo, height uint64) (*Snapshot, error) {
	b := builder{s: *s}
	if err := b.applyVotes(hs, height, nil); err != nil {
		return nil, err
	}
	return &b.s, nil
}

// NeededVotes returns the indexes of the vote headers hs (as ApplyVotes
// takes them) that a replay to height needs: every one of the epoch height
// is in (its votes may be pending), and in each earlier epoch those about
// a target added or dropped in that epoch. A vote about a target that no
// majority changed in its epoch had no effect: tallies are per target,
// and at the epoch's end its votes were discarded; so ApplyVotes over the
// needed headers gives the same signers and pending votes as over hs.
// It fails as ApplyVotes does.
func (s *Snapshot) NeededVotes(hs []HeaderInfo, height uint64) ([]int, error) {
	b := builder{s: *s}
	changed := make(map[uint64]map[core.PublicKey]bool) // by epoch
	err := b.applyVotes(hs, height, func(h HeaderInfo, before bool) {
		if b.s.IsSigner(h.Vote.Target) != before {
			e := h.Height / s.epoch
			if changed[e] == nil {
				changed[e] = make(map[core.PublicKey]bool)
			}
			changed[e][h.Vote.Target] = true
		}
	})
	if err != nil {
		return nil, err
	}
	var keep []int
	for i, h := range hs {
		if e := h.Height / s.epoch; e == height/s.epoch || changed[e][h.Vote.Target] {
			keep = append(keep, i)
		}
	}
	return keep, nil
}

// applyVotes is ApplyVotes on the builder; after each header, applied
// tells it whether the header's target was a signer before.
func (b *builder) applyVotes(hs []HeaderInfo, height uint64, applied func(h HeaderInfo, before bool)) error {
	for _, h := range hs {
		if h.Vote == nil {
			return core.Errorf(core.CodeBadHeight, "poa: block %d carries no vote: not a vote header", h.Height)
		}
		if h.Height <= b.s.height || h.Height > height {
			return core.Errorf(core.CodeBadHeight, "poa: vote header at height %d after height %d, want one in %d..%d",
				h.Height, b.s.height, b.s.height+1, height)
		}
		b.skip(h.Height - 1)
		before := b.s.IsSigner(h.Vote.Target)
		if err := b.apply(h); err != nil {
			return err
		}
		if applied != nil {
			applied(h, before)
		}
	}
	b.skip(height)
	return nil
}

// skip moves the snapshot to height over headers without a vote: the
// pending votes are discarded if an epoch boundary lies in the gap, and
// the recent-signer window, unknown across a gap, is emptied.
func (b *builder) skip(height uint64) {
	s := &b.s
	if height == s.height {
		return
	}
	if height/s.epoch != s.height/s.epoch {
		s.votes, b.ownVotes = nil, true
	}
	s.recents, b.ownRecents = nil, true
	s.height = height
}

// ReplayVotes returns the snapshot after the block at height from the
// genesis and the chain's vote-bearing headers at or below it (ascending),
// as Snapshot.ApplyVotes replays them, after checking each one's seal
// (VerifySeal). Its recent-signer window is partial (ApplyVotes). With CheckHeaderAfter
// it checks a stretch of headers that starts high above the genesis
// without the headers below (an anchor receipt's; docs/receipts.md).
func (e *Engine) ReplayVotes(votes []*core.Header, height uint64) (*Snapshot, error) {
	infos := make([]HeaderInfo, len(votes))
	for i, h := range votes {
		if err := e.VerifySeal(h); err != nil {
			return nil, err
		}
		infos[i] = info(h)
	}
	return e.genesis.ApplyVotes(infos, height)
}

// NeededVotes returns the indexes of the vote headers votes (as
// ReplayVotes takes them) that a replay to height needs
// (Snapshot.NeededVotes): a receipt carries those only.
func (e *Engine) NeededVotes(votes []*core.Header, height uint64) ([]int, error) {
	infos := make([]HeaderInfo, len(votes))
	for i, h := range votes {
		infos[i] = info(h)
	}
	return e.genesis.NeededVotes(infos, height)
}

// CheckHeaderAfter checks h as CheckHeader does, against snap, the
// snapshot after h's parent that the caller holds (e.g. from ReplayVotes),
// and returns the snapshot after h. parent, if not nil, is h's parent:
// h's timestamp is checked against it. It neither reads nor fills the
// engine's snapshot cache.
func (e *Engine) CheckHeaderAfter(snap *Snapshot, h, parent *core.Header) (*Snapshot, error) {
	if h == nil || snap == nil {
		return nil, core.Errorf(core.CodeMalformed, "poa: no header or snapshot")
	}
	if h.Version != core.BlockVersionSigned {
		return nil, core.Errorf(core.CodeBadVersion, "poa: block %d version %d, want %d", h.Height, h.Version, core.BlockVersionSigned)
	}
	next, err := snap.Apply(info(h))
	if err != nil {
		return nil, err
	}
	if want := snap.Weight(h.Height, h.Signer); uint64(h.Bits) != want {
		return nil, core.Errorf(core.CodeBadBits, "poa: block %d by %s has weight %d, want %d (%s)", h.Height, h.Signer, h.Bits, want, turn(want))
	}
	if parent != nil {
		if min := parent.Timestamp + e.periodMs; h.Timestamp < min {
			return nil, core.Errorf(core.CodeBadTimestamp, "poa: block %d timestamp %d, want at least %d (parent's %d + period %d ms)",
				h.Height, h.Timestamp, min, parent.Timestamp, e.periodMs)
		}
	}
	return next, nil
}
