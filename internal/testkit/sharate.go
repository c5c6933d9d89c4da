package testkit

import (
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"
)

// CompressRate measures the machine's raw SHA-256 rate in compressions per
// second per goroutine: crypto/sha256 over a 64 KiB buffer (1024 blocks per
// call, so per-call overhead is negligible) on par goroutines at once for
// about d. It returns the mean per-goroutine rate: the limit a miner's
// hash rate is reported against.
func CompressRate(d time.Duration, par int) float64 {
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

// LimitRate is the best of before and a new CompressRate measurement (the
// machine is shared: the best is the limit).
func LimitRate(before float64, par int) float64 {
	return max(before, CompressRate(300*time.Millisecond, par))
}
