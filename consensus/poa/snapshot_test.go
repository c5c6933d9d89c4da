package poa_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// key names test keys by letter: "A" is testkit.NewKey(1), and so on.
func key(name string) core.PublicKey { return testkit.NewKey(int(name[0]-'A') + 1).Pub }

func keys(names []string) []core.PublicKey {
	ks := make([]core.PublicKey, len(names))
	for i, n := range names {
		ks[i] = key(n)
	}
	return ks
}

func names(ks []core.PublicKey) []string {
	var out []string
	for _, k := range ks {
		for c := byte('A'); c <= 'Z'; c++ {
			if key(string(c)) == k {
				out = append(out, string(c))
			}
		}
	}
	slices.Sort(out)
	return out
}

// block is one block of a voting scenario: its signer and optional vote.
type block struct {
	signer     string
	voted      string   // target of the vote, "" for none
	auth       bool     // add (true) or drop (false)
	checkpoint []string // at an epoch boundary: the signers the set must hold before it
}

type votingCase struct {
	name    string
	epoch   uint64 // 0: 30000
	signers []string
	blocks  []block
	results []string
	failure error // the last block is rejected with this reason
}

// eip225Cases is EIP-225's "Test Cases" table, in its order and with its
// comments, translated to Cairn's types: signers are Ed25519 keys, a vote
// is a poa.Vote rather than the beneficiary and nonce fields, and a
// checkpoint's signer list (which Cairn headers do not carry) is checked
// against the snapshot instead.
var eip225Cases = []votingCase{
	{
		name:    "single signer, no votes cast",
		signers: []string{"A"},
		blocks:  []block{{signer: "A"}},
		results: []string{"A"},
	}, {
		name:    "single signer, voting to add two others (only accept first, second needs 2 votes)",
		signers: []string{"A"},
		blocks: []block{
			{signer: "A", voted: "B", auth: true},
			{signer: "B"},
			{signer: "A", voted: "C", auth: true},
		},
		results: []string{"A", "B"},
	}, {
		name:    "two signers, voting to add three others (only accept first two, third needs 3 votes already)",
		signers: []string{"A", "B"},
		blocks: []block{
			{signer: "A", voted: "C", auth: true},
			{signer: "B", voted: "C", auth: true},
			{signer: "A", voted: "D", auth: true},
			{signer: "B", voted: "D", auth: true},
			{signer: "C"},
			{signer: "A", voted: "E", auth: true},
			{signer: "B", voted: "E", auth: true},
		},
		results: []string{"A", "B", "C", "D"},
	}, {
		name:    "single signer, dropping itself (weird, but one less cornercase by explicitly allowing this)",
		signers: []string{"A"},
		blocks:  []block{{signer: "A", voted: "A", auth: false}},
		results: nil,
	}, {
		name:    "two signers, actually needing mutual consent to drop either of them (not fulfilled)",
		signers: []string{"A", "B"},
		blocks:  []block{{signer: "A", voted: "B", auth: false}},
		results: []string{"A", "B"},
	}, {
		name:    "two signers, actually needing mutual consent to drop either of them (fulfilled)",
		signers: []string{"A", "B"},
		blocks: []block{
			{signer: "A", voted: "B", auth: false},
			{signer: "B", voted: "B", auth: false},
		},
		results: []string{"A"},
	}, {
		name:    "three signers, two of them deciding to drop the third",
		signers: []string{"A", "B", "C"},
		blocks: []block{
			{signer: "A", voted: "C", auth: false},
			{signer: "B", voted: "C", auth: false},
		},
		results: []string{"A", "B"},
	}, {
		name:    "four signers, consensus of two not being enough to drop anyone",
		signers: []string{"A", "B", "C", "D"},
		blocks: []block{
			{signer: "A", voted: "C", auth: false},
			{signer: "B", voted: "C", auth: false},
		},
		results: []string{"A", "B", "C", "D"},
	}, {
		name:    "four signers, consensus of three already being enough to drop someone",
		signers: []string{"A", "B", "C", "D"},
		blocks: []block{
			{signer: "A", voted: "D", auth: false},
			{signer: "B", voted: "D", auth: false},
			{signer: "C", voted: "D", auth: false},
		},
		results: []string{"A", "B", "C"},
	}, {
		name:    "authorizations are counted once per signer per target",
		signers: []string{"A", "B"},
		blocks: []block{
			{signer: "A", voted: "C", auth: true},
			{signer: "B"},
			{signer: "A", voted: "C", auth: true},
			{signer: "B"},
			{signer: "A", voted: "C", auth: true},
		},
		results: []string{"A", "B"},
	}, {
		name:    "authorizing multiple accounts concurrently is permitted",
		signers: []string{"A", "B"},
		blocks: []block{
			{signer: "A", voted: "C", auth: true},
			{signer: "B"},
			{signer: "A", voted: "D", auth: true},
			{signer: "B"},
			{signer: "A"},
			{signer: "B", voted: "D", auth: true},
			{signer: "A"},
			{signer: "B", voted: "C", auth: true},
		},
		results: []string{"A", "B", "C", "D"},
	}, {
		name:    "deauthorizations are counted once per signer per target",
		signers: []string{"A", "B"},
		blocks: []block{
			{signer: "A", voted: "B", auth: false},
			{signer: "B"},
			{signer: "A", voted: "B", auth: false},
			{signer: "B"},
			{signer: "A", voted: "B", auth: false},
		},
		results: []string{"A", "B"},
	}, {
		name:    "deauthorizing multiple accounts concurrently is permitted",
		signers: []string{"A", "B", "C", "D"},
		blocks: []block{
			{signer: "A", voted: "C", auth: false},
			{signer: "B"},
			{signer: "C"},
			{signer: "A", voted: "D", auth: false},
			{signer: "B"},
			{signer: "C"},
			{signer: "A"},
			{signer: "B", voted: "D", auth: false},
			{signer: "C", voted: "D", auth: false},
			{signer: "A"},
			{signer: "B", voted: "C", auth: false},
		},
		results: []string{"A", "B"},
	}, {
		name:    "votes from deauthorized signers are discarded immediately (deauth votes)",
		signers: []string{"A", "B", "C"},
		blocks: []block{
			{signer: "C", voted: "B", auth: false},
			{signer: "A", voted: "C", auth: false},
			{signer: "B", voted: "C", auth: false},
			{signer: "A", voted: "B", auth: false},
		},
		results: []string{"A", "B"},
	}, {
		name:    "votes from deauthorized signers are discarded immediately (auth votes)",
		signers: []string{"A", "B", "C"},
		blocks: []block{
			{signer: "C", voted: "D", auth: true},
			{signer: "A", voted: "C", auth: false},
			{signer: "B", voted: "C", auth: false},
			{signer: "A", voted: "D", auth: true},
		},
		results: []string{"A", "B"},
	}, {
		name:    "cascading changes are not allowed, only the account being voted on may change",
		signers: []string{"A", "B", "C", "D"},
		blocks: []block{
			{signer: "A", voted: "C", auth: false},
			{signer: "B"},
			{signer: "C"},
			{signer: "A", voted: "D", auth: false},
			{signer: "B", voted: "C", auth: false},
			{signer: "C"},
			{signer: "A"},
			{signer: "B", voted: "D", auth: false},
			{signer: "C", voted: "D", auth: false},
		},
		results: []string{"A", "B", "C"},
	}, {
		name:    "changes reaching consensus out of bounds (via a deauth) execute on touch",
		signers: []string{"A", "B", "C", "D"},
		blocks: []block{
			{signer: "A", voted: "C", auth: false},
			{signer: "B"},
			{signer: "C"},
			{signer: "A", voted: "D", auth: false},
			{signer: "B", voted: "C", auth: false},
			{signer: "C"},
			{signer: "A"},
			{signer: "B", voted: "D", auth: false},
			{signer: "C", voted: "D", auth: false},
			{signer: "A"},
			{signer: "C", voted: "C", auth: true},
		},
		results: []string{"A", "B"},
	}, {
		name:    "changes reaching consensus out of bounds (via a deauth) may go out of consensus on first touch",
		signers: []string{"A", "B", "C", "D"},
		blocks: []block{
			{signer: "A", voted: "C", auth: false},
			{signer: "B"},
			{signer: "C"},
			{signer: "A", voted: "D", auth: false},
			{signer: "B", voted: "C", auth: false},
			{signer: "C"},
			{signer: "A"},
			{signer: "B", voted: "D", auth: false},
			{signer: "C", voted: "D", auth: false},
			{signer: "A"},
			{signer: "B", voted: "C", auth: true},
		},
		results: []string{"A", "B", "C"},
	}, {
		// This corner case can only appear if a signer is quickly added,
		// removed and then readded (or the inverse), while one of the
		// original voters dropped. If a past vote is left cached in the
		// system somewhere, this will interfere with the final signer outcome.
		name:    "pending votes don't survive authorization status changes",
		signers: []string{"A", "B", "C", "D", "E"},
		blocks: []block{
			{signer: "A", voted: "F", auth: true}, // Authorize F, 3 votes needed
			{signer: "B", voted: "F", auth: true},
			{signer: "C", voted: "F", auth: true},
			{signer: "D", voted: "F", auth: false}, // Deauthorize F, 4 votes needed (leave A's previous vote "unchanged")
			{signer: "E", voted: "F", auth: false},
			{signer: "B", voted: "F", auth: false},
			{signer: "C", voted: "F", auth: false},
			{signer: "D", voted: "F", auth: true}, // Almost authorize F, 2/3 votes needed
			{signer: "E", voted: "F", auth: true},
			{signer: "B", voted: "A", auth: false}, // Deauthorize A, 3 votes needed
			{signer: "C", voted: "A", auth: false},
			{signer: "D", voted: "A", auth: false},
			{signer: "B", voted: "F", auth: true}, // Finish authorizing F, 3/3 votes needed
		},
		results: []string{"B", "C", "D", "E", "F"},
	}, {
		name:    "epoch transitions reset all votes to allow chain checkpointing",
		epoch:   3,
		signers: []string{"A", "B"},
		blocks: []block{
			{signer: "A", voted: "C", auth: true},
			{signer: "B"},
			{signer: "A", checkpoint: []string{"A", "B"}},
			{signer: "B", voted: "C", auth: true},
		},
		results: []string{"A", "B"},
	}, {
		name:    "an unauthorized signer should not be able to sign blocks",
		signers: []string{"A"},
		blocks:  []block{{signer: "B"}},
		failure: poa.ErrUnauthorizedSigner,
	}, {
		name:    "an authorized signer that signed recently should not be able to sign again",
		signers: []string{"A", "B"},
		blocks: []block{
			{signer: "A"},
			{signer: "A"},
		},
		failure: poa.ErrRecentlySigned,
	}, {
		name:    "recent signatures should not reset on checkpoint blocks imported in a batch",
		epoch:   3,
		signers: []string{"A", "B", "C"},
		blocks: []block{
			{signer: "A"},
			{signer: "B"},
			{signer: "A", checkpoint: []string{"A", "B", "C"}},
			{signer: "A"},
		},
		failure: poa.ErrRecentlySigned,
	},
}

// cairnCases are scenarios beyond EIP-225's table: Cairn's own rules and
// corners of the window and the vote bookkeeping.
var cairnCases = []votingCase{
	{
		name:    "a checkpoint header carries no vote",
		epoch:   2,
		signers: []string{"A", "B"},
		blocks: []block{
			{signer: "A"},
			{signer: "B", voted: "C", auth: true},
		},
		failure: poa.ErrCheckpointVote,
	}, {
		name:    "a dropped signer can no longer seal",
		signers: []string{"A", "B", "C"},
		blocks: []block{
			{signer: "A", voted: "C", auth: false},
			{signer: "B", voted: "C", auth: false}, // C dropped
			{signer: "C"},
		},
		failure: poa.ErrUnauthorizedSigner,
	}, {
		name:    "the window shrinks with the set: a dropped signer frees a slot at once",
		signers: []string{"A", "B", "C", "D"}, // window 3
		blocks: []block{
			{signer: "B", voted: "D", auth: false},
			{signer: "A", voted: "D", auth: false},
			{signer: "C", voted: "D", auth: false}, // D dropped: N=3, window 2
			{signer: "A"},                          // 2 blocks after its last: allowed now
		},
		results: []string{"A", "B", "C"},
	}, {
		name:    "the window grows with the set",
		signers: []string{"A", "B"}, // window 2
		blocks: []block{
			{signer: "A", voted: "C", auth: true},
			{signer: "B", voted: "C", auth: true}, // C added: N=3, window 2
			{signer: "A", voted: "D", auth: true},
			{signer: "B", voted: "D", auth: true}, // D added: N=4, window 3
			{signer: "C"},
			{signer: "D"},
			{signer: "C"}, // 2 blocks after its last: too soon in a window of 3
		},
		failure: poa.ErrRecentlySigned,
	}, {
		name:    "a later vote about the same target replaces the earlier one even when it does not count",
		signers: []string{"A", "B", "C"},
		blocks: []block{
			{signer: "A", voted: "D", auth: true},
			{signer: "B", voted: "D", auth: false}, // ignored: D is no signer
			{signer: "A", voted: "D", auth: false}, // ignored, and withdraws A's add
			{signer: "B", voted: "D", auth: true},  // 1 of 3: not enough
		},
		results: []string{"A", "B", "C"},
	},
}

func TestVotingEIP225(t *testing.T) { runVoting(t, eip225Cases) }

func TestVotingCairn(t *testing.T) { runVoting(t, cairnCases) }

func runVoting(t *testing.T, cases []votingCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			epoch := tc.epoch
			if epoch == 0 {
				epoch = 30000
			}
			snap, err := poa.NewSnapshot(epoch, keys(tc.signers))
			if err != nil {
				t.Fatal(err)
			}
			genesis := snap
			var infos []poa.HeaderInfo
			for i, b := range tc.blocks {
				h := poa.HeaderInfo{Height: uint64(i + 1), Signer: key(b.signer)}
				if b.voted != "" {
					h.Vote = &poa.Vote{Target: key(b.voted), Add: b.auth}
				}
				infos = append(infos, h)
				if b.checkpoint != nil {
					if got := names(snap.Signers()); !slices.Equal(got, b.checkpoint) {
						t.Fatalf("block %d: checkpoint signers %v, want %v", i+1, got, b.checkpoint)
					}
				}
				prev := snap
				before := snapshotText(prev)
				snap, err = snap.Apply(h)
				if after := snapshotText(prev); after != before {
					t.Fatalf("block %d: Apply changed its receiver:\n%s\nto\n%s", i+1, before, after)
				}
				if err != nil {
					if tc.failure == nil || i != len(tc.blocks)-1 {
						t.Fatalf("block %d: %v", i+1, err)
					}
					if !errors.Is(err, tc.failure) || !errors.Is(err, core.CodeBadBlock) {
						t.Fatalf("block %d: error %v, want %v with code %s", i+1, err, tc.failure, core.CodeBadBlock)
					}
					// The batch form fails the same way.
					if _, berr := genesis.ApplyHeaders(infos); !errors.Is(berr, tc.failure) {
						t.Fatalf("ApplyHeaders: %v, want %v", berr, tc.failure)
					}
					return
				}
			}
			if tc.failure != nil {
				t.Fatalf("no error, want %v", tc.failure)
			}
			if got := names(snap.Signers()); !slices.Equal(got, tc.results) {
				t.Fatalf("signers %v, want %v", got, tc.results)
			}
			batch, err := genesis.ApplyHeaders(infos)
			if err != nil {
				t.Fatal(err)
			}
			if a, b := snapshotText(snap), snapshotText(batch); a != b {
				t.Fatalf("Apply one by one:\n%s\nApplyHeaders:\n%s", a, b)
			}
		})
	}
}

// snapshotText renders everything a snapshot holds, for comparisons.
func snapshotText(s *poa.Snapshot) string {
	var b strings.Builder
	b.WriteString("signers:")
	for _, k := range s.Signers() {
		b.WriteString(" " + k.String()[:8])
	}
	b.WriteString("\nrecents:")
	for _, r := range s.Recents() {
		b.WriteString(" " + r.Signer.String()[:8] + "@" + itoa(r.Height))
	}
	b.WriteString("\nvotes:")
	for _, v := range s.Votes() {
		b.WriteString(" " + v.Voter.String()[:8] + ">" + v.Target.String()[:8])
		if v.Add {
			b.WriteString("+")
		} else {
			b.WriteString("-")
		}
	}
	b.WriteString("\nheight: " + itoa(s.Height()))
	return b.String()
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}
