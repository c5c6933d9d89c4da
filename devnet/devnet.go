// Package devnet runs a local development chain in one process: it writes
// a devnet genesis funding a keystore wallet named "dev" (passphrase
// "dev", for development only), starts the node(s) mining, and reports
// progress. `cairn devnet` and tests use it.
package devnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/fsutil"
	"github.com/cairn-chain/cairn/node"
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
	Nodes  int           // number of nodes (this version runs one)
	Out    io.Writer     // progress and status lines
	Logger *slog.Logger  // node logs (optional)
	Status time.Duration // interval of status lines (default 2 s)
	// BlockTime is the target block time of a new devnet (default 5 s).
	BlockTime time.Duration
}

// Run starts the devnet and blocks until ctx is done, then stops cleanly.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Nodes == 0 {
		cfg.Nodes = 1
	}
	if cfg.Nodes != 1 {
		return fmt.Errorf("devnet: --nodes %d: this version runs a single node; multi-node devnets come with the peer-to-peer layer", cfg.Nodes)
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
	ks, err := wallet.Open(filepath.Join(cfg.Dir, "keystore"), wallet.LightParams())
	if err != nil {
		return err
	}
	key, err := devKey(ks)
	if err != nil {
		return err
	}
	g, err := genesis(cfg.Dir, key.Address(), uint64(cfg.BlockTime.Milliseconds()))
	if err != nil {
		return err
	}
	n, err := node.New(node.Config{
		DataDir: filepath.Join(cfg.Dir, "node0"), Genesis: g,
		Mine: true, MinerAddress: key.Address(), Threads: 1, Logger: cfg.Logger,
	})
	if err != nil {
		return err
	}
	defer n.Close()
	tip := n.Chain.Tip()
	p := g.AddressPrefix
	fmt.Fprintf(cfg.Out, "Cairn devnet: chain %s, genesis %s\n", g.ChainID, n.Chain.GenesisHash())
	fmt.Fprintf(cfg.Out, "  data dir  %s (run again with --dir to resume; height %d now)\n", cfg.Dir, tip.Height)
	fmt.Fprintf(cfg.Out, "  wallet    %q in %s, address %s, passphrase %q\n", WalletName, ks.Dir(), key.Address().Encode(p), WalletPassphrase)
	fmt.Fprintf(cfg.Out, "  WARNING   the dev wallet's passphrase is public: for development only, never for real value\n")
	fmt.Fprintf(cfg.Out, "  node 0    mining with 1 thread to the dev wallet; Ctrl-C stops\n")

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- n.Run(runCtx) }()
	t := time.NewTicker(cfg.Status)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			cancel()
			err := <-done
			fmt.Fprintf(cfg.Out, "stopped at height %d\n", n.Chain.Tip().Height)
			return err
		case err := <-done:
			return err
		case <-t.C:
			tip := n.Chain.Tip()
			st := n.Miner.Stats()
			fmt.Fprintf(cfg.Out, "height %d  tip %s  hashrate %.2f MH/s  mempool %d  digest %s\n",
				tip.Height, tip.Hash.String()[:16], st.HashRate/1e6, n.Pool.Count(), tip.StateDigest.String()[:16])
		}
	}
}

// devKey loads the dev wallet, creating it on first run.
func devKey(ks *wallet.Keystore) (*wallet.Key, error) {
	k, err := ks.Load(WalletName, WalletPassphrase)
	if errors.Is(err, wallet.ErrNotFound) {
		return ks.Create(WalletName, WalletPassphrase)
	}
	return k, err
}

// genesis returns the devnet genesis in dir, writing it on first run.
func genesis(dir string, fund core.Address, blockMs uint64) (*core.Genesis, error) {
	path := filepath.Join(dir, "genesis.json")
	data, err := os.ReadFile(path)
	if err == nil {
		return core.ParseGenesis(data)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	g := core.NewGenesis(ChainID, uint64(time.Now().UnixMilli()))
	g.TargetBlockTimeMs = max(blockMs, 1)
	g.AsertHalflifeMs = 10 * g.TargetBlockTimeMs
	// Initial target: about one block per block time for one thread.
	target := new(big.Int).Lsh(big.NewInt(1), 256)
	target.Div(target, big.NewInt(int64(max(expectedHashRate*g.TargetBlockTimeMs/1000, 2))))
	g.InitialBits = core.HexU32(pow.BigToCompact(target))
	g.Alloc = []core.Alloc{{Address: fund, Balance: FundCoins * 100_000_000}}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	out, err := g.MarshalJSON()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return g, fsutil.WriteFileAtomic(path, out, 0o644)
}
