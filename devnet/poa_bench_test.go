package devnet

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
)

// BenchmarkPoAInterval runs a 3-signer proof-of-authority devnet with a
// 1 s period until it has 61 blocks and reports the distribution of the
// 60 intervals between blocks 1 to 61: as the headers' timestamps say
// (p50, p95, max in ms), as node 0 saw the blocks arrive (polling its tip
// every 5 ms: arrive-p50, arrive-p95, arrive-max) and how many blocks were
// sealed out of turn. About a minute:
//
//	go test ./devnet -run '^$' -bench PoAInterval -benchtime 1x
func BenchmarkPoAInterval(b *testing.B) {
	const period, blocks = time.Second, 61
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		d, err := Start(ctx, Config{Dir: b.TempDir(), Nodes: 3, BlockTime: period, Consensus: core.ConsensusPoA})
		if err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(3 * blocks * period)
		tick := time.NewTicker(5 * time.Millisecond)
		seen := map[uint64]time.Time{} // height -> when node 0's tip reached it
		for {
			h := d.Node(0).Chain.Tip().Height
			if _, ok := seen[h]; !ok {
				seen[h] = time.Now()
			}
			if h >= blocks {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d blocks after %v", h, 3*blocks*period)
			}
			<-tick.C
		}
		tick.Stop()
		var arrive []float64
		for h := uint64(2); h <= blocks; h++ {
			t0, ok0 := seen[h-1]
			t1, ok1 := seen[h]
			if ok0 && ok1 { // a height skipped between two polls has no arrival time
				arrive = append(arrive, float64(t1.Sub(t0).Milliseconds()))
			}
		}
		slices.Sort(arrive)
		var ms []float64
		var prev uint64
		outOfTurn := 0
		for h := uint64(1); h <= blocks; h++ {
			bi, err := d.Node(0).Chain.BlockByHeight(h)
			if err != nil {
				b.Fatal(err)
			}
			hd := bi.Block.Header
			if h > 1 {
				ms = append(ms, float64(hd.Timestamp-prev))
			}
			if hd.Bits == 1 {
				outOfTurn++
			}
			prev = hd.Timestamp
		}
		d.Stop()
		cancel()
		slices.Sort(ms)
		pct := func(xs []float64, p float64) float64 { return xs[min(len(xs)-1, int(p*float64(len(xs))))] }
		b.ReportMetric(pct(ms, 0.50), "p50-ms")
		b.ReportMetric(pct(ms, 0.95), "p95-ms")
		b.ReportMetric(ms[len(ms)-1], "max-ms")
		b.ReportMetric(pct(arrive, 0.50), "arrive-p50-ms")
		b.ReportMetric(pct(arrive, 0.95), "arrive-p95-ms")
		b.ReportMetric(arrive[len(arrive)-1], "arrive-max-ms")
		b.ReportMetric(float64(outOfTurn), "out-of-turn")
		b.Logf("timestamp intervals (ms): min %.0f p50 %.0f p90 %.0f p95 %.0f max %.0f; arrivals at node 0 (%d intervals): min %.0f p50 %.0f p90 %.0f p95 %.0f max %.0f; %d of %d blocks out of turn",
			ms[0], pct(ms, 0.50), pct(ms, 0.90), pct(ms, 0.95), ms[len(ms)-1],
			len(arrive), arrive[0], pct(arrive, 0.50), pct(arrive, 0.90), pct(arrive, 0.95), arrive[len(arrive)-1], outOfTurn, blocks)
	}
}
