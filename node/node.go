package node

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/engines"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/events"
	"github.com/cairn-chain/cairn/explorer"
	"github.com/cairn-chain/cairn/mempool"
	"github.com/cairn-chain/cairn/miner"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/cairn-chain/cairn/state"
	"github.com/cairn-chain/cairn/store"
	"github.com/cairn-chain/cairn/store/pebble"
	"github.com/cairn-chain/cairn/vm"
	"golang.org/x/sync/errgroup"
)

// Config configures a Node.
type Config struct {
	DataDir string        // required: holds db/ and genesis.json
	Genesis *core.Genesis // required on first start; must match the stored one afterwards (nil: use the stored one)
	// Mine starts the miner paying MinerAddress with Threads threads
	// (0: all cores).
	Mine         bool
	MinerAddress core.Address
	Threads      int
	// MaxHashRate caps the miner's hashes per second (0: no cap).
	MaxHashRate float64
	// CacheBytes is the database's memory off the Go heap: Pebble's block
	// cache, which holds its memtables too (0: store/pebble's default).
	CacheBytes int64
	// MemTableBytes is the database's memtable size (0: Pebble's default;
	// see pebble.Options.MemTableBytes).
	MemTableBytes int64
	Logger        *slog.Logger     // optional
	Now           func() time.Time // optional clock, default time.Now
	// APIAddr is the REST API's listen address (host:port; port 0 picks
	// one). Empty: no API. The default for `cairn node` is 127.0.0.1:8645.
	APIAddr string
	// Version is reported by the API's /status.
	Version string
	// Listen are the peer-to-peer listen multiaddrs; empty: no network
	// (a standalone node). `cairn node` defaults to p2p.DefaultListen.
	Listen []string
	// Peers are multiaddrs of peers to connect to at start.
	Peers []string
	// PeerAllowlist makes the node private: only these peers connect
	// (p2p.Config.Allowlist: the --peer-allowlist file's entries; nil
	// when none is given, though a list kept in the data dir still
	// applies).
	PeerAllowlist []p2p.AllowEntry
	// FullBlocksOnly relays blocks whole, as a node before compact block
	// relay did (p2p.Config.DisableCompactRelay): for comparing the two.
	FullBlocksOnly bool
	// SwarmKey is the private network's pre-shared key
	// (p2p.ParseSwarmKey), nil for none.
	SwarmKey []byte
	// Devnet adds the devnet fault controls to the API.
	Devnet api.DevnetControl
	// OnBlock, if set, is called after every block submission that
	// moved the tip, with the chain's result (for events and tests).
	OnBlock func(*chain.Result)
	// MaxReorgDepth, if above 0, refuses a reorg that would disconnect
	// more main-chain blocks (chain.Config.MaxReorgDepth): the heavier
	// branch is kept as a side branch and a warning is logged. A local
	// policy, not consensus; 0 (the default) allows any depth.
	MaxReorgDepth int
	// SignerKey is the key this node seals blocks with on a
	// proof-of-authority chain (one of the genesis's signers, or one voted
	// in); nil: the node follows the chain without sealing.
	SignerKey ed25519.PrivateKey
	// VMInterpreter runs contracts on wazero's interpreter instead of its
	// compiler: the same results and gas, slower (for platforms the
	// compiler does not support, or to cross-check it).
	VMInterpreter bool
	// Resync moves the existing database (damaged, say) aside to
	// db.corrupt-<time> in the data directory, keeping it, and starts a
	// new one from genesis that syncs from peers. The node's identity,
	// peer and ban lists and genesis.json are kept.
	Resync bool
	// MinFreeDisk is the free space the database keeps on its disk: below
	// it the node stops writing (blocks are not stored, txs are refused
	// with 503 unavailable) until space is freed. 0 means
	// pebble.DefaultMinFreeBytes; negative turns the check off.
	MinFreeDisk int64
	// TxSyncWindow bounds how long a tx acknowledged by SubmitLocalTxs
	// (a 202 from POST /txs) may stay unwritten: an acknowledgement is
	// given only while every one older than the window is durable (0:
	// DefaultTxSyncWindow). SubmitLocalTxsDurable waits for the write.
	TxSyncWindow time.Duration
	// APIRate is the API's rate limit in txs/s per client IP
	// (api.Config.RateLimit: 0 the default, negative no limit), and
	// APIRateLoopback applies it to loopback clients too.
	APIRate         float64
	APIRateLoopback bool

	// storeOptions, if set, adjusts the database options (tests inject a
	// small disk with it).
	storeOptions func(*pebble.Options)
}

// ErrDatabaseDamaged is wrapped by New's error when the database's files
// are missing, truncated or fail their checksums, or the stored chain
// contradicts itself. `cairn node --resync` (Config.Resync) rebuilds it.
var ErrDatabaseDamaged = errors.New("node: the database is damaged")

// Node is a running full node's core: store, chain, mempool, miner.
type Node struct {
	cfg    Config
	log    *slog.Logger
	kv     store.KV
	DB     *store.DB
	Engine consensus.Engine // built from the genesis by consensus/engines
	// Sealer seals the blocks this node mines (the engine's).
	Sealer  consensus.Sealer
	Chain   *chain.Chain
	Pool    *mempool.Pool
	Miner   *miner.Miner
	Genesis *core.Genesis
	Events  *events.Bus
	// VM runs the chain's contracts (shared by the chain and the mempool).
	VM *vm.VM

	// API is the REST API server (nil without Config.APIAddr); apiLn its
	// bound listener and Token the admin token written to api.token.
	API   *api.Server
	apiLn net.Listener
	Token string
	// Net is the peer-to-peer network (nil without Config.Listen).
	Net *p2p.Network
	// MovedDB is where Config.Resync moved the old database ("" if there
	// was none).
	MovedDB string

	submitMu sync.Mutex // serialises block processing with the mempool update
	flusher  *txFlusher // writes the mempool's queued changes (txflush.go)
	// writeErrLogged maps a kind of write (a string) to when its failure
	// was last logged (*atomic.Int64 of unix ns): one line every few
	// seconds, not one per attempt.
	writeErrLogged sync.Map
}

// genesisFile is the genesis copy kept in the data directory, and
// dbDirName the database's directory there.
const (
	genesisFile = "genesis.json"
	dbDirName   = "db"
)

// openError explains an error opening the database: damaged files or an
// inconsistent stored chain get the remedy.
func openError(dbDir string, err error) error {
	if errors.Is(err, store.ErrCorrupt) {
		return &damagedDBError{dir: dbDir, err: err}
	}
	return fmt.Errorf("node: open the database in %s: %w", dbDir, err)
}

// damagedDBError is openError's error for a damaged database.
type damagedDBError struct {
	dir string
	err error
}

func (e *damagedDBError) Error() string {
	detail := strings.TrimPrefix(e.err.Error(), "store/pebble: the database in "+e.dir+" is damaged: ")
	return fmt.Sprintf("node: the database in %s is damaged: %s; run `cairn node --resync` to move it aside (it is kept) and rebuild it from peers", e.dir, detail)
}

func (e *damagedDBError) Unwrap() []error { return []error{ErrDatabaseDamaged, e.err} }

// New opens (or creates) the node's data directory.
func New(cfg Config) (*Node, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("node: Config.DataDir is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("node: create data dir: %w", err)
	}
	dbDir := filepath.Join(cfg.DataDir, dbDirName)
	g, writeGenesis, err := resolveGenesis(cfg.DataDir, cfg.Genesis)
	if err != nil {
		return nil, err
	}
	eng, err := engines.New(g)
	if err != nil {
		return nil, err
	}
	sealer, err := engines.NewSealerWith(eng, engines.SealerConfig{SignerKey: cfg.SignerKey})
	switch {
	case errors.Is(err, engines.ErrNoSignerKey) && cfg.Mine:
		return nil, fmt.Errorf("node: a proof-of-authority chain is sealed by its signers: give this node a signer's key (cairn node --signer NAME) to produce blocks")
	case errors.Is(err, engines.ErrNoSignerKey):
		sealer = noSealer{} // a follower: it validates and relays, never seals
	case err != nil:
		return nil, err
	}
	var moved string
	if cfg.Resync {
		if moved, err = pebble.MoveAside(dbDir, "corrupt-"+cfg.Now().UTC().Format("20060102T150405Z")); err != nil {
			return nil, fmt.Errorf("node: --resync: %w", err)
		}
		if moved != "" {
			cfg.Logger.Warn("resync: the old database was moved aside and is kept; a new one starts from genesis and syncs from peers",
				"moved_to", moved)
		}
	}
	opts := pebble.Options{CacheBytes: cfg.CacheBytes, MemTableBytes: cfg.MemTableBytes, Logger: cfg.Logger, MinFreeBytes: cfg.MinFreeDisk}
	if cfg.storeOptions != nil {
		cfg.storeOptions(&opts)
	}
	kv, err := pebble.Open(dbDir, opts)
	if err != nil {
		return nil, openError(dbDir, err)
	}
	n := &Node{cfg: cfg, log: cfg.Logger, kv: kv, Engine: eng, Sealer: sealer, Genesis: g, Events: events.NewBus(0), MovedDB: moved}
	if err := n.open(); err != nil {
		n.closeStores()
		return nil, openError(dbDir, err)
	}
	if writeGenesis {
		if err := storeGenesis(cfg.DataDir, g); err != nil {
			n.closeStores()
			return nil, err
		}
	}
	if len(cfg.Listen) > 0 {
		n.Net, err = p2p.New(p2p.Config{
			DataDir: cfg.DataDir, Listen: cfg.Listen, Peers: cfg.Peers, Chain: n.Chain,
			SubmitBlock: n.SubmitBlock, SubmitTxs: n.SubmitTxs,
			HasTx: n.Pool.Has, GetTx: n.Pool.Get, PoolTxs: n.Pool.Txs,
			Logger: n.log, Now: cfg.Now, UserAgent: "cairn/" + cfg.Version,
			Allowlist: cfg.PeerAllowlist, SwarmKey: cfg.SwarmKey, DisableCompactRelay: cfg.FullBlocksOnly,
		})
		if err != nil {
			n.closeStores()
			return nil, err
		}
	}
	if cfg.APIAddr != "" {
		if err := n.openAPI(); err != nil {
			n.closeNet()
			n.closeStores()
			return nil, err
		}
	}
	return n, nil
}

func (n *Node) closeNet() {
	if n.Net != nil {
		_ = n.Net.Close()
	}
}

// openAPI writes a fresh admin token and binds the API's listener, so the
// address is known (and a busy port reported) before Run.
func (n *Node) openAPI() error {
	tok, err := WriteAPIToken(n.cfg.DataDir)
	if err != nil {
		return err
	}
	n.Token = tok
	n.API, err = api.New(api.Config{Backend: n.APIBackend(), Token: tok, Version: n.cfg.Version, Logger: n.log, Explorer: explorer.Handler(),
		RateLimit: n.cfg.APIRate, RateLimitLoopback: n.cfg.APIRateLoopback})
	if err != nil {
		return err
	}
	n.apiLn, err = net.Listen("tcp", n.cfg.APIAddr)
	if err != nil {
		return fmt.Errorf("node: API listen on %s: %w", n.cfg.APIAddr, err)
	}
	return nil
}

// APIURL returns the REST API's base URL ("" without an API).
func (n *Node) APIURL() string {
	if n.apiLn == nil {
		return ""
	}
	return "http://" + n.apiLn.Addr().String()
}

func (n *Node) open() error {
	var err error
	if n.DB, err = store.New(n.kv); err != nil {
		return err
	}
	sigs := core.NewSigCache(1 << 18)
	p := n.Genesis.Contracts()
	if n.VM, err = vm.New(vm.Config{MaxMemoryPages: p.MaxMemoryPages, MaxCodeBytes: int(p.MaxCodeBytes), Interpreter: n.cfg.VMInterpreter,
		CompileCacheDir: filepath.Join(n.cfg.DataDir, VMCacheDir)}); err != nil {
		return err
	}
	rules := state.Rules{Genesis: n.Genesis, VM: n.VM}
	n.Chain, err = chain.New(chain.Config{Genesis: n.Genesis, Engine: n.Engine, DB: n.DB, Now: n.cfg.Now, SigCache: sigs, MaxReorgDepth: n.cfg.MaxReorgDepth, VM: n.VM})
	if err != nil {
		return err
	}
	n.Pool, err = mempool.New(mempool.Config{
		// The chain's reader: committed accounts and records come from its
		// caches (a Pebble read per admitted tx otherwise), never filled by
		// this lock-free reader (chain/accounts.go says why).
		ChainID: n.Genesis.ChainID, MinFee: n.Genesis.MinFee, State: n.Chain.State(), SigCache: sigs, Rules: rules,
		Persist: poolStore{n.DB}, AddressPrefix: n.Genesis.AddressPrefix,
	})
	if err != nil {
		return err
	}
	loaded, err := n.Pool.Load()
	if err != nil {
		return fmt.Errorf("node: load mempool: %w", err)
	}
	window := n.cfg.TxSyncWindow
	if window <= 0 {
		window = DefaultTxSyncWindow
	}
	n.flusher = startTxFlusher(n.Pool, window, n.cfg.Now, func(err error) { n.noteWriteError("mempool txs not stored", err) })
	n.Miner, err = miner.New(miner.Config{
		Chain: n.Chain, Txs: n.Pool, Sealer: n.Sealer, Submit: n.submitMined,
		Threads: n.cfg.Threads, Address: n.cfg.MinerAddress,
		MaxBlockBytes: int(n.Genesis.MaxBlockBytes), MaxBlockTxs: int(n.Genesis.MaxBlockTxs),
		MaxHashRate: n.cfg.MaxHashRate, Logger: n.log,
	})
	if err != nil {
		return err
	}
	n.Miner.SetEnabled(n.cfg.Mine)
	tip := n.Chain.Tip()
	n.log.Info("node opened", "chain", n.Genesis.ChainID, "genesis", n.Chain.GenesisHash(), "height", tip.Height,
		"tip", tip.Hash, "state_digest", tip.StateDigest, "mempool", loaded)
	return nil
}

// SubmitBlock processes a block (from the miner, the API or a peer) and
// moves the mempool and the miner with the chain.
func (n *Node) SubmitBlock(blk *core.Block) (*chain.Result, error) {
	n.submitMu.Lock()
	defer n.submitMu.Unlock()
	res, err := n.Chain.ProcessBlock(blk)
	n.afterBlocks(res)
	if err != nil && !core.IsRuleError(err) {
		if storageDown(err) {
			n.Pool.WriteFailed(err) // txs are refused, not acknowledged unwritten (before the log says so)
		}
		n.noteWriteError("block not stored", err)
	}
	return res, err
}

func (n *Node) afterBlocks(res *chain.Result) {
	if res != nil && res.RefusedReorg != nil {
		r := res.RefusedReorg
		n.log.Warn("reorg refused: a heavier branch forks deeper than the maximum reorg depth; it is kept as a side branch",
			"depth", r.Depth, "max_reorg_depth", r.Limit, "fork_height", r.ForkHeight, "fork", r.Fork,
			"branch_tip", r.Branch, "branch_height", r.BranchHeight)
	}
	if res == nil || res.NewTip == res.OldTip {
		return
	}
	n.Pool.UpdateKnown(res.Disconnected, res.Connected, known(res.DisconnectedTxs), known(res.ConnectedTxs))
	n.flusher.queued() // Update's deletes and returned txs
	n.Miner.TipChanged()
	tip := n.Chain.Tip()
	if res.Reorg() {
		n.log.Info("reorg", "depth", len(res.Disconnected), "old_tip", res.OldTip, "new_tip", res.NewTip)
		n.Events.Publish(wire.EventReorg, wire.ReorgEvent{OldTip: res.OldTip.String(), NewTip: res.NewTip.String(), Depth: len(res.Disconnected)})
	}
	last := res.Connected[len(res.Connected)-1]
	lvl := slog.LevelInfo
	if n.Net != nil && n.Net.Syncing() {
		lvl = slog.LevelDebug // the sync logs a progress line instead
	}
	n.log.Log(context.Background(), lvl, "new tip", "height", tip.Height, "hash", tip.Hash, "txs", len(last.Txs))
	n.Events.Publish(wire.EventBlock, wire.BlockEvent{Hash: tip.Hash.String(), Height: tip.Height, TxCount: len(last.Txs), Time: last.Header.Timestamp})
	n.publishContractEvents(res.Connected)
	if n.cfg.OnBlock != nil {
		n.cfg.OnBlock(res)
	}
}

func (n *Node) submitMined(blk *core.Block) error {
	res, err := n.SubmitBlock(blk)
	if err != nil {
		return err
	}
	n.announce(blk)
	if res.Status != chain.StatusMainChain {
		return fmt.Errorf("node: mined block %s became %v", res.Hash, res.Status)
	}
	return nil
}

// announce gossips a block this node made.
func (n *Node) announce(blk *core.Block) {
	if n.Net == nil {
		return
	}
	if err := n.Net.AnnounceBlock(blk); err != nil {
		n.log.Warn("announce block", "hash", blk.Hash(), "err", err)
	}
}

// SubmitLocalTxs admits txs from this node's users (the API) and gossips
// the admitted ones. An admitted tx is written to the database by the
// background group commit; the acknowledgement (nil) promises that it is
// durable within the TxSyncWindow: it is given only while every tx
// acknowledged more than the window earlier is durable (otherwise this
// call waits for the write). SubmitLocalTxsDurable waits for the write.
// Txs from peers go through SubmitTxs, which does not gossip (the gossip
// layer relays what its validators accept).
func (n *Node) SubmitLocalTxs(txs []*core.Tx) []error {
	errs := n.admit(txs, false)
	if err := n.flusher.acked(); err != nil {
		// An earlier acknowledgement is past the window and its write
		// failed: acknowledge nothing more.
		for i := range errs {
			if errs[i] == nil {
				errs[i] = unavailable(err)
			}
		}
	}
	return n.relay(txs, errs)
}

// SubmitLocalTxsDurable is SubmitLocalTxs that returns once the admitted
// txs are durable (a write shared with concurrent callers and the
// background writer); if the write fails they are not admitted.
func (n *Node) SubmitLocalTxsDurable(txs []*core.Tx) []error {
	return n.relay(txs, n.admit(txs, true))
}

// relay marks storage failures unavailable and gossips the admitted txs.
func (n *Node) relay(txs []*core.Tx, errs []error) []error {
	for i, err := range errs {
		errs[i] = unavailable(err)
	}
	if n.Net != nil {
		var ok []*core.Tx
		for i, err := range errs {
			if err == nil {
				ok = append(ok, txs[i])
			}
		}
		if len(ok) > 0 {
			n.Net.BroadcastTxs(ok)
		}
	}
	return errs
}

// SubmitTx admits a tx to the mempool and returns once it is stored.
func (n *Node) SubmitTx(tx *core.Tx) error {
	return n.admit([]*core.Tx{tx}, true)[0]
}

// SubmitTxs admits txs (from peers) to the mempool, returning one error
// (or nil) per tx. They are written by the background group commit, not
// waited for: a gossiped tx lost in a crash can be fetched from peers
// again.
func (n *Node) SubmitTxs(txs []*core.Tx) []error {
	return n.admit(txs, false)
}

// admit admits txs, durably (stored before it returns) or queued for the
// background writer, and publishes their events.
func (n *Node) admit(txs []*core.Tx, durable bool) []error {
	var errs []error
	if durable {
		errs = n.Pool.AddBatch(txs)
	} else {
		errs = n.Pool.AddBatchDeferred(txs)
	}
	for _, err := range errs {
		if err != nil && !core.IsRuleError(err) {
			n.noteWriteError("txs not admitted", err)
			break
		}
	}
	admitted := false
	p := n.Genesis.AddressPrefix
	for i, err := range errs {
		if err != nil {
			continue
		}
		admitted = true
		tx := txs[i]
		// Encoded (hashes, bech32, JSON) only if a client reads it.
		n.Events.PublishFunc(wire.EventTx, func() any {
			ev := wire.TxEvent{ID: tx.ID().String(), Kind: tx.Kind.String(), From: tx.Sender().Encode(p), Amount: tx.Amount, Fee: tx.Fee}
			if tx.Version == core.TxVersion {
				ev.To = tx.To.Encode(p)
			}
			return ev
		})
	}
	if admitted {
		n.flusher.queued()
		n.Miner.TxsAdded() // the miner takes them in at its next template
	}
	return errs
}

// MineOne mines one block now on the current tip (paying the configured
// miner address, or addr if not zero) and submits it.
func (n *Node) MineOne(ctx context.Context, addr core.Address) (*core.Block, error) {
	if addr.IsZero() {
		addr = n.Miner.Stats().Address
	}
	blk, err := miner.MineOne(ctx, n.Chain, n.Pool, n.Sealer, addr, n.cfg.Threads, int(n.Genesis.MaxBlockBytes), int(n.Genesis.MaxBlockTxs))
	if err != nil {
		return nil, err
	}
	if _, err := n.SubmitBlock(blk); err != nil {
		return nil, unavailable(err)
	}
	n.announce(blk)
	return blk, nil
}

// Run runs the miner and retries held blocks until ctx is done.
func (n *Node) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return n.Miner.Run(ctx) })
	if n.API != nil {
		ln := n.apiLn
		g.Go(func() error { return n.API.Serve(ctx, ln) })
	}
	if n.Net != nil {
		g.Go(func() error { return n.Net.Run(ctx) })
	}
	g.Go(func() error {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				n.submitMu.Lock()
				res, err := n.Chain.RetryHeld()
				n.afterBlocks(res)
				n.submitMu.Unlock()
				if err != nil {
					n.log.Warn("held block rejected", "err", err)
				}
			}
		}
	})
	return g.Wait()
}

// Close closes the database (and the API listener if Run never served
// it). Call it after Run has returned.
func (n *Node) Close() error {
	if n.apiLn != nil {
		n.apiLn.Close()
	}
	n.closeNet() // waits until no call from the network into the node is running
	return n.closeStores()
}

// VMCacheDir is the data directory's cache of compiled contract code
// (wazero's; safe to delete: a node recompiles what it needs).
const VMCacheDir = "vmcache"

// closeStores writes the mempool's queued txs and closes the VM and the
// database.
func (n *Node) closeStores() error {
	if n.flusher != nil {
		_ = n.flusher.close() // a failure was logged; Load rechecks what is stored
	}
	if n.VM != nil {
		_ = n.VM.Close()
	}
	return n.kv.Close()
}

// publishContractEvents publishes the events of the contract txs of
// blocks just connected, in chain order (read back from their receipts).
func (n *Node) publishContractEvents(blocks []*core.Block) {
	for _, blk := range blocks {
		for _, tx := range blk.Txs {
			var c core.Address
			switch b := tx.Body.(type) {
			case *core.ContractCall:
				c = b.Contract
			case *core.ContractDeploy:
				c = core.ContractAddress(tx.Sender(), tx.Nonce)
			default:
				continue
			}
			ti, err := n.Chain.Tx(tx.ID())
			if err != nil {
				continue // already reorged out again
			}
			for i, e := range ti.Receipt.Events {
				n.Events.Publish(wire.EventContract, wire.ContractEvent{Contract: c.Encode(n.Genesis.AddressPrefix), TxID: ti.ID.String(),
					Height: ti.Height, Time: blk.Header.Timestamp, Index: i, Topic: core.ItemIDText([]byte(e.Topic)), Data: hex.EncodeToString(e.Data)})
			}
		}
	}
}

// noSealer is the sealer of a proof-of-authority node without a signer
// key: it refuses (its miner is never enabled).
type noSealer struct{}

func (noSealer) Seal(context.Context, core.Header, consensus.SealOptions) (core.Header, bool, error) {
	return core.Header{}, false, errors.New("node: this node has no signer key (cairn node --signer NAME)")
}
