package meter

import (
	"errors"
	"unicode/utf8"

	"github.com/cairn-chain/cairn/core"
)

// reader decodes the binary format. Every error is invalid_module and says
// at which offset of the module it happened.
type reader struct {
	b   []byte
	off int // position in b
	pos int // offset of b[0] in the module, for messages

	countEnd int // offset after the count read by counted
}

func (r *reader) errorf(format string, args ...any) error {
	return core.Errorf(core.CodeInvalidModule, "offset %d: "+format, append([]any{r.pos + r.off}, args...)...)
}

func (r *reader) eof() bool { return r.off >= len(r.b) }

func (r *reader) byte() (byte, error) {
	if r.off >= len(r.b) {
		return 0, r.errorf("unexpected end")
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

func (r *reader) bytes(n uint32) ([]byte, error) {
	if uint64(n) > uint64(len(r.b)-r.off) {
		return nil, r.errorf("length %d past the end", n)
	}
	s := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return s, nil
}

// u32 reads an unsigned LEB128 of at most 5 bytes whose unused bits are 0.
func (r *reader) u32() (uint32, error) {
	var v uint32
	for i := 0; i < 5; i++ {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		if i == 4 && c > 0x0f {
			return 0, r.errorf("u32 overflows")
		}
		v |= uint32(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return v, nil
		}
	}
	return 0, r.errorf("u32 too long") // unreachable: i == 4 returns above
}

// signed reads a signed LEB128 of n bits (32, 33 or 64) whose unused
// bits are the sign extension, as the spec requires.
func (r *reader) signed(n int) (int64, error) {
	var v int64
	shift := 0
	maxBytes := (n + 6) / 7
	for i := 0; i < maxBytes; i++ {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		if i == maxBytes-1 {
			// The bits of the last byte above the value's width must
			// all equal its sign bit.
			used := uint(n - 7*i) // bits of c that carry the value, 1 to 7
			x := (c & 0x7f) >> (used - 1)
			if c&0x80 != 0 || (x != 0 && x != 0x7f>>(used-1)) {
				return 0, r.errorf("s%d overflows", n)
			}
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v, nil
		}
	}
	return 0, r.errorf("s%d too long", n)
}

// name reads a UTF-8 name.
func (r *reader) name() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	b, err := r.bytes(n)
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", r.errorf("name is not UTF-8")
	}
	return string(b), nil
}

// errCount is the cause of a vector count larger than the bytes left: the
// malformation that makes some decoders allocate gigabytes.
var errCount = errors.New("past the end of its section")

// count reads a vector length, refusing one that cannot fit in the bytes
// left (each element takes at least min bytes), so that a forged count
// cannot make us allocate.
func (r *reader) count(min int) (uint32, error) {
	n, err := r.u32()
	if err != nil {
		return 0, err
	}
	if uint64(n)*uint64(min) > uint64(len(r.b)-r.off) {
		return 0, core.Wrap(core.CodeInvalidModule, errCount, "offset %d: count %d", r.pos+r.off, n)
	}
	return n, nil
}

func appendU32(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendS64(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func appendName(b []byte, s string) []byte {
	b = appendU32(b, uint32(len(s)))
	return append(b, s...)
}
