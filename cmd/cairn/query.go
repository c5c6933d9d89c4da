package main

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
	"github.com/spf13/cobra"
)

func newStatusCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the node's chain, tip, mempool and mining state",
		Example: `  cairn status
  cairn status --node http://127.0.0.1:9000 --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client(false)
			if err != nil {
				return err
			}
			st, err := c.Status(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), st)
			}
			ci := infoFromStatus(st)
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "node          %s (version %s)\n", c.BaseURL(), st.Version)
			fmt.Fprintf(w, "chain         %s (genesis %s)\n", st.ChainID, st.Genesis)
			fmt.Fprintf(w, "height        %d\n", st.Height)
			fmt.Fprintf(w, "tip           %s\n", st.Tip)
			if st.Consensus == wire.EnginePoA {
				weight, _ := new(big.Int).SetString(strings.TrimPrefix(st.TotalWork, "0x"), 16)
				fmt.Fprintf(w, "consensus     proof of authority (total weight %v; signers: cairn consensus)\n", weight)
			} else {
				fmt.Fprintf(w, "consensus     proof of work\n")
				fmt.Fprintf(w, "difficulty    %.6g (bits %s, total work 0x%s)\n", st.Difficulty, st.Bits, strings.TrimPrefix(st.TotalWork, "0x"))
			}
			fmt.Fprintf(w, "state digest  %s\n", st.StateDigest)
			fmt.Fprintf(w, "mempool       %d txs, %d bytes\n", st.Mempool, st.MempoolBytes)
			mining := "off"
			switch {
			case st.Mining && st.Consensus == wire.EnginePoA:
				mining = "sealing as a signer, in its turns"
			case st.Mining:
				mining = fmt.Sprintf("on, %.3f MH/s", st.Hashrate/1e6)
			}
			fmt.Fprintf(w, "mining        %s\n", mining)
			fmt.Fprintf(w, "peers         %d\n", st.Peers)
			fmt.Fprintf(w, "syncing       %t\n", st.Syncing)
			fmt.Fprintf(w, "coins         prefix %s, %d decimals, minimum fee %s\n", ci.prefix, ci.decimals, ci.coins(ci.minFee))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

func newBlockCmd(g *globals) *cobra.Command {
	return group("block", "Show blocks", `Show blocks of the node's chain.`, newBlockShowCmd(g))
}

func newBlockShowCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show HEIGHT|HASH",
		Short: "Show a block and its txs",
		Example: `  cairn block show 12
  cairn block show 00000a3f... --json`,
		Args: exactArgs(1, "a block HEIGHT or HASH"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := g.client(false)
			if err != nil {
				return err
			}
			b, err := c.Block(ctx, strings.ToLower(args[0]))
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), b)
			}
			st, err := c.Status(ctx)
			if err != nil {
				return err
			}
			ci := infoFromStatus(st)
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "block      %d %s\n", b.Height, b.Hash)
			where := "main chain"
			if !b.MainChain {
				where = "side chain (not on the main chain)"
			}
			fmt.Fprintf(w, "status     %s, %s\n", where, plural(b.Confirmations, "confirmation"))
			fmt.Fprintf(w, "prev       %s\n", b.PrevHash)
			fmt.Fprintf(w, "time       %s\n", core.MillisTime(b.Timestamp).Format(time.RFC3339Nano))
			fmt.Fprintf(w, "tx root    %s\n", b.TxRoot)
			fmt.Fprintf(w, "miner      %s\n", b.Miner)
			if b.Signer != "" {
				// A proof-of-authority header: Bits is its weight, 2 for
				// the signer in turn, 1 out of turn (docs/api.md).
				weight, _ := strconv.ParseUint(strings.TrimPrefix(b.Bits, "0x"), 16, 64)
				turn := "out of turn"
				if weight == 2 {
					turn = "in turn"
				}
				fmt.Fprintf(w, "signer     %s (%s, weight %d)\n", b.Signer, turn, weight)
				if v := b.Vote; v != nil {
					fmt.Fprintf(w, "vote       %s %s (%s)\n", v.Kind, v.Address, v.Target)
				}
			} else {
				fmt.Fprintf(w, "bits       %s  nonce %d\n", b.Bits, b.Nonce)
			}
			fmt.Fprintf(w, "reward     %s + fees %s\n", ci.coins(b.Reward), ci.coins(b.Fees))
			fmt.Fprintf(w, "size       %d bytes, %d txs\n", b.Size, len(b.Txs))
			for i, t := range b.Txs {
				if t.Version == core.TxVersion2 {
					fmt.Fprintf(w, "  %3d  %s  %s %s (fee %s)\n", i, t.ID, t.FromAddress, t.Kind, ci.coins(t.Fee))
					continue
				}
				note := ""
				if topic, _, ok := topicAnchor(t.Memo); ok {
					note = fmt.Sprintf("  anchor under topic %q", topic)
				} else if t.Memo != "" {
					note = fmt.Sprintf("  memo %s", plural(uint64(len(t.Memo)/2), "byte"))
				}
				fmt.Fprintf(w, "  %3d  %s  %s -> %s  %s (fee %s)%s\n", i, t.ID, t.FromAddress, t.To, ci.coins(t.Amount), ci.coins(t.Fee), note)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

// accountAssetsShown is how many asset holdings cairn account lists.
const accountAssetsShown = 5

func newAccountCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "account ADDRESS",
		Short: "Show an account's balance, nonce and the assets it holds",
		Example: `  cairn account cairn1...
  cairn account cairn1... --json`,
		Args: exactArgs(1, "an ADDRESS"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := g.client(false)
			if err != nil {
				return err
			}
			a, err := account(ctx, c, args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), a)
			}
			st, err := c.Status(ctx)
			if err != nil {
				return err
			}
			ci := infoFromStatus(st)
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "address          %s\n", args[0])
			fmt.Fprintf(w, "balance          %s\n", ci.coins(a.Balance))
			fmt.Fprintf(w, "nonce            %d\n", a.Nonce)
			fmt.Fprintf(w, "pending balance  %s\n", ci.coins(a.PendingBalance))
			fmt.Fprintf(w, "pending nonce    %d\n", a.PendingNonce)
			if a.Contract {
				fmt.Fprintf(w, "contract         yes (cairn contract show %s)\n", args[0])
			}
			// Its first few asset holdings, so that one command shows
			// what an address owns.
			l, err := c.AccountAssets(ctx, args[0], accountAssetsShown, "")
			if err != nil {
				return err
			}
			if len(l.Assets) > 0 {
				held := make([]string, 0, len(l.Assets)+1)
				for _, h := range l.Assets {
					if h.Unique {
						held = append(held, plural(h.Balance, "item")+" "+h.Symbol)
					} else {
						held = append(held, units(h.Balance, h.Decimals, h.Symbol))
					}
				}
				if l.Next != "" {
					held = append(held, "more")
				}
				fmt.Fprintf(w, "assets           %s (cairn asset list --holder %s)\n", strings.Join(held, ", "), args[0])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

func newMineCmd(g *globals) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "mine",
		Short: "Ask the node to mine one block now (admin: needs the node's token)",
		Long: `Ask the node to mine one block now on its tip and print it (GET /mine, an
admin route: give --token, CAIRN_TOKEN or --token-file <datadir>/api.token).
Useful on a chain where no miner runs.`,
		Example: `  cairn mine --token-file ./data/api.token`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tok, err := g.adminToken()
			if err != nil {
				return err
			}
			c := client.New(g.node, client.WithToken(tok), client.WithTimeout(timeout))
			b, err := c.MineOne(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "mined block %d %s (%s)\n", b.Height, b.Hash, plural(uint64(len(b.Txs)), "tx"))
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Minute, "give up after this long")
	return cmd
}
