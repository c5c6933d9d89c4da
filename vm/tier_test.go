package vm

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/cairn-chain/cairn/vm/vmtest"
)

// gate blocks the compiler tier of a VM (Config.tierHook) until opened.
// started receives once per background compile that reached the hook.
type gate struct {
	open    chan struct{}
	once    sync.Once
	started chan struct{}
}

func newGate() *gate {
	return &gate{open: make(chan struct{}), started: make(chan struct{}, 64)}
}

func (g *gate) hook(ctx context.Context) {
	g.started <- struct{}{}
	select {
	case <-g.open:
	case <-ctx.Done():
	}
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

// gatedVM is a VM whose compiler tier waits for g; g opens before the
// VM closes.
func gatedVM(t *testing.T, cfg Config) (*VM, *gate) {
	t.Helper()
	g := newGate()
	cfg.tierHook = g.hook
	m := newVM(t, cfg)
	t.Cleanup(g.release) // runs before newVM's Close
	if m.crt == nil {
		t.Skip("no compiler on this platform")
	}
	return m, g
}

// pending reports whether c's compiler tier is still to come.
func pending(c *contract) bool {
	select {
	case <-c.ready:
		return false
	default:
		return true
	}
}

// TestCheckBeforeCompiler: Check of a ~100 KB module returns with the
// interpreter's tier while the compiler's is blocked, and Run runs on it;
// the compiler's tier follows.
func TestCheckBeforeCompiler(t *testing.T) {
	m, g := gatedVM(t, Config{})
	code := bigModule(100<<10, true)
	if err := m.Check(code); err != nil {
		t.Fatal(err)
	}
	<-g.started // the background compile is running, blocked
	c := cached(t, m, code)
	if !pending(c) || c.fast.Load() != nil || c.current() != c.base || c.base.rt != m.rt {
		t.Fatal("Check waited for the compiler tier")
	}
	before := run(m, code, vmtest.New(), nil, 10_000_000)
	if before.Err != nil {
		t.Fatal(before.Err)
	}
	g.release()
	<-c.ready
	fast := c.fast.Load()
	if fast == nil || c.current() != fast || fast.rt != m.crt {
		t.Fatal("no compiler tier after the background compile")
	}
	if !c.base.evicted || !c.base.closed {
		t.Fatal("the interpreter's tier is still in service")
	}
	after := run(m, code, vmtest.New(), nil, 10_000_000)
	if !sameResult(before, after) {
		t.Fatalf("interpreter tier %d gas %v, compiler tier %d gas %v", before.GasUsed, before.Err, after.GasUsed, after.Err)
	}
}

// TestTierSwitch: the same calls before and after the switch to the
// compiler's tier give the same results, gas and host effects: the
// host ABI's conformance cases, a token's init and transfers, and the
// pool's state checks.
func TestTierSwitch(t *testing.T) {
	m, g := gatedVM(t, Config{})
	abiCode, token, state := wasm(t, "abi"), wasm(t, "token"), wasm(t, "state")
	type outcome struct {
		res  []Result
		host []*vmtest.Host
	}
	calls := func() outcome {
		var o outcome
		add := func(r Result, h *vmtest.Host) {
			o.res = append(o.res, r)
			o.host = append(o.host, h)
		}
		for _, c := range abiCases() {
			h := vmtest.New()
			if c.setup != nil {
				c.setup(h)
			}
			add(run(m, abiCode, h, c.call.input(), 10_000_000), h)
			if c.code == "" { // and out of gas at 16 limits up to the gas used
				used := o.res[len(o.res)-1].GasUsed
				for gas := uint64(1); gas < used; gas += max(used/16, 1) {
					h := vmtest.New()
					if c.setup != nil {
						c.setup(h)
					}
					add(run(m, abiCode, h, c.call.input(), gas), h)
				}
			}
		}
		h := vmtest.New()
		add(m.Run(context.Background(), token, EntryInit, 1_000_000, h), h.Clone())
		for _, amount := range []uint64{250, 1e15, 1} {
			add(run(m, token, h, tokenInput(addrA, amount), 1_000_000), h.Clone())
		}
		for _, in := range []byte{0, 1, 0, 2, 0} {
			add(run(m, state, h, []byte{in}, 100_000), h.Clone())
		}
		return o
	}
	for _, code := range [][]byte{abiCode, token, state} {
		if err := m.Check(code); err != nil {
			t.Fatal(err)
		}
	}
	before := calls()
	for _, code := range [][]byte{abiCode, token, state} {
		if c := cached(t, m, code); c.current() != c.base {
			t.Fatal("compiler tier before the gate opened")
		}
	}
	g.release()
	for _, code := range [][]byte{abiCode, token, state} {
		waitCompiled(t, m, code)
	}
	after := calls()
	if len(before.res) != len(after.res) || len(before.res) < 100 {
		t.Fatalf("%d calls before, %d after", len(before.res), len(after.res))
	}
	for i := range before.res {
		if !sameResult(before.res[i], after.res[i]) {
			t.Fatalf("call %d: interpreter tier %d gas %q %v, compiler tier %d gas %q %v", i,
				before.res[i].GasUsed, before.res[i].Return, before.res[i].Err,
				after.res[i].GasUsed, after.res[i].Return, after.res[i].Err)
		}
		if !reflect.DeepEqual(before.host[i], after.host[i]) {
			t.Fatalf("call %d: host effects differ between the tiers", i)
		}
	}
}

// TestTierSwitchConcurrent: calls running while the tier switches get
// the same results; the interpreter's tier closes once its last instance
// returns (go test -race).
func TestTierSwitchConcurrent(t *testing.T) {
	m, g := gatedVM(t, Config{})
	code := wasm(t, "abi")
	in := abiCall{op: opSHA256, a: payload, b: 3, c: scratch, rptr: scratch, rlen: 32, payload: []byte("abc")}.input()
	want := run(m, code, vmtest.New(), in, 1_000_000)
	if want.Err != nil {
		t.Fatal(want.Err)
	}
	c := cached(t, m, code)
	const workers, rounds = 6, 20
	var (
		wg       sync.WaitGroup
		halfway  sync.WaitGroup // every worker did rounds calls on the interpreter's tier
		mu       sync.Mutex
		failures []string
	)
	halfway.Add(workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// rounds calls before the gate opens, then calls until rounds
			// of them saw the compiler's tier ready.
			i := 0
			defer func() {
				if i < rounds { // failed early
					halfway.Done()
				}
			}()
			for after := 0; after < rounds; i++ {
				if i == rounds {
					halfway.Done()
				}
				if c.fast.Load() != nil {
					after++
				}
				r := run(m, code, vmtest.New(), in, 1_000_000)
				if !sameResult(r, want) || !bytes.Equal(r.Return, want.Return) {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%d gas %v, want %d gas", r.GasUsed, r.Err, want.GasUsed))
					mu.Unlock()
					return
				}
			}
		}()
	}
	halfway.Wait()
	g.release() // the switch happens while the workers run
	wg.Wait()
	if len(failures) > 0 {
		t.Fatal(failures[0])
	}
	<-c.ready
	fast := c.fast.Load()
	if fast == nil || !c.base.closed || c.base.refs != 0 || len(c.base.idle) != 0 {
		t.Fatalf("after the switch: compiler tier %v, interpreter closed %v refs %d", fast != nil, c.base.closed, c.base.refs)
	}
	if r := run(m, code, vmtest.New(), in, 1_000_000); !sameResult(r, want) || fast.refs != 0 || len(fast.idle) == 0 {
		t.Fatalf("compiler tier: %v, refs %d, %d idle", r.Err, fast.refs, len(fast.idle))
	}
}

// TestTierEviction: a contract evicted while its compile is queued
// leaves the queue, and runs again (compiled again) afterwards.
func TestTierEviction(t *testing.T) {
	m, g := gatedVM(t, Config{CacheEntries: 1})
	abiCode, token, state := wasm(t, "abi"), wasm(t, "token"), wasm(t, "state")
	if err := m.Check(abiCode); err != nil { // its compile blocks the worker
		t.Fatal(err)
	}
	<-g.started
	if err := m.Check(token); err != nil { // queued; evicts abi (compiling)
		t.Fatal(err)
	}
	tc := cached(t, m, token)
	if err := m.Check(state); err != nil { // evicts token, queued
		t.Fatal(err)
	}
	m.mu.Lock()
	queue := slices.Clone(m.queue)
	m.mu.Unlock()
	if pending(tc) || !tc.evicted || len(queue) != 1 || queue[0] != cached(t, m, state) {
		t.Fatalf("token: pending %v, evicted %v; queue of %d", pending(tc), tc.evicted, len(queue))
	}
	g.release()
	waitCompiled(t, m, state)
	r := m.Run(context.Background(), token, EntryInit, 1_000_000, vmtest.New())
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	waitCompiled(t, m, token)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lru.Len() != 1 || len(m.queue) != 0 {
		t.Fatalf("%d cached, %d queued", m.lru.Len(), len(m.queue))
	}
}

// TestTierClose: Close drops the queued compiles and cancels the running
// one; no worker is left.
func TestTierClose(t *testing.T) {
	g := newGate()
	m, err := New(Config{tierHook: g.hook})
	if err != nil {
		t.Fatal(err)
	}
	if m.crt == nil {
		m.Close()
		t.Skip("no compiler on this platform")
	}
	var cs []*contract
	for _, name := range []string{"abi", "token", "state"} {
		code := wasm(t, name)
		if err := m.Check(code); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, cached(t, m, code))
	}
	<-g.started
	if err := m.Close(); err != nil { // cancels the running compile (blocked in the hook)
		t.Fatal(err)
	}
	for i, c := range cs {
		if pending(c) || c.fast.Load() != nil {
			t.Fatalf("contract %d: pending %v, compiler tier %v", i, pending(c), c.fast.Load() != nil)
		}
	}
	if m.workers != 0 || len(m.queue) != 0 || len(g.started) != 0 {
		t.Fatalf("%d workers, %d queued, %d more compiles started", m.workers, len(m.queue), len(g.started))
	}
}

// TestNoCompilerTier: with Config.Interpreter there is no second tier.
func TestNoCompilerTier(t *testing.T) {
	m := newVM(t, Config{Interpreter: true, tierHook: func(context.Context) { t.Error("compiler tier started") }})
	code := wasm(t, "abi")
	if err := m.Check(code); err != nil {
		t.Fatal(err)
	}
	c := cached(t, m, code)
	if m.crt != nil || m.workers != 0 || pending(c) || c.current() != c.base {
		t.Fatal("a compiler tier with Config.Interpreter")
	}
}

// TestCompileCacheDir: the compiler tier's code goes to
// Config.CompileCacheDir, and a VM restarted on it runs the contract with
// the same results.
func TestCompileCacheDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "wazero")
	code := wasm(t, "token")
	var gas []uint64
	for i := range 2 {
		m := newVM(t, Config{CompileCacheDir: dir, waitTier: true})
		if m.crt == nil {
			t.Skip("no compiler on this platform")
		}
		h := vmtest.New()
		if r := m.Run(context.Background(), code, EntryInit, 1_000_000, h); r.Err != nil {
			t.Fatal(r.Err)
		}
		r := run(m, code, h, tokenInput(addrA, 250), 1_000_000)
		if r.Err != nil || balanceOf(h, addrA) != 250 {
			t.Fatalf("run %d: %v", i, r.Err)
		}
		gas = append(gas, r.GasUsed)
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		files := 0
		filepath.WalkDir(dir, func(_ string, d fs.DirEntry, _ error) error {
			if d != nil && !d.IsDir() {
				files++
			}
			return nil
		})
		if files == 0 {
			t.Fatalf("run %d: nothing in the compile cache", i)
		}
	}
	if gas[0] != gas[1] {
		t.Fatalf("gas %v", gas)
	}
	if _, err := New(Config{CompileCacheDir: "/dev/null/x"}); err == nil && compilerSupported() {
		t.Fatal("unusable compile cache accepted")
	}
}
