package miner

import (
	"context"
	"crypto/sha256"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/pow/powseal"
	"github.com/cairn-chain/cairn/core"
)

// compressRate measures the machine's raw SHA-256 rate in compressions per
// second per goroutine: crypto/sha256 over a 64 KiB buffer (1024 blocks per
// call, so per-call overhead is negligible) on `par` goroutines at once for
// about d. It returns the mean per-goroutine rate.
func compressRate(d time.Duration, par int) float64 {
	var total atomic.Uint64
	var wg sync.WaitGroup
	start := time.Now()
	for range par {
		wg.Go(func() {
			buf := make([]byte, 64<<10)
			h := sha256.New()
			var n uint64
			for time.Since(start) < d {
				h.Reset()
				h.Write(buf)
				n += uint64(len(buf) / sha256.BlockSize)
			}
			total.Add(n)
		})
	}
	wg.Wait()
	return float64(total.Load()) / time.Since(start).Seconds() / float64(par)
}

// limitRate is the best of two compression-rate measurements taken around
// the benchmark loop (the machine is shared: the best is the limit).
func limitRate(before float64, par int) float64 {
	return max(before, compressRate(300*time.Millisecond, par))
}

// impossible is a target no hash meets in practice (hash <= 0).
var impossible core.Hash

// benchHeader returns a header with every field random.
func benchHeader() core.Header {
	r := rand.New(rand.NewPCG(7, 7))
	var h core.Header
	h.Version = uint16(r.Uint32())
	h.Height = r.Uint64()
	for i := range h.PrevHash {
		h.PrevHash[i] = byte(r.Uint32())
	}
	h.Timestamp = r.Uint64()
	for i := range h.Miner {
		h.Miner[i] = byte(r.Uint32())
	}
	for i := range h.TxRoot {
		h.TxRoot[i] = byte(r.Uint32())
	}
	h.Bits = r.Uint32()
	h.Nonce = r.Uint64()
	return h
}

// impossibleSealer is the PoW sealer with a target no hash meets.
var impossibleSealer = powseal.NewWithTarget(func(uint32) (core.Hash, error) { return impossible, nil })

// BenchmarkSearch1Thread reports the hash rate of the engine's sealer on
// one goroutine, as the miner drives it (consensus.Sealer with a progress
// callback), and its ratio to the raw compression rate of one core (each
// nonce costs one compression, so 1.0 is the ceiling for crypto/sha256).
// consensus/pow/powseal benchmarks the kernel itself.
func BenchmarkSearch1Thread(b *testing.B) {
	b.ReportAllocs()
	h := benchHeader()
	before := compressRate(300*time.Millisecond, 1)
	const batches = 16 // 16 * 4096 nonces per op
	var hashes uint64
	for b.Loop() {
		calls := 0
		_, _, _ = impossibleSealer.Seal(context.Background(), h, consensus.SealOptions{Threads: 1,
			Abort: func() bool { calls++; return calls > batches }, Progress: func(n uint64) { hashes += n }})
	}
	rate := float64(hashes) / b.Elapsed().Seconds()
	limit := limitRate(before, 1)
	b.ReportMetric(rate, "hashes/s")
	b.ReportMetric(limit, "compress/s")
	b.ReportMetric(rate/limit, "ratio_to_compress")
}

// BenchmarkSolveAllThreads reports the hash rate of the engine's sealer on
// NumCPU goroutines, as the miner drives it, and its ratio to NumCPU times one core's compression rate.
func BenchmarkSolveAllThreads(b *testing.B) {
	b.ReportAllocs()
	h := benchHeader()
	threads := runtime.NumCPU()
	before := compressRate(300*time.Millisecond, 1)
	beforePar := compressRate(300*time.Millisecond, threads)
	batches := int64(16 * threads)
	var hashes atomic.Uint64
	for b.Loop() {
		var calls atomic.Int64
		_, _, _ = impossibleSealer.Seal(context.Background(), h, consensus.SealOptions{Threads: threads,
			Abort: func() bool { return calls.Add(1) > batches }, Progress: func(n uint64) { hashes.Add(n) }})
	}
	rate := float64(hashes.Load()) / b.Elapsed().Seconds()
	limit := limitRate(before, 1) * float64(threads)
	par := limitRate(beforePar, threads) * float64(threads)
	b.ReportMetric(rate, "hashes/s")
	b.ReportMetric(float64(threads), "threads")
	b.ReportMetric(rate/limit, "ratio_to_compress")
	b.ReportMetric(rate/par, "ratio_to_parallel_compress")
}
