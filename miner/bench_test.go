package miner

import (
	"context"
	"github.com/cairn-chain/cairn/internal/testkit"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/pow/powseal"
	"github.com/cairn-chain/cairn/core"
)

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
	before := testkit.CompressRate(300*time.Millisecond, 1)
	const batches = 16 // 16 * 4096 nonces per op
	var hashes uint64
	for b.Loop() {
		calls := 0
		_, _, _ = impossibleSealer.Seal(context.Background(), h, consensus.SealOptions{Threads: 1,
			Abort: func() bool { calls++; return calls > batches }, Progress: func(n uint64) { hashes += n }})
	}
	rate := float64(hashes) / b.Elapsed().Seconds()
	limit := testkit.LimitRate(before, 1)
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
	before := testkit.CompressRate(300*time.Millisecond, 1)
	beforePar := testkit.CompressRate(300*time.Millisecond, threads)
	batches := int64(16 * threads)
	var hashes atomic.Uint64
	for b.Loop() {
		var calls atomic.Int64
		_, _, _ = impossibleSealer.Seal(context.Background(), h, consensus.SealOptions{Threads: threads,
			Abort: func() bool { return calls.Add(1) > batches }, Progress: func(n uint64) { hashes.Add(n) }})
	}
	rate := float64(hashes.Load()) / b.Elapsed().Seconds()
	limit := testkit.LimitRate(before, 1) * float64(threads)
	par := testkit.LimitRate(beforePar, threads) * float64(threads)
	b.ReportMetric(rate, "hashes/s")
	b.ReportMetric(float64(threads), "threads")
	b.ReportMetric(rate/limit, "ratio_to_compress")
	b.ReportMetric(rate/par, "ratio_to_parallel_compress")
}
