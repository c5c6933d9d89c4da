package bench

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/internal/testkit"
)

// TestBenchOnDevnet runs a small bench on a 3-node devnet: every tx is
// confirmed exactly once, balances and supply hold, the nodes converge,
// and the report's figures are filled in.
func TestBenchOnDevnet(t *testing.T) {
	ctx := context.Background()
	d, err := StartDevnet(ctx, DevnetConfig{Dir: t.TempDir(), Nodes: 3, BlockTime: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	var progress bytes.Buffer
	rep, err := Run(ctx, Config{Nodes: d.Clients, Funder: d.Funder, Txs: 3000, Accounts: 60, Progress: &progress,
		Memory: ProcessRSS, CPU: ProcessCPU, VerifyTime: 200 * time.Millisecond, Stall: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", *rep)
	if !rep.OK() || rep.Submitted != 3000 || rep.Confirmed != 3000 || rep.Lost != 0 || rep.Duplicated != 0 || rep.Conns != DefaultConns {
		t.Fatalf("bench not OK: %+v", *rep)
	}
	if !rep.Converged || !rep.BalancesOK || !rep.SupplyConserved || rep.Tip == "" {
		t.Fatalf("checks: %+v", *rep)
	}
	if rep.ConfirmedPerS <= 0 || rep.SubmittedPerS <= 0 || rep.VerifyPerS <= 0 || rep.Ratio <= 0 || rep.LatencyMs.P99 <= 0 ||
		rep.LatencyMs.P50 > rep.LatencyMs.P99 || rep.Blocks == 0 || rep.PeakMemoryMiB <= 0 ||
		rep.CPUSeconds <= 0 || rep.VerifyPerCPUS <= 0 || rep.CPURatio <= 0 || rep.CPURatio > 1 {
		t.Fatalf("figures missing: %+v", *rep)
	}
	for _, want := range []string{"funding 60 accounts", "signing 3000 transfers", "checking"} {
		if !strings.Contains(progress.String(), want) {
			t.Fatalf("progress lacks %q:\n%s", want, progress.String())
		}
	}

	// The checks can fail: a tx "acknowledged" but never sent is lost, and
	// an account funded differently breaks its balance and the supply.
	rep, err = Run(ctx, Config{Nodes: d.Clients, Funder: d.Funder, Txs: 40, Accounts: 4, Seed: 1, VerifyTime: 50 * time.Millisecond,
		beforeCheck: func(r *run) {
			tx := testkit.NewKey(0).Transfer(r.st.ChainID, r.accts[0].addr, 1, r.st.MinFee, 0)
			r.byID.put(&btx{tx: tx, id: tx.ID(), ackAt: time.Now().UnixNano(), from: 0})
			r.accts[1].fund++ // as if account 1 had been paid one unit more
		}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || rep.Lost != 1 || rep.BalancesOK || rep.SupplyConserved || len(rep.Problems) < 3 {
		t.Fatalf("a lost tx or a wrong balance went unnoticed: %+v", *rep)
	}

	// A run too large to sign ahead signs as it sends, with the same
	// checks; memory is reported by tenth of the txs confirmed. Five
	// batches in flight per node share 3-4 accounts: some lanes are
	// empty, and each account's nonces still arrive in order.
	progress.Reset()
	rep, err = Run(ctx, Config{Nodes: d.Clients, Funder: d.Funder, Txs: 300, Accounts: 10, Seed: 2, VerifyTime: 50 * time.Millisecond,
		Progress: &progress, Memory: ProcessRSS, presign: -1, Conns: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Confirmed != 300 || rep.Conns != 5 || strings.Contains(progress.String(), "signing") {
		t.Fatalf("signing as it sends: %+v\n%s", *rep, progress.String())
	}
	if m := rep.MemoryByTenth; len(m) != 10 || m[0] <= 0 || m[9] < m[0] || m[9] != rep.PeakMemoryMiB {
		t.Fatalf("memory by tenth %v, peak %.0f", m, rep.PeakMemoryMiB)
	}
}

func TestPercentiles(t *testing.T) {
	var ds []float64
	for i := 100; i >= 1; i-- {
		ds = append(ds, float64(i))
	}
	l := percentiles(ds)
	if l.P50 != 51 || l.P95 != 96 || l.P99 != 100 || l.Max != 100 {
		t.Fatalf("percentiles of 1..100: %+v", l)
	}
	if (percentiles(nil) != Latency{}) {
		t.Fatal("percentiles of nothing")
	}
	if bar(5, 10, 10) != "[#####.....]" || bar(20, 10, 4) != "[####]" {
		t.Fatalf("bar: %q %q", bar(5, 10, 10), bar(20, 10, 4))
	}
}

// TestWalkBack: a reorg seen near the start of the chain walks back to
// the start, never wrapping below zero (a wrap made the follower skip
// every later block: a bench "stall" with everything confirmed).
func TestWalkBack(t *testing.T) {
	for _, c := range []struct{ h, start, want uint64 }{
		{19, 0, 1}, {2, 0, 1}, {21, 0, 1}, {22, 0, 2}, {100, 0, 80}, {105, 90, 91}, {200, 90, 180},
	} {
		if got := walkBack(c.h, c.start); got != c.want {
			t.Errorf("walkBack(%d, %d) = %d, want %d", c.h, c.start, got, c.want)
		}
	}
}

// TestWaitQuantile: the wait to the next block from a random moment, for
// even blocks and for exponential (Poisson) ones.
func TestWaitQuantile(t *testing.T) {
	even := []float64{1000, 1000, 1000, 1000}
	if w := waitQuantile(even, 0.99); math.Abs(w-990) > 0.01 {
		t.Fatalf("even 1 s blocks: p99 wait %.2f ms, want 990", w)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var ivs []float64
	for range 200_000 {
		ivs = append(ivs, rng.ExpFloat64()*1000)
	}
	if w := waitQuantile(ivs, 0.99) / 1000; math.Abs(w-PoissonP99Blocks) > 0.1 {
		t.Fatalf("exponential blocks: p99 wait %.3f block times, want ln(100) = %.3f", w, PoissonP99Blocks)
	}
	if waitQuantile(nil, 0.99) != 0 {
		t.Fatal("no blocks")
	}
}
