package vm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm/meter"
	"github.com/cairn-chain/cairn/vm/vmtest"
)

func TestCheckErrors(t *testing.T) {
	cases := []struct {
		name string
		code []byte
		cfg  Config
		want core.Code
	}{
		{"garbage", []byte("not wasm"), Config{}, core.CodeInvalidModule},
		{"empty", nil, Config{}, core.CodeInvalidModule},
		{"truncated", wasm(t, "abi")[:100], Config{}, core.CodeInvalidModule},
		{"too large", wasm(t, "abi"), Config{MaxCodeBytes: 500}, core.CodeCodeTooLarge},
		{"no memory export", wasm(t, "nomemory"), Config{}, core.CodeNoMemoryExport},
		{"no call export", wasm(t, "nocall"), Config{}, core.CodeNoCallExport},
		{"call with a parameter", wasm(t, "badcall"), Config{}, core.CodeBadEntryPoint},
		{"init with a result", wasm(t, "badinit"), Config{}, core.CodeBadEntryPoint},
		{"valid", wasm(t, "abi"), Config{}, ""},
		{"valid at the size cap", wasm(t, "abi"), Config{MaxCodeBytes: len(wasm(t, "abi"))}, ""},
	}
	for _, e := range engines {
		for _, c := range cases {
			cfg := c.cfg
			cfg.Interpreter = e.cfg.Interpreter
			m := newVM(t, cfg)
			err := m.Check(c.code)
			if core.CodeOf(err) != c.want || (c.want == "" && err != nil) {
				t.Errorf("%s %s: %v, want %q", e.name, c.name, err, c.want)
			}
			// Run reports the same deploy error, as not executed.
			r := m.Run(context.Background(), c.code, EntryCall, 1000, vmtest.New())
			if c.want != "" && (core.CodeOf(r.Err) != c.want || r.Executed() || r.GasUsed != 0) {
				t.Errorf("%s %s: Run %v, %d gas", e.name, c.name, r.Err, r.GasUsed)
			}
		}
	}
}

// TestCheckCaches: Check compiles once; Run of the same code uses the
// cached module; the LRU keeps CacheEntries modules.
func TestCheckCaches(t *testing.T) {
	m := newVM(t, Config{CacheEntries: 2})
	abi, token, state := wasm(t, "abi"), wasm(t, "token"), wasm(t, "state")
	for _, c := range [][]byte{abi, token, abi} {
		if err := m.Check(c); err != nil {
			t.Fatal(err)
		}
	}
	if m.lru.Len() != 2 {
		t.Fatalf("%d cached", m.lru.Len())
	}
	first := m.byCode[string(abi)].Value.(*contract)
	if err := m.Check(state); err != nil { // evicts token, the least recently used
		t.Fatal(err)
	}
	if _, ok := m.byCode[string(token)]; ok || m.lru.Len() != 2 {
		t.Fatalf("token still cached, %d entries", m.lru.Len())
	}
	if m.byCode[string(abi)].Value.(*contract) != first {
		t.Fatal("abi recompiled")
	}
	var key cacheKey
	key.sum = first.key.sum
	key.schedule = meter.ScheduleVersion
	if m.byKey[key] != m.byCode[string(abi)] {
		t.Fatal("not cached under (sha256, schedule)")
	}
	// An evicted module still runs (compiled again).
	if r := run(m, token, vmtest.New(), tokenInput(addrA, 1), 100000); core.CodeOf(r.Err) != core.CodeAborted {
		t.Fatalf("token after eviction: %v", r.Err)
	}
}

// TestInit: init runs once with its own gas; a module without init is a
// successful no-op using no gas.
func TestInit(t *testing.T) {
	for _, e := range engines {
		m := newVM(t, e.cfg)
		h := vmtest.New()
		r := m.Run(context.Background(), wasm(t, "init"), EntryInit, 100000, h)
		if r.Err != nil || r.GasUsed == 0 || string(h.Storage["i"]) != "deployed" {
			t.Fatalf("%s init: %v, %d gas, storage %q", e.name, r.Err, r.GasUsed, h.Storage)
		}
		r = run(m, wasm(t, "init"), h, nil, 100000)
		if r.Err != nil || string(r.Return) != "deployed" {
			t.Fatalf("%s call: %v %q", e.name, r.Err, r.Return)
		}
		r = m.Run(context.Background(), wasm(t, "abi"), EntryInit, 100000, h)
		if r.Err != nil || r.GasUsed != 0 {
			t.Fatalf("%s absent init: %v, %d gas", e.name, r.Err, r.GasUsed)
		}
		r = m.Run(context.Background(), wasm(t, "abi"), "main", 100000, h)
		if r.Err == nil || r.Executed() {
			t.Fatalf("%s entry main: %v", e.name, r.Err)
		}
	}
}

// tokenInput is token.wat's input: to ++ amount.
func tokenInput(to core.Address, amount uint64) []byte {
	return binary.LittleEndian.AppendUint64(append([]byte(nil), to[:]...), amount)
}

func balanceOf(h *vmtest.Host, a core.Address) uint64 {
	v := h.Storage[string(a[:])]
	if len(v) != 8 {
		return 0
	}
	return binary.LittleEndian.Uint64(v)
}

// TestToken: the benchmark's contract moves balances and aborts with its
// message, with the same gas on both engines.
func TestToken(t *testing.T) {
	var gas []uint64
	for _, e := range engines {
		m := newVM(t, e.cfg)
		code := wasm(t, "token")
		h := vmtest.New()
		if r := m.Run(context.Background(), code, EntryInit, 1_000_000, h); r.Err != nil {
			t.Fatal(r.Err)
		}
		r := run(m, code, h, tokenInput(addrA, 250), 1_000_000)
		if r.Err != nil || balanceOf(h, addrA) != 250 || balanceOf(h, h.CallerAddr) != 1e15-250 {
			t.Fatalf("%s: %v, balances %d %d", e.name, r.Err, balanceOf(h, addrA), balanceOf(h, h.CallerAddr))
		}
		gas = append(gas, r.GasUsed)
		h.CallerAddr = addrA
		r = run(m, code, h, tokenInput(h.SelfAddr, 251), 1_000_000)
		if core.CodeOf(r.Err) != core.CodeAborted || !strings.HasSuffix(r.Err.Error(), "insufficient balance") {
			t.Fatalf("%s: %v", e.name, r.Err)
		}
		gas = append(gas, r.GasUsed)
	}
	if gas[0] != gas[2] || gas[1] != gas[3] {
		t.Fatalf("gas differs between engines: %v", gas)
	}
}

// TestWatchdog: a context that ends stops a call as not executed.
func TestWatchdog(t *testing.T) {
	for _, e := range engines {
		m := newVM(t, e.cfg)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		h := vmtest.New()
		h.In = abiCall{op: opNop}.input()
		r := m.Run(ctx, wasm(t, "abi"), EntryCall, 1_000_000, h)
		if r.Err == nil || r.Executed() || !errors.Is(r.Err, context.Canceled) {
			t.Fatalf("%s: %v", e.name, r.Err)
		}
		// The VM still works.
		if r := run(m, wasm(t, "abi"), h, abiCall{op: opNop}.input(), 1_000_000); r.Err != nil {
			t.Fatalf("%s after the watchdog: %v", e.name, r.Err)
		}
	}
}

// TestWatchdogTimer: a run whose ctx cannot end (as in blocks) that
// outlasts the watchdog is stopped and reported as not executed; the VM
// goes on. (Gas bounds real runs: the loop here gets near-infinite gas.)
func TestWatchdogTimer(t *testing.T) {
	defer func(d time.Duration) { watchdogAfter = d }(watchdogAfter)
	watchdogAfter = 200 * time.Millisecond
	for _, e := range engines {
		m := newVM(t, e.cfg)
		loop, err := os.ReadFile("meter/testdata/loop.wasm")
		if err != nil {
			t.Fatal(err)
		}
		r := m.Run(context.Background(), loop, EntryCall, 1<<62, vmtest.New())
		if r.Err == nil || r.Executed() || !strings.Contains(r.Err.Error(), "watchdog") {
			t.Fatalf("%s: %v", e.name, r.Err)
		}
		if r := run(m, wasm(t, "abi"), vmtest.New(), abiCall{op: opNop}.input(), 1_000_000); r.Err != nil {
			t.Fatalf("%s after the watchdog: %v", e.name, r.Err)
		}
	}
}

// TestConcurrentRuns: concurrent calls of one contract each get their own
// instance and the same result.
func TestConcurrentRuns(t *testing.T) {
	m := newVM(t, Config{waitTier: true})
	code := wasm(t, "abi")
	want := run(m, code, vmtest.New(), abiCall{op: opSHA256, a: payload, b: 3, c: scratch, rptr: scratch, rlen: 32, payload: []byte("abc")}.input(), 1_000_000)
	if want.Err != nil {
		t.Fatal(want.Err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				r := run(m, code, vmtest.New(), abiCall{op: opSHA256, a: payload, b: 3, c: scratch, rptr: scratch, rlen: 32, payload: []byte("abc")}.input(), 1_000_000)
				if r.Err != nil || !bytes.Equal(r.Return, want.Return) || r.GasUsed != want.GasUsed {
					errs <- errors.Join(r.Err, errors.New("different result"))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	mod := cached(t, m, code).current()
	if mod.refs != 0 || len(mod.idle) == 0 || len(mod.idle) > maxIdle {
		t.Fatalf("refs %d, %d idle", mod.refs, len(mod.idle))
	}
}

// TestClose: a closed VM refuses work.
func TestClose(t *testing.T) {
	m, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Check(wasm(t, "abi")); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Check(wasm(t, "abi")); err == nil {
		t.Fatal("Check after Close")
	}
}

func TestNewConfig(t *testing.T) {
	if _, err := New(Config{MaxMemoryPages: 65537}); err == nil {
		t.Fatal("65537 pages accepted")
	}
	m := newVM(t, Config{})
	if m.cfg.MaxMemoryPages != DefaultMaxMemoryPages || m.cfg.MaxCodeBytes != DefaultMaxCodeBytes || m.cfg.CacheEntries != DefaultCacheEntries {
		t.Fatalf("defaults %+v", m.cfg)
	}
}
