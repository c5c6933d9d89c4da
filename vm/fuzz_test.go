package vm

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm/vmtest"
)

// sameResult reports whether two Results are identical (gas, return,
// error text).
func sameResult(a, b Result) bool {
	if a.GasUsed != b.GasUsed || !bytes.Equal(a.Return, b.Return) || (a.Err == nil) != (b.Err == nil) {
		return false
	}
	return a.Err == nil || a.Err.Error() == b.Err.Error()
}

// seedModules adds every .wasm of vm/testdata and vm/meter/testdata.
func seedModules(f *testing.F) {
	for _, dir := range []string{"testdata", filepath.Join("meter", "testdata")} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.wasm"))
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

// FuzzCheck: any bytes either fail Check with a deploy-rule error or run
// with the same result and gas on the compiler and the interpreter.
func FuzzCheck(f *testing.F) {
	seedModules(f)
	f.Add([]byte("\x00asm\x01\x00\x00\x00"))
	comp := newVM(f, Config{CacheEntries: 8, waitTier: true})
	interp := newVM(f, Config{Interpreter: true, CacheEntries: 8})
	f.Fuzz(func(t *testing.T, code []byte) {
		err := comp.Check(code)
		if ierr := interp.Check(code); (err == nil) != (ierr == nil) || core.CodeOf(err) != core.CodeOf(ierr) {
			t.Fatalf("Check: compiler %v, interpreter %v", err, ierr)
		}
		if err != nil {
			if !core.IsRuleError(err) || core.CodeOf(err).Info().Class != core.ClassBroken {
				t.Fatalf("Check error %v is not a deploy rule", err)
			}
			return
		}
		for _, entry := range []string{EntryInit, EntryCall} {
			a := run2(comp, code, entry)
			b := run2(interp, code, entry)
			if !sameResult(a, b) {
				t.Fatalf("%s: compiler %d gas %v, interpreter %d gas %v", entry, a.GasUsed, a.Err, b.GasUsed, b.Err)
			}
			if a.Err != nil && !a.Executed() {
				t.Fatalf("%s: not executed: %v", entry, a.Err)
			}
		}
	})
}

func run2(m *VM, code []byte, entry string) Result {
	h := vmtest.New()
	h.In = []byte("fuzz input")
	h.Storage["k"] = []byte("v")
	return m.Run(testContext(), code, entry, 20_000, h)
}

// FuzzABI: any input to testdata/abi.wat (raw host-call arguments) gives
// the same result and gas on both engines, and never fails the run as
// not executed.
func FuzzABI(f *testing.F) {
	for _, c := range abiCases() {
		f.Add(c.call.input())
	}
	comp := newVM(f, Config{waitTier: true})
	interp := newVM(f, Config{Interpreter: true})
	code, err := os.ReadFile(filepath.Join("testdata", "abi.wasm"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		hosts := [2]*vmtest.Host{vmtest.New(), vmtest.New()}
		var res [2]Result
		for i, m := range []*VM{comp, interp} {
			h := hosts[i]
			h.Balances[h.SelfAddr] = 1000
			h.Storage["k"] = []byte("value")
			res[i] = run(m, code, h, input, 1_000_000)
		}
		if !sameResult(res[0], res[1]) {
			t.Fatalf("compiler %d gas %v, interpreter %d gas %v", res[0].GasUsed, res[0].Err, res[1].GasUsed, res[1].Err)
		}
		if !res[0].Executed() {
			t.Fatalf("not executed: %v", res[0].Err)
		}
		if len(hosts[0].Events) != len(hosts[1].Events) || len(hosts[0].Storage) != len(hosts[1].Storage) {
			t.Fatal("hosts differ")
		}
	})
}
