package miner

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
)

var (
	addrA = core.Address{0xaa}
	addrB = core.Address{0xbb}
)

// running is a Miner under Run in the background.
type running struct {
	m      *Miner
	c      *fakeChain
	cancel context.CancelFunc
	done   chan error
	idle   chan struct{}
}

// startMiner runs a miner on c; stop() cancels it and checks that Run
// returns nil and that no goroutine is left behind.
func startMiner(t *testing.T, c *fakeChain, cfg Config) *running {
	t.Helper()
	leaks := noLeaks(t)
	cfg.Chain, cfg.Submit, cfg.Sealer = c, c.Submit, testSealer
	if cfg.Threads == 0 {
		cfg.Threads = 2
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &running{m: m, c: c, done: make(chan error, 1), idle: make(chan struct{}, 16)}
	m.onIdle = func() { r.idle <- struct{}{} }
	c.onAccept = m.TipChanged // as the node does
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- m.Run(ctx) }()
	t.Cleanup(func() {
		r.stop(t)
		leaks()
	})
	return r
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	if r.done == nil {
		return
	}
	if err := receive(t, "Run to return", r.done); err != nil {
		t.Errorf("Run: %v", err)
	}
	r.done = nil
}

func TestNewRequiresFields(t *testing.T) {
	c := newFakeChain(easyBits)
	full := Config{Chain: c, Submit: c.Submit, Sealer: testSealer}
	tests := []struct {
		name  string
		edit  func(*Config)
		error string
	}{
		{"complete", func(*Config) {}, ""},
		{"no chain", func(cfg *Config) { cfg.Chain = nil }, "Chain"},
		{"no submit", func(cfg *Config) { cfg.Submit = nil }, "Submit"},
		{"no sealer", func(cfg *Config) { cfg.Sealer = nil }, "Sealer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := full
			tt.edit(&cfg)
			m, err := New(cfg)
			if tt.error == "" {
				if err != nil || m == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.error) {
				t.Fatalf("New: error %v, want one naming %s", err, tt.error)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	c := newFakeChain(easyBits)
	m, err := New(Config{Chain: c, Submit: c.Submit, Sealer: testSealer, Threads: -1, Address: addrA})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Stats()
	if !s.Enabled || s.Threads != clampThreads(0) || s.Address != addrA || s.HashRate != 0 || s.Hashes != 0 || s.BlocksMined != 0 {
		t.Fatalf("Stats of a new miner: %+v", s)
	}
	if m.refresh != DefaultRefreshEvery || m.maxBytes != core.DefaultMaxBlockBytes || m.maxTxs != core.DefaultMaxBlockTxs {
		t.Fatalf("defaults: refresh %d, max bytes %d, max txs %d", m.refresh, m.maxBytes, m.maxTxs)
	}
	m.SetThreads(1 << 20)
	if got := m.Stats().Threads; got != MaxThreads {
		t.Fatalf("SetThreads(1<<20): %d threads, want %d", got, MaxThreads)
	}
}

func TestMinerMinesAChain(t *testing.T) {
	c := newFakeChain(easyBits)
	txs := sliceTxs{testTx(1, 10), testTx(2, 20)}
	r := startMiner(t, c, Config{Address: addrA, Txs: txs})
	const n = 30
	c.wait(t, "30 blocks", func(c *fakeChain) bool { return len(c.accepted) >= n })
	r.stop(t)

	blocks, _, stale := c.snapshot()
	prev := newFakeChain(easyBits).tipHash
	for i, b := range blocks {
		h := b.Header
		if h.Height != uint64(i+1) || h.PrevHash != prev {
			t.Fatalf("block %d: height %d parent %s, want height %d parent %s", i, h.Height, h.PrevHash, i+1, prev)
		}
		if hash := b.Hash(); bytes.Compare(hash[:], easyTarget[:]) > 0 {
			t.Fatalf("block %d: hash %s above the target", i, hash)
		}
		if h.Miner != addrA || len(b.Txs) != len(txs) {
			t.Fatalf("block %d: miner %x with %d txs", i, h.Miner, len(b.Txs))
		}
		prev = b.Hash()
	}
	if stale != 0 {
		t.Errorf("%d stale submissions without any outside tip change", stale)
	}
	s := r.m.Stats()
	if s.BlocksMined != uint64(len(blocks)) || s.Hashes < s.BlocksMined {
		t.Errorf("Stats: %d blocks mined, %d hashes; the chain accepted %d", s.BlocksMined, s.Hashes, len(blocks))
	}
}

func TestMinerAbandonsWorkWhenTheTipMoves(t *testing.T) {
	c := newFakeChain(hardBits) // no solution: the miner searches until told
	r := startMiner(t, c, Config{Address: addrA, RefreshEvery: 1 << 40})
	c.wait(t, "a first template", func(c *fakeChain) bool { return len(c.templates) >= 1 })

	for i := range 5 {
		other := core.Header{Version: core.BlockVersion, Height: uint64(100 + i), Timestamp: uint64(i), PrevHash: core.Hash{byte(i)}}
		tip := c.replaceTip(other)
		start := time.Now()
		r.m.TipChanged()
		c.wait(t, "a template on the new tip", func(c *fakeChain) bool {
			return c.templates[len(c.templates)-1].PrevHash == tip
		})
		if _, templates, _ := c.snapshot(); len(templates) != i+2 {
			t.Fatalf("%d templates after %d tip changes: want one per tip", len(templates), i+1)
		}
		t.Logf("tip change %d: new template after %v", i, time.Since(start))
	}
	if s := r.m.Stats(); s.Hashes == 0 {
		t.Errorf("no hashes counted: %+v", s)
	}
}

func TestMinerNeverBuildsOnAStaleParentAfterNoticing(t *testing.T) {
	c := newFakeChain(easyBits)
	r := startMiner(t, c, Config{Address: addrA})
	for i := range 20 {
		c.wait(t, "a block on the current tip", func(c *fakeChain) bool { return len(c.accepted) > i })
		_, _, staleBefore := c.snapshot()
		other := core.Header{Version: core.BlockVersion, Height: uint64(1000 + i), PrevHash: core.Hash{0xee, byte(i)}, Bits: easyBits}
		tip := c.replaceTip(other)
		r.m.TipChanged()
		c.wait(t, "a block on the replaced tip", func(c *fakeChain) bool {
			for _, b := range c.accepted {
				if b.Header.PrevHash == tip {
					return true
				}
			}
			return false
		})
		// At most the one solution in flight when the tip moved can
		// still reach the chain on the old parent.
		if _, _, stale := c.snapshot(); stale-staleBefore > 1 {
			t.Fatalf("tip change %d: %d stale submissions, at most 1 may be in flight", i, stale-staleBefore)
		}
	}
}

func TestMinerStopsWithItsContext(t *testing.T) {
	tests := []struct {
		name string
		bits uint32
	}{
		{"while searching", hardBits},
		{"while mining blocks", easyBits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFakeChain(tt.bits)
			r := startMiner(t, c, Config{Threads: 3})
			c.wait(t, "a template", func(c *fakeChain) bool { return len(c.templates) >= 1 })
			r.stop(t) // the cleanup checks that no goroutine is left
			if s := r.m.Stats(); s.HashRate != 0 {
				t.Errorf("hash rate %v after Run returned", s.HashRate)
			}
		})
	}
}

func TestRunTwiceFails(t *testing.T) {
	c := newFakeChain(hardBits)
	r := startMiner(t, c, Config{})
	c.wait(t, "a template", func(c *fakeChain) bool { return len(c.templates) >= 1 })
	if err := r.m.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second Run: %v", err)
	}
	r.stop(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.m.Run(ctx); err != nil {
		t.Fatalf("Run after the first stopped, on a cancelled context: %v", err)
	}
}

func TestSetEnabledPausesAndResumes(t *testing.T) {
	c := newFakeChain(easyBits)
	r := startMiner(t, c, Config{Address: addrA})
	c.wait(t, "3 blocks", func(c *fakeChain) bool { return len(c.accepted) >= 3 })

	r.m.SetEnabled(false)
	receive(t, "the miner to park", r.idle)
	blocks, templates, _ := c.snapshot()
	hashes := r.m.Stats().Hashes
	// Wake it without enabling: it must park again having done nothing.
	r.m.TipChanged()
	receive(t, "the miner to park again", r.idle)
	r.m.SetAddress(addrB)
	receive(t, "the miner to park again", r.idle)
	b2, t2, _ := c.snapshot()
	if s := r.m.Stats(); s.Enabled || s.Hashes != hashes || len(b2) != len(blocks) || len(t2) != len(templates) {
		t.Fatalf("paused miner worked: enabled %v, hashes %d -> %d, blocks %d -> %d, templates %d -> %d",
			s.Enabled, hashes, s.Hashes, len(blocks), len(b2), len(templates), len(t2))
	}

	r.m.SetEnabled(true)
	c.wait(t, "blocks after resuming", func(c *fakeChain) bool { return len(c.accepted) >= len(blocks)+3 })
	b3, _, _ := c.snapshot()
	if got := b3[len(b3)-1].Header.Miner; got != addrB {
		t.Fatalf("block after resuming pays %x, want the address set while paused %x", got, addrB)
	}
}

func TestSettingsApplyToTheNextBlocks(t *testing.T) {
	c := newFakeChain(easyBits)
	r := startMiner(t, c, Config{Address: addrA, Threads: 2})
	c.wait(t, "a block", func(c *fakeChain) bool { return len(c.accepted) >= 1 })
	r.m.SetThreads(1)
	r.m.SetAddress(addrB)
	if s := r.m.Stats(); s.Threads != 1 || s.Address != addrB {
		t.Fatalf("Stats after SetThreads(1), SetAddress(B): %+v", s)
	}
	var first int
	c.wait(t, "a block paying B", func(c *fakeChain) bool {
		for i, b := range c.accepted {
			if b.Header.Miner == addrB {
				first = i
				return true
			}
		}
		return false
	})
	c.wait(t, "3 more blocks", func(c *fakeChain) bool { return len(c.accepted) >= first+4 })
	blocks, _, _ := c.snapshot()
	for _, b := range blocks[first:] {
		if b.Header.Miner != addrB {
			t.Fatalf("block %d pays %x after the first paying B", b.Header.Height, b.Header.Miner)
		}
	}
}

func TestMinerRecoversFromTemplateFailures(t *testing.T) {
	c := newFakeChain(easyBits)
	c.failTemplates = 2
	r := startMiner(t, c, Config{Address: addrA})
	for i := 1; i <= 2; i++ {
		c.wait(t, "a failed template", func(c *fakeChain) bool { return c.failed >= i })
		r.m.TipChanged() // wakes the miner from its back-off
	}
	c.wait(t, "a block", func(c *fakeChain) bool { return len(c.accepted) >= 1 })
}

func TestMinerRecoversFromTargetFailures(t *testing.T) {
	c := newFakeChain(badBits)
	r := startMiner(t, c, Config{Address: addrA})
	c.wait(t, "a template with bad bits", func(c *fakeChain) bool { return len(c.templates) >= 1 })
	c.setBits(easyBits)
	r.m.TipChanged()
	c.wait(t, "a block", func(c *fakeChain) bool { return len(c.accepted) >= 1 })
}

func TestMinerRefreshesTemplates(t *testing.T) {
	c := newFakeChain(hardBits)
	r := startMiner(t, c, Config{RefreshEvery: 1000, Threads: 2})
	c.wait(t, "5 templates", func(c *fakeChain) bool { return len(c.templates) >= 5 })
	r.stop(t)
	if s := r.m.Stats(); s.Hashes < 4*2*1000 {
		t.Fatalf("%d hashes for 5 templates of 2x1000", s.Hashes)
	}
}

func TestMinerSubmitErrors(t *testing.T) {
	// A chain that rejects every block: the miner logs, backs off, retries.
	c := newFakeChain(easyBits)
	leaks := noLeaks(t)
	rejected := make(chan struct{}, 16)
	m, err := New(Config{Chain: c, Sealer: testSealer, Threads: 1, Submit: func(*core.Block) error {
		rejected <- struct{}{}
		return errors.New("rejected")
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	receive(t, "a submission", rejected)
	m.TipChanged()
	receive(t, "a retry", rejected)
	cancel()
	if err := receive(t, "Run to return", done); err != nil {
		t.Fatal(err)
	}
	if got := m.Stats().BlocksMined; got != 0 {
		t.Fatalf("%d blocks counted as mined, all were rejected", got)
	}
	leaks()
}

func TestHashRateSampling(t *testing.T) {
	c := newFakeChain(easyBits)
	m, err := New(Config{Chain: c, Submit: c.Submit, Sealer: testSealer})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1000, 0)
	m.sample(t0)
	m.hashes.Add(5000)
	m.sample(t0.Add(time.Second))
	if got := m.Stats().HashRate; got != 5000 {
		t.Fatalf("first interval: rate %v, want 5000", got)
	}
	for i := 2; i <= 60; i++ { // 10,000 hashes/s for a minute
		m.hashes.Add(10000)
		m.sample(t0.Add(time.Duration(i) * time.Second))
		if got := m.Stats().HashRate; got < 5000 || got > 10000 {
			t.Fatalf("after %d s: rate %v outside [5000, 10000]", i, got)
		}
	}
	if got := m.Stats().HashRate; got < 9990 {
		t.Fatalf("after a minute at 10,000/s: rate %v", got)
	}
	m.sample(t0.Add(61 * time.Second)) // idle second
	if got := m.Stats().HashRate; got >= 10000 || got < 7000 {
		t.Fatalf("after an idle second: rate %v", got)
	}
}

// TestMaxHashRate: with a cap, the hashes done over a window never exceed
// the cap times the window plus the limiter's burst; a bad cap is refused.
func TestMaxHashRate(t *testing.T) {
	c := newFakeChain(hardBits)
	const capRate = 200_000
	r := startMiner(t, c, Config{Threads: 2, MaxHashRate: capRate})
	start := time.Now()
	deadline := start.Add(30 * time.Second)
	for r.m.Stats().Hashes < 3*capRate/2 { // about 1.5 s of capped mining
		if time.Now().After(deadline) {
			t.Fatal("the capped miner did not reach 300k hashes in 30 s")
		}
		<-time.After(20 * time.Millisecond) // poll interval
	}
	elapsed := time.Since(start).Seconds()
	hashes := float64(r.m.Stats().Hashes)
	burst := float64(max(batchSize, capRate/10)) + 2*batchSize // bucket + one batch per thread in flight
	if limit := capRate*elapsed + burst; hashes > limit {
		t.Fatalf("%.0f hashes in %.2f s with a cap of %d/s: more than %.0f", hashes, elapsed, capRate, limit)
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := New(Config{Chain: c, Submit: c.Submit, Sealer: testSealer, MaxHashRate: bad}); err == nil {
			t.Errorf("MaxHashRate %v accepted", bad)
		}
	}
}

// TestTxsAddedRefresh: new txs make the miner rebuild its template, but
// a stream of them at most once per TxRefresh.
func TestTxsAddedRefresh(t *testing.T) {
	c := newFakeChain(hardBits) // no solution: only rebuilds end a round
	const refresh = 100 * time.Millisecond
	r := startMiner(t, c, Config{Threads: 1, TxRefresh: refresh})
	c.wait(t, "the first template", func(c *fakeChain) bool { return len(c.templates) >= 1 })
	start := time.Now()
	_, before, _ := c.snapshot()
	// A burst of 200 notifications over ~400 ms.
	for range 200 {
		r.m.TxsAdded()
		<-time.After(2 * time.Millisecond) // the arrival pattern under test, not synchronisation
	}
	c.wait(t, "a rebuild for the new txs", func(c *fakeChain) bool { return len(c.templates) > len(before) })
	_, after, _ := c.snapshot()
	elapsed := time.Since(start)
	if rebuilt, most := len(after)-len(before), int(elapsed/refresh)+2; rebuilt > most {
		t.Fatalf("%d rebuilds in %v for 200 tx notifications: want at most %d (one per %v)", rebuilt, elapsed, most, refresh)
	}
}
