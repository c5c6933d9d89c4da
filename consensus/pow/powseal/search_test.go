package powseal

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/core"
)

// easyTarget is met by about half of all hashes.
var easyTarget = core.Hash{0x7f, 0xff, 0xff}

// naiveSearch is the reference: Header.Hash for each nonce in turn.
func naiveSearch(h core.Header, target core.Hash, start, step uint64) (nonce, hashes uint64) {
	for n := start; ; n += step {
		hashes++
		h.Nonce = n
		if hh := h.Hash(); bytes.Compare(hh[:], target[:]) <= 0 {
			return n, hashes
		}
	}
}

func TestSearchFindsTheFirstSolution(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	targets := []struct {
		name   string
		target core.Hash
	}{
		{"1/16", core.Hash{0x0f, 0xff, 0xff, 0xff, 0xff}},
		{"1/512", core.Hash{0x00, 0x7f, 0xff, 0xff, 0xff, 0xff}},
		{"top word equal", core.Hash{0x00, 0x7f, 0xff, 0xff}}, // hash's first word == target's: full compare decides
		{"easy", easyTarget},
	}
	for _, tt := range targets {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 40 {
				h := randomHeader(r)
				start := r.Uint64()
				step := []uint64{1, 2, 3, 7, 1 << 40}[i%5]
				wantNonce, wantHashes := naiveSearch(h, tt.target, start, step)
				nonce, found, hashes := Search(context.Background(), h, tt.target, start, step, nil)
				if !found || nonce != wantNonce || hashes != wantHashes {
					t.Fatalf("Search(start %d, step %d) = %d, %v, %d hashes; want %d after %d hashes",
						start, step, nonce, found, hashes, wantNonce, wantHashes)
				}
			}
		})
	}
}

func TestSearchHashEqualToTargetIsASolution(t *testing.T) {
	h := randomHeader(rand.New(rand.NewPCG(5, 6)))
	h.Nonce = 12345
	target := h.Hash()
	nonce, found, hashes := Search(context.Background(), h, target, 12345, 1, nil)
	if !found || nonce != 12345 || hashes != 1 {
		t.Fatalf("Search with target = hash: %d, %v, %d hashes", nonce, found, hashes)
	}
	// One below the hash (as a 256-bit integer): that nonce fails.
	for i := len(target) - 1; i >= 0; i-- {
		target[i]--
		if target[i] != 0xff {
			break
		}
	}
	if _, found, hashes := search(context.Background(), &h, &target, 12345, 1, 1, nil, nil); found || hashes != 1 {
		t.Fatalf("Search with target = hash-1: found %v after %d hashes", found, hashes)
	}
}

func TestSearchStops(t *testing.T) {
	h := randomHeader(rand.New(rand.NewPCG(8, 9)))
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name        string
		ctx         context.Context
		start, step uint64
		limit       uint64
		abortAfter  int // abort returns true from this call on (0: never)
		wantHashes  uint64
	}{
		{"cancelled context", cancelled, 0, 1, 0, 0, 0},
		{"abort at once", context.Background(), 0, 1, 0, 1, 0},
		{"abort after 3 batches", context.Background(), 0, 1, 0, 4, 3 * batchSize},
		{"limit", context.Background(), 0, 1, 10000, 0, 10000},
		{"limit below a batch", context.Background(), 0, 1, 7, 0, 7},
		{"wrap: last 4 nonces", context.Background(), math.MaxUint64 - 3, 1, 0, 0, 4},
		{"wrap with step 2", context.Background(), math.MaxUint64 - 3, 2, 0, 0, 2},
		{"wrap: a single nonce", context.Background(), math.MaxUint64, 5, 0, 0, 1},
		{"step 0 means 1", context.Background(), math.MaxUint64 - 9, 0, 0, 0, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var abort func() bool
			if tt.abortAfter > 0 {
				calls := 0
				abort = func() bool { calls++; return calls >= tt.abortAfter }
			}
			_, found, hashes := search(tt.ctx, &h, &impossible, tt.start, tt.step, tt.limit, abort, nil)
			if found || hashes != tt.wantHashes {
				t.Fatalf("found %v after %d hashes, want not found after %d", found, hashes, tt.wantHashes)
			}
		})
	}
}

func TestSearchReportsProgress(t *testing.T) {
	h := randomHeader(rand.New(rand.NewPCG(10, 11)))
	var reported uint64
	_, _, hashes := search(context.Background(), &h, &impossible, 0, 1, 3*batchSize+5, nil, func(n uint64) { reported += n })
	if reported != hashes || hashes != 3*batchSize+5 {
		t.Fatalf("progress reported %d, Search did %d", reported, hashes)
	}
}

func TestSolve(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	target := core.Hash{0x00, 0x3f, 0xff, 0xff} // 1 in 1024
	for _, threads := range []int{1, 2, 3, 4, 0} {
		t.Run(string(rune('0'+threads))+" threads", func(t *testing.T) {
			for range 10 {
				h := randomHeader(r)
				solved, found, hashes := Solve(context.Background(), h, target, threads, nil)
				if !found || hashes == 0 {
					t.Fatalf("Solve: found %v after %d hashes", found, hashes)
				}
				if hh := solved.Hash(); bytes.Compare(hh[:], target[:]) > 0 {
					t.Fatalf("solved header hash %s above target %s", hh, target)
				}
				want := solved
				want.Nonce = h.Nonce
				if want != h {
					t.Fatalf("Solve changed more than the nonce: %+v -> %+v", h, solved)
				}
			}
		})
	}
}

func TestSolveStops(t *testing.T) {
	h := randomHeader(rand.New(rand.NewPCG(14, 15)))
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, found, hashes := Solve(cancelled, h, impossible, 3, nil); found || hashes != 0 {
		t.Fatalf("cancelled: found %v, %d hashes", found, hashes)
	}
	var calls atomic.Int64
	leaks := noLeaks(t)
	_, found, hashes := Solve(context.Background(), h, impossible, 4, func() bool { return calls.Add(1) > 8 })
	if found || hashes == 0 || hashes > 8*batchSize {
		t.Fatalf("abort after 8 batches in all: found %v, %d hashes", found, hashes)
	}
	leaks()
}

// noLeaks records the goroutine count and returns a check that it comes
// back to it within the deadline.
func noLeaks(t *testing.T) func() {
	base := runtime.NumGoroutine()
	return func() {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for runtime.NumGoroutine() > base {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				t.Fatalf("%d goroutines, %d before the test:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
			}
			<-tick.C
		}
	}
}

func TestSealerSealsAndChecksBits(t *testing.T) {
	h := randomHeader(rand.New(rand.NewPCG(20, 21)))
	h.Bits = 0x207fffff // target 7fffff00..00: about half of all hashes
	s := New()
	got, found, err := s.Seal(context.Background(), h, consensus.SealOptions{Threads: 2})
	if err != nil || !found {
		t.Fatalf("Seal: found %v, err %v", found, err)
	}
	target, _ := pow.TargetHash(h.Bits)
	if !pow.CheckHash(got.Hash(), target) {
		t.Fatalf("sealed header %s above target %s", got.Hash(), target)
	}
	h.Bits = 0x04923456 // negative: no valid target
	if _, found, err := s.Seal(context.Background(), h, consensus.SealOptions{}); err == nil || found {
		t.Fatalf("Seal with bad bits: found %v, err %v", found, err)
	}
	var calls atomic.Int64
	h.Bits = 0x03000001 // target 0: met by no hash in practice
	if _, found, err := s.Seal(context.Background(), h, consensus.SealOptions{Threads: 1, Limit: 3 * batchSize,
		Progress: func(n uint64) { calls.Add(1) }}); err != nil || found || calls.Load() != 3 {
		t.Fatalf("Seal with a limit: found %v, err %v, %d progress calls, want 3", found, err, calls.Load())
	}
}
