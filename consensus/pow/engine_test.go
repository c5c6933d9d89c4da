package pow

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

func testGenesis() *core.Genesis { return core.NewGenesis("cairn-test", 1_700_000_000_000) }

func newEngine(t testing.TB, g *core.Genesis) *Engine {
	t.Helper()
	e, err := New(g)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// child returns a header extending parent by one block after dt ms, with the
// bits the engine requires and no proof of work yet.
func child(e *Engine, parent *core.Header, dt uint64) *core.Header {
	return &core.Header{
		Version:   core.BlockVersion,
		Height:    parent.Height + 1,
		PrevHash:  parent.Hash(),
		Timestamp: parent.Timestamp + dt,
		TxRoot:    core.MerkleRoot(nil),
		Bits:      e.NextBits(parent),
	}
}

// mine searches nonces until h's hash meets its target, or until it
// finds one that does not when want is false.
func mine(t testing.TB, h *core.Header, want bool) {
	t.Helper()
	target, err := TargetHash(h.Bits)
	if err != nil {
		t.Fatal(err)
	}
	for range 1 << 24 {
		if CheckHash(h.Hash(), target) == want {
			return
		}
		h.Nonce++
	}
	t.Fatalf("no nonce found for bits 0x%08x", h.Bits)
}

func TestNew(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*core.Genesis)
		field string // "" when valid
	}{
		{"defaults", func(*core.Genesis) {}, ""},
		{"initial bits at the limit", func(g *core.Genesis) { g.InitialBits = 0x207fffff }, ""},
		{"zero pow_limit", func(g *core.Genesis) { g.PowLimit = core.Hash{} }, "pow_limit"},
		{"negative initial_bits", func(g *core.Genesis) { g.InitialBits = 0x04923456 }, "initial_bits 0x04923456"},
		{"initial_bits of 2^256", func(g *core.Genesis) { g.InitialBits = 0x21010000 }, "initial_bits 0x21010000"},
		{"zero initial target", func(g *core.Genesis) { g.InitialBits = 0x1f000000 }, "initial_bits 0x1f000000"},
		{"initial target above pow_limit", func(g *core.Genesis) { g.InitialBits = 0x2100ffff }, "above pow_limit"},
		{"zero T", func(g *core.Genesis) { g.TargetBlockTimeMs = 0 }, "target_block_time_ms"},
		{"zero halflife", func(g *core.Genesis) { g.AsertHalflifeMs = 0 }, "asert_halflife_ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := testGenesis()
			tc.edit(g)
			e, err := New(g)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if e.Genesis().Hash() != g.Hash() {
					t.Error("Genesis() is not the genesis block header")
				}
				return
			}
			if !errors.Is(err, core.CodeBadGenesis) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %v: want %s naming %q", err, core.CodeBadGenesis, tc.field)
			}
		})
	}
	if _, err := New(nil); !errors.Is(err, core.CodeBadGenesis) {
		t.Errorf("New(nil): %v", err)
	}
}

func TestEngineAccessorsCopy(t *testing.T) {
	g := testGenesis()
	e := newEngine(t, g)
	p := e.Params()
	if p.PowLimit.Cmp(HashToBig(g.PowLimit)) != 0 || p.PowLimitBits != 0x207fffff ||
		p.TargetBlockTimeMs != g.TargetBlockTimeMs || p.HalflifeMs != g.AsertHalflifeMs {
		t.Fatalf("Params() = %v", p)
	}
	p.PowLimit.SetInt64(1)
	e.Genesis().Bits = 0
	if e.Params().PowLimit.Cmp(HashToBig(g.PowLimit)) != 0 || e.Genesis().Bits != uint32(g.InitialBits) {
		t.Error("changing returned values changed the engine")
	}
	if e.PowLimit() != g.PowLimit {
		t.Errorf("PowLimit() = %s", e.PowLimit())
	}
}

func TestVerifySeal(t *testing.T) {
	g := testGenesis()
	g.InitialBits = 0x2000ffff // about 2^9 hashes a block
	e := newEngine(t, g)
	gen := e.Genesis()

	good := child(e, gen, 5000)
	mine(t, good, true)
	miss := child(e, gen, 5000)
	mine(t, miss, false)
	withBits := func(bits uint32) *core.Header {
		h := *good
		h.Bits = bits
		return &h
	}
	tests := []struct {
		name string
		h    *core.Header
		code core.Code // "" when valid
		msg  string
	}{
		{"mined", good, "", ""},
		{"hash above target", miss, core.CodeBadPoW, "above target"},
		{"target above pow_limit", withBits(0x2100ffff), core.CodeBadPoW, "above pow_limit"},
		{"zero target", withBits(0x20000000), core.CodeBadPoW, "target is zero"},
		{"negative target", withBits(0x20800001), core.CodeBadPoW, "0x20800001"},
		{"target of 2^256", withBits(0x21010000), core.CodeBadPoW, "2^256"},
		{"nil header", nil, core.CodeMalformed, "no header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := e.VerifySeal(tc.h)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if core.CodeOf(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v: want %s containing %q", err, tc.code, tc.msg)
			}
		})
	}
	// The message names the hash, the target and the bits.
	err := e.VerifySeal(miss)
	target, _ := TargetHash(miss.Bits)
	for _, s := range []string{miss.Hash().String(), target.String(), fmt.Sprintf("0x%08x", miss.Bits)} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %s", err, s)
		}
	}
}

func TestVerifyHeaderAndWork(t *testing.T) {
	e := newEngine(t, testGenesis())
	gen := e.Genesis()
	h1 := child(e, gen, 5000)
	h2 := child(e, h1, 30_000) // slow: the next target eases
	tests := []struct {
		name      string
		h, parent *core.Header
		code      core.Code
	}{
		{"first block", h1, gen, ""},
		{"second block", h2, h1, ""},
		{"stale bits", &core.Header{Height: 3, Bits: h2.Bits}, h2, core.CodeBadBits},
		{"bits of the wrong parent", &core.Header{Height: 2, Bits: h1.Bits + 1}, h1, core.CodeBadBits},
		{"nil parent", h1, nil, core.CodeMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := e.VerifyHeader(tc.h, tc.parent)
			if core.CodeOf(err) != tc.code {
				t.Fatalf("error %v, want code %q", err, tc.code)
			}
			if tc.code == core.CodeBadBits && !strings.Contains(err.Error(), "want 0x") {
				t.Errorf("error %q does not name the wanted bits", err)
			}
		})
	}
	next, _ := CompactToBig(e.NextBits(h2))
	if prev, _ := CompactToBig(h2.Bits); next.Cmp(prev) <= 0 {
		t.Errorf("a 30 s block did not ease the target: %x after %x", next, prev)
	}

	for _, h := range []*core.Header{gen, h1, h2, {Bits: 0x04923456}} {
		if w, want := e.Work(h), CalcWork(h.Bits); w.Cmp(want) != 0 {
			t.Errorf("Work(bits 0x%08x) = %v, want %v", h.Bits, w, want)
		}
	}
	// Harder targets weigh more.
	if e.Work(h1).Cmp(e.Work(gen)) <= 0 {
		t.Errorf("work of 0x%08x not above work of 0x%08x", h1.Bits, gen.Bits)
	}
	if e.Work(nil).Sign() != 0 {
		t.Error("Work(nil) != 0")
	}
	// Work is a fresh value.
	e.Work(h1).SetInt64(0)
	if e.Work(h1).Sign() == 0 {
		t.Error("Work returned shared state")
	}
}
