package chain_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
)

// newLimitedChain is newTestChain with a maximum reorg depth.
func newLimitedChain(t *testing.T, b *scenarios.Builder, limit int) *chain.Chain {
	t.Helper()
	db, err := store.New(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	c, err := chain.New(chain.Config{Genesis: b.Genesis, Engine: b.Engine, DB: db, Now: newClock(scenarios.StartTime).Now, MaxReorgDepth: limit})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// buildFork builds a main chain m1..m<mainLen> and a branch s.. forking
// depth blocks below its tip, one block longer than what it replaces (so
// heavier: both branches carry the same bits height by height). It
// returns the main chain's and the branch's block names in order.
func buildFork(b *scenarios.Builder, mainLen, depth int) (mainNames, branch []string) {
	parent := scenarios.GenesisLabel
	for i := 1; i <= mainLen; i++ {
		name := fmt.Sprintf("m%d", i)
		b.Next(name, parent, nil, nil)
		mainNames = append(mainNames, name)
		parent = name
	}
	parent = scenarios.GenesisLabel
	if fork := mainLen - depth; fork > 0 {
		parent = mainNames[fork-1]
	}
	k := b.Keys
	for i := 0; i <= depth; i++ {
		name := fmt.Sprintf("s%d", mainLen-depth+1+i)
		// A payment makes the branch's state differ from the main chain's.
		var txs []*core.Tx
		if i == 0 {
			txs = []*core.Tx{b.Tx(2, k[3].Addr, 77, scenarios.MinFee, b.Nonce(parent, 2))}
		}
		b.Next(name, parent, txs, nil)
		branch = append(branch, name)
		parent = name
	}
	return mainNames, branch
}

func feed(t *testing.T, c *chain.Chain, b *scenarios.Builder, names []string) *chain.Result {
	t.Helper()
	var res *chain.Result
	for _, n := range names {
		var err error
		if res, err = c.ProcessBlock(b.Block(n)); err != nil {
			t.Fatalf("block %s: %v", n, err)
		}
	}
	return res
}

// TestMaxReorgDepth: with a limit L, a heavier branch forking L-1 or L
// blocks below the tip is adopted, one forking L+1 blocks below is kept
// as a valid side branch (not invalid, reported in the Result, the tip
// and state unchanged) while the main chain keeps growing; with no limit
// any depth is adopted.
func TestMaxReorgDepth(t *testing.T) {
	const limit = 3
	const mainLen = 6
	for _, tc := range []struct {
		limit, depth int
		adopted      bool
	}{
		{limit, limit - 1, true},
		{limit, limit, true},
		{limit, limit + 1, false},
		{limit, mainLen, false},
		{0, limit + 1, true},
		{0, mainLen, true},
	} {
		t.Run(fmt.Sprintf("limit %d depth %d", tc.limit, tc.depth), func(t *testing.T) {
			b := scenarios.NewBuilder()
			mainNames, branch := buildFork(b, mainLen, tc.depth)
			c := newLimitedChain(t, b, tc.limit)
			feed(t, c, b, mainNames)
			mainTip := c.Tip()
			feed(t, c, b, branch[:len(branch)-1]) // no more work than the tip yet
			res := feed(t, c, b, branch[len(branch)-1:])
			last := b.Block(branch[len(branch)-1]).Hash()
			if tc.adopted {
				if c.TipHash() != last || !res.Reorg() || len(res.Disconnected) != tc.depth || res.RefusedReorg != nil {
					t.Fatalf("tip %s, reorg %v (disconnected %d), refused %+v: want the branch adopted", b.Name(c.TipHash()), res.Reorg(), len(res.Disconnected), res.RefusedReorg)
				}
				want, _ := b.State(branch[len(branch)-1])
				if c.Tip().StateDigest != want.Digest().Sum() {
					t.Fatal("state digest after the reorg differs from the branch's state")
				}
				return
			}
			if c.TipHash() != mainTip.Hash || res.Status != chain.StatusSideChain || res.Reorg() {
				t.Fatalf("tip %s, status %v: want the branch kept on the side", b.Name(c.TipHash()), res.Status)
			}
			r := res.RefusedReorg
			if r == nil || r.Branch != last || r.Depth != tc.depth || r.Limit != tc.limit || r.ForkHeight != uint64(mainLen-tc.depth) {
				t.Fatalf("RefusedReorg = %+v, want depth %d limit %d", r, tc.depth, tc.limit)
			}
			if c.Tip().StateDigest != mainTip.StateDigest || c.IsInvalid(last) || c.IsMainChain(last) {
				t.Fatal("the refused branch changed the state or was marked invalid or main")
			}
			if bi, err := c.BlockByHash(last); err != nil || bi.MainChain {
				t.Fatalf("the refused branch is not stored as a side branch: %v", err)
			}
			// The branch keeps growing: still refused.
			b.Next("s-more", branch[len(branch)-1], nil, nil)
			if res := feed(t, c, b, []string{"s-more"}); res.RefusedReorg == nil || c.TipHash() != mainTip.Hash {
				t.Fatal("a longer refused branch was adopted")
			}
			// The main chain still grows.
			b.Next("m-next", mainNames[len(mainNames)-1], nil, nil)
			if res := feed(t, c, b, []string{"m-next"}); res.Status != chain.StatusMainChain {
				t.Fatalf("main chain block after a refusal: %v", res.Status)
			}
		})
	}
}

// TestMaxReorgDepthPicksAllowedBranch: when the heaviest branch is too
// deep, a lighter branch that still beats the tip and is within the limit
// is adopted instead.
func TestMaxReorgDepthPicksAllowedBranch(t *testing.T) {
	b := scenarios.NewBuilder()
	mainNames, deep := buildFork(b, 6, 4) // s3..s7 from m2
	// A shallow branch from m5 with one block more than the main chain
	// (7 blocks) but fewer than the deep branch extended to 8.
	b.Next("t6", "m5", nil, func(h *core.Header) { h.Timestamp++ }) // not m6 again
	b.Next("t7", "t6", nil, nil)
	b.Next("s8", deep[len(deep)-1], nil, nil)
	c := newLimitedChain(t, b, 2)
	feed(t, c, b, mainNames)
	feed(t, c, b, []string{"t6"}) // ties m6: side
	feed(t, c, b, deep)           // s3..s7: heavier, too deep
	res := feed(t, c, b, []string{"s8"})
	if res.RefusedReorg == nil {
		t.Fatal("the deep branch was not refused")
	}
	res = feed(t, c, b, []string{"t7"})
	if c.TipHash() != b.Block("t7").Hash() || len(res.Disconnected) != 1 {
		t.Fatalf("tip %s (disconnected %d, status %v): want the shallow branch t7", b.Name(c.TipHash()), len(res.Disconnected), res.Status)
	}
}

// TestChildOfHeldBlockIsHeld: a block whose parent is held (from the
// future) is held with it, not pooled as an orphan (whose sender would be
// suspect), and both connect when the clock catches up.
func TestChildOfHeldBlockIsHeld(t *testing.T) {
	b := scenarios.NewBuilder()
	clock := newClock(scenarios.StartTime)
	c, _ := newTestChain(t, b, clock)
	mainNames, _ := buildFork(b, 6, 0)
	feed(t, c, b, mainNames)
	future := uint64(scenarios.StartTime + 10*60_000)
	b.Next("f1", "m6", nil, func(h *core.Header) { h.Timestamp = future })
	// The child's own timestamp is acceptable now (after the median time
	// past, which one block from the future does not move).
	b.Next("f2", "f1", nil, func(h *core.Header) { h.Timestamp = scenarios.StartTime })
	for _, n := range []string{"f1", "f2"} {
		res, err := c.ProcessBlock(b.Block(n))
		if err != nil || res.Status != chain.StatusHeld {
			t.Fatalf("%s: status %v, %v: want held", n, res.Status, err)
		}
	}
	if orphans, held := c.PoolSizes(); orphans != 0 || held != 2 {
		t.Fatalf("pools: %d orphans, %d held", orphans, held)
	}
	// In the other order: the child first (an orphan), then its parent
	// from the future: the orphan is held with it.
	b.Next("g1", "m6", nil, func(h *core.Header) { h.Timestamp = future + 1 })
	b.Next("g2", "g1", nil, func(h *core.Header) { h.Timestamp = scenarios.StartTime })
	if res, err := c.ProcessBlock(b.Block("g2")); err != nil || res.Status != chain.StatusOrphan {
		t.Fatalf("g2 alone: %v, %v: want orphan", res.Status, err)
	}
	if res, err := c.ProcessBlock(b.Block("g1")); err != nil || res.Status != chain.StatusHeld {
		t.Fatalf("g1: %v, %v: want held", res.Status, err)
	}
	if orphans, held := c.PoolSizes(); orphans != 0 || held != 4 || !c.IsHeld(b.Block("g2").Hash()) {
		t.Fatalf("pools: %d orphans, %d held: want the orphan held with its parent", orphans, held)
	}
	clock.Advance(10*60_000 + 1)
	res, err := c.RetryHeld()
	if err != nil || c.TipHash() != b.Block("f2").Hash() || len(res.Connected) != 2 {
		t.Fatalf("after the clock caught up: tip %s, %v", b.Name(c.TipHash()), err)
	}
	if orphans, held := c.PoolSizes(); orphans != 0 || held != 0 || !c.HasBlock(b.Block("g2").Hash()) {
		t.Fatalf("after the clock caught up: %d orphans, %d held", orphans, held)
	}
}

// TestTemplateRefusesFutureTip: a node whose tip was built with a clock
// hours ahead (its own, since fixed) cannot build a block that it and its
// peers would accept now: Template says so instead of handing the miner a
// block that would be held.
func TestTemplateRefusesFutureTip(t *testing.T) {
	b := scenarios.NewBuilder()
	ahead := uint64(3 * 3600_000)
	clock := newClock(scenarios.StartTime + ahead)
	c, _ := newTestChain(t, b, clock)
	parent := scenarios.GenesisLabel
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("a%d", i)
		ts := scenarios.StartTime + ahead + uint64(i)*scenarios.BlockTime
		b.Next(name, parent, nil, func(h *core.Header) { h.Timestamp = ts })
		feed(t, c, b, []string{name})
		parent = name
	}
	if _, err := c.Template(b.Keys[0].Addr, nil); err != nil {
		t.Fatalf("template with the fast clock: %v", err)
	}
	clock.ms.Store(int64(scenarios.StartTime)) // the clock is fixed
	_, err := c.Template(b.Keys[0].Addr, nil)
	if !errors.Is(err, chain.ErrFutureTip) {
		t.Fatalf("template on a future tip: %v, want ErrFutureTip", err)
	}
}

// TestOpenDamagedStore: a store that lost recent records (a height
// record, undo data, the tip record) is refused by New with an error
// wrapping store.ErrCorrupt, instead of opening at a wrong state.
func TestOpenDamagedStore(t *testing.T) {
	b := scenarios.NewBuilder()
	mainNames, _ := buildFork(b, 5, 1)
	for _, tc := range []struct {
		name   string
		damage func(*store.Batch)
	}{
		{"height record", func(bt *store.Batch) { bt.DeleteHashAt(4) }},
		{"undo data", func(bt *store.Batch) { bt.DeleteUndo(b.Block("m5").Hash()) }},
		{"tip record", func(bt *store.Batch) { bt.SetTip(store.Tip{Hash: core.Hash{1}, Height: 5}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kv := store.NewMemory()
			db, _ := store.New(kv)
			c, err := chain.New(chain.Config{Genesis: b.Genesis, Engine: b.Engine, DB: db, Now: newClock(scenarios.StartTime).Now})
			if err != nil {
				t.Fatal(err)
			}
			feed(t, c, b, mainNames)
			bt := db.NewBatch()
			tc.damage(bt)
			if err := bt.Commit(); err != nil {
				t.Fatal(err)
			}
			db2, _ := store.New(kv)
			_, err = chain.New(chain.Config{Genesis: b.Genesis, Engine: b.Engine, DB: db2, Now: newClock(scenarios.StartTime).Now})
			if !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("opened a damaged store: %v", err)
			}
		})
	}
}
