package chain_test

import (
	"bytes"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
)

// fakeClock is a settable clock in unix milliseconds.
type fakeClock struct{ ms atomic.Int64 }

func newClock(ms uint64) *fakeClock {
	c := &fakeClock{}
	c.ms.Store(int64(ms))
	return c
}

func (c *fakeClock) Now() time.Time    { return time.UnixMilli(c.ms.Load()) }
func (c *fakeClock) Advance(ms uint64) { c.ms.Add(int64(ms)) }

func newTestChain(t testing.TB, b *scenarios.Builder, clock *fakeClock) (*chain.Chain, *store.DB) {
	t.Helper()
	db, err := store.New(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	c, err := chain.New(chain.Config{Genesis: b.Genesis, Engine: b.Engine, DB: db, Now: clock.Now, SigCache: core.NewSigCache(1000)})
	if err != nil {
		t.Fatal(err)
	}
	return c, db
}

var outcomeOf = map[chain.Status]scenarios.Outcome{
	chain.StatusMainChain: scenarios.MainChain,
	chain.StatusSideChain: scenarios.SideChain,
	chain.StatusOrphan:    scenarios.Orphan,
	chain.StatusHeld:      scenarios.Held,
}

// TestScenarios runs the scenario vectors against one chain, checking every
// outcome, rule code, tip, and state digest.
func TestScenarios(t *testing.T) {
	b, steps := scenarios.Generate()
	clock := newClock(scenarios.StartTime)
	c, _ := newTestChain(t, b, clock)
	for i, s := range steps {
		var res *chain.Result
		var err error
		if s.Block == nil {
			clock.Advance(s.AdvanceMs)
			res, err = c.RetryHeld()
			if err != nil {
				t.Fatalf("step %d %s: %v", i, s.Name, err)
			}
		} else {
			res, err = c.ProcessBlock(s.Block)
			switch {
			case s.Want == scenarios.Rejected:
				if err == nil {
					t.Fatalf("step %d %s: accepted (%v), want rejection with %s", i, s.Name, res.Status, s.Code)
				}
				if !errors.Is(err, s.Code) || !core.IsRuleError(err) {
					t.Fatalf("step %d %s: error %v, want code %s", i, s.Name, err, s.Code)
				}
				var re *core.RuleError
				if !errors.As(err, &re) || re.Msg == "" {
					t.Fatalf("step %d %s: not a RuleError with a message: %v", i, s.Name, err)
				}
			case err != nil:
				t.Fatalf("step %d %s: %v", i, s.Name, err)
			case outcomeOf[res.Status] != s.Want:
				t.Fatalf("step %d %s: status %v, want %v", i, s.Name, res.Status, s.Want)
			}
		}
		tip := c.Tip()
		if s.Tip != "" && tip.Hash != b.Block(s.Tip).Hash() {
			t.Fatalf("step %d %s: tip is %s (%s), want %s", i, s.Name, b.Name(tip.Hash), tip.Hash, s.Tip)
		}
		// The state digest always matches the builder's independent state.
		want, ok := b.State(b.Name(tip.Hash))
		if !ok {
			t.Fatalf("step %d %s: tip %s has no expected state", i, s.Name, b.Name(tip.Hash))
		}
		if tip.StateDigest != want.Digest().Sum() {
			t.Fatalf("step %d %s: state digest differs from the expected state", i, s.Name)
		}
		for key, val := range want {
			got, err := c.State().Get([]byte(key))
			if err != nil || !bytes.Equal(got, val) {
				t.Fatalf("step %d %s: state record %x = %x, want %x (%v)", i, s.Name, key, got, val, err)
			}
		}
		if s.FreshDigest {
			fresh, _ := newTestChain(t, b, newClock(scenarios.StartTime+1_000_000))
			for _, blk := range b.Branch(s.Tip) {
				if _, err := fresh.ProcessBlock(blk); err != nil {
					t.Fatalf("step %d: fresh node: %v", i, err)
				}
			}
			if fresh.Tip().StateDigest != tip.StateDigest || fresh.Tip().Hash != tip.Hash {
				t.Fatalf("step %d %s: a node that saw only the branch has another digest", i, s.Name)
			}
		}
	}
}

// TestReorgReportsNetChange checks the Connected/Disconnected lists and that
// A -> B -> A returns the same digest.
func TestReorgABA(t *testing.T) {
	b := scenarios.NewBuilder()
	k := b.Keys
	b.Next("a1", scenarios.GenesisLabel, []*core.Tx{b.Tx(1, k[2].Addr, 100, scenarios.MinFee, 0)}, nil)
	b.Next("a2", "a1", nil, nil)
	b.Next("c1", scenarios.GenesisLabel, []*core.Tx{b.Tx(2, k[3].Addr, 100, scenarios.MinFee, 0)}, nil)
	b.Next("c2", "c1", nil, nil)
	b.Next("c3", "c2", nil, nil)
	b.Next("a3", "a2", nil, nil)
	b.Next("a4", "a3", nil, nil)
	c, _ := newTestChain(t, b, newClock(scenarios.StartTime))
	for _, n := range []string{"a1", "a2"} {
		if _, err := c.ProcessBlock(b.Block(n)); err != nil {
			t.Fatal(err)
		}
	}
	digestA := c.Tip().StateDigest
	for _, n := range []string{"c1", "c2"} {
		if _, err := c.ProcessBlock(b.Block(n)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := c.ProcessBlock(b.Block("c3"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Reorg() || len(res.Disconnected) != 2 || len(res.Connected) != 3 || res.Connected[0].Hash() != b.Block("c1").Hash() || res.Disconnected[0].Hash() != b.Block("a2").Hash() {
		t.Fatalf("reorg to c3: disconnected %d connected %d", len(res.Disconnected), len(res.Connected))
	}
	if c.Tip().StateDigest == digestA {
		t.Fatal("branch C has branch A's digest")
	}
	if _, err := c.ProcessBlock(b.Block("a3")); err != nil {
		t.Fatal(err)
	}
	res, err = c.ProcessBlock(b.Block("a4"))
	if err != nil || !res.Reorg() {
		t.Fatalf("reorg back to A: %v", err)
	}
	// Undo a3 and a4's effect by comparing with the builder's state.
	want, _ := b.State("a4")
	if c.Tip().StateDigest != want.Digest().Sum() {
		t.Fatal("digest after A -> C -> A differs from branch A's state")
	}
	// Rewards only differ from a2 by two blocks of reward to key 0.
	st2, _ := b.State("a2")
	if st2.Digest().Sum() != digestA {
		t.Fatal("digest at a2 differs from the builder's")
	}
	// Tx lookups follow the main chain.
	idA := b.Block("a1").Txs[0].ID()
	idC := b.Block("c1").Txs[0].ID()
	if _, err := c.Tx(idA); err != nil {
		t.Fatalf("tx of branch A not found after returning to A: %v", err)
	}
	if _, err := c.Tx(idC); !errors.Is(err, core.CodeNotFound) {
		t.Fatalf("tx of abandoned branch C still indexed: %v", err)
	}
}

// TestRestart reopens the same store and finds the same chain.
func TestRestart(t *testing.T) {
	b, steps := scenarios.Generate()
	kv := store.NewMemory()
	db, _ := store.New(kv)
	clock := newClock(scenarios.StartTime + 10*60_000)
	c, err := chain.New(chain.Config{Genesis: b.Genesis, Engine: b.Engine, DB: db, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if s.Block != nil {
			_, _ = c.ProcessBlock(s.Block)
		}
	}
	before := c.Tip()
	db2, _ := store.New(kv)
	c2, err := chain.New(chain.Config{Genesis: b.Genesis, Engine: b.Engine, DB: db2, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	after := c2.Tip()
	if after.Hash != before.Hash || after.StateDigest != before.StateDigest || after.TotalWork.Cmp(before.TotalWork) != 0 {
		t.Fatalf("reopened chain differs: %v vs %v", after, before)
	}
	// Invalid blocks are still remembered after a restart.
	if !c2.IsInvalid(b.Block("x7").Hash()) || !c2.IsInvalid(b.Block("x5").Hash()) {
		t.Fatal("invalid blocks forgotten after restart")
	}
	// Another genesis refuses this store.
	other := scenarios.NewBuilder()
	other.Genesis.MinFee++
	if _, err := chain.New(chain.Config{Genesis: other.Genesis, Engine: b.Engine, DB: db2, Now: clock.Now}); err == nil {
		t.Fatal("opened a store of another chain")
	}
}

// TestProofsAndTemplate checks inclusion proofs of confirmed txs and that
// templates extend the tip with only valid txs.
func TestProofsAndTemplate(t *testing.T) {
	b := scenarios.NewBuilder()
	k := b.Keys
	txs := []*core.Tx{b.Tx(1, k[2].Addr, 100, scenarios.MinFee, 0), b.Tx(1, k[2].Addr, 100, scenarios.MinFee, 1), b.Tx(2, k[3].Addr, 5, scenarios.MinFee, 0)}
	b.Next("p1", scenarios.GenesisLabel, txs, nil)
	c, _ := newTestChain(t, b, newClock(scenarios.StartTime))
	if _, err := c.ProcessBlock(b.Block("p1")); err != nil {
		t.Fatal(err)
	}
	for i, tx := range txs {
		p, err := c.TxProof(tx.ID())
		if err != nil {
			t.Fatal(err)
		}
		if p.Index != uint32(i) || p.Size != 3 || p.Verify() != nil {
			t.Fatalf("proof %d: %+v", i, p)
		}
		p.Branch[0][0] ^= 1
		if p.Verify() == nil {
			t.Fatal("tampered proof verified")
		}
	}
	good := b.Tx(1, k[3].Addr, 1, scenarios.MinFee, 2)
	stale := b.Tx(1, k[3].Addr, 1, scenarios.MinFee, 0) // nonce used
	broke := b.Tx(3, k[2].Addr, 10*scenarios.FundPerKey, scenarios.MinFee, 0)
	tmpl, err := c.Template(k[0].Addr, []*core.Tx{stale, good, broke})
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Txs) != 1 || tmpl.Txs[0].ID() != good.ID() || tmpl.Header.Height != 2 || tmpl.Header.PrevHash != c.TipHash() {
		t.Fatalf("template: %d txs, height %d", len(tmpl.Txs), tmpl.Header.Height)
	}
	for tmpl.Header.Nonce = 0; b.Engine.VerifySeal(&tmpl.Header) != nil; tmpl.Header.Nonce++ {
	}
	res, err := c.ProcessBlock(tmpl)
	if err != nil || res.Status != chain.StatusMainChain {
		t.Fatalf("mined template rejected: %v", err)
	}
}
