package powseal

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"runtime"
	"sync"

	"github.com/cairn-chain/cairn/core"
)

// batchSize is how many nonces a worker hashes between checks of its
// context and abort function: ~0.2 ms at ~20 M hashes/s.
const batchSize = 4096

// MaxThreads caps the number of mining goroutines whatever a caller asks.
const MaxThreads = 256

// Search tries nonces start, start+step, start+2*step, ... until a header
// hash is <= target (both read as 256-bit big-endian integers), ctx is done,
// abort returns true, or the nonce would wrap past 2^64-1. ctx and abort (nil
// means never) are checked every few thousand nonces. It returns the nonce
// found and the number of hashes done. A step of 0 means 1. h's own nonce is
// ignored. A returned nonce has been re-checked with core.Header.Hash.
func Search(ctx context.Context, h core.Header, target core.Hash, start, step uint64, abort func() bool) (nonce uint64, found bool, hashes uint64) {
	return search(ctx, &h, &target, start, step, 0, abort, nil)
}

// search is Search with a limit on the hashes done (0: none) and a progress
// callback (nil: none) called with each batch's hash count.
func search(ctx context.Context, h *core.Header, target *core.Hash, start, step, limit uint64,
	abort func() bool, progress func(uint64)) (uint64, bool, uint64) {
	if step == 0 {
		step = 1
	}
	k := newKernel(h, kernelOptions{})
	top32 := binary.BigEndian.Uint32(target[:4])
	done := ctx.Done()
	var hashes uint64
	for n := start; ; {
		select {
		case <-done:
			return 0, false, hashes
		default:
		}
		if abort != nil && abort() {
			return 0, false, hashes
		}
		count := uint64(batchSize)
		if limit > 0 {
			count = min(count, limit-hashes)
		}
		// Nonces left before wrapping: n itself and (MaxUint64-n)/step more.
		last := false
		if more := (math.MaxUint64 - n) / step; more < count {
			count, last = more+1, true
		}
		if count == 0 {
			return 0, false, hashes
		}
		got, ok, did := k.scan(n, step, int(count), target, top32)
		hashes += uint64(did)
		if progress != nil {
			progress(uint64(did))
		}
		if ok {
			h.Nonce = got
			if hh := h.Hash(); bytes.Compare(hh[:], target[:]) <= 0 {
				return got, true, hashes
			}
			// Unreachable unless the kernel is wrong (its self-check
			// makes that unlikely): never report a bad solution, move on.
			if got > math.MaxUint64-step {
				return 0, false, hashes
			}
			n = got + step
			continue
		}
		if last || (limit > 0 && hashes >= limit) {
			return 0, false, hashes
		}
		n = got // scan returns the next untried nonce
	}
}

// Solve searches on threads goroutines (threads < 1 means runtime.NumCPU(),
// at most MaxThreads): worker i tries h.Nonce+i, h.Nonce+i+threads, ... It
// returns the solved header, whether one was found before ctx was done or
// abort returned true, and the total number of hashes. All workers have
// stopped when it returns.
func Solve(ctx context.Context, h core.Header, target core.Hash, threads int, abort func() bool) (core.Header, bool, uint64) {
	return solve(ctx, h, target, threads, 0, abort, nil)
}

// solve is Solve with a per-thread hash limit (0: none) and a progress
// callback (nil: none), called concurrently from the workers.
func solve(ctx context.Context, h core.Header, target core.Hash, threads int, limit uint64,
	abort func() bool, progress func(uint64)) (core.Header, bool, uint64) {
	threads = clampThreads(threads)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu     sync.Mutex
		found  bool
		nonce  uint64
		hashes uint64
		wg     sync.WaitGroup
	)
	base := h.Nonce
	for i := range threads {
		wg.Go(func() {
			hh := h
			n, ok, did := search(ctx, &hh, &target, base+uint64(i), uint64(threads), limit, abort, progress)
			mu.Lock()
			defer mu.Unlock()
			hashes += did
			if ok && !found {
				found, nonce = true, n
				cancel()
			}
		})
	}
	wg.Wait()
	if found {
		h.Nonce = nonce
	}
	return h, found, hashes
}

// clampThreads maps a requested thread count to [1, MaxThreads], with
// values < 1 meaning runtime.NumCPU().
func clampThreads(n int) int {
	if n < 1 {
		n = runtime.NumCPU()
	}
	return min(n, MaxThreads)
}
