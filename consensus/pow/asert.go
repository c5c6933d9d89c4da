package pow

import (
	"fmt"
	"math/big"
	"math/bits"

	"github.com/cairn-chain/cairn/core"
)

// Params are a chain's difficulty parameters, from its genesis.
type Params struct {
	// PowLimit is the largest allowed target, in [1, 2^256). NextBitsASERT
	// only reads it.
	PowLimit *big.Int
	// PowLimitBits is BigToCompact(PowLimit): the easiest bits a block can
	// carry (its target may be below PowLimit when PowLimit has more than
	// three significant bytes).
	PowLimitBits uint32
	// TargetBlockTimeMs is T, the target time between blocks.
	TargetBlockTimeMs uint64
	// HalflifeMs is the time ahead of (behind) schedule that doubles
	// (halves) the target.
	HalflifeMs uint64
}

// NewParams returns valid Params for the given limit and times, with
// PowLimitBits derived from powLimit (which is copied).
func NewParams(powLimit *big.Int, targetBlockTimeMs, halflifeMs uint64) (Params, error) {
	p := Params{TargetBlockTimeMs: targetBlockTimeMs, HalflifeMs: halflifeMs}
	if powLimit != nil {
		p.PowLimit = new(big.Int).Set(powLimit)
		p.PowLimitBits = BigToCompact(powLimit)
	}
	return p, p.Validate()
}

// Validate checks that p can be used by NextBitsASERT: PowLimit in
// [1, 2^256), PowLimitBits its compact form, T and halflife at least 1 ms.
// Failures are *core.RuleError with code core.CodeBadGenesis.
func (p Params) Validate() error {
	switch {
	case p.PowLimit == nil || p.PowLimit.Sign() <= 0:
		return core.Errorf(core.CodeBadGenesis, "pow params: pow_limit %v must be positive", p.PowLimit)
	case p.PowLimit.BitLen() > 8*core.HashSize:
		return core.Errorf(core.CodeBadGenesis, "pow params: pow_limit %#x is 2^256 or more", p.PowLimit)
	case p.PowLimitBits != BigToCompact(p.PowLimit):
		return core.Errorf(core.CodeBadGenesis, "pow params: pow_limit bits 0x%08x, want 0x%08x, the compact form of pow_limit %#x",
			p.PowLimitBits, BigToCompact(p.PowLimit), p.PowLimit)
	case p.TargetBlockTimeMs == 0:
		return core.Errorf(core.CodeBadGenesis, "pow params: target_block_time_ms must be at least 1")
	case p.HalflifeMs == 0:
		return core.Errorf(core.CodeBadGenesis, "pow params: asert_halflife_ms must be at least 1")
	}
	return nil
}

// String describes the parameters for logs.
func (p Params) String() string {
	return fmt.Sprintf("pow_limit=%#x (bits 0x%08x) T=%dms halflife=%dms", p.PowLimit, p.PowLimitBits, p.TargetBlockTimeMs, p.HalflifeMs)
}

// ASERT polynomial coefficients (aserti3-2d): 2^x for x in [0, 1) in 16.16
// fixed point is 65536 + (c1*x + c2*x^2 + c3*x^3 + 2^47) >> 48.
const (
	asertC1       = 195766423245049
	asertC2       = 971821376
	asertC3       = 5127
	asertRounding = 1 << 47
)

// asertMaxShift bounds the shift NextBitsASERT applies without changing its
// result: anchor_target * factor < 2^256 * 2^17, so a right shift of 273 or
// more gives 0 (clamped to 1), and when anchor_target >= 1 a left shift of
// 256 or more gives at least 2^256 after the final >> 16 (clamped to
// pow_limit).
const asertMaxShift = 300

// fastLimit bounds the time and schedule deltas (in ms, about 2,230 years)
// for which the exponent is computed in int64: |delta| < 2^47, so
// delta * 65536 < 2^63.
const fastLimit = 1 << 46

// NextBitsASERT returns the bits a child of parent must carry under the
// ASERT (aserti3-2d) schedule anchored at anchor (the genesis header; its
// bits give the anchor target), exactly as the protocol's pseudo-code:
//
//	time_delta   = parent.timestamp - anchor.timestamp   (signed)
//	height_delta = parent.height - anchor.height          (signed)
//	exponent     = ((time_delta - T*(height_delta+1)) * 65536) / halflife   (truncating)
//	shifts, frac = exponent >> 16, exponent mod 65536
//	factor       = 65536 + ((c1*frac + c2*frac^2 + c3*frac^3 + 2^47) >> 48)   (uint64)
//	next         = (anchor_target * factor << shifts (or >> -shifts)) >> 16
//
// clamped to [1, pow_limit] and encoded with BigToCompact. Only integer
// arithmetic is used, and any timestamps and heights are handled (big
// numbers where int64 would overflow), so it never panics.
//
// It returns 0, which decodes to no valid target, when p.PowLimit is not in
// [1, 2^256), p.HalflifeMs is 0, a header is nil, or anchor.Bits do not
// decode. It does not read p.PowLimitBits.
func NextBitsASERT(p Params, anchor, parent *core.Header) uint32 {
	if anchor == nil || parent == nil || p.PowLimit == nil || p.PowLimit.Sign() <= 0 ||
		p.PowLimit.BitLen() > 8*core.HashSize || p.HalflifeMs == 0 {
		return 0
	}
	next, err := CompactToBig(anchor.Bits)
	if err != nil {
		return 0
	}
	shifts, frac := asertExponent(p, anchor, parent)
	// The three terms and their sum fit in uint64 for every frac < 2^16
	// (tested exhaustively); the first term and the sum overflow int64.
	factor := 65536 + ((asertC1*frac + asertC2*frac*frac + asertC3*frac*frac*frac + asertRounding) >> 48)

	next.Mul(next, new(big.Int).SetUint64(factor))
	if shifts >= 0 {
		next.Lsh(next, uint(shifts))
	} else {
		next.Rsh(next, uint(-shifts))
	}
	next.Rsh(next, 16)
	if next.Sign() == 0 {
		next.SetInt64(1)
	}
	if next.Cmp(p.PowLimit) > 0 {
		next.Set(p.PowLimit)
	}
	return BigToCompact(next)
}

// asertExponent returns exponent >> 16, clamped to ±asertMaxShift, and
// exponent mod 65536 in [0, 65535].
func asertExponent(p Params, anchor, parent *core.Header) (shifts int64, frac uint64) {
	// Fast path: every realistic chain. time_delta and T*(height_delta+1)
	// are both below 2^46 in magnitude, so their difference times 65536
	// fits in int64, and halflife fits in int64.
	if td, ok := smallDelta(parent.Timestamp, anchor.Timestamp); ok &&
		parent.Height >= anchor.Height && parent.Height-anchor.Height < fastLimit && p.HalflifeMs < 1<<63 {
		hi, sched := bits.Mul64(p.TargetBlockTimeMs, parent.Height-anchor.Height+1)
		if hi == 0 && sched < fastLimit {
			exponent := (td - int64(sched)) * 65536 / int64(p.HalflifeMs) // Go truncates toward zero
			return clampShift(exponent >> 16), uint64(exponent) & 0xffff
		}
	}
	return asertExponentBig(p, anchor, parent)
}

// asertExponentBig is asertExponent in math/big, for any inputs.
func asertExponentBig(p Params, anchor, parent *core.Header) (shifts int64, frac uint64) {
	u := func(v uint64) *big.Int { return new(big.Int).SetUint64(v) }
	sched := u(parent.Height)
	sched.Sub(sched, u(anchor.Height))
	sched.Add(sched, big.NewInt(1))
	sched.Mul(sched, u(p.TargetBlockTimeMs))
	exponent := u(parent.Timestamp)
	exponent.Sub(exponent, u(anchor.Timestamp))
	exponent.Sub(exponent, sched)
	exponent.Lsh(exponent, 16)              // * 65536, sign kept
	exponent.Quo(exponent, u(p.HalflifeMs)) // truncating division
	sh := new(big.Int).Rsh(exponent, 16)    // arithmetic: rounds toward -inf
	fr := new(big.Int).Lsh(sh, 16)
	fr.Sub(exponent, fr) // exponent - shifts*65536, in [0, 65535]
	switch {
	case sh.Cmp(big.NewInt(asertMaxShift)) > 0:
		shifts = asertMaxShift
	case sh.Cmp(big.NewInt(-asertMaxShift)) < 0:
		shifts = -asertMaxShift
	default:
		shifts = sh.Int64()
	}
	return shifts, fr.Uint64()
}

func clampShift(s int64) int64 { return max(-asertMaxShift, min(asertMaxShift, s)) }

// smallDelta returns a - b as an int64 when |a - b| < fastLimit.
func smallDelta(a, b uint64) (int64, bool) {
	if a >= b {
		return int64(a - b), a-b < fastLimit
	}
	return -int64(b - a), b-a < fastLimit
}
