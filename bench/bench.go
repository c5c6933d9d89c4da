// Package bench is Cairn's load generator (`cairn bench`): it funds K
// accounts, sends M signed transfers spread over one or more nodes,
// follows them to confirmation, and then checks the outcome end to end:
// every acknowledged tx confirmed exactly once, balances and nonces as
// expected, the bench accounts' coins conserved, and every node on the
// same tip and state digest. Rates are reported next to the all-core
// ed25519.Verify rate measured in the same run.
package bench

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/wallet"
)

// Defaults of Config.
const (
	DefaultTxs       = 10_000
	DefaultAccounts  = 100
	DefaultBatchSize = 250
	// DefaultConns is Config.Conns's default.
	DefaultConns = 2
	DefaultStall = 2 * time.Minute
)

// Config is one bench run.
type Config struct {
	// Nodes are the clients of the nodes to load; txs of an account
	// always go to the same node. Nodes[0] is followed for confirmations.
	Nodes  []*client.Client
	Funder *wallet.Key // pays the accounts: needs Accounts*(M/K*(1+fee)+fee)
	// Txs transfers from Accounts new accounts, at Rate txs/s in all
	// (0: as fast as the nodes accept).
	Txs, Accounts int
	Rate          float64
	BatchSize     int // txs per POST /txs/batch (default 250)
	// Conns is the number of batches in flight to each node at once, each
	// from its own share of the node's accounts, so nonces stay in order
	// (default DefaultConns). With one, the node idles while the answer
	// travels and the next batch is built.
	Conns int
	Stall time.Duration // give up waiting when nothing confirms for this long
	Seed  uint64        // accounts' keys derive from it
	// Progress receives a status line about once a second (nil: none);
	// with TTY the line is redrawn in place.
	Progress io.Writer
	TTY      bool
	// Memory, if set, returns the memory in bytes of the node processes
	// now (sampled every 250 ms; the peak is reported).
	Memory func() uint64
	// CPU, if set, returns the CPU time the node processes have used so
	// far (with --devnet: this process, load generator included): the
	// report then adds a ratio by CPU time, which other work on a shared
	// machine does not skew.
	CPU func() time.Duration
	// VerifyTime is how long the ed25519.Verify rate is measured (default 1 s).
	VerifyTime time.Duration

	// Started, if set, is called when the accounts are funded and the
	// load begins (a soak test starts its faults then).
	Started func()

	beforeCheck func(*run) // tests: runs after the load, before the checks
	presign     int        // tests: presignMax instead (negative: none)
}

// Latency is a distribution summary in milliseconds.
type Latency struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Report is a bench run's outcome (`cairn bench --json`).
type Report struct {
	Nodes    int `json:"nodes"`
	Accounts int `json:"accounts"`
	Txs      int `json:"txs"`
	Conns    int `json:"conns"` // batches in flight per node

	Submitted  int `json:"submitted"`  // acknowledged by a node
	Rejected   int `json:"rejected"`   // refused for good (named in Problems)
	Confirmed  int `json:"confirmed"`  // distinct bench txs in the final main chain
	Lost       int `json:"lost"`       // acknowledged, never confirmed
	Duplicated int `json:"duplicated"` // confirmed more than once

	SubmittedPerS float64 `json:"submitted_per_s"`
	ConfirmedPerS float64 `json:"confirmed_per_s"`
	LatencyMs     Latency `json:"latency_ms"` // submit (acknowledged) to first seen in a block
	Blocks        int     `json:"blocks"`     // blocks during the run
	BlockTimeMs   float64 `json:"block_time_ms"`
	MaxBlockTxs   int     `json:"max_block_txs"`
	P99Blocks     float64 `json:"p99_in_block_times"`
	// P99WaitBlocks is the p99 a node that put every tx in the very next
	// block would have had with this run's block intervals (in mean block
	// times); PoissonP99Blocks is its expectation for PoW blocks (4.6).
	P99WaitBlocks float64 `json:"p99_next_block_in_block_times"`

	Converged       bool   `json:"converged"` // every node on one tip and state digest
	Tip             string `json:"tip"`
	Height          uint64 `json:"height"`
	StateDigest     string `json:"state_digest"`
	BalancesOK      bool   `json:"balances_ok"`      // every account's balance and nonce, on every node
	SupplyConserved bool   `json:"supply_conserved"` // sum of balances + fees = funded

	VerifyPerS    float64 `json:"verify_per_s"` // ed25519.Verify, all cores, this run
	Ratio         float64 `json:"ratio"`        // confirmed_per_s / verify_per_s
	PeakMemoryMiB float64 `json:"peak_memory_mib,omitempty"`
	// By CPU time (with Config.CPU): the CPU seconds the load took (first
	// submit to last confirmation), confirmed txs per CPU second, the
	// ed25519.Verify rate per CPU second of the same run, and their ratio
	// (what Ratio would be on an otherwise idle machine kept busy).
	CPUSeconds       float64 `json:"cpu_seconds,omitempty"`
	ConfirmedPerCPUS float64 `json:"confirmed_per_cpu_s,omitempty"`
	VerifyPerCPUS    float64 `json:"verify_per_cpu_s,omitempty"`
	CPURatio         float64 `json:"cpu_ratio,omitempty"`
	// MemoryByTenth[i] is the peak memory while at most (i+1)/10 of the
	// txs were confirmed: whether memory plateaus under sustained load.
	MemoryByTenth []float64 `json:"memory_mib_by_tenth,omitempty"`
	Seconds       float64   `json:"seconds"` // first submit to last confirmation

	Problems []string `json:"problems"` // every failed check, named
}

// OK reports whether every check held.
func (r *Report) OK() bool {
	return r.Lost == 0 && r.Duplicated == 0 && r.Rejected == 0 && r.Converged && r.BalancesOK && r.SupplyConserved &&
		r.Confirmed == r.Txs && len(r.Problems) == 0
}

// account is one bench account and the transfers it sends.
type account struct {
	key    ed25519.PrivateKey
	addr   core.Address
	idx    int
	node   int
	fund   uint64
	txs    []btx  // in nonce order
	next   int    // first tx not yet acknowledged
	paused bool   // the node refused for now: wait for a block
	sent   uint64 // confirmed sends (final walk)
	recv   uint64 // confirmed receipts (final walk)
}

// btx is one bench transfer; a million of them must stay small (the
// load generator shares the process, and its memory, with --devnet's
// nodes).
type btx struct {
	tx        *core.Tx // nil once acknowledged, or before it is signed
	id        core.Hash
	from      int32
	signed    bool
	done      bool  // acknowledged, or settled otherwise (already mined)
	inChain   uint8 // times seen on the final main chain (the final walk; 2 stands for "more than once")
	ackAt     int64 // Unix ns; 0: not acknowledged
	confirmAt int64 // Unix ns; 0: not seen in a block
}

// presignMax is the largest run whose txs are all signed before the load
// starts; larger runs sign each account's txs as they are sent, so that
// the generator's memory does not grow with the run.
const presignMax = 200_000

// run is the shared state of one bench run.
type run struct {
	cfg    Config
	st     *wire.Status
	accts  []*account
	byID   *txIndex
	amount uint64

	mu         sync.Mutex
	blockSig   chan struct{} // closed and replaced on each new block seen
	submitted  int
	confirmed  int
	rejected   []string
	firstSend  time.Time
	lastAck    time.Time
	lastConf   time.Time
	peakMem    uint64
	cpuStart   time.Duration // CPU used when the load began
	cpuAtConf  time.Duration // CPU used at the last confirmation seen
	peakTenth  [10]uint64
	seenBlocks map[core.Hash]struct{} // blocks whose txs were stamped confirmed
	followErr  error                  // the last error reading the chain
}

// Run runs one bench and returns its report. The error is for a run that
// could not be carried out (a node unreachable, funding failed); a run
// that finished with failed checks returns a report whose OK is false.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, byID: newTxIndex(), blockSig: make(chan struct{}), seenBlocks: map[core.Hash]struct{}{}, amount: 1}
	var err error
	if r.st, err = cfg.Nodes[0].Status(ctx); err != nil {
		return nil, fmt.Errorf("bench: node %s: %w", cfg.Nodes[0].BaseURL(), err)
	}
	for _, c := range cfg.Nodes[1:] {
		st, err := c.Status(ctx)
		if err != nil {
			return nil, fmt.Errorf("bench: node %s: %w", c.BaseURL(), err)
		}
		if st.Genesis != r.st.Genesis {
			return nil, fmt.Errorf("bench: node %s is on genesis %s, node %s on %s", c.BaseURL(), st.Genesis, cfg.Nodes[0].BaseURL(), r.st.Genesis)
		}
	}
	rep := &Report{Nodes: len(cfg.Nodes), Accounts: cfg.Accounts, Txs: cfg.Txs, Conns: cfg.Conns}
	r.progressf("measuring ed25519.Verify on %d cores...", runtime.NumCPU())
	var cpu0 time.Duration
	if cfg.CPU != nil {
		cpu0 = cfg.CPU()
	}
	rep.VerifyPerS = VerifyRate(cfg.VerifyTime)
	if cfg.CPU != nil {
		if d := (cfg.CPU() - cpu0).Seconds(); d > 0 {
			rep.VerifyPerCPUS = rep.VerifyPerS * cfg.VerifyTime.Seconds() / d
		}
	}
	r.endLine()

	startHeight := r.st.Height
	r.makeAccounts()
	if err := r.fund(ctx); err != nil {
		return nil, err
	}
	r.sign()

	memCtx, stopMem := context.WithCancel(ctx)
	memDone := make(chan struct{})
	go func() { defer close(memDone); r.sampleMemory(memCtx) }()
	followCtx, stopFollow := context.WithCancel(ctx)
	followDone := make(chan error, 1)
	go func() { followDone <- r.follow(followCtx, startHeight) }()
	progCtx, stopProg := context.WithCancel(ctx)
	progDone := make(chan struct{})
	go func() { defer close(progDone); r.progressLoop(progCtx) }()

	r.mu.Lock()
	r.firstSend = time.Now()
	if cfg.CPU != nil {
		r.cpuStart = cfg.CPU()
	}
	r.mu.Unlock()
	if cfg.Started != nil {
		cfg.Started()
	}
	var wg sync.WaitGroup
	errs := make([]error, len(cfg.Nodes)*cfg.Conns)
	limiter := newPacer(cfg.Rate, cfg.BatchSize)
	for i := range cfg.Nodes {
		for lane := range cfg.Conns {
			wg.Go(func() { errs[i*cfg.Conns+lane] = r.submitLoop(ctx, i, lane, limiter) })
		}
	}
	wg.Wait()
	waitErr := r.waitConfirmed(ctx)
	stopProg()
	<-progDone
	stopFollow()
	followErr := <-followDone
	stopMem()
	<-memDone
	r.endLine()
	if err := errors.Join(errors.Join(errs...), ctx.Err()); err != nil {
		return nil, err
	}
	if waitErr != nil {
		rep.Problems = append(rep.Problems, waitErr.Error())
	}
	if followErr != nil && !errors.Is(followErr, context.Canceled) {
		rep.Problems = append(rep.Problems, "following the chain: "+followErr.Error())
	}
	if cfg.beforeCheck != nil {
		cfg.beforeCheck(r)
	}
	r.progressf("checking: convergence, every tx exactly once, balances, supply...")
	err = r.check(ctx, rep, startHeight)
	r.endLine()
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func (cfg *Config) defaults() error {
	switch {
	case len(cfg.Nodes) == 0:
		return errors.New("bench: no node to load")
	case cfg.Funder == nil:
		return errors.New("bench: no funding key")
	case cfg.Txs < 0 || cfg.Accounts < 0 || cfg.Rate < 0 || cfg.BatchSize < 0 || cfg.Conns < 0:
		return errors.New("bench: negative txs, accounts, rate, batch size or conns")
	}
	if cfg.Txs == 0 {
		cfg.Txs = DefaultTxs
	}
	if cfg.Accounts == 0 {
		cfg.Accounts = min(DefaultAccounts, cfg.Txs)
	}
	if cfg.Accounts > cfg.Txs {
		return fmt.Errorf("bench: %d accounts for %d txs: want at most one account per tx", cfg.Accounts, cfg.Txs)
	}
	if cfg.Accounts < 2 {
		return errors.New("bench: at least 2 accounts (they pay each other)")
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.Conns == 0 {
		cfg.Conns = DefaultConns
	}
	if cfg.Stall <= 0 {
		cfg.Stall = DefaultStall
	}
	if cfg.VerifyTime <= 0 {
		cfg.VerifyTime = time.Second
	}
	return nil
}

// makeAccounts derives the accounts' keys and assigns them to nodes.
func (r *run) makeAccounts() {
	k, m := r.cfg.Accounts, r.cfg.Txs
	for i := range k {
		var seed [40]byte
		copy(seed[:], "cairn-bench-account")
		binary.BigEndian.PutUint64(seed[24:], r.cfg.Seed)
		binary.BigEndian.PutUint64(seed[32:], uint64(i))
		s := sha256.Sum256(seed[:])
		key := ed25519.NewKeyFromSeed(s[:])
		var pub core.PublicKey
		copy(pub[:], key.Public().(ed25519.PublicKey))
		n := m / k
		if i < m%k {
			n++
		}
		a := &account{key: key, addr: pub.Address(), idx: i, node: i % len(r.cfg.Nodes), txs: make([]btx, n)}
		for j := range a.txs {
			a.txs[j].from = int32(i)
		}
		a.fund = uint64(n) * (r.amount + r.st.MinFee)
		r.accts = append(r.accts, a)
	}
}

// sign builds and signs every transfer on all cores (up to presignMax
// txs; beyond, submitLoop signs them as it sends them).
func (r *run) sign() {
	limit := presignMax
	if r.cfg.presign != 0 {
		limit = r.cfg.presign
	}
	if r.cfg.Txs > limit {
		return
	}
	r.progressf("signing %d transfers...", r.cfg.Txs)
	var wg sync.WaitGroup
	work := make(chan int)
	for range runtime.NumCPU() {
		wg.Go(func() {
			for i := range work {
				a := r.accts[i]
				for j := range a.txs {
					r.build(a, j)
				}
			}
		})
	}
	for i := range r.accts {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, a := range r.accts {
		for j := range a.txs {
			r.byID.put(&a.txs[j])
		}
	}
	r.endLine()
}

// build signs account a's transfer j: a pays the next account, nonces
// from 0 (new keys).
func (r *run) build(a *account, j int) {
	var pub core.PublicKey
	copy(pub[:], a.key.Public().(ed25519.PublicKey))
	tx := &core.Tx{Version: core.TxVersion, ChainID: r.st.ChainID, From: pub, To: r.accts[(a.idx+1)%len(r.accts)].addr,
		Amount: r.amount, Fee: r.st.MinFee, Nonce: uint64(j)}
	tx.Sign(a.key)
	b := &a.txs[j]
	b.tx, b.id, b.signed = tx, tx.ID(), true
}

// signLate signs a transfer that sign left for later and registers it.
func (r *run) signLate(a *account, j int) *btx {
	b := &a.txs[j]
	if !b.signed {
		r.build(a, j)
		r.mu.Lock()
		r.byID.put(b)
		r.mu.Unlock()
	}
	return b
}

// fund pays every account its transfers and fees from the funder, and
// waits until every node has those payments confirmed.
func (r *run) fund(ctx context.Context) error {
	c := r.cfg.Nodes[0]
	prefix := r.st.AddressPrefix
	from := r.cfg.Funder.Address().Encode(prefix)
	acct, err := c.Account(ctx, from)
	if err != nil {
		return fmt.Errorf("bench: funding account %s: %w", from, err)
	}
	var need uint64
	for _, a := range r.accts {
		need += a.fund + r.st.MinFee
	}
	if acct.PendingBalance < need {
		return fmt.Errorf("bench: the funding wallet %s holds %d base units, the run needs %d (%d accounts x %d transfers + fees)",
			from, acct.PendingBalance, need, len(r.accts), r.cfg.Txs/len(r.accts))
	}
	r.progressf("funding %d accounts from %s...", len(r.accts), from)
	txs := make([]*core.Tx, len(r.accts))
	for i, a := range r.accts {
		tx, err := r.cfg.Funder.NewTx(r.st.ChainID, a.addr, a.fund, r.st.MinFee, acct.PendingNonce+uint64(i), nil)
		if err != nil {
			return err
		}
		txs[i] = tx
	}
	for start := 0; start < len(txs); start += r.cfg.BatchSize {
		batch := txs[start:min(start+r.cfg.BatchSize, len(txs))]
		if err := submitAll(ctx, c, batch); err != nil {
			return fmt.Errorf("bench: funding: %w", err)
		}
	}
	want := acct.PendingNonce + uint64(len(txs))
	deadline := time.Now().Add(r.cfg.Stall)
	for _, n := range r.cfg.Nodes {
		for {
			a, err := n.Account(ctx, from)
			if err == nil && a.Nonce >= want {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("bench: the funding txs were not confirmed on %s within %s (last: %v)", n.BaseURL(), r.cfg.Stall, err)
			}
			if err := pause(ctx, 100*time.Millisecond); err != nil {
				return err
			}
		}
	}
	r.endLine()
	return nil
}

// submitAll submits txs, retrying until each is admitted or known.
func submitAll(ctx context.Context, c *client.Client, txs []*core.Tx) error {
	for try := 0; ; try++ {
		res, err := c.SubmitBatch(ctx, txs)
		if err == nil {
			var rest []*core.Tx
			for i, x := range res {
				if x.Error != nil && x.Error.Code != string(core.CodeDuplicate) {
					if !retryable(x.Error.Code) {
						return fmt.Errorf("tx %s refused: %s: %s", txs[i].ID(), x.Error.Code, x.Error.Detail)
					}
					rest = append(rest, txs[i])
				}
			}
			if txs = rest; len(txs) == 0 {
				return nil
			}
		}
		if try >= 50 {
			return fmt.Errorf("still not admitted after %d tries: %v", try, err)
		}
		if err := pause(ctx, backoff(try)); err != nil {
			return err
		}
	}
}

// retryable reports whether a refusal is for now only (full, rate).
func retryable(code string) bool {
	return code == string(core.CodeMempoolFull) || code == wire.CodeRateLimited || code == string(core.CodeNonceGap)
}

func backoff(try int) time.Duration {
	return min(50*time.Millisecond<<min(try, 5), time.Second)
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// blockSignal returns a channel closed at the next block seen.
func (r *run) blockSignal() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.blockSig
}

// sampleMemory records the peak of cfg.Memory, overall and by tenth of
// the txs confirmed.
func (r *run) sampleMemory(ctx context.Context) {
	if r.cfg.Memory == nil {
		return
	}
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		m := r.cfg.Memory()
		r.mu.Lock()
		r.peakMem = max(r.peakMem, m)
		tenth := min(9, r.confirmed*10/max(1, r.cfg.Txs))
		r.peakTenth[tenth] = max(r.peakTenth[tenth], m)
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// percentiles summarises ds (milliseconds).
func percentiles(ds []float64) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	at := func(p float64) float64 { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	return Latency{P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: ds[len(ds)-1]}
}
