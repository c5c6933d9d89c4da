package miner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/core"
)

// DefaultRefreshEvery is the default number of hashes per thread after which
// the miner re-builds its template (new txs, new timestamp): about two
// seconds of work at ~18 M hashes/s per thread.
const DefaultRefreshEvery = 1 << 25

// DefaultTxRefresh is how often, at most, new txs make the miner rebuild
// its template: building one costs milliseconds per thousand txs, and a
// node under load admits txs many times a second.
const DefaultTxRefresh = 500 * time.Millisecond

// batchSize is the largest work report the hash-rate cap takes at once
// (the PoW sealer reports batches of 4096 hashes); larger reports are
// split.
const batchSize = 4096

// MaxThreads caps the number of mining goroutines whatever a caller asks.
const MaxThreads = 256

// clampThreads maps a requested thread count to [1, MaxThreads], with
// values < 1 meaning runtime.NumCPU().
func clampThreads(n int) int {
	if n < 1 {
		n = runtime.NumCPU()
	}
	return min(n, MaxThreads)
}

const (
	errorBackoff = time.Second     // wait after a failed template or submit
	sampleEvery  = time.Second     // hash-rate sampling period
	rateTau      = 5 * time.Second // time constant of the smoothed hash rate
)

// Config holds a Miner's dependencies and initial settings.
type Config struct {
	Chain  Chain                   // required
	Txs    TxSource                // optional: nil mines empty blocks
	Submit func(*core.Block) error // required: hands a solved block to the node
	Sealer consensus.Sealer        // required: seals the templates (the chain's engine's sealer)

	Threads int          // mining goroutines; < 1 means runtime.NumCPU(), at most MaxThreads
	Address core.Address // receives the block reward and fees

	MaxBlockBytes int // < 1 means core.DefaultMaxBlockBytes
	MaxBlockTxs   int // < 1 means core.DefaultMaxBlockTxs

	// RefreshEvery is the number of hashes per thread after which the
	// template is re-built; < 1 means DefaultRefreshEvery.
	RefreshEvery int

	// TxRefresh is the least time between template rebuilds for new txs
	// (TxsAdded); < 1 means DefaultTxRefresh. A new tip rebuilds at once.
	TxRefresh time.Duration

	// MaxHashRate caps the hashes per second of all threads together
	// (0: no cap). A devnet or a load test on a shared machine sets it so
	// that mining leaves the cores to validation; the difficulty follows.
	MaxHashRate float64

	Logger *slog.Logger // optional: nil discards
}

// Stats is a snapshot of a Miner's settings and counters.
type Stats struct {
	Enabled     bool
	Threads     int
	Address     core.Address
	HashRate    float64 // hashes per second, smoothed over ~5 s; 0 when Run is not running
	Hashes      uint64  // hashes done since New
	BlocksMined uint64  // blocks accepted by Submit since New
}

// Miner mines blocks on the chain's tip until its Run context ends. Its
// setters and Stats are safe for concurrent use; mining starts enabled.
type Miner struct {
	chain    Chain
	txs      TxSource
	submit   func(*core.Block) error
	sealer   consensus.Sealer
	maxBytes int
	maxTxs   int
	refresh  uint64
	log      *slog.Logger

	// epoch moves on every TipChanged and setting change; workers poll
	// it every few thousand hashes and abandon their work when it moves.
	epoch  atomic.Uint64
	wake   chan struct{} // capacity 1: wakes Run when idle or backing off
	hashes atomic.Uint64
	blocks atomic.Uint64
	active atomic.Bool // Run is running

	mu         sync.Mutex // guards the fields below
	enabled    bool
	threads    int
	addr       core.Address
	rate       float64   // smoothed hashes/s
	lastSample time.Time // zero: no sample yet
	lastHashes uint64
	primed     bool // rate holds at least one interval

	onIdle func() // tests: called each time Run parks because mining is disabled

	limit *rate.Limiter // nil: no hash rate cap

	txRefresh time.Duration
	txsAdded  atomic.Bool // txs arrived since the current template was built
}

// New checks cfg and returns a Miner; call Run to start it.
func New(cfg Config) (*Miner, error) {
	switch {
	case cfg.Chain == nil:
		return nil, errors.New("miner: Config.Chain is nil")
	case cfg.Submit == nil:
		return nil, errors.New("miner: Config.Submit is nil")
	case cfg.Sealer == nil:
		return nil, errors.New("miner: Config.Sealer is nil")
	}
	m := &Miner{
		chain:   cfg.Chain,
		txs:     cfg.Txs,
		submit:  cfg.Submit,
		sealer:  cfg.Sealer,
		refresh: DefaultRefreshEvery,
		log:     cfg.Logger,
		wake:    make(chan struct{}, 1),
		enabled: true,
		threads: clampThreads(cfg.Threads),
		addr:    cfg.Address,
	}
	m.maxBytes, m.maxTxs = blockLimits(cfg.MaxBlockBytes, cfg.MaxBlockTxs)
	if cfg.RefreshEvery > 0 {
		m.refresh = uint64(cfg.RefreshEvery)
	}
	m.txRefresh = DefaultTxRefresh
	if cfg.TxRefresh > 0 {
		m.txRefresh = cfg.TxRefresh
	}
	if cfg.MaxHashRate < 0 || math.IsNaN(cfg.MaxHashRate) || math.IsInf(cfg.MaxHashRate, 0) {
		return nil, fmt.Errorf("miner: MaxHashRate %v: want a rate >= 0", cfg.MaxHashRate)
	}
	if cfg.MaxHashRate > 0 {
		// A worker asks for at most one batch at a time: the bucket must
		// hold one (larger reports are split); beyond that, a tenth of a
		// second of hashes.
		m.limit = rate.NewLimiter(rate.Limit(cfg.MaxHashRate), max(batchSize, int(cfg.MaxHashRate/10)))
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	return m, nil
}

// Run mines until ctx is done, then returns nil once every goroutine it
// started has stopped. It returns an error if Run is already running.
func (m *Miner) Run(ctx context.Context) error {
	if !m.active.CompareAndSwap(false, true) {
		return errors.New("miner: Run is already running")
	}
	defer m.active.Store(false)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { m.sampleLoop(ctx) })

	var r resume
	for ctx.Err() == nil {
		// Drain a stale wake-up first: every change after this point
		// either shows in the snapshot below or leaves a fresh one.
		select {
		case <-m.wake:
		default:
		}
		epoch := m.epoch.Load()
		m.mu.Lock()
		enabled, threads, addr := m.enabled, m.threads, m.addr
		m.mu.Unlock()
		if !enabled {
			if m.onIdle != nil {
				m.onIdle()
			}
			m.sleep(ctx, 0)
			continue
		}
		if err := m.round(ctx, epoch, threads, addr, &r); err != nil {
			if errors.Is(err, consensus.ErrWaitForTip) { // PoA: another signer's turn
				m.log.Debug("waiting for the next tip", "reason", err)
				m.sleep(ctx, 0)
				continue
			}
			m.log.Warn("mining round failed", "err", err)
			m.sleep(ctx, errorBackoff)
		}
	}
	return nil
}

// round builds one template and searches it until solved, abandoned
// (epoch moved), refreshed, or ctx ends; it submits a solution whose parent
// is still the tip.
func (m *Miner) round(ctx context.Context, epoch uint64, threads int, addr core.Address, r *resume) error {
	// Cleared before the build: txs that arrive during it count for the
	// next one.
	m.txsAdded.Store(false)
	blk, err := buildTemplate(m.chain, m.txs, addr, m.maxBytes, m.maxTxs)
	if err != nil {
		return err
	}
	// Timed from when the template is ready: a template that takes longer
	// than TxRefresh to build still gets TxRefresh of hashing (else a
	// stream of txs would keep the miner rebuilding and never mining).
	built := time.Now()
	h := blk.Header
	r.start(&h)
	solved, found, err := m.sealer.Seal(ctx, h, consensus.SealOptions{
		Threads: threads,
		Limit:   m.refresh,
		Abort: func() bool {
			return m.epoch.Load() != epoch || m.txsAdded.Load() && time.Since(built) >= m.txRefresh
		},
		Progress: func(n uint64) {
			m.hashes.Add(n)
			if m.limit != nil {
				// ctx's end stops the search anyway.
				for ; n > batchSize && ctx.Err() == nil; n -= batchSize {
					_ = m.limit.WaitN(ctx, batchSize)
				}
				_ = m.limit.WaitN(ctx, int(n))
			}
		},
	})
	if err != nil {
		return fmt.Errorf("miner: seal block %d: %w", h.Height, err)
	}
	if !found {
		r.done(h, m.refresh, threads)
		return nil
	}
	// A solution found as the tip moved is on a stale parent: drop it.
	// (One found after this check and before Submit is the single
	// in-flight block the chain may see on an old parent.)
	if ctx.Err() != nil {
		return nil
	}
	if tip := m.chain.TipHash(); tip != h.PrevHash {
		m.log.Debug("dropped solution on a stale parent", "height", h.Height, "parent", h.PrevHash, "tip", tip)
		return nil
	}
	blk.Header = solved
	if err := m.submit(blk); err != nil {
		return fmt.Errorf("miner: submit block %d %s: %w", solved.Height, solved.Hash(), err)
	}
	m.blocks.Add(1)
	m.log.Info("mined block", "height", solved.Height, "hash", solved.Hash(), "txs", len(blk.Txs))
	return nil
}

// sleep waits for a wake-up, ctx's end, or d (0: no timeout).
func (m *Miner) sleep(ctx context.Context, d time.Duration) {
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ctx.Done():
	case <-m.wake:
	case <-timeout:
	}
}

// changed makes the workers abandon their work and wakes Run.
func (m *Miner) changed() {
	m.epoch.Add(1)
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// TipChanged tells the miner the chain's tip moved: it abandons its work
// within milliseconds and builds a template on the new tip.
func (m *Miner) TipChanged() { m.changed() }

// TxsAdded tells the miner that new txs were pooled: it rebuilds its
// template to take them in, at most once per TxRefresh.
func (m *Miner) TxsAdded() { m.txsAdded.Store(true) }

// SetEnabled starts (true) or pauses (false) mining.
func (m *Miner) SetEnabled(on bool) {
	m.mu.Lock()
	m.enabled = on
	m.mu.Unlock()
	m.changed()
}

// SetThreads sets the number of mining goroutines (< 1 means
// runtime.NumCPU(), at most MaxThreads).
func (m *Miner) SetThreads(n int) {
	m.mu.Lock()
	m.threads = clampThreads(n)
	m.mu.Unlock()
	m.changed()
}

// SetAddress sets the address that receives the reward of the next blocks.
func (m *Miner) SetAddress(a core.Address) {
	m.mu.Lock()
	m.addr = a
	m.mu.Unlock()
	m.changed()
}

// Stats returns the current settings and counters.
func (m *Miner) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Stats{
		Enabled:     m.enabled,
		Threads:     m.threads,
		Address:     m.addr,
		HashRate:    m.rate,
		Hashes:      m.hashes.Load(),
		BlocksMined: m.blocks.Load(),
	}
}

// sampleLoop updates the smoothed hash rate every sampleEvery until ctx
// ends, then resets it to 0.
func (m *Miner) sampleLoop(ctx context.Context) {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	m.sample(time.Now())
	for {
		select {
		case <-ctx.Done():
			m.mu.Lock()
			m.rate, m.lastSample, m.primed = 0, time.Time{}, false
			m.mu.Unlock()
			return
		case now := <-t.C:
			m.sample(now)
		}
	}
}

// sample folds the hashes since the last sample into the smoothed rate: an
// exponential moving average with time constant rateTau.
func (m *Miner) sample(now time.Time) {
	hashes := m.hashes.Load()
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.lastSample.IsZero() {
		if dt := now.Sub(m.lastSample).Seconds(); dt > 0 {
			inst := float64(hashes-m.lastHashes) / dt
			if m.primed {
				m.rate += (1 - math.Exp(-dt/rateTau.Seconds())) * (inst - m.rate)
			} else {
				m.rate, m.primed = inst, true
			}
		}
	}
	m.lastSample, m.lastHashes = now, hashes
}
