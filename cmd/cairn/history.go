package main

import (
	"errors"
	"fmt"

	"github.com/cairn-chain/cairn/anchor/memo"
	"github.com/cairn-chain/cairn/core"
	"github.com/spf13/cobra"
)

func newHistoryCmd(g *globals) *cobra.Command {
	var (
		topic  string
		limit  int
		after  string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "history --topic ID [--limit N] [--after TXID] [--json]",
		Short: "Show everything anchored under a topic, in chain order",
		Long: `Show the anchors under a topic (a shipment, lot or case id given to
"cairn anchor --topic"), oldest first: when (the block's time, UTC), in which
block, who anchored, the tx and the batch root each receipt of that batch
leads to. Only anchors on the node's main chain are listed: one whose block
is reorganised out leaves the list.`,
		Example: `  cairn history --topic SHIP-2026-0042
  cairn history --topic SHIP-2026-0042 --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("topic") {
				return usageError{errors.New("--topic is required (an address's txs: cairn account ADDRESS)")}
			}
			if err := memo.CheckTopic(topic); err != nil {
				return usageError{fmt.Errorf("--%v", err)}
			}
			if limit < 1 || limit > 500 {
				return usageError{fmt.Errorf("--limit %d: want 1 to 500", limit)}
			}
			c, err := g.client(false)
			if err != nil {
				return err
			}
			h, err := c.TopicAnchors(cmd.Context(), topic, limit, after)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return printJSON(w, h)
			}
			fmt.Fprintf(w, "topic %q: %s, oldest first\n", h.Topic, plural(uint64(len(h.Anchors)), "anchor"))
			for _, a := range h.Anchors {
				fmt.Fprintf(w, "\n%s  block %d\n", core.MillisTime(a.Time).Format("2006-01-02 15:04:05 UTC"), a.Height)
				fmt.Fprintf(w, "    by    %s\n", a.From)
				fmt.Fprintf(w, "    root  %s\n", a.Root)
				fmt.Fprintf(w, "    tx    %s\n", a.TxID)
			}
			more(cmd, h.Next)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&topic, "topic", "", "the topic (required)")
	f.IntVar(&limit, "limit", 100, "anchors per page (1 to 500)")
	f.StringVar(&after, "after", "", "start after this tx id (printed at the end of the previous page)")
	f.BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}
