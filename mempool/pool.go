package mempool

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

// Defaults for the optional limits of Config.
const (
	DefaultMaxBytes           = 64 << 20 // encoded bytes of all pooled txs
	DefaultMaxPerSender       = 64       // pooled txs per sender
	DefaultMaxNonceAhead      = 64       // how far past the account nonce a tx may be
	DefaultReplaceBumpPercent = 10       // fee increase a replacement must pay
)

// StateReader gives confirmed state at the chain tip: the executor's
// reader (state.Reader).
type StateReader = state.Reader

// Persister stores admitted txs so a restart (even after kill -9) keeps
// them. Deleting an ID that is not stored must not fail.
type Persister interface {
	SaveTxs(txs []*core.Tx) error
	DeleteTxs(ids []core.Hash) error
	// LoadTxs calls fn with the canonical encoding of every stored tx.
	LoadTxs(fn func(raw []byte) error) error
}

// Config holds a Pool's dependencies and limits. ChainID, MinFee and State
// are required (a MinFee of 0 is allowed); the rest are optional, and a
// zero limit means its default.
type Config struct {
	ChainID string      // the chain's chain_id; txs for another chain are rejected
	MinFee  uint64      // the chain's minimum fee
	State   StateReader // confirmed state at the tip
	// Rules give contract txs their checks (the genesis's contract
	// fields, the VM that checks a deploy's code); without them contract
	// txs are refused.
	Rules state.Rules
	// SigCache is optional: the IDs of admitted txs are added (the chain
	// skips re-verifying them), and a tx whose ID is there is not verified.
	SigCache *core.SigCache
	// Persist is optional: admitted txs are saved (before Add and
	// AddBatch return; by Flush for AddBatchDeferred and Update), and
	// txs that leave (included, dropped, evicted, replaced) are deleted
	// by the next write. It is called without the pool's lock, by one
	// flush at a time, and must not call the pool.
	Persist Persister

	MaxBytes           int    // cap on the encoded bytes of all pooled txs; default 64 MiB
	MaxPerSender       int    // pooled txs per sender; default 64
	MaxNonceAhead      uint64 // a tx nonce must be in [account nonce, account nonce + MaxNonceAhead]; default 64
	ReplaceBumpPercent uint64 // a replacement pays at least this many percent more fee; default 10

	// AddressPrefix is the bech32m prefix used for addresses in error
	// messages; default core.DefaultAddressPrefix.
	AddressPrefix string
}

// Pool is the transaction pool. Create it with New. All methods are safe
// for concurrent use. Txs passed in and handed out are shared, not copied:
// callers must not modify them.
type Pool struct {
	cfg     Config
	minSize int // the smallest encoding a tx of this chain can have

	mu       sync.Mutex
	byID     map[core.Hash]*entry
	senders  map[core.Address]*sender
	incoming map[core.Address]*receipts // pending amounts to each recipient
	bytes    int
	seq      uint64
	ready    readyHeap // senders whose first tx carries the account nonce, best first
	tails    tailHeap  // all senders, the one with the cheapest last tx first
	epoch    uint64    // Updates so far: senders' views from older epochs are rebuilt
	// Persistence (persist.go): txs to store and IDs to delete, queued
	// for the next flush; ticket counts the changes queued.
	saveQ  []*entry
	delQ   []core.Hash
	ticket uint64

	fmu   sync.Mutex // guards fs; never held while mu is wanted for long
	fcond sync.Cond
	fs    flushState
}

// New checks cfg, fills in defaults and returns an empty pool.
func New(cfg Config) (*Pool, error) {
	switch {
	case cfg.ChainID == "":
		return nil, errors.New("mempool: Config.ChainID is required")
	case len(cfg.ChainID) > core.MaxChainIDLen:
		return nil, fmt.Errorf("mempool: Config.ChainID of %d bytes, the limit is %d", len(cfg.ChainID), core.MaxChainIDLen)
	case cfg.State == nil:
		return nil, errors.New("mempool: Config.State is required")
	case cfg.MaxBytes < 0:
		return nil, fmt.Errorf("mempool: Config.MaxBytes %d is negative (0 means the default)", cfg.MaxBytes)
	case cfg.MaxPerSender < 0:
		return nil, fmt.Errorf("mempool: Config.MaxPerSender %d is negative (0 means the default)", cfg.MaxPerSender)
	case cfg.ReplaceBumpPercent > 1000:
		return nil, fmt.Errorf("mempool: Config.ReplaceBumpPercent %d is above 1000", cfg.ReplaceBumpPercent)
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxPerSender == 0 {
		cfg.MaxPerSender = DefaultMaxPerSender
	}
	if cfg.MaxNonceAhead == 0 {
		cfg.MaxNonceAhead = DefaultMaxNonceAhead
	}
	if cfg.ReplaceBumpPercent == 0 {
		cfg.ReplaceBumpPercent = DefaultReplaceBumpPercent
	}
	if cfg.AddressPrefix == "" {
		cfg.AddressPrefix = core.DefaultAddressPrefix
	}
	empty := core.Tx{ChainID: cfg.ChainID}
	p := &Pool{
		cfg:      cfg,
		minSize:  empty.Size(),
		byID:     make(map[core.Hash]*entry),
		senders:  make(map[core.Address]*sender),
		incoming: make(map[core.Address]*receipts),
	}
	p.fcond.L = &p.fmu
	return p, nil
}

// Get returns the pooled tx with this ID.
func (p *Pool) Get(id core.Hash) (*core.Tx, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.byID[id]; ok {
		return e.tx, true
	}
	return nil, false
}

// Has reports whether a tx with this ID is pooled.
func (p *Pool) Has(id core.Hash) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.byID[id]
	return ok
}

// Count returns the number of pooled txs.
func (p *Pool) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.byID)
}

// Bytes returns the total encoded size of the pooled txs.
func (p *Pool) Bytes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bytes
}

// Pending returns the pooled txs sent by a, by nonce.
func (p *Pool) Pending(a core.Address) []*core.Tx {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.senders[a]
	if s == nil {
		return nil
	}
	out := make([]*core.Tx, len(s.txs))
	for i, e := range s.txs {
		out[i] = e.tx
	}
	return out
}

// PendingState returns a's balance and next nonce once the pool's txs are
// counted: balance = confirmed balance - amount+fee of a's pending txs +
// amounts of pending txs to a (clamped to [0, MaxUint64]); nextNonce =
// account nonce + the number of a's pending txs whose nonces follow it
// without a gap. The error is an internal failure reading state.
func (p *Pool) PendingState(a core.Address) (balance, nextNonce uint64, err error) {
	acct, err := p.cfg.State.Account(a)
	if err != nil {
		return 0, 0, fmt.Errorf("mempool: read account %s: %w", p.addr(a), err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var out u128
	next := acct.Nonce
	if s := p.senders[a]; s != nil {
		for _, e := range s.txs {
			if e.tx.Nonce < acct.Nonce { // included in a block Update has not seen yet
				continue
			}
			out = out.add(e.cost)
			if e.tx.Nonce == next {
				next++
			}
		}
	}
	in := u128{}
	if r := p.incoming[a]; r != nil {
		in = r.sum
	}
	bal := u128{lo: acct.Balance}.add128(in)
	if bal.less(out) {
		return 0, next, nil
	}
	bal = bal.sub128(out)
	if bal.hi != 0 {
		return math.MaxUint64, next, nil
	}
	return bal.lo, next, nil
}

// addr formats an address for messages.
func (p *Pool) addr(a core.Address) string { return a.Encode(p.cfg.AddressPrefix) }
