package core

import (
	"encoding/binary"
)

// Canonical encoding: fixed-width big-endian integers, fixed-size byte
// arrays, and uvarint-length-prefixed variable fields. Decoding is strict:
// truncation, trailing bytes, non-minimal varints and over-limit lengths are
// all errors, so decode(b) succeeds only if encode(decode(b)) == b.

func appendU16(b []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(b, v) }
func appendU32(b []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(b, v) }
func appendU64(b []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(b, v) }

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// uvarintLen returns the encoded size of v as a uvarint.
func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// reader decodes canonical fields from a byte slice. The first error sticks
// and names the field (and the object) being read.
type reader struct {
	what string // object being decoded, e.g. "tx"
	b    []byte
	off  int
	err  error
}

func (r *reader) fail(code Code, field, format string, args ...any) {
	if r.err == nil {
		e := Errorf(code, format, args...)
		e.Msg = r.what + " " + field + ": " + e.Msg
		r.err = e
	}
}

func (r *reader) take(field string, n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b)-r.off < n {
		r.fail(CodeMalformed, field, "truncated at byte %d: need %d bytes, have %d", r.off, n, len(r.b)-r.off)
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *reader) u16(field string) uint16 {
	if v := r.take(field, 2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *reader) u32(field string) uint32 {
	if v := r.take(field, 4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *reader) u64(field string) uint64 {
	if v := r.take(field, 8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (r *reader) fixed(field string, dst []byte) {
	if v := r.take(field, len(dst)); v != nil {
		copy(dst, v)
	}
}

// uvarint reads a minimally encoded uvarint no larger than max.
func (r *reader) uvarint(field string, max uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	switch {
	case n == 0:
		r.fail(CodeMalformed, field, "truncated length at byte %d", r.off)
		return 0
	case n < 0:
		r.fail(CodeMalformed, field, "length varint overflows 64 bits at byte %d", r.off)
		return 0
	case n != uvarintLen(v):
		r.fail(CodeMalformed, field, "non-minimal length varint at byte %d", r.off)
		return 0
	case v > max:
		r.fail(CodeTooLarge, field, "length %d above the limit of %d", v, max)
		return 0
	}
	r.off += n
	return v
}

// bytes reads a length-prefixed field of at most max bytes, as a copy.
func (r *reader) bytes(field string, max uint64) []byte {
	n := r.uvarint(field, max)
	v := r.take(field, int(n))
	if v == nil {
		return nil
	}
	out := make([]byte, len(v))
	copy(out, v)
	return out
}

// end fails unless all input was consumed.
func (r *reader) end() error {
	if r.err == nil && r.off != len(r.b) {
		r.fail(CodeMalformed, "", "%d trailing bytes after byte %d", len(r.b)-r.off, r.off)
	}
	return r.err
}
