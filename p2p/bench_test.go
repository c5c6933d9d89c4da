package p2p_test

import (
	"context"
	"crypto/ed25519"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/libp2p/go-libp2p/p2p/protocol/ping"
)

// Benchmarks report their figures as ratios against this machine's limit
// measured in the same run: the loopback round trip of a libp2p stream
// (propagation) and ed25519.Verify on all cores (sync and tx gossip, where
// every tx's signature is checked).

// verifyRate measures ed25519.Verify calls per second on all cores (the
// best of three rounds, as other processes share the machine).
func verifyRate() float64 {
	pub, priv, _ := ed25519.GenerateKey(nil)
	msg := make([]byte, 150)
	sig := ed25519.Sign(priv, msg)
	workers, per := runtime.GOMAXPROCS(0), 5000
	best := 0.0
	for range 3 {
		start := time.Now()
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range per {
					ed25519.Verify(pub, msg, sig)
				}
			}()
		}
		wg.Wait()
		best = max(best, float64(workers*per)/time.Since(start).Seconds())
	}
	return best
}

// benchGenesis is a chain with trivial PoW (the target stays at the limit
// for blocks mined now) funding keys senders.
func benchGenesis(keys int) (*core.Genesis, []scenarios.Key) {
	ks := make([]scenarios.Key, keys)
	for i := range ks {
		ks[i] = scenarios.NewKey(1000 + i)
	}
	g := testkit.Genesis("bench", testkit.Fund(1<<40, ks...))
	g.Timestamp = uint64(time.Now().Add(-30 * 24 * time.Hour).UnixMilli())
	return g, ks
}

// signTxs signs one transfer per key with the given nonce, on all cores.
func signTxs(g *core.Genesis, ks []scenarios.Key, nonces []uint64, to core.Address) []*core.Tx {
	txs := make([]*core.Tx, len(ks))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(ks); i += workers {
				txs[i] = ks[i].Transfer(g.ChainID, to, 1, g.MinFee, nonces[i])
			}
		}()
	}
	wg.Wait()
	return txs
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// BenchmarkBlockPropagation: the time from announcing a freshly mined
// block to its processing on the last of the other 4 nodes of a 5-node
// mesh (CAIRN_BENCH_NODES changes the size) (p50, p95), also as multiples
// of the libp2p loopback round trip.
func BenchmarkBlockPropagation(b *testing.B) {
	ns, _ := cluster(b, envInt("CAIRN_BENCH_NODES", 5), nil)
	fullMesh(b, ns)
	type arrival struct {
		tip core.Hash
		at  time.Time
	}
	arrivals := make(chan arrival, 1024)
	for _, n := range ns {
		f := func(res *chain.Result) { arrivals <- arrival{res.NewTip, time.Now()} }
		n.onBlock.Store(&f)
	}
	// Warm up the meshes.
	for range 3 {
		ns[0].mine()
		waitSameTip(b, ns, ns[0].tip().Height, 20*time.Second)
	}
	var rtts []time.Duration
	for res := range ping.Ping(b.Context(), ns[0].Net.Host(), ns[1].Net.Host().ID()) {
		if res.Error != nil {
			b.Fatal(res.Error)
		}
		if rtts = append(rtts, res.RTT); len(rtts) == 20 {
			break
		}
	}
	rtt := percentile(rtts, 0.5)
	var lats []time.Duration
	ctx := context.Background()
	i := 0
	for b.Loop() {
		src := ns[i%len(ns)]
		i++
		for len(arrivals) > 0 {
			<-arrivals
		}
		blk, err := src.Node.MineOne(ctx, scenarios.NewKey(1).Addr)
		if err != nil {
			b.Fatal(err)
		}
		h := blk.Hash()
		start := time.Now()
		if err := src.Net.AnnounceBlock(blk); err != nil {
			b.Fatal(err)
		}
		seen := 0
		deadline := time.After(20 * time.Second)
		var last time.Time
		for seen < len(ns)-1 {
			select {
			case a := <-arrivals:
				if a.tip == h && a.at.After(start) {
					seen++
					last = a.at
				}
			case <-deadline:
				b.Fatalf("block %d reached %d of %d nodes", blk.Header.Height, seen, len(ns)-1)
			}
		}
		lats = append(lats, last.Sub(start))
	}
	p50, p95 := percentile(lats, 0.5), percentile(lats, 0.95)
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95_ms")
	b.ReportMetric(float64(rtt.Microseconds())/1000, "rtt_ms")
	b.ReportMetric(float64(p50)/float64(rtt), "p50/rtt")
	b.ReportMetric(float64(p95)/float64(rtt), "p95/rtt")
}

// BenchmarkSyncRate: a fresh node syncs from a peer holding
// CAIRN_BENCH_SYNC_BLOCKS (default 2,000) blocks of 500 transfers;
// blocks/s and txs/s, and txs/s as a fraction of ed25519.Verify on all
// cores (the syncing node verifies every signature).
func BenchmarkSyncRate(b *testing.B) {
	benchSync(b, envInt("CAIRN_BENCH_SYNC_BLOCKS", 2000), 500)
}

// BenchmarkSyncSmall: a fresh node syncs 200 blocks of 50 transfers; the
// seconds from the first connection to the synced tip (sync_s), and the
// same figures as BenchmarkSyncRate.
func BenchmarkSyncSmall(b *testing.B) { benchSync(b, 200, 50) }

func benchSync(b *testing.B, blocks, perBlock int) {
	vrBefore := verifyRate()
	g, ks := benchGenesis(perBlock)
	src := startNode(b, 0, g, b.TempDir(), nil)
	nonces := make([]uint64, perBlock)
	to := scenarios.NewKey(7).Addr
	built := time.Now()
	for h := range blocks {
		// Straight to the chain (no mempool): the source verifies each
		// signature once, as it connects the block.
		blk, err := src.Node.Chain.Template(to, signTxs(g, ks, nonces, to))
		if err != nil {
			b.Fatal(err)
		}
		for src.Node.Engine.VerifySeal(&blk.Header) != nil {
			blk.Header.Nonce++
		}
		if _, err := src.Node.SubmitBlock(blk); err != nil {
			b.Fatalf("block %d: %v", h, err)
		}
		if len(blk.Txs) != perBlock {
			b.Fatalf("block %d holds %d txs, want %d", h, len(blk.Txs), perBlock)
		}
		for i := range nonces {
			nonces[i]++
		}
	}
	b.Logf("source holds %d blocks of %d transfers (built in %v)", blocks, perBlock, time.Since(built).Round(time.Millisecond))
	// CAIRN_BENCH_SYNC_PROFILE=FILE writes a CPU profile of the timed
	// syncs alone (not of building the source chain).
	if path := os.Getenv("CAIRN_BENCH_SYNC_PROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	var total, toFirst time.Duration
	runs := 0
	for b.Loop() {
		dst := startNode(b, 1+runs, g, b.TempDir(), nil)
		var first atomic.Int64 // when the first block was connected (Unix ns)
		onBlock := func(*chain.Result) { first.CompareAndSwap(0, time.Now().UnixNano()) }
		dst.onBlock.Store(&onBlock)
		start := time.Now()
		connect(b, dst, src)
		waitSameTip(b, []*tnode{src, dst}, uint64(blocks), 30*time.Minute)
		total += time.Since(start)
		toFirst += time.Unix(0, first.Load()).Sub(start)
		runs++
		dst.stop()
	}
	// The verify rate before and after the syncs (the machine is shared):
	// their mean.
	vr := (vrBefore + verifyRate()) / 2
	secs := total.Seconds() / float64(runs)
	txsPerSec := float64(blocks*perBlock) / secs
	b.ReportMetric(secs, "sync_s")
	// From the first connection to the first block connected: the
	// handshake, the headers and the first fetch, before any pipelining.
	b.ReportMetric(toFirst.Seconds()/float64(runs), "first_block_s")
	b.ReportMetric(float64(blocks)/secs, "blocks/s")
	b.ReportMetric(txsPerSec, "txs/s")
	b.ReportMetric(vr, "verify/s")
	b.ReportMetric(txsPerSec/vr, "txs/verify")
}

// BenchmarkGossipTxThroughput: 20,000 txs admitted at one node of a
// 3-node mesh and broadcast; txs/s until both other mempools hold them
// all, and as a fraction of ed25519.Verify on all cores (each of the two
// receivers verifies each tx, so the ceiling is about 0.5).
func BenchmarkGossipTxThroughput(b *testing.B) {
	const senders, perSender = 500, 40
	vr := verifyRate()
	g, ks := benchGenesis(senders)
	ns := make([]*tnode, 3)
	for i := range ns {
		ns[i] = startNode(b, i, g, b.TempDir(), nil)
	}
	fullMesh(b, ns)
	for range 2 { // warm up the meshes
		ns[0].mine()
		waitSameTip(b, ns, ns[0].tip().Height, 20*time.Second)
	}
	nonces := make([]uint64, senders)
	to := scenarios.NewKey(7).Addr
	var total time.Duration
	var count int
	for b.Loop() {
		var txs []*core.Tx
		for range perSender {
			txs = append(txs, signTxs(g, ks, nonces, to)...)
			for i := range nonces {
				nonces[i]++
			}
		}
		for i, err := range ns[0].Node.SubmitTxs(txs) {
			if err != nil {
				b.Fatalf("tx %d: %v", i, err)
			}
		}
		start := time.Now()
		ns[0].Net.BroadcastTxs(txs)
		last := txs[len(txs)-1].ID()
		waitFor(b, 5*time.Minute, "all txs in every mempool", func() bool {
			for _, n := range ns[1:] {
				if !n.Node.Pool.Has(last) || n.Node.Pool.Count() < ns[0].Node.Pool.Count() {
					return false
				}
			}
			return true
		})
		total += time.Since(start)
		count += len(txs)
		// Clear the mempools for the next round (not timed).
		for ns[0].Node.Pool.Count() > 0 {
			ns[0].mine()
		}
		waitFor(b, time.Minute, "empty mempools", func() bool {
			return ns[1].Node.Pool.Count() == 0 && ns[2].Node.Pool.Count() == 0
		})
	}
	rate := float64(count) / total.Seconds()
	b.ReportMetric(rate, "txs/s")
	b.ReportMetric(vr, "verify/s")
	b.ReportMetric(rate/vr, "txs/verify")
}
