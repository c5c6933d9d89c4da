package pow

import (
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
)

// Figures are reported as ratios to the machine's own limit measured in the
// same run: one SHA-256 of a header (what any seal check must cost at
// least), metric "x_header_hash". ASERT also reports its speed-up over the
// plain math/big reference, "x_faster_than_ref".

// nsPerCall times f over enough calls to take about 200 ms. (A nested
// testing.Benchmark would deadlock inside a running benchmark.)
func nsPerCall(f func()) float64 {
	for n := 1; ; n *= 2 {
		start := time.Now()
		for range n {
			f()
		}
		if d := time.Since(start); d > 200*time.Millisecond {
			return float64(d.Nanoseconds()) / float64(n)
		}
	}
}

// headerHashNs measures one header hash, the floor of a seal check.
func headerHashNs(h *core.Header) float64 { return nsPerCall(func() { _ = h.Hash() }) }

func perOp(b *testing.B) float64 { return float64(b.Elapsed().Nanoseconds()) / float64(b.N) }

func BenchmarkVerifySeal(b *testing.B) {
	g := testGenesis()
	g.InitialBits = 0x2000ffff
	e := newEngine(b, g)
	h := child(e, e.Genesis(), 5000)
	mine(b, h, true)
	floor := headerHashNs(h)
	b.ReportAllocs()
	for b.Loop() {
		if err := e.VerifySeal(h); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(perOp(b)/floor, "x_header_hash")
}

func BenchmarkNextBitsASERT(b *testing.B) {
	p, anchor := devnetASERT(b)
	for _, bc := range []struct {
		name   string
		parent *core.Header
	}{
		{"realistic", &core.Header{Height: 123_456, Timestamp: anchor.Timestamp + 123_456*5000 + 7_777}},
		{"big-path", &core.Header{Height: 1 << 60, Timestamp: 1 << 63}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			in := asertInput{limit: p.PowLimit, t: p.TargetBlockTimeMs, halflife: p.HalflifeMs, anchorBits: anchor.Bits,
				anchorTs: anchor.Timestamp, anchorHeight: anchor.Height, parentTs: bc.parent.Timestamp, parentHeight: bc.parent.Height}
			refNs := nsPerCall(func() { refNextBits(in) })
			floor := headerHashNs(anchor)
			b.ReportAllocs()
			for b.Loop() {
				NextBitsASERT(p, anchor, bc.parent)
			}
			ns := perOp(b)
			b.ReportMetric(ns/floor, "x_header_hash")
			b.ReportMetric(refNs/ns, "x_faster_than_ref")
		})
	}
}

func BenchmarkCompactToBig(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CompactToBig(0x1d00ffff); err != nil {
			b.Fatal(err)
		}
	}
}
