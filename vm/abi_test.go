package vm

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm/vmtest"
)

var (
	addrA  = core.Address{0xaa, 1}
	assetX = core.AssetID{0xee, 1}
)

// addrBytes is the address whose first byte is b (vmtest: 1 the caller,
// 2 the contract).
func addrBytes(b byte) []byte { a := core.Address{b}; return a[:] }

func le64(v uint64) []byte {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	return b
}

// abiCase is a conformance case of one host function.
type abiCase struct {
	name  string
	setup func(h *vmtest.Host)
	call  abiCall
	want  []byte    // the return value on success
	code  core.Code // the failure, or ""
	msg   string    // part of the failure's message
	gas   uint64    // gas of the host call itself (the harness adds input and set_return)
	check func(t *testing.T, h *vmtest.Host)
}

func abiCases() []abiCase {
	big := bytes.Repeat([]byte{'v'}, MaxValueBytes+1)
	res := func(c abiCall) abiCall { c.rptr, c.rlen = result, 8; return c }
	out := func(c abiCall, n uint32) abiCall { c.rptr, c.rlen = scratch, n; return c }
	hello := func(h *vmtest.Host) { h.Storage["k1"] = []byte("hello") }
	funded := func(h *vmtest.Host) {
		h.Balances[h.SelfAddr] = 100
		h.Assets[assetX] = true
		h.Holdings[vmtest.AssetKey{ID: assetX, Addr: h.SelfAddr}] = 50
	}
	abortMsg := strings.Repeat("x", MaxAbortMessage+1)
	return []abiCase{
		{name: "input copies", call: out(abiCall{op: opInput, a: scratch, b: 4, payload: []byte("abcdefgh")}, 4),
			want: []byte{opInput, 0, 0, 0}, gas: 10 + 4},
		{name: "input length", call: res(abiCall{op: opInput, a: 0, b: 0, payload: []byte("xyz")}),
			want: le64(payload + 3), gas: 10},
		{name: "input cap outside memory", call: abiCall{op: opInput, a: 0xFFFF, b: 2}, code: core.CodeTrap, msg: "outside memory"},
		{name: "input huge cap", call: abiCall{op: opInput, a: 0, b: 0xFFFFFFFF}, code: core.CodeTrap, msg: "outside memory"},

		{name: "set_return", call: abiCall{op: opSetReturn, a: payload, b: 5, payload: []byte("12345678")},
			want: []byte("12345"), gas: 10 + 5},
		{name: "set_return empty", call: abiCall{op: opSetReturn, a: 0, b: 0}, want: []byte{}, gas: 10},
		{name: "set_return 16 KiB", call: abiCall{op: opSetReturn, a: 0x4000, b: MaxReturnBytes},
			want: make([]byte, MaxReturnBytes), gas: 10 + MaxReturnBytes},
		{name: "set_return too long", call: abiCall{op: opSetReturn, a: 0, b: MaxReturnBytes + 1}, code: core.CodeTrap, msg: "above"},
		{name: "set_return outside memory", call: abiCall{op: opSetReturn, a: 0xFFF0, b: 17}, code: core.CodeTrap, msg: "outside memory"},

		{name: "storage_read", setup: hello, call: out(abiCall{op: opStorageRead, a: payload, b: 2, c: scratch, d: 3, payload: []byte("k1")}, 5),
			want: []byte("hel\x00\x00"), gas: 200 + 2 + 3},
		{name: "storage_read length", setup: hello, call: res(abiCall{op: opStorageRead, a: payload, b: 2, c: scratch, d: 0, payload: []byte("k1")}),
			want: le64(5), gas: 200 + 2},
		{name: "storage_read whole", setup: hello, call: out(abiCall{op: opStorageRead, a: payload, b: 2, c: scratch, d: 64, payload: []byte("k1")}, 6),
			want: []byte("hello\x00"), gas: 200 + 2 + 5},
		{name: "storage_read absent", call: res(abiCall{op: opStorageRead, a: payload, b: 2, c: scratch, d: 8, payload: []byte("k2")}),
			want: le64(^uint64(0)), gas: 200 + 2},
		{name: "storage_read empty key", call: abiCall{op: opStorageRead, a: payload, b: 0, c: scratch, d: 8}, code: core.CodeTrap, msg: "key length 0"},
		{name: "storage_read key 65", call: abiCall{op: opStorageRead, a: payload, b: 65, c: scratch, d: 8}, code: core.CodeTrap, msg: "key length 65"},
		{name: "storage_read value outside memory", call: abiCall{op: opStorageRead, a: payload, b: 1, c: 0xFFFF, d: 8}, code: core.CodeTrap, msg: "outside memory"},

		{name: "storage_write", call: res(abiCall{op: opStorageWrite, a: payload, b: 1, c: payload + 1, d: 3, payload: []byte("kval")}),
			want: le64(0), gas: 500 + 10*(1+3),
			check: func(t *testing.T, h *vmtest.Host) {
				if string(h.Storage["k"]) != "val" {
					t.Fatalf("storage %q", h.Storage)
				}
			}},
		{name: "storage_write 64-byte key, 8 KiB value", call: abiCall{op: opStorageWrite, a: payload, b: 64, c: payload, d: MaxValueBytes, payload: big[:MaxValueBytes]},
			want: []byte{}, gas: 500 + 10*(64+MaxValueBytes),
			check: func(t *testing.T, h *vmtest.Host) {
				if len(h.Storage[string(big[:64])]) != MaxValueBytes {
					t.Fatal("value not written")
				}
			}},
		{name: "storage_write value too long", call: abiCall{op: opStorageWrite, a: payload, b: 1, c: payload, d: MaxValueBytes + 1, payload: big},
			code: core.CodeTrap, msg: "value length"},
		{name: "storage_write key 65", call: abiCall{op: opStorageWrite, a: payload, b: 65, c: payload, d: 1}, code: core.CodeTrap, msg: "key length 65"},
		{name: "storage_write empty key", call: abiCall{op: opStorageWrite, a: payload, b: 0, c: payload, d: 1}, code: core.CodeTrap, msg: "key length 0"},

		{name: "storage_delete", setup: hello, call: abiCall{op: opStorageDelete, a: payload, b: 2, payload: []byte("k1")}, want: []byte{}, gas: 200 + 2,
			check: func(t *testing.T, h *vmtest.Host) {
				if _, ok := h.Storage["k1"]; ok {
					t.Fatal("not deleted")
				}
			}},
		{name: "storage_delete absent", call: abiCall{op: opStorageDelete, a: payload, b: 3, payload: []byte("abc")}, want: []byte{}, gas: 200 + 3},
		{name: "storage_delete key outside memory", call: abiCall{op: opStorageDelete, a: 0xFFFF, b: 2}, code: core.CodeTrap, msg: "outside memory"},

		{name: "caller", call: out(abiCall{op: opCaller, a: scratch}, 20), want: addrBytes(1), gas: 10},
		{name: "caller outside memory", call: abiCall{op: opCaller, a: 0x10000 - 19}, code: core.CodeTrap, msg: "outside memory"},
		{name: "self_address", call: out(abiCall{op: opSelf, a: scratch}, 20), want: addrBytes(2), gas: 10},
		{name: "value", setup: func(h *vmtest.Host) { h.Val = 12345 }, call: res(abiCall{op: opValue}), want: le64(12345), gas: 10},
		{name: "block_height", setup: func(h *vmtest.Host) { h.Height = 77 }, call: res(abiCall{op: opHeight}), want: le64(77), gas: 10},
		{name: "block_time", setup: func(h *vmtest.Host) { h.Time = 1700000000123 }, call: res(abiCall{op: opTime}), want: le64(1700000000123), gas: 10},

		{name: "balance", setup: func(h *vmtest.Host) { h.Balances[addrA] = 999 }, call: res(abiCall{op: opBalance, a: payload, payload: addrA[:]}),
			want: le64(999), gas: 100},
		{name: "balance outside memory", call: abiCall{op: opBalance, a: 0xFFFF}, code: core.CodeTrap, msg: "outside memory"},
		{name: "asset_balance", setup: funded, call: res(abiCall{op: opAssetBalance, a: payload, b: payload + 20, payload: append(assetX[:], addrBytes(2)...)}),
			want: le64(50), gas: 200},
		{name: "asset_balance none", setup: funded, call: res(abiCall{op: opAssetBalance, a: payload, b: payload + 20, payload: append(assetX[:], addrA[:]...)}),
			want: le64(0), gas: 200},

		{name: "transfer", setup: funded, call: res(abiCall{op: opTransfer, a: payload, e: 60, payload: addrA[:]}), want: le64(0), gas: 1000,
			check: func(t *testing.T, h *vmtest.Host) {
				if h.Balances[addrA] != 60 || h.Balances[h.SelfAddr] != 40 {
					t.Fatalf("balances %v", h.Balances)
				}
			}},
		{name: "transfer insufficient", setup: funded, call: res(abiCall{op: opTransfer, a: payload, e: 101, payload: addrA[:]}), want: le64(1), gas: 1000},
		{name: "transfer zero", setup: funded, call: res(abiCall{op: opTransfer, a: payload, e: 0, payload: addrA[:]}), want: le64(2), gas: 1000},
		{name: "transfer 2^53", setup: funded, call: res(abiCall{op: opTransfer, a: payload, e: 1 << 53, payload: addrA[:]}), want: le64(2), gas: 1000},
		{name: "transfer negative", setup: funded, call: res(abiCall{op: opTransfer, a: payload, e: ^uint64(0), payload: addrA[:]}), want: le64(2), gas: 1000},
		{name: "transfer outside memory", call: abiCall{op: opTransfer, a: 0xFFFF, e: 1}, code: core.CodeTrap, msg: "outside memory"},

		{name: "asset_transfer", setup: funded, call: res(abiCall{op: opAssetTransfer, a: payload, b: payload + 20, e: 20, payload: append(assetX[:], addrA[:]...)}),
			want: le64(0), gas: 1000,
			check: func(t *testing.T, h *vmtest.Host) {
				if h.Holdings[vmtest.AssetKey{ID: assetX, Addr: addrA}] != 20 {
					t.Fatalf("holdings %v", h.Holdings)
				}
			}},
		{name: "asset_transfer insufficient", setup: funded, call: res(abiCall{op: opAssetTransfer, a: payload, b: payload + 20, e: 51, payload: append(assetX[:], addrA[:]...)}),
			want: le64(1), gas: 1000},
		{name: "asset_transfer not found", setup: funded, call: res(abiCall{op: opAssetTransfer, a: payload, b: payload + 20, e: 1, payload: append(make([]byte, 20), addrA[:]...)}),
			want: le64(3), gas: 1000},
		{name: "asset_transfer frozen", setup: func(h *vmtest.Host) {
			funded(h)
			h.Frozen[vmtest.AssetKey{ID: assetX, Addr: addrA}] = true
		}, call: res(abiCall{op: opAssetTransfer, a: payload, b: payload + 20, e: 1, payload: append(assetX[:], addrA[:]...)}),
			want: le64(4), gas: 1000},
		{name: "asset_transfer unique", setup: func(h *vmtest.Host) {
			funded(h)
			h.Unique[assetX] = true
		}, call: res(abiCall{op: opAssetTransfer, a: payload, b: payload + 20, e: 1, payload: append(assetX[:], addrA[:]...)}),
			want: le64(5), gas: 1000},

		{name: "emit_event", call: abiCall{op: opEmit, a: payload, b: 3, c: payload + 3, d: 4, payload: []byte("topdata")}, want: []byte{}, gas: 200 + 2*7,
			check: func(t *testing.T, h *vmtest.Host) {
				if len(h.Events) != 1 || string(h.Events[0].Topic) != "top" || string(h.Events[0].Data) != "data" {
					t.Fatalf("events %q", h.Events)
				}
			}},
		{name: "emit_event limits", call: abiCall{op: opEmit, a: 0, b: MaxTopicBytes, c: 0, d: MaxEventData}, want: []byte{}, gas: 200 + 2*(MaxTopicBytes+MaxEventData)},
		{name: "emit_event empty topic", call: abiCall{op: opEmit, a: 0, b: 0, c: 0, d: 1}, code: core.CodeTrap, msg: "topic length 0"},
		{name: "emit_event topic 33", call: abiCall{op: opEmit, a: 0, b: 33, c: 0, d: 1}, code: core.CodeTrap, msg: "topic length 33"},
		{name: "emit_event data too long", call: abiCall{op: opEmit, a: 0, b: 1, c: 0, d: MaxEventData + 1}, code: core.CodeTrap, msg: "data length"},
		{name: "emit_event 32 events", call: abiCall{op: opEmitN, a: 0, b: 1, c: 0, d: 0, e: MaxEvents}, want: []byte{}, gas: MaxEvents * (200 + 2),
			check: func(t *testing.T, h *vmtest.Host) {
				if len(h.Events) != MaxEvents {
					t.Fatalf("%d events", len(h.Events))
				}
			}},
		{name: "emit_event 33 events", call: abiCall{op: opEmitN, a: 0, b: 1, c: 0, d: 0, e: MaxEvents + 1}, code: core.CodeTrap, msg: "more than 32 events", gas: MaxEvents * (200 + 2)},

		{name: "sha256", call: out(abiCall{op: opSHA256, a: payload, b: 3, c: scratch, payload: []byte("abc")}, 32),
			want: func() []byte { s := sha256.Sum256([]byte("abc")); return s[:] }(), gas: 60},
		{name: "sha256 1 KiB", call: out(abiCall{op: opSHA256, a: 0, b: 1024, c: scratch}, 0), want: []byte{}, gas: 60 + 128},
		{name: "sha256 out outside memory", call: abiCall{op: opSHA256, a: 0, b: 3, c: 0xFFFF - 30}, code: core.CodeTrap, msg: "outside memory"},

		{name: "abort", call: abiCall{op: opAbort, a: payload, b: 4, payload: []byte("nope")}, code: core.CodeAborted, msg: "nope", gas: 10},
		{name: "abort 256 bytes", call: abiCall{op: opAbort, a: payload, b: MaxAbortMessage, payload: []byte(abortMsg)}, code: core.CodeAborted, msg: abortMsg[:256], gas: 10},
		{name: "abort invalid UTF-8", call: abiCall{op: opAbort, a: payload, b: 3, payload: []byte("a\xffb")}, code: core.CodeAborted, msg: "a\uFFFDb", gas: 10},
		{name: "abort message too long", call: abiCall{op: opAbort, a: payload, b: MaxAbortMessage + 1, payload: []byte(abortMsg)}, code: core.CodeTrap, msg: "above 256"},

		{name: "unreachable", call: abiCall{op: opUnreachable}, code: core.CodeTrap, msg: "unreachable"},
		{name: "out of bounds load", call: abiCall{op: opLoad, a: 0xFFFE}, code: core.CodeTrap, msg: "out of bounds memory access"},
		{name: "divide by zero", call: abiCall{op: opDivide, a: 0}, code: core.CodeTrap, msg: "integer divide by zero"},
		{name: "recursion", call: res(abiCall{op: opRecurse, a: 100}), want: le64(100)},
		{name: "no op", call: abiCall{op: opNop}, want: []byte{}},
	}
}

// TestABI runs every host function's cases on the unmetered hook (where
// the gas used is exactly the host functions': input, the call, the final
// set_return) and on both metered engines, which must agree on everything
// including the gas.
func TestABI(t *testing.T) {
	unmetered := newVM(t, Config{unmetered: true})
	vms := []*VM{newVM(t, engines[0].cfg), newVM(t, engines[1].cfg)}
	code := wasm(t, "abi")
	for _, c := range abiCases() {
		t.Run(c.name, func(t *testing.T) {
			in := c.call.input()
			want := c.gas + 10 + uint64(len(in)) // input
			if c.code == "" && c.call.op != opSetReturn {
				want += 10 + uint64(c.call.rlen) // set_return
			}
			var results []Result
			for i, m := range append([]*VM{unmetered}, vms...) {
				h := vmtest.New()
				if c.setup != nil {
					c.setup(h)
				}
				r := run(m, code, h, in, 10_000_000)
				if c.code == "" {
					if r.Err != nil {
						t.Fatalf("vm %d: %v", i, r.Err)
					}
					if !bytes.Equal(r.Return, c.want) {
						t.Fatalf("vm %d: return %.64x (%d bytes), want %.64x (%d bytes)", i, r.Return, len(r.Return), c.want, len(c.want))
					}
				} else {
					if core.CodeOf(r.Err) != c.code || !strings.Contains(r.Err.Error(), c.msg) {
						t.Fatalf("vm %d: error %v, want %s containing %q", i, r.Err, c.code, c.msg)
					}
					if !r.Executed() {
						t.Fatalf("vm %d: %v not executed", i, r.Err)
					}
				}
				if c.check != nil {
					c.check(t, h)
				}
				results = append(results, r)
			}
			if results[0].GasUsed != want {
				t.Errorf("unmetered gas %d, want %d", results[0].GasUsed, want)
			}
			if results[1].GasUsed != results[2].GasUsed || results[1].GasUsed < results[0].GasUsed {
				t.Errorf("gas: compiler %d, interpreter %d, unmetered %d", results[1].GasUsed, results[2].GasUsed, results[0].GasUsed)
			}
			if results[1].Err != nil && results[1].Err.Error() != results[2].Err.Error() {
				t.Errorf("errors differ: %v / %v", results[1].Err, results[2].Err)
			}
		})
	}
}

// TestABIOutOfGas: with one gas less than a successful call needs, every
// case runs out of gas, with the whole limit used, on both engines.
func TestABIOutOfGas(t *testing.T) {
	code := wasm(t, "abi")
	for _, e := range append([]engine{{"unmetered", Config{unmetered: true}}}, engines...) {
		t.Run(e.name, func(t *testing.T) {
			m := newVM(t, e.cfg)
			for _, c := range abiCases() {
				if c.code != "" {
					continue
				}
				setup := func() *vmtest.Host {
					h := vmtest.New()
					if c.setup != nil {
						c.setup(h)
					}
					return h
				}
				in := c.call.input()
				ok := run(m, code, setup(), in, 10_000_000)
				if ok.Err != nil {
					t.Fatalf("%s: %v", c.name, ok.Err)
				}
				exact := run(m, code, setup(), in, ok.GasUsed)
				if exact.Err != nil || exact.GasUsed != ok.GasUsed {
					t.Fatalf("%s: with exactly %d gas: %v, %d used", c.name, ok.GasUsed, exact.Err, exact.GasUsed)
				}
				r := run(m, code, setup(), in, ok.GasUsed-1)
				if core.CodeOf(r.Err) != core.CodeOutOfGas || r.GasUsed != ok.GasUsed-1 {
					t.Fatalf("%s: with %d gas: %v, %d used", c.name, ok.GasUsed-1, r.Err, r.GasUsed)
				}
			}
		})
	}
}

// TestHostChargesBeforeWork: a host function without the gas for its
// work does not do it.
func TestHostChargesBeforeWork(t *testing.T) {
	m := newVM(t, Config{unmetered: true})
	code := wasm(t, "abi")
	in := abiCall{op: opStorageWrite, a: payload, b: 1, c: payload + 1, d: 3, payload: []byte("kval")}.input()
	need := uint64(10+len(in)) + 500 + 40
	h := vmtest.New()
	r := run(m, code, h, in, need-1)
	if core.CodeOf(r.Err) != core.CodeOutOfGas || h.StorageOps != 0 {
		t.Fatalf("%v, %d storage ops", r.Err, h.StorageOps)
	}
}

// TestHostInternalError: a Host error that is not a rule stops the run
// and comes back as is (not executed); a rule error of a transfer is an
// error number.
func TestHostInternalError(t *testing.T) {
	disk := errors.New("disk on fire")
	cases := []abiCall{
		{op: opStorageRead, a: payload, b: 1, c: 0, d: 0, payload: []byte("k")},
		{op: opStorageWrite, a: payload, b: 1, c: 0, d: 0, payload: []byte("k")},
		{op: opStorageDelete, a: payload, b: 1, payload: []byte("k")},
		{op: opBalance, a: 0},
		{op: opAssetBalance, a: 0, b: 0},
		{op: opTransfer, a: 0, e: 1},
		{op: opAssetTransfer, a: 0, b: 0, e: 1},
		{op: opEmit, a: 0, b: 1, c: 0, d: 0},
	}
	for _, e := range engines {
		m := newVM(t, e.cfg)
		for _, c := range cases {
			h := vmtest.New()
			h.Err = disk
			r := run(m, wasm(t, "abi"), h, c.input(), 1_000_000)
			if !errors.Is(r.Err, disk) || r.Executed() || core.IsRuleError(r.Err) {
				t.Fatalf("%s op %d: %v", e.name, c.op, r.Err)
			}
		}
	}
}

func TestTransferErrno(t *testing.T) {
	cases := []struct {
		err   error
		errno int32
		ok    bool
	}{
		{nil, 0, true},
		{core.Errorf(core.CodeInsufficientFunds, "x"), 1, true},
		{core.Errorf(core.CodeInvalidAmount, "x"), 2, true},
		{core.Errorf(core.CodeAssetNotFound, "x"), 3, true},
		{core.Errorf(core.CodeFrozen, "x"), 4, true},
		{core.Errorf(core.CodeIsUnique, "x"), 5, true},
		{core.Errorf(core.CodeNotPermitted, "x"), 5, true},
		{core.Errorf(core.CodeMalformed, "x"), 5, true},
		{core.Errorf(core.CodeNotFound, "x"), 0, false},
		{core.Errorf(core.CodeInternal, "x"), 0, false},
		{core.Errorf(core.CodeMempoolFull, "x"), 0, false},
		{errors.New("io"), 0, false},
	}
	for _, c := range cases {
		errno, ok := TransferErrno(c.err)
		if errno != c.errno || ok != c.ok {
			t.Errorf("%v: %d %v, want %d %v", c.err, errno, ok, c.errno, c.ok)
		}
	}
}

// TestImportRules: the imports meter allows are exactly the functions
// registered in env, with the same signatures.
func TestImportRules(t *testing.T) {
	rules := importRules()
	if len(rules) != len(abi) || len(abi) != 17 {
		t.Fatalf("%d rules, %d functions", len(rules), len(abi))
	}
	m := newVM(t, Config{})
	_ = m
	for _, f := range abi {
		r, ok := rules[f.name]
		if !ok || len(r.Params) != len(f.params) || len(r.Results) != len(f.results) {
			t.Fatalf("%s: %v", f.name, r)
		}
		for i, p := range f.params {
			if byte(r.Params[i]) != byte(p) {
				t.Fatalf("%s param %d", f.name, i)
			}
		}
		for i, p := range f.results {
			if byte(r.Results[i]) != byte(p) {
				t.Fatalf("%s result %d", f.name, i)
			}
		}
	}
}
