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

// Reader decodes canonical fields from a byte slice, strictly: the first
// error sticks and names the object and field being read. The wire
// protocols above core (p2p) use it for their messages too.
type Reader struct {
	what string // object being decoded, e.g. "tx"
	b    []byte
	off  int
	err  error
}

// Fail records a rule error for field unless an error is already set.
func (r *Reader) Fail(code Code, field, format string, args ...any) {
	if r.err == nil {
		e := Errorf(code, format, args...)
		e.Msg = r.what + " " + field + ": " + e.Msg
		r.err = e
	}
}

// Take reads n raw bytes (aliasing the input).
func (r *Reader) Take(field string, n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b)-r.off < n {
		r.Fail(CodeMalformed, field, "truncated at byte %d: need %d bytes, have %d", r.off, n, len(r.b)-r.off)
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

// U16 reads a big-endian uint16.
func (r *Reader) U16(field string) uint16 {
	if v := r.Take(field, 2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

// U32 reads a big-endian uint32.
func (r *Reader) U32(field string) uint32 {
	if v := r.Take(field, 4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

// U64 reads a big-endian uint64.
func (r *Reader) U64(field string) uint64 {
	if v := r.Take(field, 8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// Fixed reads len(dst) bytes into dst.
func (r *Reader) Fixed(field string, dst []byte) {
	if v := r.Take(field, len(dst)); v != nil {
		copy(dst, v)
	}
}

// Uvarint reads a minimally encoded uvarint no larger than max.
func (r *Reader) Uvarint(field string, max uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	switch {
	case n == 0:
		r.Fail(CodeMalformed, field, "truncated length at byte %d", r.off)
		return 0
	case n < 0:
		r.Fail(CodeMalformed, field, "length varint overflows 64 bits at byte %d", r.off)
		return 0
	case n != uvarintLen(v):
		r.Fail(CodeMalformed, field, "non-minimal length varint at byte %d", r.off)
		return 0
	case v > max:
		r.Fail(CodeTooLarge, field, "length %d above the limit of %d", v, max)
		return 0
	}
	r.off += n
	return v
}

// Bytes reads a length-prefixed field of at most max bytes, as a copy.
func (r *Reader) Bytes(field string, max uint64) []byte {
	n := r.Uvarint(field, max)
	v := r.Take(field, int(n))
	if v == nil {
		return nil
	}
	out := make([]byte, len(v))
	copy(out, v)
	return out
}

// End fails unless all input was consumed, and returns the first error.
func (r *Reader) End() error {
	if r.err == nil && r.off != len(r.b) {
		r.Fail(CodeMalformed, "", "%d trailing bytes after byte %d", len(r.b)-r.off, r.off)
	}
	return r.err
}

// NewReader returns a Reader over b; what names the object in errors.
func NewReader(what string, b []byte) *Reader { return &Reader{what: what, b: b} }

// Err returns the first error (nil while all reads succeeded).
func (r *Reader) Err() error { return r.err }

// SetErr records err as the reader's error unless one is already set.
func (r *Reader) SetErr(err error) {
	if r.err == nil {
		r.err = err
	}
}

// Remaining returns the number of unread bytes.
func (r *Reader) Remaining() int { return len(r.b) - r.off }

// Count reads a list length of at most max whose items take at least
// minItem bytes each, so no allocation exceeds what the input can fill.
func (r *Reader) Count(field string, max, minItem int) int {
	n := int(r.Uvarint(field, uint64(max)))
	if r.err == nil && n*minItem > len(r.b)-r.off {
		r.Fail(CodeMalformed, field, "%d items cannot fit in the %d bytes left", n, len(r.b)-r.off)
		return 0
	}
	return n
}

// BytesView reads a length-prefixed field of at most max bytes without
// copying (the result aliases the input).
func (r *Reader) BytesView(field string, max int) []byte {
	n := r.Uvarint(field, uint64(max))
	return r.Take(field, int(n))
}

// Hashes reads a length-prefixed list of at most max hashes.
func (r *Reader) Hashes(field string, max int) []Hash {
	n := r.Count(field, max, HashSize)
	hs := make([]Hash, n)
	for i := range hs {
		r.Fixed(field, hs[i][:])
	}
	return hs
}
