package pow

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// asertInput is every input of NextBitsASERT, flattened.
type asertInput struct {
	limit                  *big.Int
	t, halflife            uint64
	anchorBits             uint32
	anchorTs, anchorHeight uint64
	parentTs, parentHeight uint64
}

func (in asertInput) headers() (anchor, parent *core.Header) {
	return &core.Header{Height: in.anchorHeight, Timestamp: in.anchorTs, Bits: in.anchorBits},
		&core.Header{Height: in.parentHeight, Timestamp: in.parentTs}
}

func (in asertInput) params() Params {
	return Params{PowLimit: in.limit, PowLimitBits: BigToCompact(in.limit), TargetBlockTimeMs: in.t, HalflifeMs: in.halflife}
}

// refNextBits is the protocol's ASERT pseudo-code in plain math/big, every
// step written as stated, as the reference for the differential tests. It
// assumes valid inputs (limit in [1, 2^256), halflife >= 1, anchor bits that
// decode).
func refNextBits(in asertInput) uint32 {
	b := func(v uint64) *big.Int { return new(big.Int).SetUint64(v) }
	anchorTarget, ok := refCompactToBig(in.anchorBits)
	if !ok {
		return 0
	}
	timeDelta := new(big.Int).Sub(b(in.parentTs), b(in.anchorTs))
	heightDelta := new(big.Int).Sub(b(in.parentHeight), b(in.anchorHeight))

	// exponent = ((time_delta - T*(height_delta+1)) * 65536) / halflife, truncating
	x := new(big.Int).Add(heightDelta, big.NewInt(1))
	x.Mul(x, b(in.t))
	x.Sub(timeDelta, x)
	x.Mul(x, big.NewInt(65536))
	exponent := new(big.Int).Quo(x, b(in.halflife))

	// shifts = exponent >> 16 (floor); frac = exponent - shifts*65536
	shifts := new(big.Int).Div(exponent, big.NewInt(65536)) // Euclidean = floor for a positive divisor
	frac := new(big.Int).Sub(exponent, new(big.Int).Mul(shifts, big.NewInt(65536)))

	// factor = 65536 + ((c1*frac + c2*frac^2 + c3*frac^3 + 2^47) >> 48), in big
	f2 := new(big.Int).Mul(frac, frac)
	f3 := new(big.Int).Mul(f2, frac)
	poly := new(big.Int).Mul(big.NewInt(195766423245049), frac)
	poly.Add(poly, new(big.Int).Mul(big.NewInt(971821376), f2))
	poly.Add(poly, new(big.Int).Mul(big.NewInt(5127), f3))
	poly.Add(poly, new(big.Int).Lsh(big.NewInt(1), 47))
	factor := new(big.Int).Add(big.NewInt(65536), poly.Rsh(poly, 48))

	next := new(big.Int).Mul(anchorTarget, factor)
	// A shift of 1000 bits already saturates both clamps (the product is
	// below 2^273), and bigger ones would not fit in memory.
	s := shifts.Int64()
	if shifts.Cmp(big.NewInt(1000)) > 0 {
		s = 1000
	} else if shifts.Cmp(big.NewInt(-1000)) < 0 {
		s = -1000
	}
	if s >= 0 {
		next.Lsh(next, uint(s))
	} else {
		next.Rsh(next, uint(-s))
	}
	next.Rsh(next, 16)

	if next.Cmp(big.NewInt(1)) < 0 {
		next = big.NewInt(1)
	}
	if next.Cmp(in.limit) > 0 {
		next = new(big.Int).Set(in.limit)
	}
	return refBigToCompact(next)
}

// randomASERTInput draws valid parameters and anchors, and parents from
// realistic to absurd (heights below the anchor, timestamps at the ends of
// uint64), so both the int64 and the math/big exponent paths are covered.
func randomASERTInput(r *rand.Rand) asertInput {
	var in asertInput
	switch r.IntN(4) {
	case 0:
		in.limit, _ = CompactToBig(0x207fffff)
	case 1:
		in.limit, _ = CompactToBig(0x1d00ffff)
	case 2: // a random compact-representable limit
		in.limit, _ = CompactToBig(uint32(1+r.IntN(32))<<24 | uint32(0x8000+r.IntN(0x7f8000)))
	default: // a random 256-bit limit, usually not representable
		var h core.Hash
		for i := r.IntN(31); i < len(h); i++ {
			h[i] = byte(r.Uint32())
		}
		h[31] |= 1
		in.limit = HashToBig(h)
	}

	switch r.IntN(4) {
	case 0:
		in.t = 5000
	case 1:
		in.t = 600_000
	case 2:
		in.t = 1
	default:
		in.t = 1 + r.Uint64N(1<<32)
	}
	switch r.IntN(4) {
	case 0:
		in.halflife = in.t * (1 + r.Uint64N(300))
	case 1:
		in.halflife = 1 + r.Uint64N(1<<40)
	case 2:
		in.halflife = 1 + r.Uint64N(1000)
	default:
		in.halflife = 1 + r.Uint64N(math.MaxUint64)
	}

	// Anchor target in [1, limit], or at the limit.
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = byte(r.Uint32())
	}
	anchorTarget := new(big.Int).SetBytes(raw)
	anchorTarget.Mod(anchorTarget, in.limit)
	anchorTarget.Rsh(anchorTarget, uint(r.IntN(64)))
	anchorTarget.Add(anchorTarget, big.NewInt(1))
	if r.IntN(4) == 0 {
		anchorTarget.Set(in.limit)
	}
	in.anchorBits = BigToCompact(anchorTarget)

	in.anchorTs = 1 + r.Uint64N(1<<50)
	switch r.IntN(8) {
	case 0:
		in.anchorHeight = r.Uint64()
	case 1, 2:
		in.anchorHeight = r.Uint64N(1 << 40)
	}

	// Parent: mostly near the schedule, with noise of up to a few hundred
	// halflives either way.
	blocks := r.Uint64N(1_000_000)
	if r.IntN(8) == 0 {
		blocks = r.Uint64()
	}
	in.parentHeight = in.anchorHeight + blocks // may wrap: a parent "below" the anchor
	hi, sched := mulAddSat(in.t, blocks+1, in.anchorTs)
	if hi {
		sched = math.MaxUint64
	}
	span := min(in.halflife, 1<<54) * []uint64{1, 4, 300}[r.IntN(3)]
	noise := r.Uint64N(span)
	switch r.IntN(5) {
	case 0:
		in.parentTs = sched
	case 1:
		in.parentTs = satAdd(sched, noise)
	case 2:
		in.parentTs = satSub(sched, noise)
	case 3:
		in.parentTs = r.Uint64()
	default:
		in.parentTs = []uint64{0, 1, math.MaxUint64, in.anchorTs, in.anchorTs - 1}[r.IntN(5)]
	}
	return in
}

// mulAddSat returns a*b + c; overflow reports a result above 2^64-1.
func mulAddSat(a, b, c uint64) (overflow bool, v uint64) {
	p := new(big.Int).Mul(new(big.Int).SetUint64(a), new(big.Int).SetUint64(b))
	p.Add(p, new(big.Int).SetUint64(c))
	if !p.IsUint64() {
		return true, 0
	}
	return false, p.Uint64()
}

func satAdd(a, b uint64) uint64 {
	if a+b < a {
		return math.MaxUint64
	}
	return a + b
}

func satSub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

// checkASERT checks NextBitsASERT against the reference and the clamp,
// and returns its result.
func checkASERT(t testing.TB, in asertInput) uint32 {
	t.Helper()
	anchor, parent := in.headers()
	got := NextBitsASERT(in.params(), anchor, parent)
	if want := refNextBits(in); got != want {
		t.Fatalf("NextBitsASERT = 0x%08x, reference 0x%08x for %+v", got, want, in)
	}
	target, err := CompactToBig(got)
	if err != nil || target.Sign() <= 0 || target.Cmp(in.limit) > 0 {
		t.Fatalf("NextBitsASERT = 0x%08x: target %x, %v outside [1, %x] for %+v", got, target, err, in.limit, in)
	}
	return got
}

func TestASERTDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(6962, 2020))
	n := 20_000
	if testing.Short() {
		n = 2_000
	}
	interior := 0
	for range n {
		in := randomASERTInput(r)
		if bits := checkASERT(t, in); bits != 0x01010000 && bits != BigToCompact(in.limit) {
			interior++
		}
	}
	// Most cases should exercise the maths, not only the clamps.
	if interior < n/3 {
		t.Errorf("only %d of %d results are strictly inside [1, pow_limit]", interior, n)
	}
	t.Logf("%d of %d results strictly inside [1, pow_limit]", interior, n)
}

// TestASERTExponentPaths checks that the int64 fast path and the math/big
// path compute the same exponent wherever the fast path applies.
func TestASERTExponentPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fast := 0
	for range 20_000 {
		in := randomASERTInput(r)
		anchor, parent := in.headers()
		s1, f1 := asertExponent(in.params(), anchor, parent)
		s2, f2 := asertExponentBig(in.params(), anchor, parent)
		if s1 != s2 || f1 != f2 {
			t.Fatalf("fast path (%d, %d), big path (%d, %d) for %+v", s1, f1, s2, f2, in)
		}
		if _, ok := smallDelta(parent.Timestamp, anchor.Timestamp); ok && parent.Height >= anchor.Height {
			fast++
		}
	}
	if fast < 5_000 {
		t.Errorf("only %d of the cases took the fast path", fast)
	}
}

// FuzzASERT: any parameters and headers, no panic; for valid inputs the
// result is the reference's and its target is in [1, pow_limit]; for
// invalid ones it is 0.
func FuzzASERT(f *testing.F) {
	var v asertVectors
	loadJSON(f, "asert.json", &v)
	for _, s := range v.Sets {
		for _, c := range s.Cases {
			f.Add(s.TargetBlockTimeMs, s.AsertHalflifeMs, parseBits(f, s.PowLimitBits), parseBits(f, s.Anchor.Bits),
				s.Anchor.TimestampMs, s.Anchor.Height, c.ParentTimestampMs, c.ParentHeight)
		}
	}
	f.Add(uint64(1), uint64(1), uint32(0x2100ffff), uint32(0x01010000), uint64(math.MaxUint64), uint64(0), uint64(0), uint64(math.MaxUint64))
	f.Add(uint64(math.MaxUint64), uint64(math.MaxUint64), uint32(0x207fffff), uint32(0x207fffff), uint64(0), uint64(math.MaxUint64), uint64(math.MaxUint64), uint64(0))
	f.Add(uint64(0), uint64(0), uint32(0), uint32(0x04923456), uint64(0), uint64(0), uint64(0), uint64(0))
	f.Fuzz(func(t *testing.T, tms, halflife uint64, limitBits, anchorBits uint32, anchorTs, anchorHeight, parentTs, parentHeight uint64) {
		limit, err := CompactToBig(limitBits)
		in := asertInput{limit: limit, t: tms, halflife: halflife, anchorBits: anchorBits,
			anchorTs: anchorTs, anchorHeight: anchorHeight, parentTs: parentTs, parentHeight: parentHeight}
		anchor, parent := in.headers()
		p := Params{PowLimit: limit, PowLimitBits: limitBits, TargetBlockTimeMs: tms, HalflifeMs: halflife}
		got := NextBitsASERT(p, anchor, parent)
		_, anchorErr := CompactToBig(anchorBits)
		if err != nil || limit.Sign() == 0 || halflife == 0 || anchorErr != nil {
			if got != 0 {
				t.Fatalf("invalid inputs gave 0x%08x, want 0", got)
			}
			return
		}
		checkASERT(t, in)
	})
}

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }
