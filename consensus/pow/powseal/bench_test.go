package powseal

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"github.com/cairn-chain/cairn/internal/testkit"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
)

// impossible is a target no hash meets in practice (hash <= 0).
var impossible core.Hash

func benchHeader() core.Header {
	return randomHeader(rand.New(rand.NewPCG(7, 7)))
}

// BenchmarkSearch1Thread reports the hash rate of one Search goroutine and
// its ratio to the raw compression rate of one core (each nonce costs one
// compression, so 1.0 is the ceiling for crypto/sha256).
func BenchmarkSearch1Thread(b *testing.B) {
	b.ReportAllocs()
	h := benchHeader()
	before := testkit.CompressRate(300*time.Millisecond, 1)
	const batches = 16 // 16 * 4096 nonces per op
	var hashes uint64
	for b.Loop() {
		calls := 0
		_, _, did := Search(context.Background(), h, impossible, 0, 1, func() bool { calls++; return calls > batches })
		hashes += did
	}
	rate := float64(hashes) / b.Elapsed().Seconds()
	limit := testkit.LimitRate(before, 1)
	b.ReportMetric(rate, "hashes/s")
	b.ReportMetric(limit, "compress/s")
	b.ReportMetric(rate/limit, "ratio_to_compress")
}

// BenchmarkSolveAllThreads reports the hash rate of Solve on NumCPU
// goroutines and its ratio to NumCPU times one core's compression rate.
func BenchmarkSolveAllThreads(b *testing.B) {
	b.ReportAllocs()
	h := benchHeader()
	threads := runtime.NumCPU()
	before := testkit.CompressRate(300*time.Millisecond, 1)
	beforePar := testkit.CompressRate(300*time.Millisecond, threads)
	batches := int64(16 * threads)
	var hashes uint64
	for b.Loop() {
		var calls atomic.Int64
		_, _, did := Solve(context.Background(), h, impossible, threads, func() bool { return calls.Add(1) > batches })
		hashes += did
	}
	rate := float64(hashes) / b.Elapsed().Seconds()
	limit := testkit.LimitRate(before, 1) * float64(threads)
	par := testkit.LimitRate(beforePar, threads) * float64(threads)
	b.ReportMetric(rate, "hashes/s")
	b.ReportMetric(float64(threads), "threads")
	b.ReportMetric(rate/limit, "ratio_to_compress")
	b.ReportMetric(rate/par, "ratio_to_parallel_compress")
}

// BenchmarkKernelVariants compares the ways of hashing one nonce, each as
// a ratio to the compression rate measured in the same run: the chosen
// kernel (copy+top), its fallbacks, crypto/sha256 Sum256 of the whole
// header (two compressions), and the textbook midstate use (copy the digest
// after 64 bytes, Write the 50-byte tail, Sum: one compression but the
// padding and Sum's own copy on top).
func BenchmarkKernelVariants(b *testing.B) {
	h := benchHeader()
	var before float64
	report := func(b *testing.B, n uint64) {
		rate := float64(n) / b.Elapsed().Seconds()
		b.ReportMetric(rate, "hashes/s")
		b.ReportMetric(rate/testkit.LimitRate(before, 1), "ratio_to_compress")
	}
	for _, v := range kernelVariants {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			before = testkit.CompressRate(300*time.Millisecond, 1)
			k := newKernel(&h, v.opt)
			top32 := binary.BigEndian.Uint32(impossible[:4])
			var n uint64
			for b.Loop() {
				_, _, did := k.scan(n, 1, batchSize, &impossible, top32)
				n += uint64(did)
			}
			report(b, n)
		})
	}
	b.Run("sum-after-write-tail", func(b *testing.B) {
		b.ReportAllocs()
		before = testkit.CompressRate(300*time.Millisecond, 1)
		enc := h.Encode()
		mid, work := sha256.New(), sha256.New()
		mid.Write(enc[:midSize])
		midRaw, _ := plainStructBytes(mid)
		workRaw, _ := plainStructBytes(work)
		tail := enc[midSize:]
		var out [32]byte
		var n uint64
		for b.Loop() {
			for range batchSize {
				copy(workRaw, midRaw)
				binary.BigEndian.PutUint64(tail[tailNonceOff:], n)
				work.Write(tail)
				work.Sum(out[:0])
				n++
			}
		}
		report(b, n)
	})
}
