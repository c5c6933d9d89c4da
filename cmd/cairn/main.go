package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// usageError marks errors in how the command was called (exit code 2).
type usageError struct{ error }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot()
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	err := root.ExecuteContext(ctx)
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "cairn:", describe(err))
	var ue usageError
	if errors.As(err, &ue) {
		os.Exit(2)
	}
	os.Exit(1)
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "cairn",
		Short: "Cairn: a customisable proof-of-work blockchain node and its client tools",
		Long: `Cairn: a customisable proof-of-work blockchain node and its client tools.

Client commands talk to a node's REST API (--node, default
http://127.0.0.1:8645, or env CAIRN_NODE). Amounts are in coins with up to
the chain's decimals places (1.5). Keys stay in the local keystore: txs are
signed here, never by the node.

Exit status: 0 success, 1 error (message on standard error), 2 usage error.`,
		Example: `  cairn devnet                                  # a local chain that mines, with a funded "dev" wallet
  cairn wallet new --name alice
  cairn send --from dev --to cairn1... --amount 1.5 --wait --keystore <devnet dir>/keystore
  cairn status`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          func(cmd *cobra.Command, args []string) error { return noArgs(cmd, args) },
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	g.register(root)
	root.AddCommand(
		newDevnetCmd(),
		newNodeCmd(),
		newGenesisCmd(),
		newWalletCmd(),
		newSendCmd(g),
		newTxCmd(g),
		newBlockCmd(g),
		newStatusCmd(g),
		newAccountCmd(g),
		newMineCmd(g),
		newConsensusCmd(g),
		newVoteCmd(g),
		newPeersCmd(g),
		newSwarmKeyCmd(),
		newPermCmd(g),
		newVerifyProofCmd(g),
		newAssetCmd(g),
		newItemCmd(g),
		newContractCmd(g),
		newAnchorCmd(g),
		newVerifyAnchorCmd(g),
		newHistoryCmd(g),
		newBenchCmd(g),
	)
	return root
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if !cmd.HasParent() {
			return usageError{fmt.Errorf("unknown command %q (see cairn --help)", args[0])}
		}
		return usageError{fmt.Errorf("%s: unexpected argument %q (see --help)", cmd.CommandPath(), args[0])}
	}
	return nil
}
