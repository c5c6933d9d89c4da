package vm

import (
	"errors"
	"fmt"
)

// Export kinds of the WebAssembly binary format.
const (
	exportFunc   = 0x00
	exportTable  = 0x01
	exportMemory = 0x02
	exportGlobal = 0x03
)

// exportNames returns the names of the exports of kind in a WebAssembly
// binary, in order. It reads only the section headers and the export
// section, and fails on anything malformed there.
func exportNames(code []byte, kind byte) ([]string, error) {
	r := binReader{b: code}
	if len(code) < 8 || string(code[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly binary")
	}
	r.i = 8
	var names []string
	for r.i < len(r.b) {
		id := r.byte()
		size := r.u32()
		if r.err != nil {
			return nil, r.err
		}
		if uint64(size) > uint64(len(r.b)-r.i) {
			return nil, fmt.Errorf("section %d of %d bytes past the end", id, size)
		}
		end := r.i + int(size)
		if id != 7 {
			r.i = end
			continue
		}
		sec := binReader{b: r.b[:end], i: r.i}
		n := sec.u32()
		for k := uint32(0); k < n && sec.err == nil; k++ {
			name := sec.name()
			kd := sec.byte()
			sec.u32()
			if sec.err == nil && kd == kind {
				names = append(names, name)
			}
		}
		if sec.err != nil {
			return nil, fmt.Errorf("export section: %w", sec.err)
		}
		if sec.i != end {
			return nil, errors.New("export section: trailing bytes")
		}
		r.i = end
	}
	return names, nil
}

// binReader reads the WebAssembly binary encoding; the first error sticks.
type binReader struct {
	b   []byte
	i   int
	err error
}

var errShort = errors.New("unexpected end")

func (r *binReader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.i >= len(r.b) {
		r.err = errShort
		return 0
	}
	c := r.b[r.i]
	r.i++
	return c
}

// u32 reads an unsigned LEB128 of at most 5 bytes that fits 32 bits.
func (r *binReader) u32() uint32 {
	var v uint32
	for shift := 0; shift < 35; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		if shift == 28 && c&0x70 != 0 {
			r.err = errors.New("u32 overflow")
			return 0
		}
		v |= uint32(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.err = errors.New("u32 too long")
	return 0
}

func (r *binReader) name() string {
	n := r.u32()
	if r.err != nil {
		return ""
	}
	if uint64(n) > uint64(len(r.b)-r.i) {
		r.err = errShort
		return ""
	}
	s := string(r.b[r.i : r.i+int(n)])
	r.i += int(n)
	return s
}
