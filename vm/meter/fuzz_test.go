package meter

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/tetratelabs/wazero"
)

// fuzzGas is the gas limit of a differential run: enough for real work,
// small enough that an unbounded loop stops in milliseconds on the
// interpreter.
const fuzzGas = 200_000

func genSeeds(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{2, 4, 10, 1, 3, 12, 5, 7, 9, 11, 13, 0, 255, 128, 64})
	f.Add([]byte{1, 1, 10, 20, 3, 9, 3, 3, 3, 4, 4, 4, 8, 8, 8, 12, 12})
	f.Add([]byte{0, 3, 12, 6, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	for i := range 24 {
		b := make([]byte, 64)
		for j := range b {
			b[j] = byte((i+1)*(j+7)*2654435761>>13) ^ byte(i*j)
		}
		f.Add(b)
	}
}

// FuzzDifferential: a random valid contract, instrumented, runs the same on
// wazero's compiler and interpreter (same gas left, results, trap, memory,
// globals and depth); it passes Check; and when it finishes within its gas
// and depth, the original module does exactly the same thing.
func FuzzDifferential(f *testing.F) {
	genSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := genModule(data)
		if _, err := Check(orig, testRules()); err != nil {
			t.Fatalf("Check refuses a generated contract: %v", err)
		}
		wasm, err := Instrument(orig)
		if err != nil {
			t.Fatalf("Instrument: %v", err)
		}
		var first outcome
		for i, e := range engines {
			o := run(t, newRuntime(t, e.cfg()), wasm, fuzzGas, "call")
			if i == 0 {
				first = o
			} else if !sameOutcome(first, o) {
				t.Fatalf("engines differ:\n%s: %+v\n%s: %+v", engines[0].name, first, e.name, o)
			}
		}
		t.Logf("%d bytes: gas left %d, depth %d, trap %q", len(orig), first.Gas, first.Depth, first.Trap)
		if first.Gas < -1 || first.Gas > fuzzGas || first.Gas == fuzzGas {
			t.Fatalf("gas left %d of %d", first.Gas, fuzzGas)
		}
		if first.Gas == -1 || first.Depth > MaxCallDepth {
			return // stopped by the metering: the original would go on
		}
		want := run(t, newRuntime(t, wazero.NewRuntimeConfigInterpreter()), orig, 0, "call")
		if (want.Trap == "") != (first.Trap == "") || want.Memory != first.Memory || want.Pages != first.Pages {
			t.Fatalf("instrumented %+v\noriginal %+v", first, want)
		}
	})
}

// FuzzInstrument: on any input, Instrument never panics; when the engine
// accepts the input, Instrument's output is accepted too (or Instrument
// refuses a feature with a rule code); when the engine refuses the input,
// Instrument refuses it or its output is refused too: instrumentation
// never makes an invalid module valid (other than by dropping custom
// sections, which carry no code).
func FuzzInstrument(f *testing.F) {
	genSeeds(f)
	for _, name := range []string{"compute", "loop", "recurse", "grow", "fill", "float", "import", "cheat"} {
		b, err := readCorpus(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(genModule([]byte{2, 4, 10, 1, 3, 12, 5, 7, 9, 11, 13}))
	rt := newRuntime(f, wazero.NewRuntimeConfigInterpreter())
	f.Fuzz(func(t *testing.T, data []byte) {
		in := data
		if len(data) > 0 && data[0]&1 == 1 {
			// Half the inputs are generated modules with a few bytes
			// flipped: near-valid modules reach deeper than random bytes.
			in = mutate(genModule(data[1:]), data)
		}
		out, err := Instrument(in)
		if errors.Is(err, errCount) || core.CodeOf(err) == core.CodeTooManyLocals {
			// A forged count: the engine would allocate by it, up to a
			// fatal out of memory, or take minutes over millions of
			// locals (TestEngineCrashModules). Refused.
			return
		}
		inErr, panicked := compile(rt, in)
		if panicked != nil && core.CodeOf(err) != core.CodeInvalidModule {
			t.Fatalf("the engine panics on the module (%v); Instrument says %v", panicked, err)
		}
		if err != nil {
			if !core.IsRuleError(err) {
				t.Fatalf("not a rule error: %v", err)
			}
			if inErr == nil && core.CodeOf(err) == core.CodeInvalidModule {
				t.Fatalf("the engine accepts the module, Instrument says: %v", err)
			}
			return
		}
		outErr, panicked := compile(rt, out)
		if panicked != nil {
			t.Fatalf("the engine panics on Instrument's output: %v", panicked)
		}
		switch {
		case inErr == nil && outErr != nil:
			t.Fatalf("valid module, invalid output: %v", outErr)
		case inErr != nil && outErr == nil && !onlyCustomInvalid(rt, in):
			t.Fatalf("invalid module (%v), valid output", inErr)
		}
	})
}

// compile validates and compiles wasm, reporting a panic of the engine
// (wazero v1.12.0 panics on some invalid modules: TestEnginePanicModule).
func compile(rt wazero.Runtime, wasm []byte) (err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			err, panicked = fmt.Errorf("panic: %v", p), p
		}
	}()
	cm, err := rt.CompileModule(context.Background(), wasm)
	if err == nil {
		cm.Close(context.Background())
	}
	return err, nil
}

// mutate flips bytes of wasm at positions and values taken from data.
func mutate(wasm, data []byte) []byte {
	wasm = append([]byte{}, wasm...)
	for i := 0; i+2 < len(data) && i < 12; i += 3 {
		pos := int(binary.LittleEndian.Uint16(data[i:])) % len(wasm)
		wasm[pos] = data[i+2]
	}
	return wasm
}

// onlyCustomInvalid reports whether wasm becomes valid once its custom
// sections are removed (the engine checks a name section's syntax).
func onlyCustomInvalid(rt wazero.Runtime, wasm []byte) bool {
	m, err := parse(wasm)
	if err != nil {
		return false
	}
	out := append([]byte{}, header...)
	for _, s := range m.sections {
		out = addSection(out, s.id, wasm[s.start:s.end])
	}
	err, _ = compile(rt, out)
	return err == nil
}
