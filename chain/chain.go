package chain

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
	"sync"
	"time"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/index"
	"github.com/cairn-chain/cairn/state"
	"github.com/cairn-chain/cairn/store"
)

// Defaults for Config fields left zero.
const (
	DefaultMaxOrphans = 256
	DefaultMaxHeld    = 64
	// MaxFutureDrift is how far ahead of the local clock a block's
	// timestamp may be; a block further ahead is held, not rejected.
	MaxFutureDrift = 2 * time.Minute
	// MedianTimeBlocks is the window of the median-time-past rule.
	MedianTimeBlocks = 11
)

// Config wires a Chain.
type Config struct {
	Genesis *core.Genesis    // required
	Engine  consensus.Engine // required
	DB      *store.DB        // required
	Now     func() time.Time // required: the clock (injected so tests control it)
	// SigCache is optional: txs whose IDs it holds (admitted to the
	// mempool) are not verified again when a block connects.
	SigCache *core.SigCache
	// MaxOrphans bounds the pool of blocks whose parent is unknown.
	MaxOrphans int
	// MaxHeld bounds the pool of blocks from the future.
	MaxHeld int
	// MaxReorgDepth, if above 0, is the most main-chain blocks a reorg may
	// disconnect: a heavier branch that forks deeper than that below the
	// tip is stored as a side branch and not adopted (Result.RefusedReorg
	// reports it). It is a local policy against deep reorgs, not a
	// consensus rule; 0 (the default) allows any depth.
	MaxReorgDepth int
	// Indexers keep the secondary indexes inside each connecting and
	// disconnecting batch; nil means index.All().
	Indexers []index.Indexer
	// VM runs contracts; nil: contract txs are invalid here (tests of
	// other kinds). The node owns it.
	VM state.VM
}

// rules returns what the executor needs beyond the state.
func (c *Chain) rules() state.Rules { return state.Rules{Genesis: c.cfg.Genesis, VM: c.cfg.VM} }

// Chain is the block tree and the main chain's state. Methods are safe
// for concurrent use: one writer at a time (ProcessBlock, RetryHeld), many
// readers.
type Chain struct {
	cfg     Config
	genesis *core.Block
	ghash   core.Hash

	mu     sync.RWMutex // guards everything below
	index  map[core.Hash]*node
	main   []*node // main chain by height
	digest state.Digest
	// digestSum is digest.Sum(), kept with it: Tip is read far more often
	// than the state changes.
	digestSum core.Hash
	seq       uint64
	orphans   *pool
	held      *pool
	reorgs    uint64
	// accounts caches committed account state (it has its own lock).
	accounts *acctCache
	records  *recCache
	holders  holderCounts
	// inCall holds the blocks seen by the current write call, so results
	// need not reload them from the store.
	inCall map[core.Hash]*callBlock
}

// callBlock is a block seen during a write call, with values derived from
// it once: tx IDs and sender addresses (each a SHA-256).
type callBlock struct {
	blk     *core.Block
	ids     []core.Hash
	senders []core.Address
}

func newCallBlock(blk *core.Block, ids []core.Hash) *callBlock {
	if ids == nil {
		ids = blk.TxIDs()
	}
	cb := &callBlock{blk: blk, ids: ids, senders: make([]core.Address, len(blk.Txs))}
	for i, tx := range blk.Txs {
		cb.senders[i] = tx.Sender()
	}
	return cb
}

// New opens the chain stored in cfg.DB, writing the genesis block and
// alloc on a fresh store. It refuses a store of another chain.
func New(cfg Config) (*Chain, error) {
	switch {
	case cfg.Genesis == nil:
		return nil, errors.New("chain: Config.Genesis is required")
	case cfg.Engine == nil:
		return nil, errors.New("chain: Config.Engine is required")
	case cfg.DB == nil:
		return nil, errors.New("chain: Config.DB is required")
	case cfg.Now == nil:
		return nil, errors.New("chain: Config.Now is required")
	}
	if cfg.MaxOrphans <= 0 {
		cfg.MaxOrphans = DefaultMaxOrphans
	}
	if cfg.MaxHeld <= 0 {
		cfg.MaxHeld = DefaultMaxHeld
	}
	if cfg.Indexers == nil {
		cfg.Indexers = index.All()
	}
	for _, p := range state.Prefixes {
		if !store.IsStatePrefix(p) {
			return nil, fmt.Errorf("chain: state prefix %q is not reserved for state records by the store", p)
		}
	}
	c := &Chain{
		cfg:      cfg,
		genesis:  cfg.Genesis.Block(),
		index:    map[core.Hash]*node{},
		orphans:  newPool(cfg.MaxOrphans),
		held:     newPool(cfg.MaxHeld),
		accounts: newCache[core.Address, core.Account](defaultAcctCache),
		records:  newCache[string, []byte](defaultAcctCache),
		holders:  holderCounts{m: map[core.AssetID]uint64{}},
	}
	c.ghash = c.genesis.Hash()
	tip, ok, err := cfg.DB.Tip()
	if err != nil {
		return nil, fmt.Errorf("chain: read tip: %w", err)
	}
	if !ok {
		if _, err := cfg.DB.HashAt(0); err == nil {
			return nil, damaged(nil, "the store holds blocks but no tip record")
		}
		if err := c.writeGenesis(); err != nil {
			return nil, err
		}
		return c, nil
	}
	if err := c.load(tip); err != nil {
		return nil, err
	}
	if err := c.resumeReorg(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Chain) writeGenesis() error {
	g := c.cfg.Genesis
	n := &node{hash: c.ghash, header: c.genesis.Header, work: c.cfg.Engine.Work(&c.genesis.Header), status: statusValid}
	changes := state.GenesisChanges(g)
	var d state.Digest
	d.Apply(changes)
	b := c.cfg.DB.NewBatch()
	b.PutBlock(c.genesis)
	b.PutIndexEntry(n.hash, encodeNode(n))
	b.SetHashAt(0, n.hash)
	for _, ch := range changes {
		b.SetState([]byte(ch.Key), ch.New)
	}
	b.SetTip(store.Tip{Hash: n.hash, Height: 0, State: d.Encode()})
	if err := b.Commit(); err != nil {
		return fmt.Errorf("chain: write genesis: %w", err)
	}
	c.index[n.hash] = n
	c.main = []*node{n}
	c.setDigest(d)
	return nil
}

// load rebuilds the index and the main chain from the store.
func (c *Chain) load(tip store.Tip) error {
	h0, err := c.cfg.DB.HashAt(0)
	if err != nil {
		return asDamaged(fmt.Errorf("chain: read genesis hash: %w", err), "no genesis block at height 0")
	}
	if h0 != c.ghash {
		return fmt.Errorf("chain: the data directory holds chain %s, not this genesis %s", h0, c.ghash)
	}
	var nodes []*node
	err = c.cfg.DB.IndexEntries(func(h core.Hash, v []byte) error {
		n, err := decodeNode(h, v)
		if err != nil {
			return err
		}
		nodes = append(nodes, n)
		return nil
	})
	if err != nil {
		return asDamaged(fmt.Errorf("chain: load block index: %w", err), "block index")
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].header.Height < nodes[j].header.Height })
	for _, n := range nodes {
		c.index[n.hash] = n
		if n.seq > c.seq {
			c.seq = n.seq
		}
		if n.header.Height == 0 {
			continue
		}
		n.parent = c.index[n.header.PrevHash]
		if n.parent == nil {
			return damaged(nil, "index entry %s at height %d has no parent %s", n.hash, n.header.Height, n.header.PrevHash)
		}
	}
	t := c.index[tip.Hash]
	if t == nil || t.header.Height != tip.Height {
		return damaged(nil, "tip %s at height %d is not in the block index", tip.Hash, tip.Height)
	}
	c.main = make([]*node, t.header.Height+1)
	for n := t; n != nil; n = n.parent {
		c.main[n.header.Height] = n
	}
	d, err := state.DecodeDigest(tip.State)
	if err != nil {
		return damaged(err, "tip state")
	}
	c.setDigest(d)
	return c.checkRecent()
}

// setDigest installs the tip's state digest. Must be called with c.mu held
// (or before the Chain is shared).
func (c *Chain) setDigest(d state.Digest) {
	c.digest = d
	c.digestSum = d.Sum()
}

func (c *Chain) tip() *node { return c.main[len(c.main)-1] }

// Genesis returns the genesis definition.
func (c *Chain) Genesis() *core.Genesis { return c.cfg.Genesis }

// GenesisHash returns the hash that identifies the chain.
func (c *Chain) GenesisHash() core.Hash { return c.ghash }

// TipInfo describes the main chain's tip.
type TipInfo struct {
	Hash        core.Hash
	Height      uint64
	Header      core.Header
	TotalWork   *big.Int
	StateDigest core.Hash
}

// Tip returns the current tip.
func (c *Chain) Tip() TipInfo {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t := c.tip()
	return TipInfo{Hash: t.hash, Height: t.header.Height, Header: t.header, TotalWork: new(big.Int).Set(t.work), StateDigest: c.digestSum}
}

// TipHash returns the tip's hash.
func (c *Chain) TipHash() core.Hash {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tip().hash
}

// Reorgs returns how many reorgs this Chain has made since it was opened.
func (c *Chain) Reorgs() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.reorgs
}

// Account returns an account's confirmed state at the tip.
func (c *Chain) Account(a core.Address) (core.Account, error) { return c.reader().Account(a) }

// State returns a reader of the confirmed state at the tip (every kind of
// record), for the mempool and queries.
func (c *Chain) State() state.Reader { return c.reader() }

// state reads through the caches and fills them: for callers holding c.mu.
func (c *Chain) state() cachedState {
	return cachedState{cache: c.accounts, recs: c.records, db: c.cfg.DB, fill: true}
}

// reader reads through the caches without filling them: for callers
// without c.mu (see cachedState).
func (c *Chain) reader() cachedState {
	return cachedState{cache: c.accounts, recs: c.records, db: c.cfg.DB}
}
