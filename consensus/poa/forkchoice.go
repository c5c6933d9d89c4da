package poa

import (
	"bytes"

	"github.com/cairn-chain/cairn/core"
)

// TipInfo is what EIP-3436's fork choice needs of a chain tip: its chain's
// total weight, its height and hash, and its signer's index in the signer
// set the tip was sealed under (the snapshot of its parent, the one that
// decided whether it was in turn) with that set's size.
type TipInfo struct {
	TotalWeight uint64
	Height      uint64
	Hash        core.Hash
	SignerIndex int
	Signers     int
}

// Tip returns the TipInfo of a block at height sealed by signer, with hash
// and totalWeight, where s is the snapshot of the block's parent. It is
// false if signer is not in s's set (no valid block has such a tip).
func (s *Snapshot) Tip(height uint64, signer core.PublicKey, hash core.Hash, totalWeight uint64) (TipInfo, bool) {
	i, ok := s.SignerIndex(signer)
	if !ok {
		return TipInfo{}, false
	}
	return TipInfo{TotalWeight: totalWeight, Height: height, Hash: hash, SignerIndex: i, Signers: len(s.signers)}, true
}

// InTurnDistance is EIP-3436's rule-3 value (header_number -
// validator_index) % validator_count: how many blocks ago the tip's signer
// was last in turn, 0 for an in-turn block. It is 0 for a tip with no
// signer set (the genesis).
func (t TipInfo) InTurnDistance() uint64 {
	if t.Signers <= 0 || t.SignerIndex < 0 {
		return 0
	}
	n := uint64(t.Signers)
	return (t.Height%n + n - uint64(t.SignerIndex)%n) % n
}

// Prefer reports whether the chain ending at a should be preferred to the
// one ending at b, by EIP-3436's rules, each applied only if the previous
// ones tie:
//
//  1. the higher total weight (EIP-225's total difficulty);
//  2. the lower height: at equal weight the shorter chain has more
//     in-turn blocks;
//  3. the larger InTurnDistance: the tip whose signer's in-turn slot is
//     least recent (an in-turn block is the most recent, distance 0);
//  4. the lower hash, read as an unsigned 256-bit big-endian integer.
//
// The order is total and strict: Prefer(a, b) and Prefer(b, a) are never
// both true, and both are false only for the same hash, so every node picks
// the same tip whatever order it saw them in.
func Prefer(a, b TipInfo) bool {
	switch {
	case a.TotalWeight != b.TotalWeight:
		return a.TotalWeight > b.TotalWeight
	case a.Height != b.Height:
		return a.Height < b.Height
	}
	if da, db := a.InTurnDistance(), b.InTurnDistance(); da != db {
		return da > db
	}
	return bytes.Compare(a.Hash[:], b.Hash[:]) < 0
}
