package vm

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/cairn-chain/cairn/vm/vmtest"
)

// engine is a VM configuration the tests run on.
type engine struct {
	name string
	cfg  Config
}

// engines are wazero's compiler and interpreter, both metered. The
// compiler's waits for the compiler tier, so that its calls run on it
// (tier_test.go tests the switch).
var engines = []engine{
	{"compiler", Config{waitTier: true}},
	{"interpreter", Config{Interpreter: true}},
}

func newVM(t testing.TB, cfg Config) *VM {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// wasm reads testdata/name.wasm.
func wasm(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Ops of testdata/abi.wat.
const (
	opInput = iota
	opSetReturn
	opStorageRead
	opStorageWrite
	opStorageDelete
	opCaller
	opSelf
	opValue
	opHeight
	opTime
	opBalance
	opAssetBalance
	opTransfer
	opAssetTransfer
	opEmit
	opSHA256
	opAbort
	opEmitN
	opUnreachable
	opRecurse
	opLoad
	opDivide
	opNop
)

// Memory offsets of testdata/abi.wat.
const (
	payload = 64     // where the input's payload lands in memory
	result  = 0xF000 // where a host function's result is stored (i64)
	scratch = 0x9000 // free memory for outputs
)

// abiCall is one call of testdata/abi.wat.
type abiCall struct {
	op         byte
	a, b, c, d uint32
	e          uint64
	rptr, rlen uint32
	payload    []byte
}

// input encodes the call as abi.wat's input.
func (c abiCall) input() []byte {
	b := make([]byte, payload, payload+len(c.payload))
	b[0] = c.op
	le := binary.LittleEndian
	le.PutUint32(b[4:], c.a)
	le.PutUint32(b[8:], c.b)
	le.PutUint32(b[12:], c.c)
	le.PutUint32(b[16:], c.d)
	le.PutUint64(b[24:], c.e)
	le.PutUint32(b[32:], c.rptr)
	le.PutUint32(b[36:], c.rlen)
	return append(b, c.payload...)
}

// run runs code's call with input on h.
func run(m *VM, code []byte, h *vmtest.Host, input []byte, gas uint64) Result {
	h.In = input
	return m.Run(context.Background(), code, EntryCall, gas, h)
}

// cached returns the cached contract of code.
func cached(t testing.TB, m *VM, code []byte) *contract {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.byCode[string(code)]
	if !ok {
		t.Fatal("code not cached")
	}
	return e.Value.(*contract)
}

// waitCompiled waits until code (cached) runs on the compiler tier, where
// there is one.
func waitCompiled(t testing.TB, m *VM, code []byte) {
	t.Helper()
	c := cached(t, m, code)
	<-c.ready
	if m.crt != nil && c.fast.Load() == nil {
		t.Fatal("no compiler tier")
	}
}

// testContext is the context of test runs: a generous watchdog.
func testContext() context.Context { return context.Background() }
