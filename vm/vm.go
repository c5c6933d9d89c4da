package vm

import (
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"

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
	Interpreter    bool   // wazero's interpreter instead of the compiler (same gas, slower)
	MaxMemoryPages uint32 // genesis max_contract_memory_pages (default 16)
	MaxCodeBytes   int    // genesis max_code_bytes (default 131072)
	CacheEntries   int    // compiled modules kept (LRU), default 256

	unmetered bool // test hook: compile modules without instrumentation
}

// VM runs contracts. It is safe for concurrent use.
type VM struct {
	cfg    Config
	rt     wazero.Runtime // runs metered modules
	vrt    wazero.Runtime // validates original modules (interpreter: cheapest full validation)
	modCfg wazero.ModuleConfig
	rules  meter.Rules

	mu     sync.Mutex
	lru    *list.List // of *module, most recently used first
	byKey  map[cacheKey]*list.Element
	byCode map[string]*list.Element
	closed bool
}

// cacheKey names a compiled module: the code's hash and the gas schedule
// it was instrumented with.
type cacheKey struct {
	sum      [sha256.Size]byte
	schedule int
}

var errNoExports = errors.New("vm: instance lacks the exports Check found")

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
	var rc wazero.RuntimeConfig
	if cfg.Interpreter || !compilerSupported() {
		rc = wazero.NewRuntimeConfigInterpreter()
	} else {
		rc = wazero.NewRuntimeConfigCompiler()
	}
	rc = rc.WithCoreFeatures(features).
		WithMemoryLimitPages(cfg.MaxMemoryPages).
		WithCloseOnContextDone(true) // watchdog only: never a consensus result
	ctx := context.Background()
	m := &VM{
		cfg: cfg,
		rt:  wazero.NewRuntimeWithConfig(ctx, rc),
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
	b := m.rt.NewHostModuleBuilder("env")
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
		m.Close()
		return nil, fmt.Errorf("vm: host module: %w", err)
	}
	return m, nil
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

// Close releases the runtime and every compiled module and instance.
func (m *VM) Close() error {
	m.mu.Lock()
	m.closed = true
	m.lru.Init()
	clear(m.byKey)
	clear(m.byCode)
	m.mu.Unlock()
	ctx := context.Background()
	return errors.Join(m.rt.Close(ctx), m.vrt.Close(ctx))
}

// Check runs the deploy pipeline without executing: size cap, full wazero
// validation of the original module, meter.Check, meter.Instrument,
// compile. It caches the compiled module under (sha256(code),
// meter.ScheduleVersion). Errors are *core.RuleError with the deploy
// codes.
func (m *VM) Check(code []byte) error {
	_, err := m.load(code)
	return err
}

// load returns the compiled module of code from the cache, or runs the
// deploy pipeline and caches it.
func (m *VM) load(code []byte) (*module, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, errors.New("vm: closed")
	}
	if e, ok := m.byCode[string(code)]; ok {
		m.lru.MoveToFront(e)
		m.mu.Unlock()
		return e.Value.(*module), nil
	}
	m.mu.Unlock()

	mod, err := m.compile(code)
	if err != nil {
		return nil, err
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errors.New("vm: closed")
	}
	if e, ok := m.byKey[mod.key]; ok { // compiled meanwhile by another call
		m.lru.MoveToFront(e)
		mod.evict()
		return e.Value.(*module), nil
	}
	e := m.lru.PushFront(mod)
	m.byKey[mod.key] = e
	m.byCode[mod.code] = e
	for m.lru.Len() > m.cfg.CacheEntries {
		old := m.lru.Remove(m.lru.Back()).(*module)
		delete(m.byKey, old.key)
		delete(m.byCode, old.code)
		old.evict()
	}
	return mod, nil
}

// compile runs the deploy pipeline: size cap, meter.Check (cheap, and
// safe on any bytes: it keeps modules that crash or stall wazero's
// decoder away from it), full wazero validation of the original (so no
// invalid index can alias what Instrument appends), Instrument, compile.
func (m *VM) compile(code []byte) (*module, error) {
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
	metered := code
	if !m.cfg.unmetered {
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
		key:      cacheKey{sha256.Sum256(code), meter.ScheduleVersion},
		code:     string(code),
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
	return mod, nil
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

// Run executes entry ("init" or "call") of code with gasLimit. A missing
// "init" is a successful no-op using 0 gas. Code that is not in the cache
// goes through the deploy pipeline of Check first; if it fails, Err is the
// deploy-rule error and nothing ran. ctx is a watchdog only: a call it
// stops returns ctx's error (not executed).
func (m *VM) Run(ctx context.Context, code []byte, entry string, gasLimit uint64, host Host) Result {
	if entry != EntryInit && entry != EntryCall {
		return Result{Err: fmt.Errorf("vm: unknown entry point %q", entry)}
	}
	mod, err := m.load(code)
	if err != nil {
		return Result{Err: err}
	}
	if entry == EntryInit && !mod.hasInit {
		return Result{}
	}
	in, err := m.acquire(ctx, mod)
	if err != nil {
		return Result{Err: err}
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
	err = fn.CallWithStack(&runCtx{ctx, in}, in.stack[:])
	res, reuse := in.outcome(ctx, err, gasLimit, limit)
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
