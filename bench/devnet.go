package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/devnet"
	"github.com/cairn-chain/cairn/wallet"
)

// DevnetConfig is the devnet `cairn bench --devnet N` starts: short
// blocks with room for the load, and mining capped so that the cores go
// to validation (the difficulty follows the capped rate).
type DevnetConfig struct {
	Dir         string        // data directory (a new temporary one when empty)
	Nodes       int           // default 3
	BlockTime   time.Duration // default 1 s
	MaxHashRate float64       // per node; default 200,000 hashes/s
	FullBlocks  bool          // relay full blocks only (no compact block relay)
	// ClientOptions are added to NewClient's for every node's client
	// (client.WithDurable for the strict acknowledgement, say).
	ClientOptions []client.Option
}

// Devnet is a running bench devnet.
type Devnet struct {
	D       *devnet.Devnet
	Clients []*client.Client
	Funder  *wallet.Key
	cancel  context.CancelFunc
	tmp     string
}

// StartDevnet starts a devnet for a bench run.
func StartDevnet(ctx context.Context, cfg DevnetConfig) (*Devnet, error) {
	if cfg.Nodes == 0 {
		cfg.Nodes = 3
	}
	if cfg.BlockTime == 0 {
		cfg.BlockTime = time.Second
	}
	if cfg.MaxHashRate == 0 {
		cfg.MaxHashRate = 200_000
	}
	bd := &Devnet{}
	if cfg.Dir == "" {
		d, err := os.MkdirTemp("", "cairn-bench-")
		if err != nil {
			return nil, err
		}
		cfg.Dir, bd.tmp = d, d
	}
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d, err := devnet.Start(dctx, devnet.Config{Dir: cfg.Dir, Nodes: cfg.Nodes, BlockTime: cfg.BlockTime,
		MaxHashRate: cfg.MaxHashRate, MaxBlockBytes: 16 << 20, MaxBlockTxs: 100_000, FullBlocksOnly: cfg.FullBlocks})
	if err != nil {
		cancel()
		bd.removeTmp()
		return nil, err
	}
	bd.D, bd.cancel = d, cancel
	ks, err := wallet.Open(filepath.Join(cfg.Dir, "keystore"), wallet.LightParams())
	if err == nil {
		bd.Funder, err = ks.Load(devnet.WalletName, devnet.WalletPassphrase)
	}
	if err != nil {
		bd.Stop()
		return nil, fmt.Errorf("bench: devnet wallet: %w", err)
	}
	for i := range cfg.Nodes {
		bd.Clients = append(bd.Clients, NewClient(d.Node(i).APIURL(), cfg.ClientOptions...))
	}
	return bd, nil
}

// NewClient is a client for bench traffic: long timeouts and room for
// blocks of many txs.
func NewClient(url string, opts ...client.Option) *client.Client {
	return client.New(url, append([]client.Option{client.WithTimeout(2 * time.Minute), client.WithMaxBodyBytes(256 << 20)}, opts...)...)
}

// Stop stops the devnet and removes a temporary data directory.
func (bd *Devnet) Stop() {
	if bd.D != nil {
		bd.D.Stop()
	}
	if bd.cancel != nil {
		bd.cancel()
	}
	bd.removeTmp()
}

func (bd *Devnet) removeTmp() {
	if bd.tmp != "" {
		os.RemoveAll(bd.tmp)
	}
}

// ProcessCPU returns the CPU time (user + system) this process has used:
// with --devnet, the nodes' and the load generator's.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ProcessRSS returns this process's resident memory in bytes (Linux;
// 0 elsewhere): the devnet's nodes all run in it.
func ProcessRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
