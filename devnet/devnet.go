// Package devnet runs a local development chain in one process: it writes
// a devnet genesis funding a keystore wallet named "dev" (passphrase
// "dev", for development only), starts the node(s) mining, and reports
// progress. `cairn devnet` and tests use it.
package devnet

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/fsutil"
	"github.com/cairn-chain/cairn/wallet"
)

// Dev wallet defaults: printed to the user, never for real funds.
const (
	WalletName       = "dev"
	WalletPassphrase = "dev"
	ChainID          = "cairn-devnet"
	BlockTimeMs      = 5000 // default target block time
	// FundCoins is the dev wallet's genesis balance in coins.
	FundCoins = 1_000_000
	// expectedHashRate is one mining thread's rough hash rate, used to
	// pick initial bits near one block per BlockTimeMs; ASERT corrects it.
	expectedHashRate = 10_000_000
)

// Config configures a devnet.
type Config struct {
	Dir    string        // data directory (keystore, genesis, node dirs)
	Nodes  int           // number of nodes (default 3)
	Out    io.Writer     // progress and status lines
	Logger *slog.Logger  // node logs (optional)
	Status time.Duration // interval of status lines (default 2 s)
	// BlockTime is the target block time of a new devnet (default 5 s).
	BlockTime time.Duration
	// APIPort is node 0's API port on 127.0.0.1; node i uses APIPort+i.
	// 0 lets the system pick free ports.
	APIPort int
	// Threads is each node's mining threads (default 1).
	Threads int
	// MaxHashRate caps each node's hashes per second (0: no cap), so
	// mining leaves the cores to validation; a new devnet's initial
	// difficulty is set for that rate.
	MaxHashRate float64
	// FullBlocksOnly runs every node without compact block relay.
	FullBlocksOnly bool
	// MaxBlockBytes and MaxBlockTxs of a new devnet's genesis (0: core's
	// defaults).
	MaxBlockBytes, MaxBlockTxs uint64
	// Ready, if set, receives the devnet once every node is running.
	Ready func(*Devnet)
	// Consensus of a new devnet: "pow" (the default) or "poa", where every
	// node is a signer with its own key (<dir>/node<i>/signer.key) and the
	// block time is the PoA period. A resumed devnet keeps its genesis's.
	Consensus string
	// Private gives every node a peer allowlist of the devnet's nodes
	// (their peer IDs, from their identity keys), so no other peer can
	// connect to them (see p2p.Config.Allowlist).
	Private bool
	// Demo seeds a new devnet (not a resumed one) with a token and a
	// collection with an item, so the explorer shows assets from the first
	// minute. It uses the dev wallet's first nonces.
	Demo bool
}

// Run starts the devnet and blocks until ctx is done, then stops every
// node cleanly.
func Run(ctx context.Context, cfg Config) error {
	cfg.defaults()
	d, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	if cfg.Ready != nil {
		cfg.Ready(d)
	}
	t := time.NewTicker(cfg.Status)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			h := d.Stop()
			fmt.Fprintf(cfg.Out, "stopped at height %d\n", h)
			return nil
		case <-t.C:
			fmt.Fprintln(cfg.Out, d.StatusLine())
		}
	}
}

func (cfg *Config) defaults() {
	if cfg.Nodes == 0 {
		cfg.Nodes = 3
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Status <= 0 {
		cfg.Status = 2 * time.Second
	}
	if cfg.BlockTime <= 0 {
		cfg.BlockTime = BlockTimeMs * time.Millisecond
	}
	if cfg.Threads <= 0 {
		cfg.Threads = 1
	}
}

// Start creates or resumes the devnet in cfg.Dir and starts its nodes.
func Start(ctx context.Context, cfg Config) (*Devnet, error) {
	cfg.defaults()
	if cfg.Nodes < 1 || cfg.Nodes > 64 {
		return nil, fmt.Errorf("devnet: --nodes %d: want 1 to 64", cfg.Nodes)
	}
	ks, err := wallet.Open(filepath.Join(cfg.Dir, "keystore"), wallet.LightParams())
	if err != nil {
		return nil, err
	}
	key, err := devKey(ks)
	if err != nil {
		return nil, err
	}
	signers, err := signerKeys(cfg)
	if err != nil {
		return nil, err
	}
	g, created, err := genesis(cfg, key.Address(), signers)
	if err != nil {
		return nil, err
	}
	d := &Devnet{cfg: cfg, genesis: g, miner: key.Address(), group: make([]int, cfg.Nodes)}
	if cfg.Private {
		if d.allowlist, err = nodeAllowlist(cfg); err != nil {
			return nil, err
		}
	}
	if g.IsPoA() {
		d.signers = signers
	}
	d.slots = make([]*slot, cfg.Nodes)
	d.api = make([]string, cfg.Nodes)
	for i := range d.slots {
		d.slots[i] = &slot{}
	}
	p := g.AddressPrefix
	fmt.Fprintf(cfg.Out, "Cairn devnet: %d nodes, chain %s, genesis %s\n", cfg.Nodes, g.ChainID, g.Hash())
	fmt.Fprintf(cfg.Out, "  data dir  %s (run again with --dir to resume)\n", cfg.Dir)
	fmt.Fprintf(cfg.Out, "  wallet    %q in %s, address %s, passphrase %q\n", WalletName, ks.Dir(), key.Address().Encode(p), WalletPassphrase)
	fmt.Fprintf(cfg.Out, "  WARNING   the dev wallet's passphrase is public: for development only, never for real value\n")
	for i := range d.slots {
		if err := d.start(ctx, i); err != nil {
			d.Stop()
			return nil, err
		}
		s := d.slots[i]
		fmt.Fprintf(cfg.Out, "  node %d    API/explorer %s  p2p %s  height %d\n", i, s.n.APIURL(), s.n.Net.Addrs()[0], s.opened)
	}
	if cfg.Nodes > 1 {
		fmt.Fprintf(cfg.Out, "  controls  POST %s/devnet/nodes/{i}/stop|start, /devnet/partition %s, /devnet/heal\n", d.slots[0].n.APIURL(), partitionExample(cfg.Nodes))
	} else {
		fmt.Fprintf(cfg.Out, "  controls  POST %s/devnet/nodes/0/stop|start\n", d.slots[0].n.APIURL())
	}
	if cfg.Private {
		fmt.Fprintf(cfg.Out, "  private   every node allows only the devnet's %d nodes (<dir>/nodeN/allowlist.json; cairn peers list|allow|revoke)\n", cfg.Nodes)
	}
	if g.IsPoA() {
		fmt.Fprintf(cfg.Out, "  proof of authority: every node is a signer (its key in nodeN/signer.key), a block every %s; Ctrl-C stops\n", time.Duration(g.PoA.PeriodMs)*time.Millisecond)
	} else {
		fmt.Fprintf(cfg.Out, "  every node mines with %d thread(s) to the dev wallet; Ctrl-C stops\n", cfg.Threads)
	}
	if cfg.Demo && created {
		if err := d.seedDemo(key); err != nil {
			d.Stop()
			return nil, err
		}
	}
	return d, nil
}

// devKey loads the dev wallet, creating it on first run.
func devKey(ks *wallet.Keystore) (*wallet.Key, error) {
	k, err := ks.Load(WalletName, WalletPassphrase)
	if errors.Is(err, wallet.ErrNotFound) {
		return ks.Create(WalletName, WalletPassphrase)
	}
	return k, err
}

// genesis returns the devnet genesis in dir, writing it on first run
// (created).
func genesis(cfg Config, fund core.Address, signers []ed25519.PrivateKey) (g *core.Genesis, created bool, err error) {
	dir, blockMs := cfg.Dir, uint64(cfg.BlockTime.Milliseconds())
	path := filepath.Join(dir, "genesis.json")
	data, err := os.ReadFile(path)
	if err == nil {
		g, err = core.ParseGenesis(data)
		return g, false, err
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	g = core.NewGenesis(ChainID, uint64(time.Now().UnixMilli()))
	g.TargetBlockTimeMs = max(blockMs, 1)
	g.AsertHalflifeMs = 10 * g.TargetBlockTimeMs
	if cfg.MaxBlockBytes > 0 {
		g.MaxBlockBytes = cfg.MaxBlockBytes
	}
	if cfg.MaxBlockTxs > 0 {
		g.MaxBlockTxs = cfg.MaxBlockTxs
	}
	// Initial target: about one block per block time for one thread, or
	// for every node at its capped rate.
	rate := uint64(expectedHashRate)
	if cfg.MaxHashRate > 0 {
		rate = uint64(cfg.MaxHashRate) * uint64(cfg.Nodes)
	}
	target := new(big.Int).Lsh(big.NewInt(1), 256)
	target.Div(target, big.NewInt(int64(max(rate*g.TargetBlockTimeMs/1000, 2))))
	g.InitialBits = core.HexU32(pow.BigToCompact(target))
	g.Alloc = []core.Alloc{{Address: fund, Balance: FundCoins * 100_000_000}}
	if cfg.Consensus == core.ConsensusPoA {
		g.Consensus = core.ConsensusPoA
		g.PoA = &core.PoAParams{PeriodMs: max(blockMs, core.MinPoAPeriodMs)}
		for _, k := range signers {
			var pub core.PublicKey
			copy(pub[:], k.Public().(ed25519.PublicKey))
			g.PoA.Signers = append(g.PoA.Signers, pub)
		}
		g.InitialReward = 0 // the signers get the fees
	}
	if err := g.Validate(); err != nil {
		return nil, false, err
	}
	out, err := g.MarshalJSON()
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, err
	}
	return g, true, fsutil.WriteFileAtomic(path, out, 0o644)
}

// signerKeyFile is where a PoA devnet keeps node i's signer key.
func signerKeyFile(dir string, i int) string {
	return filepath.Join(dir, fmt.Sprintf("node%d", i), "signer.key")
}

// signerKeys returns each node's PoA signer key (an Ed25519 seed in hex in
// its data dir, mode 0600), creating the missing ones; nil for a PoW
// devnet. A resumed devnet reads the same keys back.
func signerKeys(cfg Config) ([]ed25519.PrivateKey, error) {
	poa := cfg.Consensus == core.ConsensusPoA
	if !poa {
		if _, err := os.Stat(signerKeyFile(cfg.Dir, 0)); err != nil {
			return nil, nil
		}
		poa = true // a PoA devnet resumed without --consensus
	}
	out := make([]ed25519.PrivateKey, cfg.Nodes)
	for i := range out {
		path := signerKeyFile(cfg.Dir, i)
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			seed := make([]byte, ed25519.SeedSize)
			if _, err := rand.Read(seed); err != nil {
				return nil, err
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return nil, err
			}
			data = []byte(hex.EncodeToString(seed))
			if err := fsutil.WriteFileAtomic(path, data, 0o600); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, err
		}
		seed, err := hex.DecodeString(strings.TrimSpace(string(data)))
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("devnet: %s: want a %d-byte Ed25519 seed in hex", path, ed25519.SeedSize)
		}
		out[i] = ed25519.NewKeyFromSeed(seed)
	}
	return out, nil
}

// partitionExample is a /devnet/partition body for an n-node devnet
// (n >= 2): node 0 alone, the others together.
func partitionExample(n int) string {
	rest := make([]string, n-1)
	for i := range rest {
		rest[i] = strconv.Itoa(i + 1)
	}
	return `{"groups":[[0],[` + strings.Join(rest, ",") + `]]}`
}
