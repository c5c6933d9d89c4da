package meter

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/tetratelabs/wazero"
)

// Encodings used by the table tests.
var (
	end      = []byte{opEnd}
	i32c0    = []byte{opI32Const, 0}
	noLocals = []byte{0}
)

func locals(groups ...[2]uint32) []byte {
	b := appendU32(nil, uint32(len(groups)))
	for _, g := range groups {
		b = append(appendU32(b, g[0]), byte(g[1]))
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// withFunc returns a contract with a second function of type typ (added
// to the type space) whose locals and code are given.
func withFunc(params []ValType, results []ValType, loc []byte, code ...byte) []byte {
	b := contract(opEnd)
	b.fn(b.typ(params, results), loc, code...)
	return b.bytes()
}

// TestCheckRules: one case per deploy rule, each the smallest module that
// breaks it, and the allowed features next to the forbidden ones.
func TestCheckRules(t *testing.T) {
	envImport := func(name string, sig FuncType) []byte {
		b := &builder{}
		b.importFunc("env", name, b.typ(sig.Params, sig.Results))
		t := b.typ(nil, nil)
		b.memory(1)
		b.export("memory", kindMemory, 0)
		b.export("call", kindFunc, b.fn(t, nil, opEnd))
		return b.bytes()
	}
	rawImport := func(module, name string, desc ...byte) []byte {
		b := &builder{}
		b.importRaw(module, name, desc...)
		t := b.typ(nil, nil)
		b.memory(1)
		b.export("memory", kindMemory, 0)
		b.export("call", kindFunc, b.fn(t, nil, opEnd))
		return b.bytes()
	}
	mod := func(f func(b *builder)) []byte {
		b := contract(opEnd)
		f(b)
		return b.bytes()
	}
	body := func(code ...byte) []byte { return contract(append(code, opEnd)...).bytes() }
	bulk := func(code ...byte) []byte { // with a data count and a passive element segment
		b := contract(append(code, opEnd)...)
		b.dataCount = []byte{1}
		b.data = [][]byte{{1, 0}}
		b.tables = [][]byte{{byte(FuncRef), 0, 1}}
		b.elems = [][]byte{{1, 0, 1, 0}}
		return b.bytes()
	}
	tooBig := testRules()
	tooBig.MaxCodeBytes = 10

	for _, tc := range []struct {
		name  string
		code  []byte
		want  core.Code
		rules *Rules
	}{
		{"minimal contract", contract(opEnd).bytes(), "", nil},
		{"allowed import", envImport("storage_read", testImports["storage_read"]), "", nil},
		{"sign extension", body(opI32Const, 1, 0xc0, opI32Const, 1, 0xc1, 0x46, 0x1a), "", nil},
		{"multi-value block", withFunc(nil, []ValType{I32, I64}, noLocals, opI32Const, 1, opI64Const, 2, opEnd), "", nil},
		{"memory.copy and fill", body(cat(i32c0, i32c0, i32c0, []byte{opPrefixFC, subMemoryCopy, 0, 0}, i32c0, i32c0, i32c0, []byte{opPrefixFC, subMemoryFill, 0})...), "", nil},
		{"funcref table and table.size", bulk(opPrefixFC, subTableSize, 0, 0x1a), "", nil},
		{"1024 locals", withFunc([]ValType{I32, I32}, nil, locals([2]uint32{1022, uint32(I64)}), opEnd), "", nil},

		{"data segment filling the memory", mod(func(b *builder) { b.data = [][]byte{append([]byte{0, opI32Const, 0xfc, 0xff, 3, opEnd, 4}, "abcd"...)} }), "", nil}, // [65532, 65536)
		{"data segment past the memory", mod(func(b *builder) { b.data = [][]byte{append([]byte{0, opI32Const, 0xfd, 0xff, 3, opEnd, 4}, "abcd"...)} }), core.CodeInvalidModule, nil},
		{"data segment at a negative offset", mod(func(b *builder) { b.data = [][]byte{{0, opI32Const, 0x7f, opEnd, 1, 'x'}} }), core.CodeInvalidModule, nil},
		{"data offset from a global", mod(func(b *builder) {
			b.global(I32, false, opI32Const, 0, opEnd)
			b.data = [][]byte{{0, opGlobalGet, 0, opEnd, 1, 'x'}}
		}), core.CodeInvalidModule, nil},
		{"element segment past the table", mod(func(b *builder) {
			b.tables = [][]byte{{byte(FuncRef), 0, 1}}
			b.elems = [][]byte{{0, opI32Const, 1, opEnd, 1, 0}}
		}), core.CodeInvalidModule, nil},
		{"element segment in the table", mod(func(b *builder) {
			b.tables = [][]byte{{byte(FuncRef), 0, 1}}
			b.elems = [][]byte{{0, opI32Const, 0, opEnd, 1, 0}}
		}), "", nil},

		{"code too large", contract(opEnd).bytes(), core.CodeCodeTooLarge, &tooBig},
		{"not wasm", []byte("\x00asm\x02\x00\x00\x00"), core.CodeInvalidModule, nil},

		{"f64 param", withFunc([]ValType{F64}, nil, noLocals, opEnd), core.CodeFloatNotAllowed, nil},
		{"f32 result type", mod(func(b *builder) { b.typ(nil, []ValType{F32}) }), core.CodeFloatNotAllowed, nil},
		{"f32 local", withFunc(nil, nil, locals([2]uint32{1, uint32(F32)}), opEnd), core.CodeFloatNotAllowed, nil},
		{"f64 global", mod(func(b *builder) { b.global(F64, false, cat([]byte{0x44}, make([]byte, 8))...) }), core.CodeFloatNotAllowed, nil},
		{"f32.const", body(0x43, 0, 0, 0, 0, 0x1a), core.CodeFloatNotAllowed, nil},
		{"f64.load", body(opI32Const, 0, 0x2b, 3, 0, 0x1a), core.CodeFloatNotAllowed, nil},
		{"f32 block type", body(opBlock, byte(F32), 0x43, 0, 0, 0, 0, opEnd, 0x1a), core.CodeFloatNotAllowed, nil},
		{"i32.trunc_sat_f32_s", body(0x43, 0, 0, 0, 0, opPrefixFC, 0, 0x1a), core.CodeFloatNotAllowed, nil},
		{"i64.reinterpret_f64", body(0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0xbd, 0x1a), core.CodeFloatNotAllowed, nil},
		{"f64 select type", body(opSelectT, 1, byte(F64)), core.CodeFloatNotAllowed, nil},

		{"v128 param", withFunc([]ValType{V128}, nil, noLocals, opEnd), core.CodeSIMDNotAllowed, nil},
		{"SIMD opcode", body(opPrefixSIMD, 0x0c), core.CodeSIMDNotAllowed, nil},
		{"atomic opcode", body(opPrefixAtomic, 0x03, 0), core.CodeThreadsNotAllowed, nil},
		{"shared memory", mod(func(b *builder) { b.mems[0] = []byte{3, 1, 1} }), core.CodeThreadsNotAllowed, nil},

		{"return_call", body(0x12, 0), core.CodeFeatureNotAllowed, nil},
		{"try", body(0x06, 0x40, opEnd), core.CodeFeatureNotAllowed, nil},
		{"two memories", mod(func(b *builder) { b.memory(1) }), core.CodeFeatureNotAllowed, nil},
		{"memory64", mod(func(b *builder) { b.mems[0] = []byte{4, 1} }), core.CodeFeatureNotAllowed, nil},
		{"externref param", withFunc([]ValType{ExternRef}, nil, noLocals, opEnd), core.CodeFeatureNotAllowed, nil},
		{"externref table", mod(func(b *builder) { b.tables = [][]byte{{byte(ExternRef), 0, 1}} }), core.CodeFeatureNotAllowed, nil},
		{"table above the cap", mod(func(b *builder) { b.tables = [][]byte{appendU32([]byte{byte(FuncRef), 0}, MaxTableElements+1)} }), core.CodeMemoryTooLarge, nil},
		{"table at the cap", mod(func(b *builder) { b.tables = [][]byte{appendU32([]byte{byte(FuncRef), 0}, MaxTableElements)} }), "", nil},
		{"two tables", mod(func(b *builder) { b.tables = [][]byte{{byte(FuncRef), 0, 1}, {byte(FuncRef), 0, 1}} }), core.CodeFeatureNotAllowed, nil},
		{"ref.null extern", body(opRefNull, byte(ExternRef), 0x1a), core.CodeFeatureNotAllowed, nil},
		{"table.set", bulk(i32c0[0], 0, opRefNull, byte(FuncRef), opTableSet, 0), core.CodeFeatureNotAllowed, nil},
		{"table.grow", bulk(opRefNull, byte(FuncRef), i32c0[0], 0, opPrefixFC, subTableGrow, 0, 0x1a), core.CodeFeatureNotAllowed, nil},
		{"table.fill", bulk(i32c0[0], 0, opRefNull, byte(FuncRef), i32c0[0], 0, opPrefixFC, subTableFill, 0), core.CodeFeatureNotAllowed, nil},
		{"table.copy", bulk(i32c0[0], 0, i32c0[0], 0, i32c0[0], 0, opPrefixFC, subTableCopy, 0, 0), core.CodeFeatureNotAllowed, nil},
		{"table.init", bulk(i32c0[0], 0, i32c0[0], 0, i32c0[0], 0, opPrefixFC, subTableInit, 0, 0), core.CodeFeatureNotAllowed, nil},
		{"elem.drop", bulk(opPrefixFC, subElemDrop, 0), core.CodeFeatureNotAllowed, nil},
		{"memory.init", bulk(i32c0[0], 0, i32c0[0], 0, i32c0[0], 0, opPrefixFC, subMemoryInit, 0, 0), core.CodeFeatureNotAllowed, nil},
		{"data.drop", bulk(opPrefixFC, subDataDrop, 0), core.CodeFeatureNotAllowed, nil},

		{"start function", mod(func(b *builder) { b.start = []byte{0} }), core.CodeStartNotAllowed, nil},

		{"unknown import", envImport("launch", FuncType{}), core.CodeImportNotAllowed, nil},
		{"wrong signature", envImport("storage_read", FuncType{Params: []ValType{I32, I32, I32, I32}}), core.CodeImportNotAllowed, nil},
		{"other module", rawImport("wasi_snapshot_preview1", "storage_read", kindFunc, 0), core.CodeImportNotAllowed, nil},
		{"imported memory", rawImport("env", "memory", kindMemory, 0, 1), core.CodeImportNotAllowed, nil},
		{"imported global", rawImport("env", "g", kindGlobal, byte(I32), 0), core.CodeImportNotAllowed, nil},
		{"imported table", rawImport("env", "t", kindTable, byte(FuncRef), 0, 1), core.CodeImportNotAllowed, nil},

		{"memory above the cap", mod(func(b *builder) { b.mems[0] = appendU32([]byte{0}, testMemoryPages+1) }), core.CodeMemoryTooLarge, nil},
		{"memory at the cap", mod(func(b *builder) { b.mems[0] = appendU32([]byte{0}, testMemoryPages) }), "", nil},
		{"no memory", mod(func(b *builder) { b.mems = nil; b.exports = b.exports[1:] }), core.CodeNoMemoryExport, nil},
		{"memory not exported", mod(func(b *builder) { b.exports = b.exports[1:] }), core.CodeNoMemoryExport, nil},
		{"memory exported as mem", mod(func(b *builder) { b.exports[0] = appendU32(append(appendName(nil, "mem"), kindMemory), 0) }), core.CodeNoMemoryExport, nil},

		{"no call", mod(func(b *builder) { b.exports = b.exports[:1] }), core.CodeNoCallExport, nil},
		{"call with a parameter", mod(func(b *builder) {
			b.exports = b.exports[:1]
			b.export("call", kindFunc, b.fn(b.typ([]ValType{I32}, nil), nil, opEnd))
		}), core.CodeBadEntryPoint, nil},
		{"call returns", mod(func(b *builder) {
			b.exports = b.exports[:1]
			b.export("call", kindFunc, b.fn(b.typ(nil, []ValType{I32}), nil, opI32Const, 0, opEnd))
		}), core.CodeBadEntryPoint, nil},
		{"call is a global", mod(func(b *builder) {
			b.exports = b.exports[:1]
			b.export("call", kindGlobal, b.global(I32, false, opI32Const, 0))
		}), core.CodeBadEntryPoint, nil},
		{"bad init", mod(func(b *builder) { b.export("init", kindFunc, b.fn(b.typ([]ValType{I64}, nil), nil, opEnd)) }), core.CodeBadEntryPoint, nil},
		{"reserved export", mod(func(b *builder) { b.export("__cairn_gas", kindFunc, 0) }), core.CodeReservedName, nil},
		{"reserved prefix", mod(func(b *builder) { b.export("__cairn_x", kindMemory, 0) }), core.CodeReservedName, nil},

		{"1025 locals", withFunc([]ValType{I32, I32}, nil, locals([2]uint32{1000, uint32(I64)}, [2]uint32{23, uint32(I32)}), opEnd), core.CodeTooManyLocals, nil},
		{"2^32 locals", withFunc(nil, nil, locals([2]uint32{1 << 31, uint32(I64)}, [2]uint32{1 << 31, uint32(I32)}), opEnd), core.CodeInvalidModule, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRules()
			if tc.rules != nil {
				r = *tc.rules
			}
			info, err := Check(tc.code, r)
			if got := core.CodeOf(err); got != tc.want || (err != nil) != (tc.want != "") {
				t.Fatalf("Check = %v (code %q), want code %q", err, got, tc.want)
			}
			if err == nil && info.Functions < 1 {
				t.Fatalf("Info %+v", info)
			}
			if tc.want == "" {
				// An accepted case must be valid WebAssembly, and so must
				// its instrumentation.
				rt := newRuntime(t, wazero.NewRuntimeConfigInterpreter())
				if _, err := rt.CompileModule(context.Background(), tc.code); err != nil {
					t.Fatalf("not valid WebAssembly: %v", err)
				}
				if _, err := rt.CompileModule(context.Background(), mustInstrument(t, tc.code)); err != nil {
					t.Fatalf("instrumented: %v", err)
				}
			}
			t.Log(err)
		})
	}
}

// TestCheckInfo: what Check says of a module.
func TestCheckInfo(t *testing.T) {
	b := &builder{}
	b.importFunc("env", "storage_read", b.typ(testImports["storage_read"].Params, testImports["storage_read"].Results))
	v := b.typ(nil, nil)
	b.mems = [][]byte{{1, 2, 9}}
	b.global(I32, false, opI32Const, 0)
	b.global(I64, true, opI64Const, 0)
	b.global(I32, true, opI32Const, 0)
	b.export("memory", kindMemory, 0)
	b.export("call", kindFunc, b.fn(v, nil, opEnd))
	b.export("init", kindFunc, b.fn(v, nil, opEnd))
	wasm := b.bytes()
	if _, err := newRuntime(t, wazero.NewRuntimeConfigInterpreter()).CompileModule(context.Background(), wasm); err != nil {
		t.Fatal(err)
	}
	info, err := Check(wasm, testRules())
	if err != nil {
		t.Fatal(err)
	}
	want := Info{HasInit: true, Functions: 2, ImportedFuncs: 1, MemoryPages: 2, MutableGlobals: []uint32{1, 2}}
	if info.HasInit != want.HasInit || info.Functions != want.Functions || info.ImportedFuncs != want.ImportedFuncs ||
		info.MemoryPages != want.MemoryPages || !slices.Equal(info.MutableGlobals, want.MutableGlobals) {
		t.Fatalf("Info %+v, want %+v", info, want)
	}
}
