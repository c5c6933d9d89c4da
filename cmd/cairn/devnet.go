package main

import (
	"log/slog"
	"os"
	"time"

	"github.com/cairn-chain/cairn/devnet"
	"github.com/spf13/cobra"
)

func newDevnetCmd() *cobra.Command {
	var dir string
	var nodes int
	var verbose bool
	var blockTime time.Duration
	cmd := &cobra.Command{
		Use:   "devnet",
		Short: "Start a local development chain that mines (Ctrl-C stops it)",
		Long: `Start a local development chain in this process: a devnet genesis funding
a keystore wallet named "dev" (passphrase "dev": for development only), a
node mining to it with one thread, and a status line every two seconds.
Without --dir the data lives in a new temporary directory; with --dir a
second run resumes the same chain.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				d, err := os.MkdirTemp("", "cairn-devnet-")
				if err != nil {
					return err
				}
				dir = d
			}
			var logger *slog.Logger
			if verbose {
				logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			}
			return devnet.Run(cmd.Context(), devnet.Config{Dir: dir, Nodes: nodes, Out: cmd.OutOrStdout(), Logger: logger, BlockTime: blockTime})
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "data directory to create or resume (default: a new temporary directory)")
	cmd.Flags().IntVar(&nodes, "nodes", 1, "number of nodes (this version runs one)")
	cmd.Flags().DurationVar(&blockTime, "block-time", devnet.BlockTimeMs*time.Millisecond, "target block time of a new devnet (ignored when resuming)")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "print node logs to stderr")
	return cmd
}
