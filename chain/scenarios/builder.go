// Package scenarios holds consensus scenario vectors for the chain, like
// btcd's fullblocktests: Generate returns a sequence of blocks with the
// outcome each must have (accepted onto the main chain or a side chain,
// rejected with a rule code, held, orphaned) and the tip expected after
// it. They run against a single Chain in unit tests and against networks
// of nodes in multi-node tests.
package scenarios

import (
	"crypto/ed25519"
	"fmt"
	"maps"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/engines"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/cairn-chain/cairn/state"
)

// Key is a funded test key.
type Key = testkit.Key

// NewKey derives a deterministic key from i: the key of the seed byte(i),
// byte(i>>8), zeros, 0xc4 (the scenario chain's own keys, not
// testkit.NewKey's).
func NewKey(i int) Key {
	seed := make([]byte, ed25519.SeedSize)
	seed[0], seed[1], seed[31] = byte(i), byte(i>>8), 0xc4
	return testkit.KeyFromSeed(seed)
}

// Builder makes blocks with valid PoW on a test chain and tracks the
// account state after every valid block, so expected outcomes and state
// digests are computed independently of the chain package.
type Builder struct {
	Genesis *core.Genesis
	Engine  consensus.Engine // the genesis's (proof of work): the vectors carry real seals
	Keys    []Key
	blocks  map[string]*core.Block
	states  map[string]state.Memory // after each block that is valid on its branch
	names   map[core.Hash]string
}

// Genesis parameters of the scenario chain, on testkit.Genesis's trivial
// PoW (about half of all hashes meet the limit): 5 s blocks, small limits
// so the over-size cases are cheap to build.
const (
	ChainID      = "scenario"
	GenesisTime  = 1_700_000_000_000
	BlockTime    = 5000
	MinFee       = 10
	Reward       = 1000
	MaxBlockTxs  = 100
	FundPerKey   = 1_000_000
	NumKeys      = 4
	GenesisLabel = "genesis"
)

// NewBuilder returns a builder whose genesis funds NumKeys keys.
func NewBuilder() *Builder { return NewBuilderWith(nil) }

// NewBuilderWith is NewBuilder with the genesis changed by mut (if not
// nil) before it is validated and its block made.
func NewBuilderWith(mut func(*core.Genesis)) *Builder {
	keys := make([]Key, NumKeys)
	for i := range keys {
		keys[i] = NewKey(i + 1)
	}
	g := testkit.Genesis(ChainID, testkit.Fund(FundPerKey, keys...))
	g.Timestamp = GenesisTime
	g.TargetBlockTimeMs = BlockTime
	g.AsertHalflifeMs = 10 * BlockTime
	g.MinFee = MinFee
	g.InitialReward = Reward
	g.HalvingInterval = 1000
	g.MaxBlockTxs = MaxBlockTxs
	if mut != nil {
		mut(g)
	}
	b := &Builder{Genesis: g, Keys: keys, blocks: map[string]*core.Block{}, states: map[string]state.Memory{}, names: map[core.Hash]string{}}
	if err := g.Validate(); err != nil {
		panic("scenarios: genesis: " + err.Error())
	}
	eng, err := engines.New(g)
	if err != nil {
		panic("scenarios: engine: " + err.Error())
	}
	b.Engine = eng
	gb := g.Block()
	b.blocks[GenesisLabel] = gb
	b.names[gb.Hash()] = GenesisLabel
	st := state.Memory{}
	st.Apply(state.GenesisChanges(g))
	b.states[GenesisLabel] = st
	return b
}

// builderReader is the builder's blocks as a consensus.ChainReader.
type builderReader struct{ b *Builder }

func (r builderReader) HeaderByHash(h core.Hash) (*core.Header, bool) {
	name, ok := r.b.names[h]
	if !ok {
		return nil, false
	}
	hdr := r.b.blocks[name].Header
	return &hdr, true
}

// Block returns a named block.
func (b *Builder) Block(name string) *core.Block {
	blk, ok := b.blocks[name]
	if !ok {
		panic("scenarios: no block " + name)
	}
	return blk
}

// Name returns the name of a block built here.
func (b *Builder) Name(h core.Hash) string { return b.names[h] }

// State returns the account state after a valid block.
func (b *Builder) State(name string) (state.Memory, bool) {
	st, ok := b.states[name]
	return st, ok
}

// Branch returns the blocks from height 1 up to name, in order.
func (b *Builder) Branch(name string) []*core.Block {
	var out []*core.Block
	for blk := b.Block(name); blk.Header.Height > 0; blk = b.Block(b.names[blk.Header.PrevHash]) {
		out = append([]*core.Block{blk}, out...)
	}
	return out
}

// Tx builds a signed transfer from key i.
func (b *Builder) Tx(from int, to core.Address, amount, fee, nonce uint64) *core.Tx {
	return b.Keys[from].Transfer(ChainID, to, amount, fee, nonce)
}

// Nonce returns key i's next nonce in the state after block name.
func (b *Builder) Nonce(name string, i int) uint64 {
	st, ok := b.states[name]
	if !ok {
		panic("scenarios: no state after " + name)
	}
	acct, _ := st.Account(b.Keys[i].Addr)
	return acct.Nonce
}

// Next builds a child of parent holding txs, with valid PoW. mut, if not
// nil, changes the header after the tx_root is set and before the nonce
// search (so it can break the root, the bits or the timestamp).
func (b *Builder) Next(name, parent string, txs []*core.Tx, mut func(*core.Header)) *core.Block {
	return b.next(name, parent, txs, mut, true)
}

// NextBadPoW is Next with a nonce whose hash misses the target.
func (b *Builder) NextBadPoW(name, parent string, txs []*core.Tx) *core.Block {
	return b.next(name, parent, txs, nil, false)
}

func (b *Builder) next(name, parent string, txs []*core.Tx, mut func(*core.Header), goodPoW bool) *core.Block {
	if _, dup := b.blocks[name]; dup {
		panic("scenarios: block name reused: " + name)
	}
	p := b.Block(parent)
	blk := &core.Block{Header: core.Header{
		Version:   core.BlockVersion,
		Height:    p.Header.Height + 1,
		PrevHash:  p.Hash(),
		Timestamp: p.Header.Timestamp + BlockTime,
		Miner:     b.Keys[0].Addr,
	}, Txs: txs}
	if err := b.Engine.Prepare(builderReader{b}, &blk.Header); err != nil {
		panic(fmt.Sprintf("scenarios: prepare %s: %v", name, err))
	}
	blk.Header.TxRoot = core.MerkleRoot(blk.TxIDs())
	if mut != nil {
		mut(&blk.Header)
	}
	for nonce := uint64(0); ; nonce++ {
		blk.Header.Nonce = nonce
		if (b.Engine.VerifySeal(&blk.Header) == nil) == goodPoW {
			break
		}
		if nonce > 1<<20 {
			panic(fmt.Sprintf("scenarios: no nonce for %s", name))
		}
	}
	b.blocks[name] = blk
	b.names[blk.Hash()] = name
	if pst, ok := b.states[parent]; ok && goodPoW && blk.Header.TxRoot == core.MerkleRoot(blk.TxIDs()) {
		st := maps.Clone(pst)
		if res, err := state.ApplyBlock(st, state.Rules{Genesis: b.Genesis}, blk); err == nil && !dupTxs(blk) {
			st.Apply(res.Changes)
			b.states[name] = st
		}
	}
	return blk
}

func dupTxs(blk *core.Block) bool {
	seen := map[core.Hash]bool{}
	for _, id := range blk.TxIDs() {
		if seen[id] {
			return true
		}
		seen[id] = true
	}
	return false
}
