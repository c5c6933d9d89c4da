package vm

import (
	"context"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/vm/meter"
	"github.com/cairn-chain/cairn/vm/vmtest"
	"github.com/tetratelabs/wazero"
)

// benchToken runs token transfers of 1 unit from the caller to addrA
// through Run with a vmtest host, and reports calls/s.
func benchToken(b *testing.B, cfg Config) {
	m := newVM(b, cfg)
	code := wasm(b, "token")
	h := vmtest.New()
	ctx := context.Background()
	if r := m.Run(ctx, code, EntryInit, 1_000_000, h); r.Err != nil {
		b.Fatal(r.Err)
	}
	waitCompiled(b, m, code) // measure the compiler tier, where there is one
	h.In = tokenInput(addrA, 1)
	r := m.Run(ctx, code, EntryCall, 1_000_000, h)
	if r.Err != nil {
		b.Fatal(r.Err)
	}
	gas := r.GasUsed
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if r := m.Run(ctx, code, EntryCall, 1_000_000, h); r.Err != nil {
			b.Fatal(r.Err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	b.ReportMetric(float64(gas), "gas/call")
	if balanceOf(h, addrA) != uint64(b.N)+1 {
		b.Fatalf("balance %d after %d transfers", balanceOf(h, addrA), b.N+1)
	}
}

// BenchmarkTokenTransfer: a metered token transfer (input, caller, two
// storage reads and two writes) through Run.
func BenchmarkTokenTransfer(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) { benchToken(b, e.cfg) })
	}
}

// BenchmarkTokenTransferUnmetered: the same module compiled without
// instrumentation (host gas only), for the metered/unmetered ratio.
func BenchmarkTokenTransferUnmetered(b *testing.B) {
	for _, e := range engines {
		cfg := e.cfg
		cfg.unmetered = true
		b.Run(e.name, func(b *testing.B) { benchToken(b, cfg) })
	}
}

// shapes are the ~100 KB modules of the deploy benchmarks: straight-line
// arithmetic, and a branch every ~20 bytes (many metered segments).
var shapes = []struct {
	name    string
	branchy bool
}{{"straight", false}, {"branchy", true}}

// reportMs reports the mean time of an op in ms.
func reportMs(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkCheck100KB: the deploy path (size cap, meter.Check,
// validation, meter.Instrument, the interpreter's compile: what Check
// waits for) on a ~100 KB module, without the cache. The compiler's
// compile runs later in the background (BenchmarkCompile100KB).
func BenchmarkCheck100KB(b *testing.B) {
	for _, sh := range shapes {
		code := bigModule(100<<10, sh.branchy)
		b.Run(sh.name, func(b *testing.B) {
			m := newVM(b, Config{})
			for b.Loop() {
				c, err := m.compile(code)
				if err != nil {
					b.Fatal(err)
				}
				c.base.evict()
			}
			reportMs(b)
			b.ReportMetric(float64(len(code)), "bytes")
		})
	}
}

// BenchmarkCompile100KB: the background tier's work on a ~100 KB module,
// the optimizing compile of the metered module.
func BenchmarkCompile100KB(b *testing.B) {
	m := newVM(b, Config{})
	if m.crt == nil {
		b.Skip("no compiler on this platform")
	}
	ctx := context.Background()
	for _, sh := range shapes {
		metered, err := meter.Instrument(bigModule(100<<10, sh.branchy))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(sh.name, func(b *testing.B) {
			for b.Loop() {
				cm, err := m.crt.CompileModule(ctx, metered)
				if err != nil {
					b.Fatal(err)
				}
				cm.Close(ctx)
			}
			reportMs(b)
		})
	}
}

// BenchmarkCheckStages times each stage of the deploy pipeline on the
// ~100 KB module: meter.Check, wazero's validation of the original (the
// interpreter's compile, the cheapest full validation wazero offers),
// meter.Instrument, and the compile of the metered module per engine.
func BenchmarkCheckStages(b *testing.B) {
	code := bigModule(100<<10, true)
	m := newVM(b, Config{})
	metered, err := meter.Instrument(code)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("meter.Check", func(b *testing.B) {
		for b.Loop() {
			if _, err := meter.Check(code, m.rules); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validate", func(b *testing.B) {
		for b.Loop() {
			cm, err := m.vrt.CompileModule(ctx, code)
			if err != nil {
				b.Fatal(err)
			}
			cm.Close(ctx)
		}
	})
	b.Run("meter.Instrument", func(b *testing.B) {
		for b.Loop() {
			if _, err := meter.Instrument(code); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(metered))/float64(len(code)), "growth")
	})
	for _, e := range []struct {
		name string
		rt   wazero.Runtime
	}{{"compile/compiler", m.crt}, {"compile/interpreter", m.rt}} {
		if e.rt == nil {
			continue
		}
		b.Run(e.name, func(b *testing.B) {
			for b.Loop() {
				cm, err := e.rt.CompileModule(ctx, metered)
				if err != nil {
					b.Fatal(err)
				}
				cm.Close(ctx)
			}
		})
	}
}

// BenchmarkTokenTransferRatio alternates blocks of 100 metered and 100
// unmetered transfers on the compiler, so that both see the same load of a
// shared machine, and reports each rate and metered/unmetered.
func BenchmarkTokenTransferRatio(b *testing.B) {
	type side struct {
		m    *VM
		h    *vmtest.Host
		code []byte
		d    time.Duration
	}
	ctx := context.Background()
	var sides [2]*side
	for i, cfg := range []Config{{}, {unmetered: true}} {
		s := &side{m: newVM(b, cfg), h: vmtest.New(), code: wasm(b, "token")}
		if r := s.m.Run(ctx, s.code, EntryInit, 1_000_000, s.h); r.Err != nil {
			b.Fatal(r.Err)
		}
		waitCompiled(b, s.m, s.code)
		s.h.In = tokenInput(addrA, 1)
		sides[i] = s
	}
	const block = 100
	for b.Loop() {
		for _, s := range sides {
			t0 := time.Now()
			for range block {
				if r := s.m.Run(ctx, s.code, EntryCall, 1_000_000, s.h); r.Err != nil {
					b.Fatal(r.Err)
				}
			}
			s.d += time.Since(t0)
		}
	}
	rate := func(s *side) float64 { return float64(b.N*block) / s.d.Seconds() }
	b.ReportMetric(rate(sides[0]), "metered-calls/s")
	b.ReportMetric(rate(sides[1]), "unmetered-calls/s")
	b.ReportMetric(rate(sides[0])/rate(sides[1]), "ratio")
}
