// Package par runs independent work items on every core: the one loop
// behind the node's parallel signature checks (block validation, the sync
// prefetch, mempool admission).
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Each calls fn(k) for every k in [0, n) and returns when all calls have.
// It uses one worker per core but at most one per minPerWorker items, each
// taking the next k in turn (so uneven items balance), and runs on the
// calling goroutine when that leaves a single worker: a goroutine is
// worth starting only for work that dwarfs its ~1 µs start.
func Each(n, minPerWorker int, fn func(k int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+max(minPerWorker, 1)-1)/max(minPerWorker, 1))
	if workers <= 1 {
		for k := range n {
			fn(k)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
				fn(k)
			}
		})
	}
	wg.Wait()
}
