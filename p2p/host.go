package p2p

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/fsutil"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	yamux "github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
)

// Defaults for Config fields left zero.
const (
	// DefaultListen is the node's default listen address (`cairn node`).
	DefaultListen      = "/ip4/0.0.0.0/tcp/30345"
	DefaultMaxInbound  = 64
	DefaultMaxOutbound = 16
	DefaultMaxPerIP    = 8
	DefaultBanDuration = 24 * time.Hour
)

// Files kept in Config.DataDir.
const (
	KeyFile   = "p2p.key"    // the host's identity key (libp2p protobuf, mode 0600)
	PeersFile = "peers.json" // the peer store
	BansFile  = "bans.json"  // the ban list
)

// Chain is what the network reads from the block chain; *chain.Chain
// satisfies it.
type Chain interface {
	Genesis() *core.Genesis
	GenesisHash() core.Hash
	Tip() chain.TipInfo
	HasBlock(core.Hash) bool
	IsInvalid(core.Hash) bool
	BlockByHash(core.Hash) (*chain.BlockInfo, error)
	Locator() []core.Hash
	HeadersAfter(locator []core.Hash, stop core.Hash, max int) []core.Header
	CheckHeaders([]core.Header) (int, error)
}

var _ Chain = (*chain.Chain)(nil)

// Config wires a Network. Chain, SubmitBlock, SubmitTxs and HasTx are
// required; the rest is optional.
type Config struct {
	// DataDir holds the identity key, the peer store and the ban list.
	// Empty: a fresh identity each start and nothing persisted.
	DataDir string
	// Listen are multiaddrs to listen on (e.g. DefaultListen, or
	// /ip4/127.0.0.1/tcp/0 in tests). Empty: dial out only.
	Listen []string
	// Peers are bootstrap multiaddrs, each ending in /p2p/<peer ID>.
	Peers []string

	Chain Chain
	// SubmitBlock processes a block from a peer (node.SubmitBlock).
	SubmitBlock func(*core.Block) (*chain.Result, error)
	// SubmitTxs admits txs from a peer into the mempool, returning one
	// error or nil per tx (node.SubmitTxs).
	SubmitTxs func([]*core.Tx) []error
	// HasTx reports whether the mempool holds a tx (mempool.Pool.Has).
	HasTx func(core.Hash) bool
	// GetTx returns a pooled tx (mempool.Pool.Get) and PoolTxs up to
	// limit pooled txs (mempool.Pool.Txs). Both are needed to serve
	// mempool reconciliation; without them this node only fetches.
	GetTx   func(core.Hash) (*core.Tx, bool)
	PoolTxs func(limit int) []*core.Tx

	Logger *slog.Logger
	// Connection limits: peers dialled out (DefaultMaxOutbound), peers
	// accepted (DefaultMaxInbound), connections per IPv4 address or IPv6
	// /56 (DefaultMaxPerIP; loopback is exempt, as in libp2p's resource
	// manager, so a devnet of many nodes on 127.0.0.1 works).
	MaxInbound, MaxOutbound, MaxPerIP int
	// BanDuration is how long a misbehaving peer is banned.
	BanDuration time.Duration
	// Now is the clock of bans and peer-store times (default time.Now).
	Now func() time.Time
	// UserAgent is announced by libp2p's identify (default "cairn").
	UserAgent string
	// DisablePEX turns off peer exchange (asking peers for their peers).
	DisablePEX bool
	// DisableReconcile turns off the mempool reconciliation on connect.
	DisableReconcile bool
	// DisableCompactRelay makes the node relay full blocks only, as a
	// protocol-v1 node (it does not join the compact block topic).
	DisableCompactRelay bool
	// Allowlist makes the network private: only these peers are accepted,
	// dialled or learnt by peer exchange (the --peer-allowlist file's
	// entries, see ParseAllowlist; an empty non-nil list admits none).
	// With a DataDir the live list is AllowlistFile there: see
	// allowlist.go for which one applies at a start. nil: no list given.
	Allowlist []AllowEntry
	// SwarmKey, if set, is the private network's pre-shared key (see
	// ParseSwarmKey): peers without it cannot finish a handshake.
	SwarmKey []byte
}

// Network is a node's peer-to-peer layer: a libp2p host, the status
// handshake, the gossip topics, header-first sync, the peer store and the
// ban list. Create it with New, run it with Run.
type Network struct {
	cfg Config
	// blockVal serialises the block validator's processing (the node
	// processes blocks one at a time anyway), so that a ban recorded by
	// one validation is seen by every validation queued behind it.
	blockVal sync.Mutex
	log      *slog.Logger
	host     host.Host
	ps       *pubsub.PubSub
	gater    *gater
	bans     *banList
	// partition (the devnet's filter) and allow (the peer allowlist, nil
	// without one) are policies of gater.
	partition *filterPolicy
	allow     *allowlist
	book      *peerBook
	genesis   core.Hash
	g         *core.Genesis

	blocks, txs *pubsub.Topic
	cmpct       *compactRelay // compact block relay (compact_relay.go)
	protoRPC    string

	ctx    context.Context // lifetime of the host and everything it starts
	cancel context.CancelFunc
	wg     sync.WaitGroup // goroutines started by the network

	// closeMu guards calls into the node: held for reading around each
	// call; Close takes it for writing so no call runs after Close.
	closeMu sync.RWMutex
	closed  bool

	mu    sync.Mutex
	peers map[peer.ID]*peerState

	sync  *syncer
	txOut *txQueue
	dialC chan struct{}

	// claimed are the IDs of gossiped txs a validator is submitting now
	// (see claimTxs).
	claimMu sync.Mutex
	claimed map[core.Hash]struct{}
}

// New creates the host and starts listening; Run starts the services.
func New(cfg Config) (*Network, error) {
	switch {
	case cfg.Chain == nil:
		return nil, errors.New("p2p: Config.Chain is required")
	case cfg.SubmitBlock == nil:
		return nil, errors.New("p2p: Config.SubmitBlock is required")
	case cfg.SubmitTxs == nil:
		return nil, errors.New("p2p: Config.SubmitTxs is required")
	case cfg.HasTx == nil:
		return nil, errors.New("p2p: Config.HasTx is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxInbound <= 0 {
		cfg.MaxInbound = DefaultMaxInbound
	}
	if cfg.MaxOutbound <= 0 {
		cfg.MaxOutbound = DefaultMaxOutbound
	}
	if cfg.MaxPerIP <= 0 {
		cfg.MaxPerIP = DefaultMaxPerIP
	}
	if cfg.BanDuration <= 0 {
		cfg.BanDuration = DefaultBanDuration
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "cairn"
	}
	n := &Network{
		cfg: cfg, log: cfg.Logger.With("component", "p2p"),
		genesis: cfg.Chain.GenesisHash(), g: cfg.Chain.Genesis(),
		peers: map[peer.ID]*peerState{}, dialC: make(chan struct{}, 1), claimed: map[core.Hash]struct{}{},
	}
	if n.g == nil {
		return nil, errors.New("p2p: Config.Chain has no genesis")
	}
	var err error
	path := func(name string) string {
		if cfg.DataDir == "" {
			return ""
		}
		return filepath.Join(cfg.DataDir, name)
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("p2p: create data dir: %w", err)
		}
	}
	if n.bans, err = newBanList(path(BansFile), cfg.Now); err != nil {
		return nil, err
	}
	if n.book, err = newPeerBook(path(PeersFile), cfg.Now); err != nil {
		return nil, err
	}
	for _, s := range cfg.Peers {
		ai, err := parsePeerAddr(s)
		if err != nil {
			return nil, fmt.Errorf("p2p: bootstrap peer: %w", err)
		}
		n.book.add(ai, sourceBootstrap)
	}
	key, err := loadKey(path(KeyFile))
	if err != nil {
		return nil, err
	}
	if n.allow, err = loadAllowlist(path(AllowlistFile), cfg.Allowlist, n.log); err != nil {
		return nil, err
	}
	if err := n.checkBootstrapAllowed(); err != nil {
		return nil, err
	}
	n.partition = &filterPolicy{}
	if n.allow != nil {
		n.gater = newGater(n.bans, n.partition, n.allow)
	} else {
		n.gater = newGater(n.bans, n.partition)
	}
	if err := n.newHost(key); err != nil {
		return nil, err
	}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	n.protoRPC = RPCProtocol(n.genesis)
	n.sync = newSyncer(n)
	n.txOut = newTxQueue()
	n.host.SetStreamHandler(protoStatus, n.handleStatus)
	n.host.SetStreamHandler(protocolID(n.protoRPC), n.handleRPC)
	if err := n.startGossip(); err != nil {
		n.cancel()
		n.host.Close()
		return nil, err
	}
	n.host.Network().Notify(&network.NotifyBundle{ConnectedF: n.onConnected, DisconnectedF: n.onDisconnected})
	n.log.Info("p2p host started", "peer_id", n.host.ID(), "listen", n.Addrs())
	return n, nil
}

func (n *Network) newHost(key crypto.PrivKey) error {
	cfg := n.cfg
	extraOut := 8 // headroom for manual connects (POST /peers) above the dial target
	limits := rcmgr.PartialLimitConfig{System: rcmgr.ResourceLimits{
		ConnsInbound:  rcmgr.LimitVal(cfg.MaxInbound),
		ConnsOutbound: rcmgr.LimitVal(cfg.MaxOutbound + extraOut),
		Conns:         rcmgr.LimitVal(cfg.MaxInbound + cfg.MaxOutbound + extraOut),
	}}.Build(rcmgr.DefaultLimits.AutoScale())
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(limits),
		rcmgr.WithLimitPerSubnet(
			[]rcmgr.ConnLimitPerSubnet{{PrefixLength: 32, ConnCount: cfg.MaxPerIP}},
			[]rcmgr.ConnLimitPerSubnet{{PrefixLength: 56, ConnCount: cfg.MaxPerIP}}),
		rcmgr.WithMetricsDisabled())
	if err != nil {
		return fmt.Errorf("p2p: resource manager: %w", err)
	}
	total := cfg.MaxInbound + cfg.MaxOutbound
	cm, err := connmgr.NewConnManager(total, total+extraOut, connmgr.WithGracePeriod(time.Minute))
	if err != nil {
		return fmt.Errorf("p2p: connection manager: %w", err)
	}
	opts := []libp2p.Option{
		libp2p.Identity(key),
		// Without port reuse: outbound connections come from ephemeral
		// ports. With it, two nodes dialling each other at once (peer
		// exchange makes that common) bind the same two ports, the SYNs
		// cross into one TCP connection on which both sides start Noise as
		// the initiator, and both handshakes fail; its use, hole punching
		// through NATs, is not something a Cairn node does.
		libp2p.Transport(tcp.NewTCPTransport, tcp.DisableReuseport()),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.ResourceManager(rm),
		libp2p.ConnectionManager(cm),
		libp2p.ConnectionGater(n.gater),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
		libp2p.UserAgent(cfg.UserAgent),
	}
	if len(cfg.SwarmKey) > 0 {
		if len(cfg.SwarmKey) != 32 {
			rm.Close()
			return fmt.Errorf("p2p: swarm key: %d bytes, want 32", len(cfg.SwarmKey))
		}
		opts = append(opts, libp2p.PrivateNetwork(cfg.SwarmKey))
	}
	if len(cfg.Listen) == 0 {
		opts = append(opts, libp2p.NoListenAddrs)
	} else {
		opts = append(opts, libp2p.ListenAddrStrings(cfg.Listen...))
	}
	h, err := libp2p.New(opts...)
	if err != nil {
		rm.Close()
		return fmt.Errorf("p2p: start host on %v: %w", cfg.Listen, err)
	}
	n.host = h
	return nil
}

// loadKey reads the identity key at path, creating it (mode 0600) if
// missing. An empty path gives a fresh key.
func loadKey(path string) (crypto.PrivKey, error) {
	if path != "" {
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			k, err := crypto.UnmarshalPrivateKey(data)
			if err != nil {
				return nil, fmt.Errorf("p2p: identity key %s: %w", path, err)
			}
			return k, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("p2p: read identity key: %w", err)
		}
	}
	k, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		return nil, fmt.Errorf("p2p: generate identity key: %w", err)
	}
	if path == "" {
		return k, nil
	}
	data, err := crypto.MarshalPrivateKey(k)
	if err != nil {
		return nil, err
	}
	if err := fsutil.WriteFileAtomic(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("p2p: write identity key: %w", err)
	}
	return k, nil
}

// Run runs the network's services (dialling, sync, tx broadcast, peer
// exchange, persistence) until ctx is done, then closes the host. The
// host listens and answers peers from New on; blocks and txs from peers
// reach the node even before Run.
func (n *Network) Run(ctx context.Context) error {
	n.goFn(n.dialLoop)
	n.goFn(n.sync.run)
	n.goFn(n.publishLoop)
	n.goFn(n.maintainLoop)
	n.goFn(n.identifyLoop)
	select {
	case <-ctx.Done():
	case <-n.ctx.Done():
	}
	return n.Close()
}

// goFn runs f in a tracked goroutine with the network's context.
func (n *Network) goFn(f func(ctx context.Context)) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		f(n.ctx)
	}()
}

// Close stops everything and closes the host; it waits until no call into
// the node (SubmitBlock, SubmitTxs, ...) is running and none can start.
// It is safe to call more than once.
func (n *Network) Close() error {
	n.closeMu.Lock()
	if n.closed {
		n.closeMu.Unlock()
		return nil
	}
	n.closed = true
	n.closeMu.Unlock()
	n.cancel()
	err := n.host.Close()
	n.wg.Wait()
	if serr := n.book.save(); serr != nil && err == nil {
		err = serr
	}
	return err
}

// enter is held around every call into the node; it fails once Close has
// started.
func (n *Network) enter() bool {
	n.closeMu.RLock()
	if n.closed {
		n.closeMu.RUnlock()
		return false
	}
	return true
}

func (n *Network) exit() { n.closeMu.RUnlock() }

var errClosed = errors.New("p2p: network closed")

// submitBlock passes a block to the node unless the network is closing.
func (n *Network) submitBlock(blk *core.Block) (*chain.Result, error) {
	if !n.enter() {
		return nil, errClosed
	}
	defer n.exit()
	return n.cfg.SubmitBlock(blk)
}

func (n *Network) submitTxs(txs []*core.Tx) []error {
	if !n.enter() {
		errs := make([]error, len(txs))
		for i := range errs {
			errs[i] = errClosed
		}
		return errs
	}
	defer n.exit()
	return n.cfg.SubmitTxs(txs)
}

func (n *Network) blockByHash(h core.Hash) (*core.Block, bool) {
	if !n.enter() {
		return nil, false
	}
	defer n.exit()
	bi, err := n.cfg.Chain.BlockByHash(h)
	if err != nil {
		return nil, false
	}
	return bi.Block, true
}

// ID returns the host's peer ID.
func (n *Network) ID() string { return n.host.ID().String() }

// Host returns the libp2p host (for tests and tools).
func (n *Network) Host() host.Host { return n.host }

// Addrs returns the host's listen multiaddrs, each ending in /p2p/<ID>.
func (n *Network) Addrs() []string {
	suffix, _ := ma.NewMultiaddr("/p2p/" + n.host.ID().String())
	var out []string
	for _, a := range n.host.Addrs() {
		out = append(out, a.Encapsulate(suffix).String())
	}
	return out
}

// parsePeerAddr parses a multiaddr ending in /p2p/<peer ID>.
func parsePeerAddr(s string) (peer.AddrInfo, error) {
	a, err := ma.NewMultiaddr(s)
	if err != nil {
		return peer.AddrInfo{}, fmt.Errorf("address %q: %w", s, err)
	}
	ai, err := peer.AddrInfoFromP2pAddr(a)
	if err != nil {
		return peer.AddrInfo{}, fmt.Errorf("address %q needs a /p2p/<peer ID> part: %w", s, err)
	}
	return *ai, nil
}
