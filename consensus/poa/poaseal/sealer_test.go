package poaseal_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/consensus/poa/poaseal"
	"github.com/cairn-chain/cairn/consensus/poa/poatest"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// fakeClock is a manual clock: After's channels fire when Advance passes
// their deadline; every After call is announced on waits.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	waits   chan time.Duration
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, waits: make(chan time.Duration, 1024)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, waiter{at: c.now.Add(d), ch: ch})
	c.mu.Unlock()
	c.waits <- d
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

// awaitWait waits (with a deadline) until the sealer asks the clock to wait.
func (c *fakeClock) awaitWait(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-c.waits:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("the sealer did not wait on the clock")
		return 0
	}
}

type result struct {
	h     core.Header
	found bool
	err   error
}

type setup struct {
	ks    []testkit.Key
	e     *poa.Engine
	c     *poatest.Chain
	clock *fakeClock
	tip   core.Header
}

// newSetup: 3 signers, block 1 sealed by ks[1]; the clock at block 1's
// timestamp + the period (block 2's prepared timestamp).
func newSetup(t *testing.T) *setup {
	ks := poatest.Keys(1, 3)
	g := poatest.Genesis(ks, 0)
	e, err := poa.New(g)
	if err != nil {
		t.Fatal(err)
	}
	c := poatest.NewChain(g)
	b1 := poatest.Extend(t, e, c, &c.Genesis, ks[1])
	return &setup{ks: ks, e: e, c: c, tip: b1,
		clock: newClock(time.UnixMilli(int64(b1.Timestamp + poatest.PeriodMs)))}
}

func (s *setup) sealer(t *testing.T, k testkit.Key, rnd func(int64) int64) *poaseal.Sealer {
	sl, err := poaseal.New(s.e, k.Priv, poaseal.Options{Clock: s.clock, Rand: rnd})
	if err != nil {
		t.Fatal(err)
	}
	return sl
}

func noRand(t *testing.T) func(int64) int64 {
	return func(int64) int64 { t.Error("an in-turn signer drew a random delay"); return 0 }
}

// TestSealInTurnAtOnce: the in-turn signer signs at the header's timestamp
// without waiting, and the engine accepts the block.
func TestSealInTurnAtOnce(t *testing.T) {
	s := newSetup(t)
	k := s.ks[2] // height 2
	h := poatest.Next(t, s.e, s.c, &s.tip, k)
	sealed, found, err := s.sealer(t, k, noRand(t)).Seal(context.Background(), h, consensus.SealOptions{})
	if err != nil || !found {
		t.Fatalf("seal: %v, %v", found, err)
	}
	select {
	case d := <-s.clock.waits:
		t.Fatalf("in turn, the sealer waited %v", d)
	default:
	}
	if err := poatest.Check(s.e, s.c, &sealed); err != nil {
		t.Fatal(err)
	}
}

// TestSealOutOfTurnAfterDelay: the out-of-turn signer waits the random
// delay past the header's timestamp, and signs only then.
func TestSealOutOfTurnAfterDelay(t *testing.T) {
	s := newSetup(t)
	k := s.ks[0] // out of turn at height 2
	const delay = 700 * time.Millisecond
	var bound int64
	sl := s.sealer(t, k, func(n int64) int64 { bound = n; return int64(delay) })
	h := poatest.Next(t, s.e, s.c, &s.tip, k)
	done := make(chan result, 1)
	go func() {
		sealed, found, err := sl.Seal(context.Background(), h, consensus.SealOptions{})
		done <- result{sealed, found, err}
	}()
	if d := s.clock.awaitWait(t); d != delay {
		t.Fatalf("waits %v, want %v", d, delay)
	}
	if want := int64(2 * poaseal.WiggleTime); bound != want { // 3 signers: limit 2
		t.Fatalf("random delay drawn below %v, want below %v", time.Duration(bound), time.Duration(want))
	}
	s.clock.Advance(delay - time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("sealed before the delay: %+v", r)
	default:
	}
	s.clock.Advance(time.Millisecond)
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("not sealed after the delay")
	}
	if r.err != nil || !r.found {
		t.Fatalf("seal: %v, %v", r.found, r.err)
	}
	if err := poatest.Check(s.e, s.c, &r.h); err != nil {
		t.Fatal(err)
	}
}

// TestSealWaitsForTimestamp: a header whose timestamp is ahead of the
// clock is signed when the clock reaches it; a cancelled context (a new
// tip) ends the wait unsealed, as does Abort.
func TestSealWaitsForTimestamp(t *testing.T) {
	s := newSetup(t)
	k := s.ks[2]
	h := poatest.Next(t, s.e, s.c, &s.tip, k)
	h.Timestamp += 300
	sl := s.sealer(t, k, noRand(t))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() {
		sealed, found, err := sl.Seal(ctx, h, consensus.SealOptions{})
		done <- result{sealed, found, err}
	}()
	if d := s.clock.awaitWait(t); d != 300*time.Millisecond {
		t.Fatalf("waits %v", d)
	}
	cancel()
	r := <-done
	if r.found || r.err != nil {
		t.Fatalf("cancelled: %v, %v", r.found, r.err)
	}

	var aborted sync.Mutex
	abort := false
	go func() {
		sealed, found, err := sl.Seal(context.Background(), h, consensus.SealOptions{Abort: func() bool {
			aborted.Lock()
			defer aborted.Unlock()
			return abort
		}})
		done <- result{sealed, found, err}
	}()
	if d := s.clock.awaitWait(t); d != poaseal.AbortPoll {
		t.Fatalf("with Abort, waits %v, want the poll %v", d, poaseal.AbortPoll)
	}
	aborted.Lock()
	abort = true
	aborted.Unlock()
	s.clock.Advance(poaseal.AbortPoll)
	if r := <-done; r.found || r.err != nil {
		t.Fatalf("aborted: %v, %v", r.found, r.err)
	}

	go func() {
		sealed, found, err := sl.Seal(context.Background(), h, consensus.SealOptions{})
		done <- result{sealed, found, err}
	}()
	s.clock.awaitWait(t)
	s.clock.Advance(300 * time.Millisecond)
	if r := <-done; !r.found || r.err != nil || poatest.Check(s.e, s.c, &r.h) != nil {
		t.Fatalf("at the timestamp: %v, %v", r.found, r.err)
	}
}

// TestSealRefuses: a key that may not seal now gets a clear error and no
// seal: one that sealed the parent, one that is not a signer, a header
// prepared for another signer.
func TestSealRefuses(t *testing.T) {
	s := newSetup(t)
	recent := s.ks[1] // sealed block 1
	h := poatest.Next(t, s.e, s.c, &s.tip, s.ks[2])
	h.Signer, h.Miner = recent.Pub, recent.Addr
	if _, found, err := s.sealer(t, recent, noRand(t)).Seal(context.Background(), h, consensus.SealOptions{}); found || !errors.Is(err, poa.ErrRecentlySigned) {
		t.Fatalf("recent signer: %v, %v", found, err)
	}
	outsider := testkit.NewKey(99)
	h.Signer, h.Miner = outsider.Pub, outsider.Addr
	if _, found, err := s.sealer(t, outsider, noRand(t)).Seal(context.Background(), h, consensus.SealOptions{}); found || !errors.Is(err, poa.ErrUnauthorizedSigner) {
		t.Fatalf("outsider: %v, %v", found, err)
	}
	h = poatest.Next(t, s.e, s.c, &s.tip, s.ks[2])
	if _, found, err := s.sealer(t, s.ks[0], noRand(t)).Seal(context.Background(), h, consensus.SealOptions{}); found || err == nil {
		t.Fatalf("another signer's header: %v, %v", found, err)
	}
}
