package vm

import (
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm/meter"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
)

// Defaults of Config (the genesis defaults of docs/contracts.md).
const (
	DefaultMaxMemoryPages = 16
	DefaultMaxCodeBytes   = 131072
	DefaultCacheEntries   = 256
)

// Entry points a contract may export.
const (
	EntryInit = "init"
	EntryCall = "call"
)

// Config configures a VM. Zero fields take the defaults.
type Config struct {
	Interpreter    bool   // wazero's interpreter only: no compiler tier (same gas, slower)
	MaxMemoryPages uint32 // genesis max_contract_memory_pages (default 16)
	MaxCodeBytes   int    // genesis max_code_bytes (default 131072)
	CacheEntries   int    // compiled modules kept (LRU), default 256

	// CompileCacheDir, if not empty, is a directory where wazero keeps the
	// compiler tier's native code across restarts (created if missing;
	// its contents are trusted: the node must keep others from writing
	// there). The interpreter's tier is not cached on disk.
	CompileCacheDir string

	unmetered bool                  // test hook: compile modules without instrumentation
	waitTier  bool                  // test hook: Check and Run wait for the compiler tier
	tierHook  func(context.Context) // test hook: called by the background compile before it compiles
}

// maxTierWorkers is the most background compiles at a time.
const maxTierWorkers = 1

// VM runs contracts. It is safe for concurrent use.
//
// Tiers: the deploy pipeline compiles the metered module with wazero's
// interpreter (rt), which is fast to compile, and queues it for wazero's
// optimizing compiler (crt) in the background; Run takes the compiler's
// module once it is ready. The metered bytecode is the same on both, so
// are the results and the gas.
type VM struct {
	cfg    Config
	rt     wazero.Runtime          // the first tier: the interpreter, runs metered modules
	crt    wazero.Runtime          // the second tier: the compiler, or nil (Config.Interpreter, unsupported platform)
	ccache wazero.CompilationCache // crt's on-disk cache (Config.CompileCacheDir), or nil
	vrt    wazero.Runtime          // validates original modules (interpreter: cheapest full validation)
	modCfg wazero.ModuleConfig
	rules  meter.Rules

	mu      sync.Mutex
	lru     *list.List // of *contract, most recently used first
	byKey   map[cacheKey]*list.Element
	byCode  map[string]*list.Element
	closed  bool
	queue   []*contract // waiting for the compiler tier
	workers int         // background compiles running (at most maxTierWorkers)

	bg       sync.WaitGroup     // the background workers
	bgCtx    context.Context    // of the background compiles, canceled by Close
	bgCancel context.CancelFunc //
}

// contract is a cached contract: its code and its compiled tiers, each
// a module with its own pool of instances. Its fields other than fast
// are guarded by VM.mu once it is in the cache.
type contract struct {
	key     cacheKey
	code    string // the original code, the index of Run's lookup
	hasInit bool
	base    *module                // the interpreter's
	fast    atomic.Pointer[module] // the compiler's, once ready
	metered []byte                 // input of the compiler tier while it is pending
	ready   chan struct{}          // closed when no compile of the compiler tier is pending
	queued  bool
	evicted bool
}

// current returns the fastest tier ready.
func (c *contract) current() *module {
	if f := c.fast.Load(); f != nil {
		return f
	}
	return c.base
}

// evict takes the contract's modules out of service (VM.mu held).
func (c *contract) evict() {
	c.evicted = true
	c.metered = nil
	c.base.evict()
	if f := c.fast.Load(); f != nil {
		f.evict()
	}
}

// cacheKey names a compiled module: the code's hash and the gas schedule
// it was instrumented with.
type cacheKey struct {
	sum      [sha256.Size]byte
	schedule int
}

var (
	errNoExports = errors.New("vm: instance lacks the exports Check found")
	errRetired   = errors.New("vm: module retired") // acquire: take the contract's current tier
)

// zeroReader is the constant random source of every instance.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// New makes a VM with its wazero runtime and the host module "env".
func New(cfg Config) (*VM, error) {
	if cfg.MaxMemoryPages == 0 {
		cfg.MaxMemoryPages = DefaultMaxMemoryPages
	}
	if cfg.MaxMemoryPages > 65536 {
		return nil, fmt.Errorf("vm: max memory pages %d above 65536", cfg.MaxMemoryPages)
	}
	if cfg.MaxCodeBytes <= 0 {
		cfg.MaxCodeBytes = DefaultMaxCodeBytes
	}
	if cfg.CacheEntries <= 0 {
		cfg.CacheEntries = DefaultCacheEntries
	}
	features := api.CoreFeaturesV2 &^ api.CoreFeatureSIMD
	runtimeConfig := func(rc wazero.RuntimeConfig) wazero.RuntimeConfig {
		return rc.WithCoreFeatures(features).
			WithMemoryLimitPages(cfg.MaxMemoryPages).
			WithCloseOnContextDone(true) // watchdog only: never a consensus result
	}
	ctx := context.Background()
	m := &VM{
		cfg: cfg,
		rt:  wazero.NewRuntimeWithConfig(ctx, runtimeConfig(wazero.NewRuntimeConfigInterpreter())),
		vrt: wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter().WithCoreFeatures(features)),
		modCfg: wazero.NewModuleConfig().
			WithName("").
			WithRandSource(zeroReader{}).
			WithStartFunctions(),
		rules: meter.Rules{
			MaxMemoryPages: cfg.MaxMemoryPages,
			MaxCodeBytes:   cfg.MaxCodeBytes,
			Imports:        importRules(),
		},
		lru:    list.New(),
		byKey:  make(map[cacheKey]*list.Element),
		byCode: make(map[string]*list.Element),
	}
	m.bgCtx, m.bgCancel = context.WithCancel(ctx)
	if !cfg.Interpreter && compilerSupported() {
		rc := runtimeConfig(wazero.NewRuntimeConfigCompiler())
		if cfg.CompileCacheDir != "" {
			cache, err := wazero.NewCompilationCacheWithDir(cfg.CompileCacheDir)
			if err != nil {
				m.Close()
				return nil, fmt.Errorf("vm: compile cache: %w", err)
			}
			m.ccache = cache
			rc = rc.WithCompilationCache(cache)
		}
		m.crt = wazero.NewRuntimeWithConfig(ctx, rc)
	}
	for _, rt := range []wazero.Runtime{m.rt, m.crt} {
		if rt == nil {
			continue
		}
		if err := instantiateEnv(ctx, rt); err != nil {
			m.Close()
			return nil, err
		}
	}
	return m, nil
}

// instantiateEnv instantiates the host module "env" in rt.
func instantiateEnv(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder("env")
	for _, f := range abi {
		fn := f.fn
		b.NewFunctionBuilder().
			WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, _ api.Module, s []uint64) {
				fn(instanceOf(ctx), s)
			}), f.params, f.results).
			WithName(f.name).
			Export(f.name)
	}
	if _, err := b.Instantiate(ctx); err != nil {
		return fmt.Errorf("vm: host module: %w", err)
	}
	return nil
}

// compilerSupported reports whether wazero has a compiler for this
// platform (the same test as wazero's; elsewhere the interpreter runs,
// with the same gas).
func compilerSupported() bool {
	switch runtime.GOARCH {
	case "amd64", "arm64":
	default:
		return false
	}
	switch runtime.GOOS {
	case "linux", "darwin", "freebsd", "netbsd", "windows":
		return true
	}
	return false
}

// Close releases the runtimes and every compiled module and instance. It
// drops the compiles of the compiler tier still queued, and cancels the
// one running and waits for it (wazero's compiler may not stop early).
func (m *VM) Close() error {
	m.mu.Lock()
	m.closed = true
	for _, c := range m.queue {
		c.queued = false
		close(c.ready)
	}
	m.queue = nil
	m.lru.Init()
	clear(m.byKey)
	clear(m.byCode)
	m.mu.Unlock()
	m.bgCancel()
	m.bg.Wait()
	ctx := context.Background()
	errs := []error{m.rt.Close(ctx), m.vrt.Close(ctx)}
	if m.crt != nil {
		errs = append(errs, m.crt.Close(ctx))
	}
	if m.ccache != nil {
		errs = append(errs, m.ccache.Close(ctx))
	}
	return errors.Join(errs...)
}

// Check runs the deploy pipeline without executing: size cap, full wazero
// validation of the original module, meter.Check, meter.Instrument,
// compile with the interpreter. It caches the compiled module under
// (sha256(code), meter.ScheduleVersion), and queues the compile with the
// compiler, which Run uses once it is ready. Errors are *core.RuleError
// with the deploy codes.
func (m *VM) Check(code []byte) error {
	_, err := m.load(code)
	return err
}

// load returns the contract of code from the cache, or runs the deploy
// pipeline, caches it and queues its compiler tier.
func (m *VM) load(code []byte) (*contract, error) {
	c, err := m.loadNoWait(code)
	if err == nil && m.cfg.waitTier {
		<-c.ready
	}
	return c, err
}

func (m *VM) loadNoWait(code []byte) (*contract, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, errors.New("vm: closed")
	}
	if e, ok := m.byCode[string(code)]; ok {
		m.lru.MoveToFront(e)
		m.mu.Unlock()
		return e.Value.(*contract), nil
	}
	m.mu.Unlock()

	c, err := m.compile(code)
	if err != nil {
		return nil, err
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		c.base.evict()
		return nil, errors.New("vm: closed")
	}
	if e, ok := m.byKey[c.key]; ok { // compiled meanwhile by another call
		m.lru.MoveToFront(e)
		c.base.evict()
		return e.Value.(*contract), nil
	}
	e := m.lru.PushFront(c)
	m.byKey[c.key] = e
	m.byCode[c.code] = e
	if m.crt != nil {
		c.queued = true
		m.queue = append(m.queue, c)
		if m.workers < maxTierWorkers {
			m.workers++
			m.bg.Add(1)
			go m.tierWorker()
		}
	} else {
		c.metered = nil
		close(c.ready)
	}
	for m.lru.Len() > m.cfg.CacheEntries {
		old := m.lru.Remove(m.lru.Back()).(*contract)
		delete(m.byKey, old.key)
		delete(m.byCode, old.code)
		if old.queued { // still waiting for the compiler: drop it
			m.queue = slices.DeleteFunc(m.queue, func(q *contract) bool { return q == old })
			old.queued = false
			close(old.ready)
		}
		old.evict()
	}
	return c, nil
}

// tierWorker compiles the queued contracts with the compiler until the
// queue is empty or the VM closes.
func (m *VM) tierWorker() {
	defer m.bg.Done()
	for {
		m.mu.Lock()
		if m.closed || len(m.queue) == 0 {
			m.workers--
			m.mu.Unlock()
			return
		}
		c := m.queue[0]
		m.queue[0] = nil
		m.queue = m.queue[1:]
		c.queued = false
		metered := c.metered
		m.mu.Unlock()
		m.tierUp(c, metered)
	}
}

// tierUp compiles c's metered module with the compiler and makes it c's
// current tier, retiring the interpreter's. A failure (which validation
// makes unexpected) leaves c on the interpreter: same results, same gas.
func (m *VM) tierUp(c *contract, metered []byte) {
	defer close(c.ready)
	if hook := m.cfg.tierHook; hook != nil {
		hook(m.bgCtx)
	}
	if m.bgCtx.Err() != nil { // closing
		return
	}
	cm, err := m.crt.CompileModule(m.bgCtx, metered)
	if err != nil {
		return
	}
	fast := &module{rt: m.crt, compiled: cm, hasInit: c.base.hasInit, globals: c.base.globals, metered: c.base.metered}
	if err := fast.checkExports(); err != nil || fast.hasInit != c.base.hasInit {
		_ = cm.Close(context.Background())
		return
	}
	m.mu.Lock()
	install := !m.closed && !c.evicted
	if install {
		c.fast.Store(fast)
		c.metered = nil
	}
	m.mu.Unlock()
	if install {
		c.base.evict() // closed when its last instance in use returns
	} else {
		fast.evict()
	}
}

// compile runs the deploy pipeline: size cap, meter.Check (cheap, and
// safe on any bytes: it keeps modules that crash or stall wazero's
// decoder away from it), full wazero validation of the original (so no
// invalid index can alias what Instrument appends), Instrument, compile
// with the interpreter (the first tier).
func (m *VM) compile(code []byte) (*contract, error) {
	if len(code) > m.cfg.MaxCodeBytes {
		return nil, core.Errorf(core.CodeCodeTooLarge, "module of %d bytes above max_code_bytes %d", len(code), m.cfg.MaxCodeBytes)
	}
	info, err := meter.Check(code, m.rules)
	if err != nil {
		if core.IsRuleError(err) {
			return nil, err
		}
		return nil, core.Errorf(core.CodeInvalidModule, "invalid module: %v", err)
	}
	ctx := context.Background()
	vc, err := m.vrt.CompileModule(ctx, code)
	if err != nil {
		return nil, core.Errorf(core.CodeInvalidModule, "invalid module: %s", firstLine(err.Error()))
	}
	_ = vc.Close(ctx)
	var metered []byte // kept for the compiler tier, compiled later
	if m.cfg.unmetered {
		metered = slices.Clone(code)
	} else {
		if metered, err = meter.Instrument(code); err != nil {
			if core.IsRuleError(err) {
				return nil, err
			}
			return nil, core.Errorf(core.CodeInvalidModule, "module cannot be metered: %v", err)
		}
	}
	cm, err := m.rt.CompileModule(ctx, metered)
	if err != nil {
		return nil, core.Errorf(core.CodeInvalidModule, "metered module does not compile: %s", firstLine(err.Error()))
	}
	mod := &module{
		rt:       m.rt,
		compiled: cm,
		metered:  !m.cfg.unmetered,
	}
	if err := mod.checkExports(); err != nil {
		_ = cm.Close(ctx)
		return nil, err
	}
	if mod.hasInit != info.HasInit {
		_ = cm.Close(ctx)
		return nil, fmt.Errorf("vm: meter and wazero disagree on init")
	}
	if mod.metered {
		for _, i := range info.MutableGlobals {
			mod.globals = append(mod.globals, meter.GlobalExport(i))
		}
	}
	return &contract{
		key:     cacheKey{sha256.Sum256(code), meter.ScheduleVersion},
		code:    string(code),
		hasInit: mod.hasInit,
		base:    mod,
		metered: metered,
		ready:   make(chan struct{}),
	}, nil
}

// checkExports checks the entry points and the memory export.
func (mod *module) checkExports() error {
	if _, ok := mod.compiled.ExportedMemories()["memory"]; !ok {
		return core.Errorf(core.CodeNoMemoryExport, "no exported memory \"memory\"")
	}
	fns := mod.compiled.ExportedFunctions()
	call, ok := fns[EntryCall]
	if !ok {
		return core.Errorf(core.CodeNoCallExport, "no exported function \"call\"")
	}
	if len(call.ParamTypes()) != 0 || len(call.ResultTypes()) != 0 {
		return core.Errorf(core.CodeBadEntryPoint, "\"call\" is not a function () -> ()")
	}
	if init, ok := fns[EntryInit]; ok {
		if len(init.ParamTypes()) != 0 || len(init.ResultTypes()) != 0 {
			return core.Errorf(core.CodeBadEntryPoint, "\"init\" is not a function () -> ()")
		}
		mod.hasInit = true
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Watchdog stops a run whose ctx has no deadline or cancel (the executor's,
// in blocks) after this long. Gas bounds every run, so only a node bug
// (a metering or engine fault) reaches it; a stopped run was not
// executed. It is a timer armed per call, so such runs cost no goroutine
// (a ctx with a Done channel costs one per call inside wazero).
const Watchdog = 30 * time.Second

// watchdogAfter is Watchdog (tests shorten it).
var watchdogAfter = Watchdog

// Run executes entry ("init" or "call") of code with gasLimit. A missing
// "init" is a successful no-op using 0 gas. Code that is not in the cache
// goes through the deploy pipeline of Check first; if it fails, Err is the
// deploy-rule error and nothing ran. ctx is a watchdog only: a call it
// stops (or, for a ctx that cannot end, Watchdog) returns an error (not
// executed).
func (m *VM) Run(ctx context.Context, code []byte, entry string, gasLimit uint64, host Host) Result {
	if entry != EntryInit && entry != EntryCall {
		return Result{Err: fmt.Errorf("vm: unknown entry point %q", entry)}
	}
	var (
		mod *module
		in  *instance
	)
	for {
		c, err := m.load(code)
		if err != nil {
			return Result{Err: err}
		}
		if entry == EntryInit && !c.hasInit {
			return Result{}
		}
		mod = c.current()
		in, err = m.acquire(ctx, mod)
		if err == errRetired { // replaced by the compiler's, or evicted: look again
			continue
		}
		if err != nil {
			return Result{Err: err}
		}
		break
	}
	limit := min(gasLimit, math.MaxInt64)
	in.host = host
	if in.gas != nil {
		in.gas.Set(limit)
		in.depth.Set(0)
	} else {
		in.gasLeft = int64(limit)
	}
	fn := in.call
	if entry == EntryInit {
		fn = in.start
	}
	var dog *time.Timer
	if ctx.Done() == nil {
		mod := in.mod
		dog = time.AfterFunc(watchdogAfter, func() { _ = mod.CloseWithExitCode(context.Background(), 1) })
	}
	err := fn.CallWithStack(&runCtx{ctx, in}, in.stack[:])
	fired := dog != nil && !dog.Stop() // it ran, or is closing the module now
	res, reuse := in.outcome(ctx, err, gasLimit, limit)
	if fired {
		res, reuse = Result{Err: fmt.Errorf("vm: call stopped by the watchdog after %s", watchdogAfter)}, false
	}
	m.release(mod, in, reuse)
	return res
}

// outcome maps the end of a call to its Result, and reports whether the
// instance may be reused.
func (in *instance) outcome(ctx context.Context, err error, gasLimit, limit uint64) (Result, bool) {
	left := in.gasLeft
	if in.gas != nil {
		left = int64(in.gas.Get())
	}
	if err == nil {
		if left < 0 || uint64(left) > limit {
			return Result{Err: fmt.Errorf("vm: gas left %d after a call with limit %d", left, limit)}, false
		}
		res := Result{GasUsed: limit - uint64(left)}
		if in.hasRet {
			res.Return = append([]byte{}, in.ret...)
		}
		return res, true
	}
	f, ie := asFault(err)
	if ie != nil {
		return Result{Err: ie.err}, false
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		if ctx.Err() != nil {
			return Result{Err: fmt.Errorf("vm: call stopped by the watchdog: %w", ctx.Err())}, false
		}
		return Result{Err: fmt.Errorf("vm: call stopped: %w", err)}, false
	}
	var rte runtime.Error
	if errors.As(err, &rte) && f == nil {
		return Result{Err: fmt.Errorf("vm: host function failed: %w", err)}, false
	}
	if left == -1 || (f != nil && f.code == core.CodeOutOfGas) {
		return Result{GasUsed: gasLimit, Err: core.Errorf(core.CodeOutOfGas, "out of gas (limit %d)", gasLimit)}, false
	}
	if left < 0 || uint64(left) > limit {
		return Result{Err: fmt.Errorf("vm: gas left %d after a call with limit %d", left, limit)}, false
	}
	used := limit - uint64(left)
	if f != nil {
		return Result{GasUsed: used, Err: core.Errorf(f.code, "%s", f.msg)}, false
	}
	if in.depth != nil && int32(uint32(in.depth.Get())) > meter.MaxCallDepth {
		return Result{GasUsed: used, Err: core.Errorf(core.CodeCallDepthExceeded, "call depth above %d", meter.MaxCallDepth)}, false
	}
	return Result{GasUsed: used, Err: core.Errorf(core.CodeTrap, "%s", trapMessage(err))}, false
}

// trapMessage is wazero's runtime error without the engine-specific stack
// trace: "unreachable", "out of bounds memory access", ...
func trapMessage(err error) string {
	s := firstLine(err.Error())
	return strings.TrimPrefix(s, "wasm error: ")
}
