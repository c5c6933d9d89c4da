package chain_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/consensus/poa/poatest"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/cairn-chain/cairn/store"
)

// poaChain is a chain of a PoA genesis with its real engine.
type poaChain struct {
	t   *testing.T
	c   *chain.Chain
	e   *poa.Engine
	clk *fakeClock
}

func newPoAChain(t *testing.T, g *core.Genesis, clk *fakeClock) *poaChain {
	t.Helper()
	e, err := poa.New(g)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.New(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	c, err := chain.New(chain.Config{Genesis: g, Engine: e, DB: db, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &poaChain{t: t, c: c, e: e, clk: clk}
}

// seal returns the next block on the tip, prepared for k (its weight, any
// pending vote) and signed by k, one period after the clock's last block.
func (p *poaChain) seal(k testkit.Key) *core.Block {
	p.t.Helper()
	p.clk.Advance(poatest.PeriodMs)
	p.e.SetSigner(k.Pub)
	blk, err := p.c.Template(k.Addr, nil)
	if err != nil {
		p.t.Fatalf("template for %s: %v", k.Pub, err)
	}
	poatest.Sign(&blk.Header, k)
	return blk
}

// extend seals the next block for k and processes it as the new tip.
func (p *poaChain) extend(k testkit.Key) *core.Block {
	p.t.Helper()
	blk := p.seal(k)
	res, err := p.c.ProcessBlock(blk)
	if err != nil || res.Status != chain.StatusMainChain {
		p.t.Fatalf("block %d by %s: %v %v", blk.Header.Height, k.Pub, res, err)
	}
	return blk
}

// authority is the engine's view after block h (consensus.Authority).
func (p *poaChain) authority(h core.Hash) *consensus.AuthorityInfo {
	p.t.Helper()
	var info *consensus.AuthorityInfo
	var err error
	p.c.ReadHeaders(func(r consensus.ChainReader, _ core.Hash) { info, err = p.e.Authority(r, h) })
	if err != nil {
		p.t.Fatalf("authority after %s: %v", h, err)
	}
	return info
}

// TestPoAReorgAcrossVoteRestoresSigners (issue 13): two branches from the
// genesis, one whose votes add a fourth signer (who then seals on it), one
// heavier without votes. Switching to the heavier one restores the old
// signer set at the new tip, and a block the voted-in signer seals on it
// is refused as not a signer's.
func TestPoAReorgAcrossVoteRestoresSigners(t *testing.T) {
	ks := poatest.Keys(1, 3) // ks[i] in turn at heights i mod 3
	d := testkit.NewKey(42)
	g := poatest.Genesis(ks, 0)
	clk := newClock(g.Timestamp + uint64(time.Hour.Milliseconds()))
	a := newPoAChain(t, g, clk) // the node under test
	b := newPoAChain(t, g, clk) // builds the heavier branch
	old := slices.Clone(g.PoA.Signers)

	// Branch X on a: two in-turn votes to add d (2 of 3 pass), then a
	// block by d.
	a.e.Propose(d.Pub, true)
	x1 := a.extend(ks[1])
	x2 := a.extend(ks[2])
	for i, x := range []*core.Block{x1, x2} {
		if x.Header.Vote.Kind != core.VoteAdd || x.Header.Vote.Target != d.Pub {
			t.Fatalf("block x%d votes %+v, want add %s", i+1, x.Header.Vote, d.Pub)
		}
	}
	a.e.Discard(d.Pub)
	if got := a.authority(x2.Hash()).Signers; len(got) != 4 || !slices.Contains(got, d.Pub) {
		t.Fatalf("signers after the votes: %v, want the 3 and %s", got, d.Pub)
	}
	x3 := a.extend(d)
	xWeight := a.c.Tip().TotalWork

	// Branch Y on b: four in-turn blocks, no votes (weight 8 > X's).
	var ys []*core.Block
	for i := 1; i <= 4; i++ {
		ys = append(ys, b.extend(ks[i%3]))
	}
	if yw := b.c.Tip().TotalWork; yw.Cmp(xWeight) <= 0 {
		t.Fatalf("branch Y weight %v, not above X's %v", yw, xWeight)
	}

	for _, y := range ys {
		if _, err := a.c.ProcessBlock(y); err != nil {
			t.Fatalf("block y%d on a: %v", y.Header.Height, err)
		}
	}
	tip := a.c.Tip()
	if tip.Hash != ys[3].Hash() {
		t.Fatalf("a's tip %d %s, want Y's %s (X's tip was %s)", tip.Height, tip.Hash, ys[3].Hash(), x3.Hash())
	}
	info := a.authority(tip.Hash)
	if !slices.Equal(info.Signers, old) || info.Height != 4 {
		t.Fatalf("signers at the new tip (height %d): %v, want the old set %v", info.Height, info.Signers, old)
	}
	if len(info.Votes) != 0 {
		t.Fatalf("votes at the new tip: %+v, want none", info.Votes)
	}
	if !slices.Contains(old, info.InTurn) {
		t.Fatalf("in turn %s: not an old signer", info.InTurn)
	}
	// The side branch keeps its own view.
	if got := a.authority(x3.Hash()).Signers; len(got) != 4 {
		t.Fatalf("signers after x3: %v, want 4", got)
	}

	// d may not seal on Y: a block prepared for the signer in turn,
	// re-signed by d, is refused; so is one d would prepare itself.
	blk := a.seal(ks[2])
	blk.Header.Signer, blk.Header.Miner, blk.Header.Bits = d.Pub, d.Addr, 1
	poatest.Sign(&blk.Header, d)
	if _, err := a.c.ProcessBlock(blk); !errors.Is(err, poa.ErrUnauthorizedSigner) || !errors.Is(err, core.CodeBadBlock) {
		t.Fatalf("block 5 by the voted-out-by-reorg signer: %v, want %s / %v", err, core.CodeBadBlock, poa.ErrUnauthorizedSigner)
	}
	a.e.SetSigner(d.Pub)
	if _, err := a.c.Template(d.Addr, nil); !errors.Is(err, poa.ErrUnauthorizedSigner) {
		t.Fatalf("template for d on Y: %v, want %v", err, poa.ErrUnauthorizedSigner)
	}
	if tip := a.c.Tip(); tip.Hash != ys[3].Hash() {
		t.Fatalf("tip moved to %d %s", tip.Height, tip.Hash)
	}
	// The old signers go on sealing Y.
	a.extend(ks[2])
}
