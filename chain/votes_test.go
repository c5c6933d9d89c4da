package chain_test

import (
	"slices"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/consensus/poa/poatest"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// TestVoteHeaders: the main chain's vote-bearing headers are listed in
// order, by pages of limit headers and of scan heights, below a bound.
func TestVoteHeaders(t *testing.T) {
	ks := poatest.Keys(1, 3)
	d, e := testkit.NewKey(42), testkit.NewKey(43)
	g := poatest.Genesis(ks, 0)
	clk := newClock(g.Timestamp + uint64(time.Hour.Milliseconds()))
	p := newPoAChain(t, g, clk)
	// Heights 1 and 2 vote d in (2 of 3), height 8 votes for e.
	order := []testkit.Key{ks[1], ks[2], d, ks[0], ks[1], ks[2], d, ks[0], ks[1], ks[2], d, ks[0]}
	p.e.Propose(d.Pub, true)
	for i, k := range order {
		h := uint64(i + 1)
		switch h {
		case 3:
			p.e.Discard(d.Pub)
		case 8:
			p.e.Propose(e.Pub, true)
		case 9:
			p.e.Discard(e.Pub)
		}
		p.extend(k)
	}
	heights := func(hs []core.Header, hashes []core.Hash) []uint64 {
		var out []uint64
		for i, h := range hs {
			if h.Vote.Kind == core.VoteNone || h.Hash() != hashes[i] {
				t.Fatalf("listed header %d: vote %+v, hash %s for %s", h.Height, h.Vote, hashes[i], h.Hash())
			}
			out = append(out, h.Height)
		}
		return out
	}
	for _, tc := range []struct {
		from, below uint64
		limit, scan int
		want        []uint64
		next        uint64
	}{
		{1, 100, 100, 1000, []uint64{1, 2, 8}, 13}, // below clamped to the tip + 1
		{1, 100, 2, 1000, []uint64{1, 2}, 3},
		{3, 100, 2, 1000, []uint64{8}, 13},
		{1, 100, 100, 5, []uint64{1, 2}, 6},
		{6, 100, 100, 5, []uint64{8}, 11},
		{1, 8, 100, 1000, []uint64{1, 2}, 8},
		{9, 8, 100, 1000, nil, 8},
	} {
		hs, hashes, next := p.c.VoteHeaders(tc.from, tc.below, tc.limit, tc.scan)
		if got := heights(hs, hashes); next != tc.next || !slices.Equal(got, tc.want) {
			t.Errorf("VoteHeaders(%d, %d, %d, %d) = %v next %d, want %v next %d", tc.from, tc.below, tc.limit, tc.scan, got, next, tc.want, tc.next)
		}
	}
}
