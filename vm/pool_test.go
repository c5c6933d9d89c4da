package vm

import (
	"encoding/binary"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm/vmtest"
)

// stateResult decodes testdata/state.wat's return: g, h, mem[100],
// mem[60000].
func stateResult(t *testing.T, r Result) [4]uint32 {
	t.Helper()
	if r.Err != nil || len(r.Return) != 16 {
		t.Fatalf("state call: %v, %d bytes", r.Err, len(r.Return))
	}
	var v [4]uint32
	for i := range v {
		v[i] = binary.LittleEndian.Uint32(r.Return[4*i:])
	}
	return v
}

// TestPoolReset: every call of a pooled instance starts from the initial
// memory and mutable globals, after a successful call, a trap (the
// instance is discarded), an out-of-gas stop and a memory growth (the
// instance is discarded), with the same gas each time.
func TestPoolReset(t *testing.T) {
	fresh := [4]uint32{7 + 9, 1001, 6, 1}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			m := newVM(t, e.cfg)
			code := wasm(t, "state")
			h := vmtest.New()
			first := run(m, code, h, []byte{0}, 100000)
			if v := stateResult(t, first); v != fresh {
				t.Fatalf("first call %v, want %v", v, fresh)
			}
			mod := cached(t, m, code).current()
			if len(mod.idle) != 1 {
				t.Fatalf("%d idle instances after a call", len(mod.idle))
			}
			pooled := mod.idle[0]
			steps := []struct {
				input []byte
				gas   uint64
				code  core.Code
			}{
				{[]byte{0}, 100000, ""},
				{[]byte{0}, 100000, ""},
				{[]byte{1}, 100000, core.CodeTrap},
				{[]byte{0}, 100000, ""},
				{[]byte{0}, first.GasUsed - 1, core.CodeOutOfGas},
				{[]byte{0}, 100000, ""},
				{[]byte{2}, 100000, ""}, // grows memory: not reused
				{[]byte{0}, 100000, ""},
				{[]byte{0}, 100000, ""},
			}
			for i, s := range steps {
				r := run(m, code, h, s.input, s.gas)
				if s.code != "" {
					if core.CodeOf(r.Err) != s.code {
						t.Fatalf("step %d: %v, want %s", i, r.Err, s.code)
					}
					if len(mod.idle) != 0 {
						t.Fatalf("step %d: instance kept after %s", i, s.code)
					}
					continue
				}
				if v := stateResult(t, r); v != fresh {
					t.Fatalf("step %d: %v, want %v: state leaked between calls", i, v, fresh)
				}
				if s.input[0] == 0 && r.GasUsed != first.GasUsed {
					t.Fatalf("step %d: %d gas, first call %d", i, r.GasUsed, first.GasUsed)
				}
				if s.input[0] == 2 && len(mod.idle) != 0 {
					t.Fatalf("step %d: instance with grown memory kept", i)
				}
				if i == 0 && mod.idle[0] != pooled {
					t.Fatal("instance not reused")
				}
			}
			// The pooled instance's memory equals the snapshot, byte for byte.
			in := mod.idle[0]
			b, _ := in.mem.Read(0, in.mem.Size())
			for i := range b {
				if b[i] != in.snap.mem[i] {
					t.Fatalf("memory byte %d is %d after reset, snapshot %d", i, b[i], in.snap.mem[i])
				}
			}
		})
	}
}
