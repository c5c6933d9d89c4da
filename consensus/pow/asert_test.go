package pow

import (
	"fmt"
	"math"
	"math/big"
	"testing"

	"pgregory.net/rapid"

	"github.com/cairn-chain/cairn/core"
)

func TestASERTVectors(t *testing.T) {
	var v asertVectors
	loadJSON(t, "asert.json", &v)
	if len(v.Sets) == 0 {
		t.Fatal("asert.json: no sets")
	}
	for _, s := range v.Sets {
		t.Run(s.Name, func(t *testing.T) {
			limit := parseTarget(t, s.PowLimit)
			p, err := NewParams(limit, s.TargetBlockTimeMs, s.AsertHalflifeMs)
			if err != nil {
				t.Fatal(err)
			}
			if want := parseBits(t, s.PowLimitBits); p.PowLimitBits != want {
				t.Fatalf("PowLimitBits 0x%08x, want 0x%08x", p.PowLimitBits, want)
			}
			anchor := &core.Header{Height: s.Anchor.Height, Timestamp: s.Anchor.TimestampMs, Bits: parseBits(t, s.Anchor.Bits)}

			// The same set through Engine, whose anchor is a genesis block.
			g := core.NewGenesis("vectors", s.Anchor.TimestampMs)
			g.PowLimit, _ = core.ParseHash(s.PowLimit)
			g.InitialBits = core.HexU32(anchor.Bits)
			g.TargetBlockTimeMs, g.AsertHalflifeMs = s.TargetBlockTimeMs, s.AsertHalflifeMs
			e, err := New(g)
			if err != nil {
				t.Fatal(err)
			}
			if s.Anchor.Height != 0 {
				e = nil // a genesis block is at height 0
			}

			for i, c := range s.Cases {
				t.Run(fmt.Sprintf("%d/%s", i, c.Case), func(t *testing.T) {
					parent := &core.Header{Height: c.ParentHeight, Timestamp: c.ParentTimestampMs}
					want := parseBits(t, c.Bits)
					if got := NextBitsASERT(p, anchor, parent); got != want {
						t.Errorf("parent height %d at %d ms: bits 0x%08x, want 0x%08x", c.ParentHeight, c.ParentTimestampMs, got, want)
					}
					if e != nil {
						if got := e.NextBits(parent); got != want {
							t.Errorf("Engine.NextBits: 0x%08x, want 0x%08x", got, want)
						}
					}
				})
			}
		})
	}
}

// devnetASERT is the default devnet: T = 5 s, halflife = 10 T, regtest-like
// limit, anchor well below the limit.
func devnetASERT(t testing.TB) (Params, *core.Header) {
	t.Helper()
	limit, _ := CompactToBig(0x207fffff)
	p, err := NewParams(limit, 5000, 50_000)
	if err != nil {
		t.Fatal(err)
	}
	return p, &core.Header{Height: 0, Timestamp: 1_700_000_000_000, Bits: 0x1f00ffff}
}

// fataler is what testing.TB and *rapid.T have in common here.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

func targetOf(t fataler, bits uint32) *big.Float {
	t.Helper()
	v, err := CompactToBig(bits)
	if err != nil {
		t.Fatal(err)
	}
	return new(big.Float).SetInt(v)
}

// ratio returns target(a) / target(b).
func ratio(t fataler, a, b uint32) float64 {
	r, _ := new(big.Float).Quo(targetOf(t, a), targetOf(t, b)).Float64()
	return r
}

func TestASERTProperties(t *testing.T) {
	p, anchor := devnetASERT(t)
	T, hl := p.TargetBlockTimeMs, p.HalflifeMs
	halflifeBlocks := float64(hl) / float64(T)
	// onSchedule is the parent at height h whose blocks all took T, plus extra ms.
	onSchedule := func(h uint64, extra int64) *core.Header {
		return &core.Header{Height: h, Timestamp: uint64(int64(anchor.Timestamp) + int64(h*T) + extra)}
	}
	// The cubic approximation of 2^x errs by at most 0.0118% (see
	// TestASERTPolynomial), and compact bits keep at least 15 significant
	// bits of the target (0.003%). A ratio of two results can err by twice
	// that.
	const tol = 2 * (1.2e-4 + 1.0/(1<<15))

	t.Run("constant block times keep the target fixed", func(t *testing.T) {
		first := NextBitsASERT(p, anchor, onSchedule(0, 0))
		// The anchor's own block counts one T (height_delta+1), so blocks on
		// schedule carry the anchor target times 2^(-T/halflife).
		if r := ratio(t, first, anchor.Bits); math.Abs(r-math.Pow(2, -1/halflifeBlocks)) > tol {
			t.Errorf("on schedule: target / anchor target = %v, want 2^(-1/%v)", r, halflifeBlocks)
		}
		for h := uint64(0); h < 100_000; h += 997 {
			if got := NextBitsASERT(p, anchor, onSchedule(h, 0)); got != first {
				t.Fatalf("height %d on schedule: 0x%08x, want 0x%08x", h, got, first)
			}
		}
	})
	t.Run("one block twice too slow eases by 2^(1/halflife_blocks)", func(t *testing.T) {
		for _, h := range []uint64{1, 10, 1000, 1_000_000} {
			base := NextBitsASERT(p, anchor, onSchedule(h, 0))
			slow := NextBitsASERT(p, anchor, onSchedule(h, int64(T)))
			fast := NextBitsASERT(p, anchor, onSchedule(h, -int64(T)))
			want := math.Pow(2, 1/halflifeBlocks)
			if r := ratio(t, slow, base); math.Abs(r-want) > tol {
				t.Errorf("height %d: slow block ratio %v, want %v", h, r, want)
			}
			if r := ratio(t, base, fast); math.Abs(r-want) > tol {
				t.Errorf("height %d: fast block ratio %v, want %v", h, r, want)
			}
		}
	})
	t.Run("a halflife behind schedule doubles the target", func(t *testing.T) {
		base := NextBitsASERT(p, anchor, onSchedule(500, 0))
		for k, want := range map[int64]float64{1: 2, 2: 4, 10: 1024, -1: 0.5, -3: 0.125} {
			got := NextBitsASERT(p, anchor, onSchedule(500, k*int64(hl)))
			if r := ratio(t, got, base); math.Abs(r/want-1) > tol {
				t.Errorf("%d halflives: ratio %v, want %v", k, r, want)
			}
		}
	})
	t.Run("clamped at pow_limit", func(t *testing.T) {
		// The anchor is 2^16 below the limit: 17 halflives reach it.
		for _, extra := range []int64{17 * int64(hl), 1000 * int64(hl), math.MaxInt64 / 2} {
			if got := NextBitsASERT(p, anchor, onSchedule(3, extra)); got != p.PowLimitBits {
				t.Errorf("%d ms late: 0x%08x, want the limit 0x%08x", extra, got, p.PowLimitBits)
			}
		}
		parent := &core.Header{Height: 1, Timestamp: math.MaxUint64}
		if got := NextBitsASERT(p, anchor, parent); got != p.PowLimitBits {
			t.Errorf("timestamp 2^64-1: 0x%08x, want 0x%08x", got, p.PowLimitBits)
		}
		// Just below: 15 halflives late is 2^15 times the target, still below.
		if got := NextBitsASERT(p, anchor, onSchedule(3, 15*int64(hl))); got == p.PowLimitBits {
			t.Errorf("15 halflives late already at the limit")
		}
	})
	t.Run("clamped at 1", func(t *testing.T) {
		for _, parent := range []*core.Header{
			{Height: 1_000_000, Timestamp: anchor.Timestamp},       // 1e6 blocks at once: 2^-100000
			{Height: math.MaxUint64, Timestamp: 0},                 // the big path
			{Height: 1, Timestamp: anchor.Timestamp - 300*hl*1000}, // timestamps far backwards
		} {
			if got := NextBitsASERT(p, anchor, parent); got != 0x01010000 {
				t.Errorf("parent %+v: 0x%08x, want 0x01010000 (target 1)", parent, got)
			}
		}
	})
	t.Run("a non-representable pow_limit clamps to its compact form", func(t *testing.T) {
		limit := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(1)) // 7fff...ff
		q, err := NewParams(limit, T, hl)
		if err != nil {
			t.Fatal(err)
		}
		got := NextBitsASERT(q, anchor, onSchedule(1, 1000*int64(hl)))
		if got != 0x207fffff || got != q.PowLimitBits {
			t.Errorf("0x%08x, want 0x207fffff", got)
		}
	})
}

// TestASERTMonotonic: later parents never make the target harder, and more
// blocks in the same time never make it easier.
func TestASERTMonotonic(t *testing.T) {
	p, anchor := devnetASERT(t)
	rapid.Check(t, func(rt *rapid.T) {
		h := rapid.Uint64Range(0, 1<<32).Draw(rt, "height")
		ts := rapid.Uint64Range(0, 1<<52).Draw(rt, "timestamp")
		dt := rapid.Uint64Range(0, 1<<40).Draw(rt, "later")
		dh := rapid.Uint64Range(0, 1<<20).Draw(rt, "more blocks")
		base := targetOf(rt, NextBitsASERT(p, anchor, &core.Header{Height: h, Timestamp: ts}))
		later := targetOf(rt, NextBitsASERT(p, anchor, &core.Header{Height: h, Timestamp: ts + dt}))
		more := targetOf(rt, NextBitsASERT(p, anchor, &core.Header{Height: h + dh, Timestamp: ts}))
		if later.Cmp(base) < 0 {
			rt.Fatalf("a later parent made the target harder: %v < %v", later, base)
		}
		if more.Cmp(base) > 0 {
			rt.Fatalf("more blocks made the target easier: %v > %v", more, base)
		}
	})
}

// TestASERTPolynomial checks, for every frac, that the polynomial's terms
// and sum fit in uint64 (so the uint64 arithmetic is exact), and that the
// factor approximates 65536 * 2^(frac/65536).
func TestASERTPolynomial(t *testing.T) {
	maxU64 := new(big.Int).SetUint64(math.MaxUint64)
	prev := uint64(0)
	for frac := uint64(0); frac < 65536; frac++ {
		f := new(big.Int).SetUint64(frac)
		sum := new(big.Int).Mul(big.NewInt(asertC1), f)
		sum.Add(sum, new(big.Int).Mul(big.NewInt(asertC2), new(big.Int).Mul(f, f)))
		sum.Add(sum, new(big.Int).Mul(big.NewInt(asertC3), new(big.Int).Exp(f, big.NewInt(3), nil)))
		sum.Add(sum, big.NewInt(asertRounding))
		if sum.Cmp(maxU64) > 0 {
			t.Fatalf("frac %d: polynomial %v overflows uint64", frac, sum)
		}
		factor := 65536 + ((asertC1*frac + asertC2*frac*frac + asertC3*frac*frac*frac + asertRounding) >> 48)
		if want := 65536 + sum.Rsh(sum, 48).Uint64(); factor != want {
			t.Fatalf("frac %d: uint64 factor %d, big %d", frac, factor, want)
		}
		if factor < prev {
			t.Fatalf("frac %d: factor %d decreased from %d", frac, factor, prev)
		}
		prev = factor
		if exact := 65536 * math.Exp2(float64(frac)/65536); math.Abs(float64(factor)/exact-1) > 1.2e-4 {
			t.Fatalf("frac %d: factor %d, 65536*2^(frac/65536) = %.2f: error above 0.012%%", frac, factor, exact)
		}
	}
}

func TestNextBitsASERTInvalid(t *testing.T) {
	p, anchor := devnetASERT(t)
	parent := &core.Header{Height: 1, Timestamp: anchor.Timestamp + 5000}
	tests := []struct {
		name           string
		p              Params
		anchor, parent *core.Header
	}{
		{"nil anchor", p, nil, parent},
		{"nil parent", p, anchor, nil},
		{"zero params", Params{}, anchor, parent},
		{"zero halflife", Params{PowLimit: p.PowLimit, TargetBlockTimeMs: 1}, anchor, parent},
		{"negative limit", Params{PowLimit: big.NewInt(-1), HalflifeMs: 1}, anchor, parent},
		{"limit of 2^256", Params{PowLimit: new(big.Int).Lsh(big.NewInt(1), 256), HalflifeMs: 1}, anchor, parent},
		{"anchor bits negative", p, &core.Header{Bits: 0x04923456}, parent},
		{"anchor bits too large", p, &core.Header{Bits: 0x21010000}, parent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NextBitsASERT(tc.p, tc.anchor, tc.parent); got != 0 {
				t.Errorf("got 0x%08x, want 0", got)
			}
		})
	}
}

func TestParamsValidate(t *testing.T) {
	limit, _ := CompactToBig(0x207fffff)
	good, err := NewParams(limit, 5000, 50_000)
	if err != nil {
		t.Fatal(err)
	}
	limit.SetInt64(1) // NewParams copied it
	if good.PowLimit.Cmp(limit) == 0 {
		t.Fatal("NewParams kept the caller's big.Int")
	}
	tests := []struct {
		name  string
		edit  func(*Params)
		field string // "" when valid
	}{
		{"valid", func(*Params) {}, ""},
		{"nil limit", func(p *Params) { p.PowLimit = nil }, "pow_limit"},
		{"zero limit", func(p *Params) { p.PowLimit = big.NewInt(0) }, "pow_limit"},
		{"limit 2^256", func(p *Params) { p.PowLimit = new(big.Int).Lsh(big.NewInt(1), 256) }, "pow_limit"},
		{"wrong limit bits", func(p *Params) { p.PowLimitBits = 0x1d00ffff }, "bits"},
		{"zero T", func(p *Params) { p.TargetBlockTimeMs = 0 }, "target_block_time_ms"},
		{"zero halflife", func(p *Params) { p.HalflifeMs = 0 }, "asert_halflife_ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := good
			tc.edit(&p)
			err := p.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if core.CodeOf(err) != core.CodeBadGenesis || !containsStr(err.Error(), tc.field) {
				t.Errorf("error %v: want %s naming %s", err, core.CodeBadGenesis, tc.field)
			}
		})
	}
}
