package meter

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// The engines every behaviour test runs on: the gas must not depend on it.
var engines = []struct {
	name string
	cfg  func() wazero.RuntimeConfig
}{
	{"compiler", wazero.NewRuntimeConfigCompiler},
	{"interpreter", wazero.NewRuntimeConfigInterpreter},
}

// features are the chain's: WebAssembly 2.0 without SIMD.
const features = api.CoreFeaturesV2 &^ api.CoreFeatureSIMD

// testMemoryPages is the runtime memory cap of the tests.
const testMemoryPages = 16

// testImports is the host ABI of the tests: a stub storage.
var testImports = map[string]FuncType{
	"storage_read":  {Params: []ValType{I32, I32, I32, I32}, Results: []ValType{I32}},
	"storage_write": {Params: []ValType{I32, I32, I32, I32}},
}

func testRules() Rules {
	return Rules{MaxMemoryPages: testMemoryPages, MaxCodeBytes: 128 << 10, Imports: testImports}
}

// newRuntime returns a runtime of the engine with the env stub module.
// storage_read(k, kl, v, cap) writes min(cap, 8) bytes of the key's stored
// value (a u64) and returns 8, or -1; storage_write(k, kl, v, vl) stores a
// hash of the value under the key's first byte. Both are deterministic.
func newRuntime(t testing.TB, cfg wazero.RuntimeConfig) wazero.Runtime {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, cfg.WithCoreFeatures(features).WithMemoryLimitPages(testMemoryPages))
	t.Cleanup(func() { rt.Close(ctx) })
	store := map[byte]uint64{}
	_, err := rt.NewHostModuleBuilder("env").
		NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, k, kl, v, vcap uint32) int32 {
		kb, ok := m.Memory().Read(k, kl)
		if !ok || kl == 0 {
			panic("storage_read: key out of range")
		}
		val, ok := store[kb[0]]
		if !ok {
			return -1
		}
		var buf [8]byte
		binary.LittleEndian.PutUint64(buf[:], val)
		if !m.Memory().Write(v, buf[:min(vcap, 8)]) {
			panic("storage_read: value out of range")
		}
		return 8
	}).Export("storage_read").
		NewFunctionBuilder().WithFunc(func(ctx context.Context, m api.Module, k, kl, v, vl uint32) {
		kb, ok := m.Memory().Read(k, kl)
		vb, ok2 := m.Memory().Read(v, vl)
		if !ok || !ok2 || kl == 0 {
			panic("storage_write: out of range")
		}
		h := sha256.Sum256(vb)
		store[kb[0]] = binary.LittleEndian.Uint64(h[:])
	}).Export("storage_write").
		Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// outcome is what a call did, for comparing engines and instrumentations.
type outcome struct {
	Results []uint64
	Trap    string // the trap's first line, "" if none
	Gas     int64  // gas left (-1: out of gas)
	Depth   int32
	Memory  [32]byte // hash of the memory after the call
	Pages   uint32
	Globals []uint64 // the original module's exported mutable globals, in index order
}

// run instantiates wasm on rt, sets the gas (if instrumented) and calls fn.
func run(t testing.TB, rt wazero.Runtime, wasm []byte, gas int64, fn string, args ...uint64) outcome {
	t.Helper()
	ctx := context.Background()
	cm, err := rt.CompileModule(ctx, wasm)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	defer cm.Close(ctx)
	mod, err := rt.InstantiateModule(ctx, cm, wazero.NewModuleConfig().WithName(""))
	if err != nil {
		t.Fatalf("instantiate: %v", err)
	}
	defer mod.Close(ctx)
	g, metered := mod.ExportedGlobal(GasExport).(api.MutableGlobal)
	if metered {
		g.Set(uint64(gas))
	}
	var o outcome
	f := mod.ExportedFunction(fn)
	o.Results, err = f.Call(ctx, args...)
	// The engines disagree on the upper bits of an i32 result (the
	// compiler zero-extends, the interpreter sign-extends): compare the
	// value only.
	for i, rt := range f.Definition().ResultTypes() {
		if rt == api.ValueTypeI32 && i < len(o.Results) {
			o.Results[i] = uint64(uint32(o.Results[i]))
		}
	}
	if err != nil {
		o.Trap, _, _ = strings.Cut(err.Error(), "\n")
		var exit interface{ ExitCode() uint32 }
		if errors.As(err, &exit) {
			t.Fatalf("module closed: %v", err)
		}
	}
	if metered {
		o.Gas = int64(g.Get())
		o.Depth = int32(mod.ExportedGlobal(DepthExport).Get())
		for i := range uint32(64) {
			if g := mod.ExportedGlobal(GlobalExport(i)); g != nil {
				v := g.Get()
				if g.Type() == api.ValueTypeI32 { // the engines differ above bit 31 (as for results)
					v = uint64(uint32(v))
				}
				o.Globals = append(o.Globals, v)
			}
		}
	}
	if mem := mod.Memory(); mem != nil {
		b, _ := mem.Read(0, mem.Size())
		o.Memory = sha256.Sum256(b)
		o.Pages = mem.Size() / 65536
	}
	return o
}

// corpus reads testdata/name.wasm.
func corpus(t testing.TB, name string) []byte {
	t.Helper()
	b, err := readCorpus(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readCorpus(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name+".wasm"))
}

// mustInstrument instruments a module and checks the output validates.
func mustInstrument(t testing.TB, wasm []byte) []byte {
	t.Helper()
	out, err := Instrument(wasm)
	if err != nil {
		t.Fatalf("instrument: %v", err)
	}
	return out
}
