package pow

import (
	"bytes"
	"math/big"

	"github.com/cairn-chain/cairn/core"
)

// Compact ("nBits") targets, as in Bitcoin: the high byte is a size in
// bytes, the low 23 bits a mantissa and bit 23 a sign. The value is
// mantissa * 256^(size-3), or mantissa >> 8*(3-size) when size < 3.

const (
	compactSignBit  = 0x00800000
	compactMantissa = 0x007fffff
)

// TargetHash decodes compact bits to the target as 32 big-endian bytes, so
// a miner can compare a block hash with it using bytes.Compare or
// CheckHash. It allocates nothing.
//
// A zero mantissa gives the zero target (the sign bit is then ignored);
// callers reject zero targets. It fails, with a *core.RuleError of code
// core.CodeBadPoW, when the sign bit is set with a non-zero mantissa (a
// negative target; the mantissa is taken after the shift for sizes below 3,
// as Bitcoin does) or when the target is 2^256 or more.
func TargetHash(bits uint32) (core.Hash, error) {
	var t core.Hash
	size := int(bits >> 24)
	m := bits & compactMantissa
	if size < 3 {
		m >>= 8 * uint(3-size)
		size = 3
	}
	if m == 0 {
		return t, nil
	}
	if bits&compactSignBit != 0 {
		return t, core.Errorf(core.CodeBadPoW, "bits 0x%08x: negative target (sign bit set with a non-zero mantissa)", bits)
	}
	// The mantissa's three bytes end at byte size-1 counted from the
	// right, i.e. they occupy indexes 32-size .. 34-size.
	for i, b := range [3]byte{byte(m >> 16), byte(m >> 8), byte(m)} {
		pos := core.HashSize - size + i
		if pos < 0 {
			if b != 0 {
				return core.Hash{}, core.Errorf(core.CodeBadPoW, "bits 0x%08x: target of 2^256 or more", bits)
			}
			continue
		}
		t[pos] = b
	}
	return t, nil
}

// CompactToBig decodes compact bits to a target, with TargetHash's rules:
// a zero mantissa gives 0, a negative target or one of 2^256 or more is a
// *core.RuleError with code core.CodeBadPoW.
func CompactToBig(bits uint32) (*big.Int, error) {
	t, err := TargetHash(bits)
	if err != nil {
		return nil, err
	}
	return HashToBig(t), nil
}

// BigToCompact encodes a target in compact form, keeping its two or three
// most significant bytes (the rest are truncated, so the decoded target is
// never larger than t). The result is canonical: the smallest size, and the
// sign bit clear. Values outside [0, 2^256) have no valid target and give 0.
func BigToCompact(t *big.Int) uint32 {
	if t == nil || t.Sign() <= 0 || t.BitLen() > 8*core.HashSize {
		return 0
	}
	var h core.Hash
	t.FillBytes(h[:])
	return HashToCompact(h)
}

// HashToCompact encodes a 32-byte big-endian target in compact form, like
// BigToCompact; the zero target gives 0.
func HashToCompact(t core.Hash) uint32 {
	i := 0
	for i < core.HashSize && t[i] == 0 {
		i++
	}
	if i == core.HashSize {
		return 0
	}
	size := uint32(core.HashSize - i)
	var m uint32
	for j := range 3 {
		m <<= 8
		if i+j < core.HashSize {
			m |= uint32(t[i+j])
		}
	}
	if m&compactSignBit != 0 {
		// The top byte would read as the sign: move it into a larger size.
		m >>= 8
		size++
	}
	return size<<24 | m
}

// HashToBig reads a hash as a 256-bit big-endian integer, the way the
// protocol compares a block hash with its target.
func HashToBig(h core.Hash) *big.Int { return new(big.Int).SetBytes(h[:]) }

// CheckHash reports whether hash, read as a big-endian integer, is at most
// target (both 32 big-endian bytes, target from TargetHash). It does not
// check the target itself against pow_limit.
func CheckHash(hash, target core.Hash) bool { return bytes.Compare(hash[:], target[:]) <= 0 }

// CalcWork returns the expected number of hashes to find a block with the
// given bits, 2^256 / (target+1): the weight a block adds to its chain in
// fork choice. Bits that do not decode, or decode to 0, give 0.
func CalcWork(bits uint32) *big.Int {
	t, err := CompactToBig(bits)
	if err != nil || t.Sign() == 0 {
		return new(big.Int)
	}
	t.Add(t, big.NewInt(1))
	return t.Quo(new(big.Int).Lsh(big.NewInt(1), 256), t)
}

// Difficulty returns how many times harder than pow_limit the target of
// bits is (powLimit / target), as a float for display only; never use it
// in consensus. It returns 0 for bits that do not decode to a non-zero
// target or a powLimit that is not positive.
func Difficulty(bits uint32, powLimit *big.Int) float64 {
	t, err := CompactToBig(bits)
	if err != nil || t.Sign() == 0 || powLimit == nil || powLimit.Sign() <= 0 {
		return 0
	}
	d, _ := new(big.Rat).SetFrac(powLimit, t).Float64()
	return d
}
