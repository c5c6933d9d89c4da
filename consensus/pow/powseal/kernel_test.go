package powseal

import (
	"math/rand/v2"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// randomHeader returns a header with every field random.
func randomHeader(r *rand.Rand) core.Header {
	var h core.Header
	h.Version = uint16(r.Uint32())
	h.Height = r.Uint64()
	fill(r, h.PrevHash[:])
	h.Timestamp = r.Uint64()
	fill(r, h.TxRoot[:])
	fill(r, h.Miner[:])
	h.Bits = r.Uint32()
	h.Nonce = r.Uint64()
	return h
}

func fill(r *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(r.Uint32())
	}
}

var kernelVariants = []struct {
	name string
	opt  kernelOptions
	mode restoreMode
	top  bool
}{
	{"copy+top", kernelOptions{}, restoreCopy, true},
	{"copy", kernelOptions{noTop: true}, restoreCopy, false},
	{"unmarshal+top", kernelOptions{noCopy: true}, restoreUnmarshal, true},
	{"unmarshal", kernelOptions{noCopy: true, noTop: true}, restoreUnmarshal, false},
	{"plain", kernelOptions{plain: true}, restorePlain, false},
}

func TestKernelMatchesHeaderHash(t *testing.T) {
	for _, v := range kernelVariants {
		t.Run(v.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(v.mode)))
			for range 1000 {
				h := randomHeader(r)
				k := newKernel(&h, v.opt)
				if k.mode != v.mode || (k.top != nil) != v.top {
					t.Fatalf("kernel mode %v top %v, want %v top %v", k.mode, k.top != nil, v.mode, v.top)
				}
				for _, n := range []uint64{0, 1, r.Uint64(), r.Uint64(), ^uint64(0)} {
					h.Nonce = n
					if got, want := k.hash(n), h.Hash(); got != want {
						t.Fatalf("nonce %d: kernel %x, Header.Hash %x", n, got, want)
					}
				}
			}
		})
	}
}

func FuzzKernel(f *testing.F) {
	r := rand.New(rand.NewPCG(2, 2))
	for range 4 {
		h := randomHeader(r)
		f.Add(h.Encode(), r.Uint64())
	}
	f.Add(make([]byte, core.HeaderSize), uint64(0))
	f.Fuzz(func(t *testing.T, enc []byte, nonce uint64) {
		h, err := core.DecodeHeader(enc)
		if err != nil {
			return
		}
		for _, v := range kernelVariants {
			k := newKernel(h, v.opt)
			h.Nonce = nonce
			if got, want := k.hash(nonce), h.Hash(); got != want {
				t.Fatalf("%s: nonce %d: kernel %x, Header.Hash %x", v.name, nonce, got, want)
			}
		}
	})
}
