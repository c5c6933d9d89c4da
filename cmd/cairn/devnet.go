package main

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/devnet"
	"github.com/spf13/cobra"
)

func newDevnetCmd() *cobra.Command {
	var dir, consensus string
	var nodes int
	var verbose, demo, private bool
	var blockTime time.Duration
	var apiPort int
	var hashCap float64
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Start a local multi-node development network that mines (Ctrl-C stops it)",
		Long: `Start a local development network in this process: a devnet genesis
funding a keystore wallet named "dev" (passphrase "dev": for development
only), --nodes connected nodes on 127.0.0.1 each mining to it with one
thread, and a status line every two seconds. Node 0's API also serves the
fault controls: POST /devnet/nodes/{i}/stop and /start, POST
/devnet/partition {"groups": [[0,1],[2]]}, POST /devnet/heal, and
GET /devnet/nodes. Without --dir the data lives in a new temporary
directory; with --dir a second run resumes the same chain. --private gives
every node a peer allowlist of the devnet's nodes (a private network:
other peers are refused; cairn peers list|allow|revoke change a node's).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				d, err := os.MkdirTemp("", "cairn-devnet-")
				if err != nil {
					return err
				}
				dir = d
			}
			if consensus != core.ConsensusPoW && consensus != core.ConsensusPoA {
				return usageError{fmt.Errorf("--consensus %q: want pow or poa", consensus)}
			}
			if hashCap < 0 {
				return usageError{fmt.Errorf("--max-hashrate %v: want >= 0", hashCap)}
			}
			var logger *slog.Logger
			if verbose {
				logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			}
			return devnet.Run(cmd.Context(), devnet.Config{Dir: dir, Nodes: nodes, Out: cmd.OutOrStdout(), Logger: logger, BlockTime: blockTime, APIPort: apiPort, MaxHashRate: hashCap, Demo: demo, Consensus: consensus, Private: private})
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "data directory to create or resume (default: a new temporary directory)")
	cmd.Flags().StringVar(&consensus, "consensus", core.ConsensusPoW, "consensus of a new devnet: pow, or poa (every node a signer, one block per --block-time)")
	cmd.Flags().IntVar(&nodes, "nodes", 3, "number of nodes, each with its own data dir, API port and P2P port on 127.0.0.1")
	cmd.Flags().IntVar(&apiPort, "api-port", 8645, "API port of node 0; node i uses api-port+i (0: ports chosen by the system)")
	cmd.Flags().DurationVar(&blockTime, "block-time", devnet.BlockTimeMs*time.Millisecond, "target block time of a new devnet (ignored when resuming)")
	cmd.Flags().Float64Var(&hashCap, "max-hashrate", 0, "cap each node's mining at this many hashes/s, leaving the cores to validation (0: no cap)")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "print node logs to stderr")
	cmd.Flags().BoolVar(&private, "private", false, "a private network: every node allows only the devnet's nodes (peer allowlists by peer ID)")
	cmd.Flags().BoolVar(&demo, "demo", true, "seed a new devnet with a demo token and a collection with an item (the dev wallet's first txs)")
	return cmd
}
