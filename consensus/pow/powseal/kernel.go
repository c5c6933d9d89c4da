package powseal

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
	"reflect"
	"unsafe"

	"github.com/cairn-chain/cairn/core"
)

// The SHA-256 message of a header is two 64-byte blocks. Block 1 is header
// bytes [0,64): it does not depend on the nonce and is compressed once per
// template (the midstate). Block 2 is the 50-byte tail [64,114) (42 fixed
// bytes, then the big-endian nonce) followed by the FIPS 180-4 padding that
// crypto/sha256 would append itself: 0x80, zeros, and the message length in
// bits as a big-endian uint64 in its last 8 bytes. Each nonce therefore
// costs exactly one compression.
const (
	midSize      = sha256.BlockSize                      // header bytes in the midstate
	tailSize     = core.HeaderSize - midSize             // header bytes in the last block
	tailNonceOff = core.HeaderNonceOffset - midSize      // nonce offset in the last block
	msgBits      = uint64(core.HeaderSize) * 8           // length field of the padding
	_            = uint(sha256.BlockSize - tailSize - 9) // the tail, 0x80 and the length fit one block
	_            = uint(core.HeaderSize - core.HeaderNonceOffset - 8)
	_            = uint(core.HeaderNonceOffset + 8 - core.HeaderSize) // the nonce is the last 8 bytes
)

// Per nonce the kernel resets a crypto/sha256 digest to the midstate,
// Writes the prepared last block (64 bytes with nonce and padding, so Write
// runs exactly one compression and buffers nothing) and reads the digest's
// chaining state, which after the last block is the hash. This skips Sum,
// whose own struct copy, padding Write and output encoding cost about as
// much as the compression itself: measured in BenchmarkKernelVariants,
// copy+Write+Sum reaches ~0.42 of the raw compression rate, this kernel
// ~0.77. SHA-256 itself is crypto/sha256's (SHA-NI on amd64); tests and
// FuzzKernel check the kernel against core.Header.Hash.

// restoreMode is how a kernel resets its working digest to the midstate
// before each nonce.
type restoreMode uint8

const (
	// restoreCopy copies the digest struct byte for byte (one memmove of
	// ~120 bytes). Sound because the struct holds no pointers, which
	// newKernel checks with reflect: copying it is what `d0 := *d` inside
	// crypto/sha256's own Sum does.
	restoreCopy restoreMode = iota
	// restoreUnmarshal reloads the midstate with UnmarshalBinary, the
	// documented state format: the fallback when the digest is not a plain
	// pointer-free struct (e.g. a BoringCrypto build).
	restoreUnmarshal
	// restorePlain uses no midstate: SHA-256 of the whole header per nonce
	// (two compressions). The last resort if the others fail the self-check.
	restorePlain
)

func (m restoreMode) String() string {
	switch m {
	case restoreCopy:
		return "copy"
	case restoreUnmarshal:
		return "unmarshal"
	default:
		return "plain"
	}
}

// kernelOptions disable the faster paths (tests and benchmarks compare them).
type kernelOptions struct {
	noCopy bool // never restoreCopy
	noTop  bool // never read the first state word directly
	plain  bool // restorePlain only
}

// kernel hashes one header for many nonces. It is owned by one goroutine.
type kernel struct {
	mode restoreMode

	work hash.Hash                  // digest each nonce's last block is written to
	app  encoding.BinaryAppender    // work's state, read as the digest
	unm  encoding.BinaryUnmarshaler // work, for restoreUnmarshal

	mid      hash.Hash // the midstate digest (keeps midRaw's memory alive)
	midRaw   []byte    // mid's struct bytes (restoreCopy)
	workRaw  []byte    // work's struct bytes (restoreCopy)
	midState []byte    // mid's marshaled state (restoreUnmarshal)

	// top points at work's first state word h0 once the last block is
	// compressed; h0 is the hash's first 4 bytes read big-endian, enough to
	// reject almost every nonce without encoding the state (~10% faster).
	// Found by reflect (field "h" of type [8]uint32) in memory this
	// goroutine owns, and used only if the self-check agrees, so a Go
	// release that changes the field only loses the speed-up: top is then
	// nil and the state is read with AppendBinary.
	top *uint32

	block   [sha256.BlockSize]byte // the last block: tail, padding; nonce at tailNonceOff
	header  [core.HeaderSize]byte  // the whole encoding (restorePlain, self-check)
	scratch []byte                 // AppendBinary output, allocated once
}

// newKernel prepares a kernel for h (its nonce is ignored). It picks the
// fastest restore mode that passes a self-check against SHA-256 of the full
// header encoding, so it always returns a correct kernel.
func newKernel(h *core.Header, opt kernelOptions) *kernel {
	k := &kernel{scratch: make([]byte, 0, 128)}
	h.AppendEncode(k.header[:0])
	copy(k.block[:], k.header[midSize:])
	k.block[tailSize] = 0x80
	binary.BigEndian.PutUint64(k.block[sha256.BlockSize-8:], msgBits)

	modes := []restoreMode{restoreCopy, restoreUnmarshal}
	if opt.noCopy {
		modes = modes[1:]
	}
	if opt.plain {
		modes = nil
	}
	for _, mode := range modes {
		if k.setup(mode, !opt.noTop) && k.selfCheck() {
			return k
		}
	}
	k.mode, k.top = restorePlain, nil
	return k
}

// setup builds the midstate for mode; it reports false if the digest does
// not support it.
func (k *kernel) setup(mode restoreMode, wantTop bool) bool {
	k.mode, k.top = mode, nil
	k.mid, k.work = sha256.New(), sha256.New()
	k.mid.Write(k.header[:midSize])
	var ok bool
	if k.app, ok = k.work.(encoding.BinaryAppender); !ok {
		return false
	}
	if k.unm, ok = k.work.(encoding.BinaryUnmarshaler); !ok {
		return false
	}
	switch mode {
	case restoreCopy:
		if k.midRaw, ok = plainStructBytes(k.mid); !ok {
			return false
		}
		if k.workRaw, ok = plainStructBytes(k.work); !ok || len(k.workRaw) != len(k.midRaw) {
			return false
		}
	case restoreUnmarshal:
		m, ok := k.mid.(encoding.BinaryMarshaler)
		if !ok {
			return false
		}
		var err error
		if k.midState, err = m.MarshalBinary(); err != nil {
			return false
		}
	}
	if wantTop {
		k.top = firstStateWord(k.work)
	}
	return true
}

// selfCheck compares the kernel with SHA-256 of the full encoding for a few
// nonces; if only the direct word read disagrees, it drops that.
func (k *kernel) selfCheck() bool {
	for _, n := range [...]uint64{0, 1, 0x0123456789abcdef, ^uint64(0)} {
		binary.BigEndian.PutUint64(k.header[core.HeaderNonceOffset:], n)
		want := sha256.Sum256(k.header[:])
		k.compress(n)
		if k.top != nil && *k.top != binary.BigEndian.Uint32(want[:4]) {
			k.top = nil
		}
		if got := k.sum(); got != want {
			return false
		}
	}
	return true
}

// compress computes the hash of the header with nonce n into k.work (or
// k.header in restorePlain).
func (k *kernel) compress(n uint64) {
	switch k.mode {
	case restoreCopy:
		copy(k.workRaw, k.midRaw)
	case restoreUnmarshal:
		if k.unm.UnmarshalBinary(k.midState) != nil {
			// Cannot happen for a state the same type marshaled; make
			// the read below fail rather than hash a wrong state.
			k.work.Reset()
		}
	default:
		binary.BigEndian.PutUint64(k.header[core.HeaderNonceOffset:], n)
		return
	}
	binary.BigEndian.PutUint64(k.block[tailNonceOff:], n)
	k.work.Write(k.block[:])
}

// sum returns the hash computed by the last compress. The marshaled state
// of a SHA-256 digest is a 4-byte magic then the state words h0..h7 big
// endian, which after the final block are the digest itself.
func (k *kernel) sum() core.Hash {
	var out core.Hash
	if k.mode == restorePlain {
		return sha256.Sum256(k.header[:])
	}
	b, err := k.app.AppendBinary(k.scratch[:0])
	if err != nil || len(b) < 4+core.HashSize {
		for i := range out {
			out[i] = 0xff // meets no target; the self-check rejects such a kernel
		}
		return out
	}
	copy(out[:], b[4:])
	return out
}

// hash returns SHA-256 of the header with nonce n.
func (k *kernel) hash(n uint64) core.Hash {
	k.compress(n)
	return k.sum()
}

// scan hashes count nonces n, n+step, ... (the caller keeps them from
// wrapping) and returns the first whose hash is <= target, with the number
// of hashes done. top32 is the target's first 4 bytes read big-endian: a
// hash whose first word exceeds it fails without a full comparison.
func (k *kernel) scan(n, step uint64, count int, target *core.Hash, top32 uint32) (uint64, bool, int) {
	if k.mode == restoreCopy && k.top != nil {
		// The hot loop: one memmove, one 8-byte store, one compression,
		// one load and compare per nonce.
		work, blk, mid, dst, top := k.work, k.block[:], k.midRaw, k.workRaw, k.top
		for i := range count {
			copy(dst, mid)
			binary.BigEndian.PutUint64(blk[tailNonceOff:], n)
			work.Write(blk)
			if *top <= top32 {
				if s := k.sum(); bytes.Compare(s[:], target[:]) <= 0 {
					return n, true, i + 1
				}
			}
			n += step
		}
		return n, false, count
	}
	for i := range count {
		k.compress(n)
		if k.firstWord() <= top32 {
			if s := k.sum(); bytes.Compare(s[:], target[:]) <= 0 {
				return n, true, i + 1
			}
		}
		n += step
	}
	return n, false, count
}

// firstWord returns the first 4 bytes of the hash computed by the last
// compress, read big-endian.
func (k *kernel) firstWord() uint32 {
	switch {
	case k.top != nil:
		return *k.top
	case k.mode == restorePlain:
		s := k.sum()
		return binary.BigEndian.Uint32(s[:])
	}
	b, err := k.app.AppendBinary(k.scratch[:0])
	if err != nil || len(b) < 8 {
		return 0 // sum decides
	}
	return binary.BigEndian.Uint32(b[4:])
}

// plainStructBytes returns the memory of the struct h points to, if h is a
// pointer to a struct that holds no pointers (so a byte copy of it is a
// complete, GC-safe copy of its value).
func plainStructBytes(h hash.Hash) ([]byte, bool) {
	v := reflect.ValueOf(h)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Type().Elem().Kind() != reflect.Struct {
		return nil, false
	}
	t := v.Type().Elem()
	if !pointerFree(t) || t.Size() == 0 {
		return nil, false
	}
	return unsafe.Slice((*byte)(v.UnsafePointer()), t.Size()), true
}

// pointerFree reports whether values of t contain no pointers of any kind
// (only booleans, numbers, and arrays and structs of them).
func pointerFree(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return pointerFree(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !pointerFree(t.Field(i).Type) {
				return false
			}
		}
		return true
	default: // pointers, uintptr, slices, strings, maps, chans, funcs, interfaces
		return false
	}
}

// firstStateWord returns a pointer to the first word of the digest's
// chaining state (field h [8]uint32 of crypto/sha256's digest), or nil if
// the digest has no such field. The caller must confirm what it reads.
func firstStateWord(h hash.Hash) *uint32 {
	v := reflect.ValueOf(h)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Type().Elem().Kind() != reflect.Struct {
		return nil
	}
	f, ok := v.Type().Elem().FieldByName("h")
	if !ok || f.Type != reflect.TypeFor[[8]uint32]() {
		return nil
	}
	return (*uint32)(unsafe.Add(v.UnsafePointer(), f.Offset))
}
