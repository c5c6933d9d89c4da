package meter

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
)

// bigModule is a generated contract of about size bytes.
func bigModule(size int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, size*8)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for n := size / 400; ; n += max(1, n/32) {
		if m := (&gen{data: data}).module(n); len(m) >= size {
			return m
		}
	}
}

// BenchmarkInstrument instruments a ~100 KB contract. It reports the
// output's size relative to the input, and (once) the compile time of the
// instrumented module on wazero's compiler: a deploy runs Check, the
// engine's validation, Instrument and the compile.
func BenchmarkInstrument(b *testing.B) {
	wasm := bigModule(100 << 10)
	out, err := Instrument(wasm)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	rt := newRuntime(b, wazero.NewRuntimeConfigCompiler())
	start := time.Now()
	cm, err := rt.CompileModule(ctx, out)
	if err != nil {
		b.Fatal(err)
	}
	compile := time.Since(start)
	cm.Close(ctx)
	start = time.Now()
	if cm, err = rt.CompileModule(ctx, wasm); err != nil {
		b.Fatal(err)
	}
	compileOrig := time.Since(start)
	cm.Close(ctx)
	b.SetBytes(int64(len(wasm)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Instrument(wasm); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(wasm)), "in-bytes")
	b.ReportMetric(float64(len(out))/float64(len(wasm)), "growth")
	b.ReportMetric(float64(compile.Milliseconds()), "compile-ms")
	b.ReportMetric(float64(compileOrig.Milliseconds()), "compile-orig-ms")
}

// BenchmarkCheck checks the same ~100 KB contract.
func BenchmarkCheck(b *testing.B) {
	wasm := bigModule(100 << 10)
	r := testRules()
	r.MaxCodeBytes = 1 << 20
	b.SetBytes(int64(len(wasm)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Check(wasm, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoop runs compute.wasm's xorshift(10,000) (3 segments per
// iteration) metered and not, on both engines: the cost of the metering.
func BenchmarkLoop(b *testing.B) {
	orig := corpus(b, "compute")
	metered := mustInstrument(b, orig)
	ctx := context.Background()
	for _, e := range engines {
		for _, v := range []struct {
			name string
			wasm []byte
		}{{"unmetered", orig}, {"metered", metered}} {
			b.Run(e.name+"/"+v.name, func(b *testing.B) {
				rt := newRuntime(b, e.cfg())
				mod, err := rt.Instantiate(ctx, v.wasm)
				if err != nil {
					b.Fatal(err)
				}
				f := mod.ExportedFunction("xorshift")
				gas := mod.ExportedGlobal(GasExport)
				for b.Loop() {
					if gas != nil {
						gas.(interface{ Set(uint64) }).Set(1 << 40)
					}
					if _, err := f.Call(ctx, 10_000); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10_000, "ns/iter")
			})
		}
	}
}
