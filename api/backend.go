package api

import (
	"context"
	"math/big"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/events"
	"github.com/cairn-chain/cairn/state"
)

// Backend is what the API serves: the node's parts, seen through the small
// interfaces below. The API does not import package node (node imports
// api) nor the packages behind these interfaces (chain, mempool, miner,
// store, the PoW engine); the node fills this in (node.Node.APIBackend).
type Backend struct {
	Genesis   *core.Genesis // required
	Chain     Chain         // required
	Pool      Pool          // required
	Miner     Miner         // required
	Assets    Assets        // required: native assets and unique items
	Contracts Contracts     // required: contracts
	Events    *events.Bus   // required
	// Anchors serves GET /api/v1/anchors, the topic anchor index.
	// Optional: without it the route is not registered.
	Anchors Anchors
	// SubmitTxs admits txs to the mempool (and relays them), returning one
	// error or nil per tx. Required.
	SubmitTxs func([]*core.Tx) []error
	// SubmitTxsDurable is SubmitTxs that returns once the admitted txs
	// are stored durably (?durable=true). Optional: without it SubmitTxs
	// is taken to be durable already.
	SubmitTxsDurable func([]*core.Tx) []error
	// Difficulty is the difficulty of compact bits (pow_limit / target),
	// shown by GET /status. Optional: without it the difficulty is 0.
	Difficulty func(bits uint32) float64
	// Consensus, for a chain with a signer set (proof of authority),
	// serves the signers and votes of GET /api/v1/consensus and POST
	// /api/v1/consensus/votes. Optional: without it the chain is shown
	// as proof of work and votes are refused.
	Consensus Consensus
	// Permissions serves GET /api/v1/permissions on a chain whose genesis
	// has permissions. Optional: without it that answers 503.
	Permissions Permissions
	// MineOne mines one block on the tip now, paying addr (the miner's
	// configured address when zero), and submits it (GET /mine).
	// Optional: without it GET /mine answers 503.
	MineOne func(ctx context.Context, addr core.Address) (*core.Block, error)

	// The peer-to-peer layer, all optional.
	PeerID  string             // this node's peer ID
	Listen  func() []string    // this node's multiaddrs
	Peers   func() []wire.Peer // connected peers
	Syncing func() bool        // whether the node is catching up
	// SyncProgress, if set, adds the catch-up progress to GET /status.
	SyncProgress func() wire.SyncProgress
	// Bans, if set, serves GET /api/v1/peers/bans.
	Bans func() []wire.Ban
	// RefusedConnections, if set, counts the inbound connections refused
	// after the secured handshake (MetricRefused).
	RefusedConnections func() uint64
	// Allowlist, if set, serves the admin routes of the peer allowlist
	// (/api/v1/peers/allowlist).
	Allowlist PeerAllowlist
	// AddPeer connects to a multiaddr and remembers it (POST /peers and
	// POST /nodes/register, registered only when set).
	AddPeer func(ctx context.Context, addr string) error
	// Resolve asks the peers for their tips and syncs to the most-work
	// valid chain (GET /nodes/resolve, registered only when set).
	Resolve func(ctx context.Context) (replaced bool, err error)
	// Devnet, when set (under `cairn devnet`, on the first node), adds
	// the fault controls under /devnet/.
	Devnet DevnetControl
}

// Chain is what the API reads of the chain. Lookups of something unknown
// fail with a core.CodeNotFound rule error.
type Chain interface {
	Tip() Tip
	GenesisHash() core.Hash
	// Reorgs counts the reorgs since the node started.
	Reorgs() uint64
	// Account is an account's confirmed state at the tip.
	Account(core.Address) (core.Account, error)
	BlockByHash(core.Hash) (*BlockInfo, error)
	// BlockByHeight is the main chain's block at a height.
	BlockByHeight(uint64) (*BlockInfo, error)
	// SummaryByHeight is the header, hash and tx count of the main
	// chain's block at a height, without decoding its txs.
	SummaryByHeight(uint64) (core.Header, core.Hash, int, error)
	// Tx is a confirmed tx by ID.
	Tx(core.Hash) (*TxInfo, error)
	// TxProof is a confirmed tx's inclusion proof.
	TxProof(core.Hash) (*Proof, error)
	// AddressTxs lists the confirmed txs that an address sent or
	// received, newest first, starting below before (nil: the newest).
	AddressTxs(a core.Address, before *TxLoc, limit int) ([]TxLoc, error)
}

// Tip is the main chain's tip.
type Tip struct {
	Hash        core.Hash
	Height      uint64
	Header      core.Header
	TotalWork   *big.Int
	StateDigest core.Hash
}

// BlockInfo is a stored block with what the API shows beside it.
type BlockInfo struct {
	Block     *core.Block
	Hash      core.Hash
	MainChain bool
	// Confirmations is 1 for the tip, 0 off the main chain.
	Confirmations uint64
	Reward, Fees  uint64
	Size          int
}

// TxInfo is a confirmed tx with its place in the main chain.
type TxInfo struct {
	Tx            *core.Tx
	BlockHash     core.Hash
	Height        uint64
	Index         uint32
	Confirmations uint64
	Receipt       state.Receipt
}

// TxLoc is where a confirmed tx is: its block's height, its index there,
// and its ID (an entry of an address's history, and its cursor).
type TxLoc struct {
	Height uint64
	Index  uint32
	ID     core.Hash
}

// Proof is an RFC 6962 inclusion proof of a tx in its block's tx_root.
type Proof struct {
	TxID      core.Hash
	BlockHash core.Hash
	Height    uint64
	TxRoot    core.Hash
	Index     uint32
	Size      uint32 // txs in the block
	Branch    []core.Hash
}

// Pool is what the API reads of the mempool.
type Pool interface {
	Count() int
	Bytes() int
	Get(id core.Hash) (*core.Tx, bool)
	Has(id core.Hash) bool
	// Pending lists the pending txs an address sent, in nonce order.
	Pending(a core.Address) []*core.Tx
	// PendingState is an address's balance and next nonce with the
	// mempool's txs applied.
	PendingState(a core.Address) (balance, nextNonce uint64, err error)
	// Txs lists up to limit txs in the order a miner would take them.
	Txs(limit int) []*core.Tx
}

// Miner is the node's miner, as GET and POST /api/v1/mining see it.
type Miner interface {
	Stats() MinerStats
	SetEnabled(bool)
	// SetThreads sets the mining goroutines (0: all cores).
	SetThreads(int)
	SetAddress(core.Address)
	// MaxThreads is the most threads SetThreads takes.
	MaxThreads() int
}

// MinerStats is the miner's state.
type MinerStats struct {
	Enabled     bool
	Threads     int
	Address     core.Address // zero: none
	HashRate    float64      // hashes per second, smoothed
	BlocksMined uint64       // blocks this node's miner found since it started
}
