package poa_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/core"
)

// TestApplyVotesMatchesApply replays every voting scenario after each of
// its blocks both ways: every header with Apply, and the vote headers
// alone with ApplyVotes. The signers and pending votes must agree, and a
// vote header Apply rejects must be rejected alike.
func TestApplyVotesMatchesApply(t *testing.T) {
	for _, tc := range append(slices.Clone(eip225Cases), cairnCases...) {
		t.Run(tc.name, func(t *testing.T) {
			epoch := tc.epoch
			if epoch == 0 {
				epoch = 30000
			}
			genesis, err := poa.NewSnapshot(epoch, keys(tc.signers))
			if err != nil {
				t.Fatal(err)
			}
			full := genesis
			var votes []poa.HeaderInfo
			for i, b := range tc.blocks {
				h := poa.HeaderInfo{Height: uint64(i + 1), Signer: key(b.signer)}
				if b.voted != "" {
					h.Vote = &poa.Vote{Target: key(b.voted), Add: b.auth}
					votes = append(votes, h)
				}
				next, ferr := full.Apply(h)
				sparse, serr := genesis.ApplyVotes(votes, h.Height)
				if ferr != nil {
					// Only a vote header is in the sparse replay; recency
					// is not decided by it.
					for _, reason := range []error{poa.ErrUnauthorizedSigner, poa.ErrCheckpointVote} {
						if h.Vote != nil && errors.Is(ferr, reason) != errors.Is(serr, reason) {
							t.Fatalf("block %d: Apply: %v; ApplyVotes: %v", h.Height, ferr, serr)
						}
					}
					return
				}
				if serr != nil {
					t.Fatalf("block %d: ApplyVotes: %v", h.Height, serr)
				}
				full = next
				if a, b := votesText(full), votesText(sparse); a != b {
					t.Fatalf("block %d: Apply:\n%s\nApplyVotes:\n%s", h.Height, a, b)
				}
				// Only the needed vote headers: the same replay.
				keep, err := genesis.NeededVotes(votes, h.Height)
				if err != nil {
					t.Fatal(err)
				}
				var needed []poa.HeaderInfo
				for _, i := range keep {
					needed = append(needed, votes[i])
				}
				pruned, err := genesis.ApplyVotes(needed, h.Height)
				if err != nil {
					t.Fatalf("block %d: ApplyVotes over the %d needed of %d vote headers: %v", h.Height, len(needed), len(votes), err)
				}
				if a, b := votesText(full), votesText(pruned); a != b {
					t.Fatalf("block %d: Apply:\n%s\nApplyVotes over the needed vote headers %v:\n%s", h.Height, a, keep, b)
				}
				if sparse.Height() != h.Height {
					t.Fatalf("block %d: ApplyVotes at height %d", h.Height, sparse.Height())
				}
				// The sparse window holds only what it knows: part of the
				// true one.
				for _, r := range sparse.Recents() {
					if !slices.Contains(full.Recents(), r) {
						t.Fatalf("block %d: ApplyVotes has recent %v, Apply's window is %v", h.Height, r, full.Recents())
					}
				}
			}
		})
	}
}

// votesText is the part of snapshotText a sparse replay decides.
func votesText(s *poa.Snapshot) string {
	var b []byte
	for _, k := range s.Signers() {
		b = append(b, k.String()[:8]+" "...)
	}
	b = append(b, "| "...)
	for _, v := range s.Votes() {
		b = append(b, v.Voter.String()[:8]+">"+v.Target.String()[:8]+" "...)
	}
	return string(b)
}

// TestApplyVotesEpochInGap: an epoch boundary between two vote headers
// discards the first vote although no header of the boundary is given.
func TestApplyVotesEpochInGap(t *testing.T) {
	genesis, err := poa.NewSnapshot(4, keys([]string{"A", "B", "C"}))
	if err != nil {
		t.Fatal(err)
	}
	addD := &poa.Vote{Target: key("D"), Add: true}
	for _, tc := range []struct {
		second uint64
		added  bool
		needed []int // at height 20
	}{{3, true, []int{0, 1}}, {5, false, nil}, {9, false, nil}} {
		hs := []poa.HeaderInfo{
			{Height: 2, Signer: key("A"), Vote: addD},
			{Height: tc.second, Signer: key("B"), Vote: addD},
		}
		s, err := genesis.ApplyVotes(hs, 20)
		if err != nil {
			t.Fatal(err)
		}
		if s.IsSigner(key("D")) != tc.added || s.Height() != 20 {
			t.Fatalf("second vote at %d: D a signer %v at height %d, want %v at 20", tc.second, s.IsSigner(key("D")), s.Height(), tc.added)
		}
		if !tc.added && len(s.Votes()) != 0 {
			t.Fatalf("second vote at %d: %d votes pending at height 20 (epoch 4), want 0", tc.second, len(s.Votes()))
		}
		if keep, err := genesis.NeededVotes(hs, 20); err != nil || !slices.Equal(keep, tc.needed) {
			t.Fatalf("second vote at %d: needed at height 20 %v %v, want %v", tc.second, keep, err, tc.needed)
		}
		// In the second vote's own epoch, it may still count.
		if keep, err := genesis.NeededVotes(hs, tc.second+1); err != nil || !slices.Contains(keep, 1) {
			t.Fatalf("second vote at %d: needed at height %d %v %v, want it kept", tc.second, tc.second+1, keep, err)
		}
	}
}

func TestApplyVotesRejects(t *testing.T) {
	genesis, err := poa.NewSnapshot(100, keys([]string{"A", "B", "C"}))
	if err != nil {
		t.Fatal(err)
	}
	v := &poa.Vote{Target: key("D"), Add: true}
	for _, tc := range []struct {
		name   string
		hs     []poa.HeaderInfo
		height uint64
		want   error
	}{
		{"no vote", []poa.HeaderInfo{{Height: 2, Signer: key("A")}}, 5, core.CodeBadHeight},
		{"out of order", []poa.HeaderInfo{{Height: 3, Signer: key("A"), Vote: v}, {Height: 3, Signer: key("B"), Vote: v}}, 5, core.CodeBadHeight},
		{"above the height", []poa.HeaderInfo{{Height: 6, Signer: key("A"), Vote: v}}, 5, core.CodeBadHeight},
		{"not a signer", []poa.HeaderInfo{{Height: 2, Signer: key("D"), Vote: v}}, 5, poa.ErrUnauthorizedSigner},
		{"at a checkpoint", []poa.HeaderInfo{{Height: 100, Signer: key("A"), Vote: v}}, 105, poa.ErrCheckpointVote},
		{"same signer twice in a row", []poa.HeaderInfo{{Height: 2, Signer: key("A"), Vote: v}, {Height: 3, Signer: key("A"), Vote: &poa.Vote{Target: key("E"), Add: true}}}, 5, poa.ErrRecentlySigned},
		{"dropped, then voting", []poa.HeaderInfo{
			{Height: 2, Signer: key("A"), Vote: &poa.Vote{Target: key("C")}},
			{Height: 3, Signer: key("B"), Vote: &poa.Vote{Target: key("C")}},
			{Height: 9, Signer: key("C"), Vote: v},
		}, 10, poa.ErrUnauthorizedSigner},
	} {
		if _, err := genesis.ApplyVotes(tc.hs, tc.height); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}
