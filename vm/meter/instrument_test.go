package meter

import (
	"bytes"
	"context"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/tetratelabs/wazero"
)

// TestInstrumentRefusesOutOfRange: every index immediate one past the end
// of its space in the original module is refused, so that no invalid
// module can name what Instrument appends. Each case is also checked to be
// invalid for the engine.
func TestInstrumentRefusesOutOfRange(t *testing.T) {
	body := func(code ...byte) []byte { return contract(append(code, opEnd)...).bytes() }
	mod := func(f func(b *builder)) []byte {
		b := contract(opEnd)
		f(b)
		return b.bytes()
	}
	for _, tc := range []struct {
		name string
		code []byte
	}{
		{"global.get, no globals", body(opGlobalGet, 0, 0x1a)},
		{"global.set past the end", mod(func(b *builder) {
			b.global(I64, true, opI64Const, 0)
			b.fn(0, nil, opI64Const, 0, opGlobalSet, 1, opEnd)
		})},
		{"call past the end", body(opCall, 1)},
		{"ref.func past the end", body(opRefFunc, 1, 0x1a)},
		{"local past the end", mod(func(b *builder) {
			b.fn(b.typ([]ValType{I32}, nil), locals([2]uint32{2, uint32(I64)}), opLocalGet, 3, 0x1a, opEnd)
		})},
		{"call_indirect type", mod(func(b *builder) {
			b.tables = [][]byte{{byte(FuncRef), 0, 1}}
			b.fn(0, nil, opI32Const, 0, opCallIndirect, 1, 0, opEnd)
		})},
		{"call_indirect table", body(opI32Const, 0, opCallIndirect, 0, 0)},
		{"table.get", body(opI32Const, 0, opTableGet, 0, 0x1a)},
		{"label", body(opBr, 1)},
		{"br_table default", body(opI32Const, 0, opBrTable, 1, 0, 1)},
		{"block type", body(opBlock, 0x05, opEnd)},
		{"memory.grow, no memory", mod(func(b *builder) {
			b.mems, b.exports = nil, b.exports[1:]
			b.fn(0, nil, opI32Const, 0, opMemoryGrow, 0, 0x1a, opEnd)
		})},
		{"load, no memory", mod(func(b *builder) {
			b.mems, b.exports = nil, b.exports[1:]
			b.fn(0, nil, opI32Const, 0, 0x28, 2, 0, 0x1a, opEnd)
		})},
		{"memory.fill, no memory", mod(func(b *builder) {
			b.mems, b.exports = nil, b.exports[1:]
			b.fn(0, nil, opI32Const, 0, opI32Const, 0, opI32Const, 0, opPrefixFC, subMemoryFill, 0, opEnd)
		})},
		{"data.drop, no data count", body(opPrefixFC, subDataDrop, 0)},
		{"memory.init past the count", mod(func(b *builder) {
			b.dataCount, b.data = []byte{1}, [][]byte{{1, 0}}
			b.fn(0, nil, opI32Const, 0, opI32Const, 0, opI32Const, 0, opPrefixFC, subMemoryInit, 1, 0, opEnd)
		})},
		{"elem.drop", body(opPrefixFC, subElemDrop, 0)},
		{"export function", mod(func(b *builder) { b.export("f", kindFunc, 1) })},
		{"export global", mod(func(b *builder) { b.export("g", kindGlobal, 0) })},
		{"start", mod(func(b *builder) { b.start = []byte{1} })},
		{"element function", mod(func(b *builder) {
			b.tables = [][]byte{{byte(FuncRef), 0, 1}}
			b.elems = [][]byte{{0, opI32Const, 0, opEnd, 1, 1}}
		})},
		{"global initializer", mod(func(b *builder) { b.global(I32, false, opGlobalGet, 0) })},
		{"function type", mod(func(b *builder) { b.funcs = append(b.funcs, 1); b.codes = append(b.codes, []byte{2, 0, opEnd}) })},
		{"else outside if", body(opElse)},
		{"code after the end", contract(opEnd, opEnd).bytes()},
		{"no final end", contract().bytes()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := newRuntime(t, wazero.NewRuntimeConfigInterpreter()).CompileModule(context.Background(), tc.code); err == nil {
				t.Fatal("the engine accepts the case: it tests nothing")
			}
			out, err := Instrument(tc.code)
			if core.CodeOf(err) != core.CodeInvalidModule {
				t.Fatalf("Instrument = %d bytes, %v; want invalid_module", len(out), err)
			}
			t.Log(err)
		})
	}
}

// TestInstrumentOutput: the output is deterministic, leaves the input
// alone, drops custom sections, and exports the gas, the depth and the
// mutable globals (only those).
func TestInstrumentOutput(t *testing.T) {
	orig := corpus(t, "compute")
	keep := bytes.Clone(orig)
	a := mustInstrument(t, orig)
	if !bytes.Equal(orig, keep) {
		t.Fatal("Instrument changed its input")
	}
	if b := mustInstrument(t, orig); !bytes.Equal(a, b) {
		t.Fatal("two instrumentations differ")
	}
	ctx := context.Background()
	rt := newRuntime(t, wazero.NewRuntimeConfigInterpreter())
	mod, err := rt.Instantiate(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		GasExport: true, DepthExport: true,
		GlobalExport(0): true, GlobalExport(1): true, // $count, $seed
		GlobalExport(2): false, // $k is immutable
	} {
		if got := mod.ExportedGlobal(name) != nil; got != want {
			t.Errorf("export %s: %v, want %v", name, got, want)
		}
	}

	withCustom := contract(opEnd)
	withCustom.custom = append(appendName(nil, "name"), 0xff, 0xff)
	out := mustInstrument(t, withCustom.bytes())
	if !bytes.Equal(out, mustInstrument(t, contract(opEnd).bytes())) {
		t.Fatal("custom sections are not dropped")
	}
}

// TestInstrumentRefusals: what Instrument cannot meter.
func TestInstrumentRefusals(t *testing.T) {
	reserved := contract(opEnd)
	reserved.export(GasExport, kindFunc, 0)
	twoMems := contract(opEnd)
	twoMems.memory(1)
	for _, tc := range []struct {
		name string
		code []byte
		want core.Code
	}{
		{"reserved export", reserved.bytes(), core.CodeReservedName},
		{"two memories", twoMems.bytes(), core.CodeFeatureNotAllowed},
		{"SIMD", contract(opPrefixSIMD, 0x0c, opEnd).bytes(), core.CodeSIMDNotAllowed},
		{"atomics", contract(opPrefixAtomic, 3, 0, opEnd).bytes(), core.CodeThreadsNotAllowed},
		{"tail call", contract(0x12, 0, opEnd).bytes(), core.CodeFeatureNotAllowed},
		{"empty", nil, core.CodeInvalidModule},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Instrument(tc.code); core.CodeOf(err) != tc.want {
				t.Fatalf("Instrument: %v, want %s", err, tc.want)
			}
		})
	}
}

// TestEngineCrashModules: wazero v1.12.0 cannot be given arbitrary bytes.
// Its CompileModule panics (index out of range in its validator) on a
// module where function 0 calls function 1 whose declared type does not
// exist, and runs out of memory (a fatal error) on a 20-byte module
// declaring 2^32 parameters; and it takes 22 s to accept a 30-byte module
// declaring 16 M locals. Check and Instrument refuse all three at once,
// without allocating, so Check before the engine keeps such a deploy from
// crashing or stalling a node.
func TestEngineCrashModules(t *testing.T) {
	b := contract(opCall, 1, opEnd)
	b.fn(7, nil, opEnd)
	panics := b.bytes()
	ooms := addSection(append([]byte{}, header...), secType, append(appendU32([]byte{1, 0x60}, 0xffffffff), 0x7f, 0x7f))
	slow := withFunc(nil, nil, locals([2]uint32{1 << 24, uint32(I32)}), opEnd)
	for _, tc := range []struct {
		wasm []byte
		want core.Code
	}{{panics, core.CodeInvalidModule}, {ooms, core.CodeInvalidModule}, {slow, core.CodeTooManyLocals}} {
		if _, err := Check(tc.wasm, testRules()); core.CodeOf(err) != tc.want {
			t.Fatalf("Check: %v", err)
		}
		if _, err := Instrument(tc.wasm); core.CodeOf(err) != tc.want {
			t.Fatalf("Instrument: %v", err)
		}
	}
	if n := testing.AllocsPerRun(10, func() { Check(ooms, testRules()) }); n > 10 {
		t.Fatalf("Check allocates %v times on a 20-byte module", n)
	}
}
