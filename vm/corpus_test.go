package vm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm/meter"
	"github.com/cairn-chain/cairn/vm/vmtest"
)

// meterWasm reads vm/meter/testdata/name.wasm, the metering's corpus.
func meterWasm(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("meter", "testdata", name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCorpus runs meter's corpus through the whole pipeline on both
// engines: the deploy refusals, and the bombs stopped with the right code
// and the same gas used.
func TestCorpus(t *testing.T) {
	cases := []struct {
		name   string
		gas    uint64
		deploy core.Code // Check's refusal
		code   core.Code // the call's failure
		used   uint64    // exact gas used, if not 0
	}{
		{name: "float", deploy: core.CodeFloatNotAllowed},
		{name: "import", deploy: core.CodeImportNotAllowed},
		{name: "cheat", deploy: core.CodeInvalidModule},
		{name: "loop", gas: 1_000_000, code: core.CodeOutOfGas, used: 1_000_000},
		{name: "grow", gas: 1_000_000, code: core.CodeOutOfGas, used: 1_000_000},
		{name: "fill", gas: 1_000, code: core.CodeOutOfGas, used: 1_000},
		{name: "fill", gas: 100_000},
		{name: "recurse", gas: 10_000_000, code: core.CodeCallDepthExceeded},
		{name: "recurse", gas: 10_000, code: core.CodeOutOfGas, used: 10_000},
		{name: "compute", gas: 1_000_000},
	}
	for _, c := range cases {
		var gas []uint64
		for _, e := range engines {
			m := newVM(t, e.cfg)
			code := meterWasm(t, c.name)
			err := m.Check(code)
			if core.CodeOf(err) != c.deploy {
				t.Fatalf("%s %s: Check %v, want %q", e.name, c.name, err, c.deploy)
			}
			if c.deploy != "" {
				continue
			}
			r := run(m, code, vmtest.New(), nil, c.gas)
			if core.CodeOf(r.Err) != c.code || (c.code == "" && r.Err != nil) {
				t.Fatalf("%s %s: %v, want %q", e.name, c.name, r.Err, c.code)
			}
			if c.used != 0 && r.GasUsed != c.used {
				t.Fatalf("%s %s: %d gas used, want %d", e.name, c.name, r.GasUsed, c.used)
			}
			if r.GasUsed == 0 || r.GasUsed > c.gas {
				t.Fatalf("%s %s: %d gas used of %d", e.name, c.name, r.GasUsed, c.gas)
			}
			// The VM goes on working after the bomb.
			if r := run(m, meterWasm(t, "compute"), vmtest.New(), nil, 1_000_000); r.Err != nil {
				t.Fatalf("%s after %s: %v", e.name, c.name, r.Err)
			}
			gas = append(gas, r.GasUsed)
		}
		if len(gas) == 2 && gas[0] != gas[1] {
			t.Fatalf("%s: compiler %d gas, interpreter %d", c.name, gas[0], gas[1])
		}
	}
}

// TestDepthMapping: the recursion of testdata/abi.wat stops at the
// metering's depth limit as call_depth_exceeded, on both engines with the
// same gas; just under the limit it succeeds.
func TestDepthMapping(t *testing.T) {
	var gas []uint64
	for _, e := range engines {
		m := newVM(t, e.cfg)
		code := wasm(t, "abi")
		// Every call instruction counts: call → $recurse(n) nests n+1 calls.
		ok := run(m, code, vmtest.New(), abiCall{op: opRecurse, a: meter.MaxCallDepth - 1, rptr: result, rlen: 8}.input(), 10_000_000)
		if ok.Err != nil {
			t.Fatalf("%s: depth %d: %v", e.name, meter.MaxCallDepth, ok.Err)
		}
		r := run(m, code, vmtest.New(), abiCall{op: opRecurse, a: meter.MaxCallDepth}.input(), 10_000_000)
		if core.CodeOf(r.Err) != core.CodeCallDepthExceeded || !r.Executed() {
			t.Fatalf("%s: %v", e.name, r.Err)
		}
		gas = append(gas, ok.GasUsed, r.GasUsed)
	}
	if gas[0] != gas[2] || gas[1] != gas[3] {
		t.Fatalf("gas differs between engines: %v", gas)
	}
}
