package meter

import (
	"bytes"
	"context"
	"crypto/sha256"
	"slices"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/tetratelabs/wazero"
)

// TestCorpusCheck: the deploy verdict on every module of testdata.
func TestCorpusCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		want core.Code
	}{
		{"compute", ""},
		{"loop", ""},
		{"recurse", ""},
		{"grow", ""},
		{"fill", ""},
		{"float", core.CodeFloatNotAllowed},
		{"import", core.CodeImportNotAllowed},
		{"cheat", core.CodeInvalidModule},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(corpus(t, tc.name), testRules())
			if got := core.CodeOf(err); got != tc.want || (err != nil) != (tc.want != "") {
				t.Fatalf("Check = %v (code %q), want code %q", err, got, tc.want)
			}
		})
	}
}

// TestCheat: a module that is invalid only because it names a global that
// does not exist (yet) is refused by the engine and by Instrument, so it
// can never alias the injected gas global.
func TestCheat(t *testing.T) {
	wasm := corpus(t, "cheat")
	rt := newRuntime(t, wazero.NewRuntimeConfigInterpreter())
	if _, err := rt.CompileModule(context.Background(), wasm); err == nil {
		t.Fatal("wazero accepts cheat.wasm")
	}
	out, err := Instrument(wasm)
	if core.CodeOf(err) != core.CodeInvalidModule {
		t.Fatalf("Instrument(cheat) = %d bytes, %v; want invalid_module", len(out), err)
	}
}

// forEngines runs a metered call on both engines and checks they agree.
func forEngines(t *testing.T, wasm []byte, gas int64, fn string, args ...uint64) outcome {
	t.Helper()
	var first outcome
	for i, e := range engines {
		o := run(t, newRuntime(t, e.cfg()), wasm, gas, fn, args...)
		if i == 0 {
			first = o
		} else if !sameOutcome(first, o) {
			t.Fatalf("%s: %+v\n%s: %+v", engines[0].name, first, e.name, o)
		}
	}
	return first
}

// sameOutcome compares two calls. Only whether they trapped counts, not
// the message: wazero v1.12.0's interpreter reports memory.copy from
// source 0xffffffff as a recovered Go slice panic where the compiler
// reports an out-of-bounds access (FuzzDifferential seed 26bcf9e4...).
func sameOutcome(a, b outcome) bool {
	return (a.Trap == "") == (b.Trap == "") && a.Gas == b.Gas && a.Depth == b.Depth && a.Memory == b.Memory &&
		a.Pages == b.Pages && slices.Equal(a.Results, b.Results) && slices.Equal(a.Globals, b.Globals)
}

// TestLoop: an infinite loop stops out of gas with exactly the limit used
// (the gas global at -1), whatever the limit and the engine.
func TestLoop(t *testing.T) {
	wasm := mustInstrument(t, corpus(t, "loop"))
	for _, limit := range []int64{0, 1, 7, 12345, 1_000_000} {
		o := forEngines(t, wasm, limit, "call")
		if o.Trap == "" || o.Gas != -1 || o.Depth != 0 {
			t.Fatalf("limit %d: %+v, want out of gas (-1)", limit, o)
		}
	}
}

// TestRecurse: unbounded recursion stops at depth MaxCallDepth on every
// engine, leaving the depth global at MaxCallDepth+1, long before the
// engines' own stack limits (which differ: ~2,000 frames on the
// interpreter, ~1.5 M on the compiler).
func TestRecurse(t *testing.T) {
	wasm := mustInstrument(t, corpus(t, "recurse"))
	o := forEngines(t, wasm, 1e9, "call")
	if o.Trap == "" || o.Depth != MaxCallDepth+1 || o.Gas <= 0 {
		t.Fatalf("%+v, want a trap at depth %d with gas left", o, MaxCallDepth+1)
	}
	// $r ran MaxCallDepth times: the call export's call is depth 1.
	if len(o.Globals) != 1 || o.Globals[0] != MaxCallDepth {
		t.Fatalf("recursion counter %v, want [%d]", o.Globals, MaxCallDepth)
	}
}

// TestGrow: a memory.grow bomb pays per page asked for, granted or not,
// and runs out of gas; memory stays within the runtime's cap.
func TestGrow(t *testing.T) {
	wasm := mustInstrument(t, corpus(t, "grow"))
	o := forEngines(t, wasm, 1_000_000, "call")
	if o.Trap == "" || o.Gas != -1 {
		t.Fatalf("%+v, want out of gas", o)
	}
	if o.Pages != testMemoryPages {
		t.Fatalf("%d pages, want the cap %d", o.Pages, testMemoryPages)
	}
}

// TestFill: memory.fill pays 1 + len/32 before it touches memory.
func TestFill(t *testing.T) {
	wasm := mustInstrument(t, corpus(t, "fill"))
	zero := sha256.Sum256(make([]byte, 65536))
	// 3 consts + memory.fill + SegmentGas, then 65536/32 in the helper.
	const cost = 3 + 1 + SegmentGas + 65536>>BulkShift
	o := forEngines(t, wasm, cost-1, "call")
	if o.Trap == "" || o.Gas != -1 || o.Memory != zero {
		t.Fatalf("gas %d: %+v, want out of gas with memory untouched", cost-1, o)
	}
	o = forEngines(t, wasm, cost, "call")
	if o.Trap != "" || o.Gas != 0 || o.Memory == zero {
		t.Fatalf("gas %d: %+v, want the fill done with 0 gas left", cost, o)
	}
}

// TestCodeTooLarge: a 10 MB module is refused on its size alone: it is not
// even a WebAssembly module, so any decoding would say invalid_module.
func TestCodeTooLarge(t *testing.T) {
	code := bytes.Repeat([]byte{0xff}, 10<<20)
	start := time.Now()
	_, err := Check(code, testRules())
	if core.CodeOf(err) != core.CodeCodeTooLarge {
		t.Fatalf("Check(10 MB) = %v, want code_too_large", err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("Check(10 MB) took %v: it decoded the module", d)
	}
}

// computeCalls are the exports of compute.wasm with their arguments, and
// the gas each uses under schedule v1 (frozen: a change to any of these
// numbers is a change of schedule, so bump ScheduleVersion).
var computeCalls = []struct {
	fn   string
	args []uint64
	gas  int64
}{
	{"fib", []uint64{15}, 49313},
	{"fact", []uint64{20}, 438},
	{"switch", []uint64{0}, 12},
	{"switch", []uint64{2}, 12},
	{"switch", []uint64{99}, 11},
	{"indirect", []uint64{1, 12}, 24},
	{"indirect", []uint64{2, 10}, 4429},
	{"indirect", []uint64{3, 10}, 16}, // out of the table: trap
	{"xorshift", []uint64{1000}, 27013},
	{"mem", []uint64{300}, 9338},
	{"grow", []uint64{2}, 2007},
	{"grow", []uint64{100}, 100007}, // refused by the cap: -1
	{"multi", []uint64{5, 300}, 27},
	{"read", nil, 13},
	{"trap", []uint64{0}, 10},
	{"call", nil, 4432},
}

// TestBehaviour: instrumented, compute.wasm gives the same results, traps
// and memory as the original on both engines, with the same gas on both.
func TestBehaviour(t *testing.T) {
	orig := corpus(t, "compute")
	wasm := mustInstrument(t, orig)
	const limit = 10_000_000
	for _, c := range computeCalls {
		want := run(t, newRuntime(t, wazero.NewRuntimeConfigInterpreter()), orig, 0, c.fn, c.args...)
		got := forEngines(t, wasm, limit, c.fn, c.args...)
		if (got.Trap == "") != (want.Trap == "") || got.Memory != want.Memory || !slices.Equal(got.Results, want.Results) {
			t.Errorf("%s%v: instrumented %+v, original %+v", c.fn, c.args, got, want)
		}
		if got.Gas <= 0 || got.Gas >= limit || got.Depth != 0 && got.Trap == "" {
			t.Errorf("%s%v: gas left %d, depth %d", c.fn, c.args, got.Gas, got.Depth)
		}
		if limit-got.Gas != c.gas {
			t.Errorf("%s%v: used %d gas, schedule v1 says %d", c.fn, c.args, limit-got.Gas, c.gas)
		}
	}
}
