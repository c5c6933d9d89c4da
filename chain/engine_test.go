package chain_test

import (
	"context"
	"testing"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/fake"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/cairn-chain/cairn/store"
)

// recordingEngine is the fake engine, recording which ancestors the chain
// lets it read while it checks headers.
type recordingEngine struct {
	*fake.Engine
	missing int // CheckHeader calls whose ancestors the reader did not know
}

func (e *recordingEngine) CheckHeader(r consensus.ChainReader, h, parent *core.Header) error {
	// A history-dependent engine (PoA) walks back from the parent: every
	// ancestor down to the genesis must be readable, in a batch too.
	for p := *parent; p.Height > 0; {
		anc, ok := r.HeaderByHash(p.PrevHash)
		if !ok {
			e.missing++
			break
		}
		p = *anc
	}
	return e.Engine.CheckHeader(r, h, parent)
}

func newFakeEngineChain(t *testing.T, eng consensus.Engine) (*chain.Chain, *core.Genesis) {
	t.Helper()
	g := testkit.Genesis("fake-engine", nil)
	db, err := store.New(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	clock := newClock(g.Timestamp + 3_600_000)
	c, err := chain.New(chain.Config{Genesis: g, Engine: eng, DB: db, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c, g
}

// sealedTemplate builds a template on c's tip paying miner and seals it
// with the fake engine.
func sealedTemplate(t *testing.T, c *chain.Chain, s consensus.Sealer, miner core.Address) *core.Block {
	t.Helper()
	blk, err := c.Template(miner, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, ok, err := s.Seal(context.Background(), blk.Header, consensus.SealOptions{})
	if err != nil || !ok {
		t.Fatalf("fake seal: %v %v", ok, err)
	}
	blk.Header = h
	return blk
}

// TestEngineBreaksTies: between two tips of equal weight the chain keeps
// the first seen unless the engine prefers the other (PoW never does).
func TestEngineBreaksTies(t *testing.T) {
	for _, prefer := range []bool{false, true} {
		eng := fake.New()
		if prefer {
			eng.Tie = func(_ consensus.ChainReader, current, candidate *core.Header) bool { return true }
		}
		c, _ := newFakeEngineChain(t, eng)
		a := sealedTemplate(t, c, eng, core.Address{0xa})
		b := sealedTemplate(t, c, eng, core.Address{0xb}) // same parent, same weight
		if res, err := c.ProcessBlock(a); err != nil || res.Status != chain.StatusMainChain {
			t.Fatalf("a: %+v %v", res, err)
		}
		res, err := c.ProcessBlock(b)
		if err != nil {
			t.Fatal(err)
		}
		want, wantStatus := a.Hash(), chain.StatusSideChain
		if prefer {
			want, wantStatus = b.Hash(), chain.StatusMainChain
		}
		if c.TipHash() != want || res.Status != wantStatus {
			t.Fatalf("prefer %v: tip %s status %v, want %s %v", prefer, c.TipHash(), res.Status, want, wantStatus)
		}
	}
}

// TestEngineReadsAncestors: the engine prepares templates from the parent
// it reads and, checking a header, can read every ancestor, whether the
// header arrives in a block or in a batch of headers ahead of its blocks.
func TestEngineReadsAncestors(t *testing.T) {
	eng := &recordingEngine{Engine: fake.New()}
	c, g := newFakeEngineChain(t, eng)
	for range 3 {
		blk := sealedTemplate(t, c, eng.Engine, core.Address{0xa})
		if blk.Header.Bits != uint32(g.InitialBits) {
			t.Fatalf("template bits 0x%08x, want the parent's 0x%08x", blk.Header.Bits, uint32(g.InitialBits))
		}
		if _, err := c.ProcessBlock(blk); err != nil {
			t.Fatal(err)
		}
	}
	// A batch of headers on the tip: each one's parent is the previous
	// header of the batch, known to the chain only through the reader.
	tip, err := c.BlockByHash(c.TipHash())
	if err != nil {
		t.Fatal(err)
	}
	parent := tip.Block.Header
	var batch []core.Header
	for range 4 {
		h := core.Header{Version: core.BlockVersion, Height: parent.Height + 1, PrevHash: parent.Hash(),
			Timestamp: parent.Timestamp + 1000, Bits: parent.Bits}
		batch = append(batch, h)
		parent = h
	}
	if n, err := c.CheckHeaders(batch); err != nil || n != len(batch) {
		t.Fatalf("CheckHeaders: %d, %v", n, err)
	}
	if eng.missing != 0 {
		t.Fatalf("%d header checks could not read an ancestor", eng.missing)
	}
	// A wrong consensus field is the engine's to reject.
	bad := batch[0]
	bad.Bits++
	if _, err := c.CheckHeaders([]core.Header{bad}); !core.IsRuleError(err) {
		t.Fatalf("bad bits: %v", err)
	}
}
