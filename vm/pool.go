package vm

import (
	"bytes"
	"context"
	"sync"

	"github.com/cairn-chain/cairn/vm/meter"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// maxIdle is the most idle instances kept per compiled module.
const maxIdle = 8

// module is a contract compiled by one runtime (a tier of a contract),
// with its pool of instances.
type module struct {
	rt       wazero.Runtime // the runtime that compiled it, and instantiates it
	compiled wazero.CompiledModule
	hasInit  bool
	globals  []string // meter.GlobalExport of every mutable global, reset after a call
	metered  bool

	mu      sync.Mutex
	snap    *snapshot // the initial memory, the same for every instance
	idle    []*instance
	refs    int  // instances in use
	evicted bool // out of the cache or replaced by a faster tier: close when the last instance returns
	closed  bool
}

// instance is one instantiated module, reused across calls: after a call
// its memory and globals are restored to their values right after
// instantiation.
type instance struct {
	m     *module
	mod   api.Module
	mem   api.Memory
	view  []byte    // the whole memory, valid while it does not grow
	snap  *snapshot // the memory right after instantiation
	gas   api.MutableGlobal
	depth api.MutableGlobal
	glob  []api.MutableGlobal
	init  []uint64 // initial values of glob
	call  api.Function
	start api.Function // "init", or nil
	stack [1]uint64

	// State of the current call.
	host    Host
	gasLeft int64 // unmetered only
	ret     []byte
	hasRet  bool
	events  int
}

// runKey is the context key of the instance running a call.
type runKey struct{}

// runCtx carries the running instance to the host functions. One is
// made per call: wazero's watchdog goroutine may read it after the call.
type runCtx struct {
	context.Context
	in *instance
}

// Value implements context.Context.
func (c *runCtx) Value(k any) any {
	if _, ok := k.(runKey); ok {
		return c.in
	}
	return c.Context.Value(k)
}

// instanceOf returns the instance of the call running in ctx.
func instanceOf(ctx context.Context) *instance {
	if c, ok := ctx.(*runCtx); ok {
		return c.in
	}
	in, _ := ctx.Value(runKey{}).(*instance)
	if in == nil {
		panic("vm: host function called outside Run")
	}
	return in
}

// acquire takes an idle instance or instantiates a new one. It returns
// errRetired if mod is out of service (evicted, or replaced by the
// compiler's tier): the caller then takes the contract's current tier.
func (m *VM) acquire(ctx context.Context, mod *module) (*instance, error) {
	mod.mu.Lock()
	if mod.evicted {
		mod.mu.Unlock()
		return nil, errRetired
	}
	if n := len(mod.idle); n > 0 {
		in := mod.idle[n-1]
		mod.idle = mod.idle[:n-1]
		mod.refs++
		mod.mu.Unlock()
		return in, nil
	}
	mod.refs++
	mod.mu.Unlock()
	in, err := m.instantiate(ctx, mod)
	if err != nil {
		m.release(mod, nil, false)
		return nil, err
	}
	return in, nil
}

// instantiate makes a new instance and snapshots its memory and globals.
func (m *VM) instantiate(ctx context.Context, mod *module) (*instance, error) {
	am, err := mod.rt.InstantiateModule(ctx, mod.compiled, m.modCfg)
	if err != nil {
		return nil, err
	}
	in := &instance{m: mod, mod: am, mem: am.ExportedMemory("memory")}
	in.call = am.ExportedFunction("call")
	if mod.hasInit {
		in.start = am.ExportedFunction("init")
	}
	if in.mem == nil || in.call == nil {
		_ = am.Close(ctx)
		return nil, errNoExports
	}
	in.view, _ = in.mem.Read(0, in.mem.Size())
	in.snap = mod.snapshot(in.view)
	if mod.metered {
		in.gas, _ = am.ExportedGlobal(meter.GasExport).(api.MutableGlobal)
		in.depth, _ = am.ExportedGlobal(meter.DepthExport).(api.MutableGlobal)
		if in.gas == nil || in.depth == nil {
			_ = am.Close(ctx)
			return nil, errNoExports
		}
	}
	for _, name := range mod.globals {
		g, ok := am.ExportedGlobal(name).(api.MutableGlobal)
		if !ok {
			_ = am.Close(ctx)
			return nil, errNoExports
		}
		in.glob = append(in.glob, g)
		in.init = append(in.init, g.Get())
	}
	return in, nil
}

// reset restores the instance's memory and globals; it reports false if
// the instance cannot be reused (its memory grew).
func (in *instance) reset() bool {
	in.host = nil
	in.ret = in.ret[:0]
	in.hasRet = false
	in.events = 0
	if in.mem.Size() != uint32(len(in.snap.mem)) {
		return false
	}
	in.snap.restore(in.view)
	for i, g := range in.glob {
		g.Set(in.init[i])
	}
	if in.depth != nil {
		in.depth.Set(0)
	}
	return true
}

// release returns in to its pool if reuse is true and it resets (its
// memory did not grow), or closes it. in may be nil (a failed
// instantiation).
func (m *VM) release(mod *module, in *instance, reuse bool) {
	keep := in != nil && reuse && in.reset()
	mod.mu.Lock()
	mod.refs--
	if keep && !mod.evicted && len(mod.idle) < maxIdle {
		mod.idle = append(mod.idle, in)
		in = nil
	}
	closeMod := mod.evicted && mod.refs == 0 && !mod.closed
	if closeMod {
		mod.closed = true
	}
	mod.mu.Unlock()
	if in != nil {
		_ = in.mod.Close(context.Background())
	}
	if closeMod {
		_ = mod.compiled.Close(context.Background())
	}
}

// evict takes mod out of service: its idle instances are closed now, the
// compiled code when the last instance in use returns.
func (mod *module) evict() {
	mod.mu.Lock()
	mod.evicted = true
	idle := mod.idle
	mod.idle = nil
	closeMod := mod.refs == 0 && !mod.closed
	if closeMod {
		mod.closed = true
	}
	mod.mu.Unlock()
	for _, in := range idle {
		_ = in.mod.Close(context.Background())
	}
	if closeMod {
		_ = mod.compiled.Close(context.Background())
	}
}

// chunk is the granularity of the memory restore.
const chunk = 4096

// zeroChunk is a chunk of zeros to compare with.
var zeroChunk [chunk]byte

// snapshot is a module's memory right after instantiation (its data
// segments on zeros), shared by its instances.
type snapshot struct {
	mem  []byte
	zero []bool // chunk i of mem is all zeros
}

// snapshot returns the module's snapshot, taking it from mem (an
// instance's memory right after instantiation) the first time.
func (mod *module) snapshot(mem []byte) *snapshot {
	mod.mu.Lock()
	defer mod.mu.Unlock()
	if mod.snap != nil && len(mod.snap.mem) == len(mem) {
		return mod.snap
	}
	s := &snapshot{mem: append([]byte(nil), mem...)}
	for off := 0; off < len(mem); off += chunk {
		c := s.mem[off:min(off+chunk, len(mem))]
		s.zero = append(s.zero, bytes.Equal(c, zeroChunk[:len(c)]))
	}
	mod.snap = s
	return s
}

// restore makes mem equal to the snapshot. It writes only the chunks
// that differ: comparing reads the memory (and a zero chunk, in cache)
// without dirtying it, which is cheaper than copying the whole memory
// when a call touched little of it, the common case.
func (s *snapshot) restore(mem []byte) {
	for i, zero := range s.zero {
		off := i * chunk
		c := mem[off:min(off+chunk, len(mem))]
		if zero {
			if !bytes.Equal(c, zeroChunk[:len(c)]) {
				clear(c)
			}
		} else if orig := s.mem[off : off+len(c)]; !bytes.Equal(c, orig) {
			copy(c, orig)
		}
	}
}
