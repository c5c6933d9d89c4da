package poa_test

import (
	"errors"
	"testing"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/consensus/poa/poatest"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

func newEngine(t testing.TB, signers []testkit.Key, epoch uint64) (*poa.Engine, *poatest.Chain) {
	t.Helper()
	g := poatest.Genesis(signers, epoch)
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	e, err := poa.New(g)
	if err != nil {
		t.Fatal(err)
	}
	return e, poatest.NewChain(g)
}

// TestSealInAndOutOfTurn: three signers seal in turn (weight 2), then one
// out of turn (weight 1); each header passes VerifySeal and CheckHeader,
// and Author and Work follow.
func TestSealInAndOutOfTurn(t *testing.T) {
	ks := poatest.Keys(1, 3)
	e, c := newEngine(t, ks, 0)
	tip := c.Genesis
	for h := 1; h <= 6; h++ {
		tip = poatest.Extend(t, e, c, &tip, ks[h%3])
		if tip.Bits != poa.WeightInTurn || e.Work(&tip).Int64() != 2 {
			t.Fatalf("block %d in turn: bits %d, work %v", h, tip.Bits, e.Work(&tip))
		}
		if e.Author(&tip) != ks[h%3].Addr || tip.Miner != ks[h%3].Addr {
			t.Fatalf("block %d: author %s, want the signer's %s", h, e.Author(&tip), ks[h%3].Addr)
		}
	}
	// Height 7 is ks[1]'s turn; ks[2] (not the signer of 6) seals out of turn.
	tip = poatest.Extend(t, e, c, &tip, ks[2])
	if tip.Bits != poa.WeightOutOfTurn {
		t.Fatalf("out of turn: bits %d, want 1", tip.Bits)
	}
	s, err := e.Snapshot(nil, tip.Hash())
	if err != nil || s.Height() != 7 {
		t.Fatalf("snapshot of the tip: %v, %v", s, err)
	}
}

// TestRejections: each broken header fails with its code and reason.
func TestRejections(t *testing.T) {
	ks := poatest.Keys(1, 3)
	outsider := testkit.NewKey(99)
	e, c := newEngine(t, ks, 4)
	g := c.Genesis
	b1 := poatest.Extend(t, e, c, &g, ks[1])
	b2 := poatest.Extend(t, e, c, &b1, ks[2])
	b3 := poatest.Extend(t, e, c, &b2, ks[0])

	type tc struct {
		name   string
		header func() core.Header
		code   core.Code
		reason error
	}
	resign := func(h core.Header, k testkit.Key) core.Header { poatest.Sign(&h, k); return h }
	cases := []tc{
		{"non-signer", func() core.Header {
			h := poatest.Next(t, e, c, &b1, ks[0]) // height 2, ks[2]'s turn
			h.Signer, h.Miner = outsider.Pub, outsider.Addr
			return resign(h, outsider)
		}, core.CodeBadBlock, poa.ErrUnauthorizedSigner},
		{"signed too soon again", func() core.Header {
			// ks[1] sealed block 1; with 3 signers the limit is 2.
			h := poatest.Next(t, e, c, &b1, ks[1])
			return resign(h, ks[1])
		}, core.CodeBadBlock, poa.ErrRecentlySigned},
		{"bad signature", func() core.Header {
			h := resign(poatest.Next(t, e, c, &b1, ks[2]), ks[2])
			h.Signature[5] ^= 1
			return h
		}, core.CodeBadPoW, poa.ErrBadSignature},
		{"signed by another key", func() core.Header {
			return resign(poatest.Next(t, e, c, &b1, ks[2]), ks[0])
		}, core.CodeBadPoW, poa.ErrBadSignature},
		{"miner not the signer", func() core.Header {
			h := poatest.Next(t, e, c, &b1, ks[2])
			h.Miner = ks[0].Addr
			return resign(h, ks[2])
		}, core.CodeBadPoW, poa.ErrMinerNotSigner},
		{"nonce", func() core.Header {
			h := poatest.Next(t, e, c, &b1, ks[2])
			h.Nonce = 1
			return resign(h, ks[2])
		}, core.CodeBadPoW, poa.ErrNonceNotZero},
		{"wrong weight", func() core.Header {
			h := poatest.Next(t, e, c, &b1, ks[2]) // in turn: 2
			h.Bits = poa.WeightOutOfTurn
			return resign(h, ks[2])
		}, core.CodeBadBits, nil},
		{"out-of-turn claims in-turn weight", func() core.Header {
			h := poatest.Next(t, e, c, &b1, ks[0])
			h.Bits = poa.WeightInTurn
			return resign(h, ks[0])
		}, core.CodeBadBits, nil},
		{"timestamp before parent + period", func() core.Header {
			h := poatest.Next(t, e, c, &b1, ks[2])
			h.Timestamp = b1.Timestamp + poatest.PeriodMs - 1
			return resign(h, ks[2])
		}, core.CodeBadTimestamp, nil},
		{"vote at an epoch boundary", func() core.Header {
			h := poatest.Next(t, e, c, &b3, ks[1]) // height 4, epoch 4
			h.Vote = core.Vote{Kind: core.VoteAdd, Target: outsider.Pub}
			return resign(h, ks[1])
		}, core.CodeBadBlock, poa.ErrCheckpointVote},
		{"version 1", func() core.Header {
			h := poatest.Next(t, e, c, &b1, ks[2])
			h.Version = core.BlockVersion
			return h
		}, core.CodeBadVersion, nil},
		{"malformed vote kind", func() core.Header {
			h := poatest.Next(t, e, c, &b1, ks[2])
			h.Vote = core.Vote{Kind: 3, Target: outsider.Pub}
			return resign(h, ks[2])
		}, core.CodeMalformed, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header()
			err := poatest.Check(e, c, &h)
			if err == nil {
				t.Fatal("accepted")
			}
			if core.CodeOf(err) != tc.code {
				t.Fatalf("code %q, want %q: %v", core.CodeOf(err), tc.code, err)
			}
			if tc.reason != nil && !errors.Is(err, tc.reason) {
				t.Fatalf("error %v is not %v", err, tc.reason)
			}
		})
	}
	// The valid header at height 4 (no vote) is accepted.
	poatest.Extend(t, e, c, &b3, ks[1])
}

// TestPrepareNeedsASigner: without a signer in the header or a local
// signer Prepare fails; an outsider cannot prepare.
func TestPrepareNeedsASigner(t *testing.T) {
	ks := poatest.Keys(1, 3)
	e, c := newEngine(t, ks, 0)
	h := core.Header{Version: core.BlockVersion, Height: 1, PrevHash: c.Genesis.Hash(), Timestamp: 5}
	if err := e.Prepare(c, &h); !errors.Is(err, poa.ErrNoLocalSigner) {
		t.Fatalf("no signer: %v", err)
	}
	e.SetSigner(ks[1].Pub)
	if err := e.Prepare(c, &h); err != nil {
		t.Fatal(err)
	}
	if h.Version != core.BlockVersionSigned || h.Signer != ks[1].Pub || h.Miner != ks[1].Addr || h.Bits != 2 ||
		h.Timestamp != c.Genesis.Timestamp+poatest.PeriodMs {
		t.Fatalf("prepared %+v", h)
	}
	h2 := core.Header{Height: 1, PrevHash: c.Genesis.Hash(), Signer: testkit.NewKey(99).Pub}
	if err := e.Prepare(c, &h2); !errors.Is(err, poa.ErrUnauthorizedSigner) {
		t.Fatalf("outsider: %v", err)
	}
}

// TestVoteAddsSigner: proposals ride in prepared headers; when two of
// three signers voted, the target is a signer after the second vote's
// block, whichever signer voted first, and every way of checking or
// querying the headers agrees: one by one on a warm engine, the last one
// alone on a cold engine (its signer set rebuilt from the chain), or a
// snapshot read cold. A sibling branch without the votes keeps the old set.
func TestVoteAddsSigner(t *testing.T) {
	ks := poatest.Keys(1, 3)
	newcomer := testkit.NewKey(50)
	for _, order := range [][2]int{{1, 2}, {2, 1}} {
		e, c := newEngine(t, ks, 0)
		e.Propose(newcomer.Pub, true)
		if ps := e.Proposals(); len(ps) != 1 || ps[0] != (consensus.Proposal{Target: newcomer.Pub, Add: true}) {
			t.Fatalf("proposals %v", ps)
		}
		g := c.Genesis
		b1 := poatest.Extend(t, e, c, &g, ks[order[0]])
		b2 := poatest.Extend(t, e, c, &b1, ks[order[1]])
		for i, b := range []core.Header{b1, b2} {
			if b.Vote != (core.Vote{Kind: core.VoteAdd, Target: newcomer.Pub}) {
				t.Fatalf("block %d vote %+v", i+1, b.Vote)
			}
		}
		// Snapshots: 1 vote after b1, a signer after b2.
		check := func(name string, e *poa.Engine, chain consensus.ChainReader) {
			t.Helper()
			s1, err := e.Snapshot(chain, b1.Hash())
			if err != nil {
				t.Fatal(err)
			}
			s2, err := e.Snapshot(chain, b2.Hash())
			if err != nil {
				t.Fatal(err)
			}
			if s1.IsSigner(newcomer.Pub) || len(s1.Tallies()) != 1 || !s2.IsSigner(newcomer.Pub) || s2.Len() != 4 || len(s2.Votes()) != 0 {
				t.Fatalf("order %v, %s: after b1 signer=%v tallies=%v; after b2 signer=%v n=%d votes=%v", order, name,
					s1.IsSigner(newcomer.Pub), s1.Tallies(), s2.IsSigner(newcomer.Pub), s2.Len(), s2.Votes())
			}
		}
		check("warm", e, nil)
		cold, _ := newEngine(t, ks, 0)
		check("cold snapshot", cold, c)
		cold2, _ := newEngine(t, ks, 0)
		if err := poatest.Check(cold2, c, &b2); err != nil {
			t.Fatal(err)
		}
		check("b2 checked alone", cold2, nil)
		// Once the target is a signer, the proposal no longer votes.
		b3 := poatest.Next(t, e, c, &b2, ks[0])
		if b3.Vote.Kind != core.VoteNone {
			t.Fatalf("vote %+v after the target was added", b3.Vote)
		}
		// A sibling of b2 without the vote: the set is the genesis's.
		e.Discard(newcomer.Pub)
		other := poatest.Extend(t, e, c, &b1, ks[3-order[0]-order[1]])
		if s, _ := e.Snapshot(c, other.Hash()); s.IsSigner(newcomer.Pub) || s.Len() != 3 {
			t.Fatalf("sibling without the vote: %v", s.Signers())
		}
		info, err := e.Authority(c, b2.Hash())
		if err != nil || info.Height != 2 || len(info.Signers) != 4 || info.PeriodMs != poatest.PeriodMs || info.Engine != "poa" {
			t.Fatalf("authority %+v, %v", info, err)
		}
		if s, _ := e.Snapshot(c, b2.Hash()); !s.InTurn(3, info.InTurn) {
			t.Fatalf("in turn at 3: %s", info.InTurn)
		}
	}
}

// TestPreferTieOrderIndependent: two siblings of equal weight (both out of
// turn) are ordered the same way whichever is current, on every engine.
func TestPreferTieOrderIndependent(t *testing.T) {
	ks := poatest.Keys(1, 5)
	e, c := newEngine(t, ks, 0)
	g := c.Genesis
	b1 := poatest.Extend(t, e, c, &g, ks[1])
	// Height 2 is ks[2]'s turn: ks[3] and ks[4] seal out of turn.
	x := poatest.Extend(t, e, c, &b1, ks[3])
	y := poatest.Extend(t, e, c, &b1, ks[4])
	if e.Work(&x).Cmp(e.Work(&y)) != 0 {
		t.Fatal("unequal weights")
	}
	xy, yx := e.PreferTie(c, &x, &y), e.PreferTie(c, &y, &x)
	if xy == yx {
		t.Fatalf("PreferTie(x, y) = %v and PreferTie(y, x) = %v: not a strict order", xy, yx)
	}
	if e.PreferTie(c, &x, &x) {
		t.Fatal("a header preferred to itself")
	}
	cold, _ := newEngine(t, ks, 0)
	if cold.PreferTie(c, &y, &x) != yx || cold.PreferTie(c, &x, &y) != xy {
		t.Fatal("another engine orders the tips differently")
	}
	// EIP-3436 rule 3: at height 2, x's signer (index 3) was last in turn
	// (2-3) mod 5 = 4 blocks ago, y's (index 4) 3 blocks ago: the larger
	// distance wins, so x is kept and y would be replaced by x.
	if xy || !yx {
		t.Fatalf("EIP-3436 rule 3: x should win (PreferTie(x, y) = %v, PreferTie(y, x) = %v)", xy, yx)
	}
}
