package pow

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// refCompactToBig is a deliberately plain decoder in the style of btcd's
// CompactToBig, with the protocol's two errors; ok is false for them.
func refCompactToBig(c uint32) (v *big.Int, ok bool) {
	mantissa := int64(c & 0x007fffff)
	negative := c&0x00800000 != 0
	exponent := uint(c >> 24)
	if exponent <= 3 {
		mantissa >>= 8 * (3 - exponent)
		v = big.NewInt(mantissa)
	} else {
		v = big.NewInt(mantissa)
		v.Lsh(v, 8*(exponent-3))
	}
	if v.Sign() == 0 {
		return v, true
	}
	if negative || v.BitLen() > 256 {
		return nil, false
	}
	return v, true
}

// refBigToCompact is btcd's BigToCompact for non-negative values.
func refBigToCompact(n *big.Int) uint32 {
	if n.Sign() == 0 {
		return 0
	}
	var mantissa uint32
	exponent := uint(len(n.Bytes()))
	if exponent <= 3 {
		mantissa = uint32(n.Uint64())
		mantissa <<= 8 * (3 - exponent)
	} else {
		mantissa = uint32(new(big.Int).Rsh(n, 8*(exponent-3)).Uint64())
	}
	if mantissa&0x00800000 != 0 {
		mantissa >>= 8
		exponent++
	}
	return uint32(exponent<<24) | mantissa
}

func TestCompactVectors(t *testing.T) {
	var v compactVectors
	loadJSON(t, "compact.json", &v)
	if len(v.Encode) == 0 || len(v.Decode) == 0 || len(v.Invalid) == 0 {
		t.Fatal("compact.json: a section is empty")
	}
	for i, c := range v.Encode {
		t.Run(fmt.Sprintf("encode/%d/%s", i, c.Bits), func(t *testing.T) {
			target, want := parseTarget(t, c.Target), parseBits(t, c.Bits)
			if got := BigToCompact(target); got != want {
				t.Errorf("BigToCompact(%s) = 0x%08x, want 0x%08x", c.Target, got, want)
			}
			h, _ := core.ParseHash(c.Target)
			if got := HashToCompact(h); got != want {
				t.Errorf("HashToCompact(%s) = 0x%08x, want 0x%08x", c.Target, got, want)
			}
			got, err := CompactToBig(want)
			if err != nil {
				t.Fatal(err)
			}
			if wantT := parseTarget(t, c.TargetOfBits); got.Cmp(wantT) != 0 {
				t.Errorf("target of bits 0x%08x = %064x, want %s", want, got, c.TargetOfBits)
			}
		})
	}
	for i, c := range v.Decode {
		t.Run(fmt.Sprintf("decode/%d/%s", i, c.Bits), func(t *testing.T) {
			bits := parseBits(t, c.Bits)
			got, err := CompactToBig(bits)
			if err != nil {
				t.Fatal(err)
			}
			if got.Cmp(parseTarget(t, c.Target)) != 0 {
				t.Errorf("CompactToBig(0x%08x) = %064x, want %s", bits, got, c.Target)
			}
			th, err := TargetHash(bits)
			if err != nil || th.String() != c.Target {
				t.Errorf("TargetHash(0x%08x) = %s, %v; want %s", bits, th, err, c.Target)
			}
		})
	}
	for i, c := range v.Invalid {
		t.Run(fmt.Sprintf("invalid/%d/%s", i, c.Bits), func(t *testing.T) {
			bits := parseBits(t, c.Bits)
			if got, err := CompactToBig(bits); err == nil {
				t.Fatalf("CompactToBig(0x%08x) = %x, want an error (%s)", bits, got, c.Why)
			} else if !errors.Is(err, core.CodeBadPoW) || !strings.Contains(err.Error(), c.Bits) {
				t.Errorf("error %q: want code %s naming %s", err, core.CodeBadPoW, c.Bits)
			}
			if _, err := TargetHash(bits); err == nil {
				t.Errorf("TargetHash(0x%08x): want an error (%s)", bits, c.Why)
			}
			if w := CalcWork(bits); w.Sign() != 0 {
				t.Errorf("CalcWork(0x%08x) = %v, want 0", bits, w)
			}
		})
	}
}

func TestCompactToBigEdges(t *testing.T) {
	pow2 := func(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n) }
	tests := []struct {
		name string
		bits uint32
		want *big.Int // nil: an error
	}{
		{"zero", 0x00000000, big.NewInt(0)},
		{"zero mantissa, any size", 0xff000000, big.NewInt(0)},
		{"negative zero", 0x04800000, big.NewInt(0)},
		{"sign bit, mantissa shifted out (Bitcoin: zero)", 0x01800001, big.NewInt(0)},
		{"size 0 shifts everything out", 0x00123456, big.NewInt(0)},
		{"size 1", 0x01123456, big.NewInt(0x12)},
		{"sign bit with non-zero mantissa", 0x04923456, nil},
		{"sign bit, small size, non-zero", 0x01fedcba, nil},
		{"2^248", 0x22000001, pow2(248)},
		{"largest size-33", 0x2100ffff, new(big.Int).Lsh(big.NewInt(0xffff), 240)},
		{"2^256 at size 34", 0x22000100, nil},
		{"2^256 at size 33", 0x21010000, nil},
		{"size 35", 0x23000001, nil},
		{"size 255", 0xff123456, nil},
		{"regtest limit", 0x207fffff, new(big.Int).Lsh(big.NewInt(0x7fffff), 232)},
		{"non-canonical size", 0x05000080, big.NewInt(0x80 << 16)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CompactToBig(tc.bits)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("CompactToBig(0x%08x) = %x, want an error", tc.bits, got)
				}
				if !errors.Is(err, core.CodeBadPoW) || !strings.Contains(err.Error(), fmt.Sprintf("0x%08x", tc.bits)) {
					t.Errorf("error %q: want %s naming the bits", err, core.CodeBadPoW)
				}
				return
			}
			if err != nil || got.Cmp(tc.want) != 0 {
				t.Fatalf("CompactToBig(0x%08x) = %x, %v; want %x", tc.bits, got, err, tc.want)
			}
			ref, ok := refCompactToBig(tc.bits)
			if !ok || ref.Cmp(got) != 0 {
				t.Errorf("reference decoder: %x, %v", ref, ok)
			}
		})
	}
}

func TestBigToCompactEdges(t *testing.T) {
	max256 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	tests := []struct {
		name string
		in   *big.Int
		want uint32
	}{
		{"nil", nil, 0},
		{"zero", big.NewInt(0), 0},
		{"negative", big.NewInt(-5), 0},
		{"2^256", new(big.Int).Lsh(big.NewInt(1), 256), 0},
		{"2^256-1", max256, 0x2100ffff},
		{"one", big.NewInt(1), 0x01010000},
		{"0x80 needs a size bump", big.NewInt(0x80), 0x02008000},
		{"0x800001 loses its low byte", big.NewInt(0x800001), 0x04008000},
		{"0x123456", big.NewInt(0x123456), 0x03123456},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := BigToCompact(tc.in); got != tc.want {
				t.Errorf("BigToCompact(%v) = 0x%08x, want 0x%08x", tc.in, got, tc.want)
			}
		})
	}
}

func TestCalcWork(t *testing.T) {
	tests := []struct {
		name string
		bits uint32
		want string // decimal
	}{
		{"bitcoin genesis", 0x1d00ffff, "4295032833"},
		{"regtest limit", 0x207fffff, "2"},
		{"target 1", 0x01010000, new(big.Int).Lsh(big.NewInt(1), 255).String()},
		{"zero target", 0x1d000000, "0"},
		{"negative", 0x04923456, "0"},
		{"too large", 0x21010000, "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CalcWork(tc.bits); got.String() != tc.want {
				t.Errorf("CalcWork(0x%08x) = %v, want %s", tc.bits, got, tc.want)
			}
		})
	}
}

func TestCheckHashAndHashToBig(t *testing.T) {
	target, err := TargetHash(0x1f00ffff)
	if err != nil {
		t.Fatal(err)
	}
	above := target
	above[4] = 1 // 0000ffff01...
	below := target
	below[2] = 0xfe
	tests := []struct {
		name string
		hash core.Hash
		want bool
	}{
		{"equal", target, true},
		{"below", below, true},
		{"above", above, false},
		{"zero", core.Hash{}, true},
		{"all ones", core.Hash{0xff}, false},
	}
	tb := HashToBig(target)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CheckHash(tc.hash, target); got != tc.want {
				t.Errorf("CheckHash = %v, want %v", got, tc.want)
			}
			if got := HashToBig(tc.hash).Cmp(tb) <= 0; got != tc.want {
				t.Errorf("HashToBig comparison = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDifficulty(t *testing.T) {
	limit, _ := CompactToBig(0x1d00ffff)
	tests := []struct {
		name string
		bits uint32
		want float64
	}{
		{"at the limit", 0x1d00ffff, 1},
		{"half the target", 0x1d007fff, float64(0xffff) / 0x7fff},
		{"invalid", 0x04923456, 0},
		{"zero", 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Difficulty(tc.bits, limit); got != tc.want {
				t.Errorf("Difficulty(0x%08x) = %v, want %v", tc.bits, got, tc.want)
			}
		})
	}
	if got := Difficulty(0x1d00ffff, nil); got != 0 {
		t.Errorf("nil limit: %v", got)
	}
}

// FuzzCompact checks decoding against the reference decoder, the exact
// round trip of every decoded target, and that encoding any 256-bit value
// truncates it to its top bytes and is canonical.
func FuzzCompact(f *testing.F) {
	var v compactVectors
	loadJSON(f, "compact.json", &v)
	for _, c := range v.Encode {
		h, _ := core.ParseHash(c.Target)
		f.Add(parseBits(f, c.Bits), h[:])
	}
	for _, c := range v.Decode {
		f.Add(parseBits(f, c.Bits), []byte{})
	}
	for _, c := range v.Invalid {
		f.Add(parseBits(f, c.Bits), []byte{0x80})
	}
	f.Add(uint32(0x01800001), []byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, bits uint32, raw []byte) {
		got, err := CompactToBig(bits)
		th, herr := TargetHash(bits)
		ref, ok := refCompactToBig(bits)
		if (err == nil) != ok || (herr == nil) != ok {
			t.Fatalf("bits 0x%08x: CompactToBig err %v, TargetHash err %v, reference ok %v", bits, err, herr, ok)
		}
		if ok {
			if got.Cmp(ref) != 0 || HashToBig(th).Cmp(ref) != 0 {
				t.Fatalf("bits 0x%08x: %x / %s, reference %x", bits, got, th, ref)
			}
			c := BigToCompact(got)
			back, err := CompactToBig(c)
			if err != nil || back.Cmp(got) != 0 {
				t.Fatalf("bits 0x%08x -> %x -> 0x%08x -> %x, %v: not a round trip", bits, got, c, back, err)
			}
			if c != HashToCompact(th) || (got.Sign() != 0 && c != refBigToCompact(got)) {
				t.Fatalf("bits 0x%08x: encodings differ: 0x%08x 0x%08x", bits, c, HashToCompact(th))
			}
		}

		if len(raw) > 32 {
			raw = raw[:32]
		}
		n := new(big.Int).SetBytes(raw)
		c := BigToCompact(n)
		if n.Sign() == 0 {
			if c != 0 {
				t.Fatalf("BigToCompact(0) = 0x%08x", c)
			}
			return
		}
		if c&compactSignBit != 0 || c != refBigToCompact(n) {
			t.Fatalf("BigToCompact(%x) = 0x%08x, reference 0x%08x", n, c, refBigToCompact(n))
		}
		d, err := CompactToBig(c)
		if err != nil || d.Sign() <= 0 || d.Cmp(n) > 0 {
			t.Fatalf("BigToCompact(%x) = 0x%08x decodes to %x, %v", n, c, d, err)
		}
		lost := new(big.Int).Lsh(big.NewInt(1), 8*uint(max(0, int(c>>24)-3)))
		if new(big.Int).Sub(n, d).Cmp(lost) >= 0 {
			t.Fatalf("BigToCompact(%x) = 0x%08x decodes to %x: lost more than the bytes below the mantissa", n, c, d)
		}
		if BigToCompact(d) != c {
			t.Fatalf("0x%08x is not canonical: re-encodes to 0x%08x", c, BigToCompact(d))
		}
	})
}
