package poa

import "github.com/cairn-chain/cairn/core"

// Vote is a signer's proposal carried in a header: add Target to the signer
// set (Add) or drop it from the set.
type Vote struct {
	Target core.PublicKey
	Add    bool
}

// PendingVote is a vote counted in a Snapshot: Voter's latest vote about
// Target in the current epoch.
type PendingVote struct {
	Voter  core.PublicKey
	Target core.PublicKey
	Add    bool
}

// Tally is the count of pending votes about one target. All the pending
// votes about a target point the same way: only votes that would change the
// target's status are counted, and a change clears the target's votes.
type Tally struct {
	Target core.PublicKey
	Add    bool
	Votes  int
}

// VoteSize is the size of an encoded vote: target (32) || add (1).
const VoteSize = core.PublicKeySize + 1

// AppendVote appends the encoding of v to b: nothing for a nil vote (a header
// without a vote), else the target's 32 bytes followed by 1 (add) or 0
// (drop).
func AppendVote(b []byte, v *Vote) []byte {
	if v == nil {
		return b
	}
	b = append(b, v.Target[:]...)
	if v.Add {
		return append(b, 1)
	}
	return append(b, 0)
}

// EncodeVote returns the encoding of v (see AppendVote): empty for nil.
func EncodeVote(v *Vote) []byte {
	if v == nil {
		return nil
	}
	return AppendVote(make([]byte, 0, VoteSize), v)
}

// DecodeVote decodes a header's vote field: empty input is no vote (nil);
// otherwise exactly VoteSize bytes whose last byte is 0 or 1. Anything else
// is a *core.RuleError with core.CodeMalformed. Every accepted input
// re-encodes to the same bytes.
func DecodeVote(b []byte) (*Vote, error) {
	switch {
	case len(b) == 0:
		return nil, nil
	case len(b) != VoteSize:
		return nil, core.Errorf(core.CodeMalformed, "vote of %d bytes, want 0 or %d", len(b), VoteSize)
	case b[VoteSize-1] > 1:
		return nil, core.Errorf(core.CodeMalformed, "vote add flag 0x%02x, want 0 (drop) or 1 (add)", b[VoteSize-1])
	}
	v := &Vote{Add: b[VoteSize-1] == 1}
	copy(v.Target[:], b)
	return v, nil
}
