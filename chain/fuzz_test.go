package chain_test

import (
	"testing"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
)

// FuzzProcessBlock feeds arbitrary block bytes (seeded with every scenario
// block) to a chain holding b1..b3: it never panics, a rejection is a rule
// error that leaves the tip and state digest unchanged, and any accepted
// block leaves a chain whose tip is a valid block.
func FuzzProcessBlock(f *testing.F) {
	b, steps := scenarios.Generate()
	for _, s := range steps {
		if s.Block != nil {
			f.Add(s.Block.Encode())
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		blk, err := core.DecodeBlock(raw)
		if err != nil {
			return
		}
		c, _ := newTestChain(t, b, newClock(scenarios.StartTime))
		for _, n := range []string{"b1", "b2", "b3"} {
			if _, err := c.ProcessBlock(b.Block(n)); err != nil {
				t.Fatal(err)
			}
		}
		before := c.Tip()
		res, err := c.ProcessBlock(blk)
		after := c.Tip()
		if err != nil {
			if !core.IsRuleError(err) {
				t.Fatalf("internal error on bad input: %v", err)
			}
			if after.Hash != before.Hash || after.StateDigest != before.StateDigest {
				t.Fatal("a rejected block moved the tip")
			}
			return
		}
		if res.Status == chain.StatusMainChain {
			if _, err := c.BlockByHash(after.Hash); err != nil {
				t.Fatalf("tip block unreadable: %v", err)
			}
		}
	})
}
