package main

import (
	"encoding/json"
	"fmt"

	"github.com/cairn-chain/cairn/anchor"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/consensus/engines"
	"github.com/cairn-chain/cairn/core"
	"github.com/spf13/cobra"
)

// maxProofFile bounds a proof file.
const maxProofFile = 1 << 20

// proofInvalid marks a proof that does not hold (as opposed to a failure
// to check it): the anchor package's error, "proof INVALID: reason".
type proofInvalid = *anchor.InvalidError

func invalid(format string, args ...any) error { return anchor.Invalid(format, args...) }

// parseProof decodes a proof file and its hex fields.
func parseProof(data []byte) (*anchor.TxProof, error) {
	var p wire.Proof
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("not a proof JSON document (as GET /api/v1/txs/{id}/proof returns): %v", err)
	}
	return anchor.ParseTxProof(p)
}

func newVerifyProofCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify-proof PROOF.json [--node URL]",
		Short: "Check a tx's Merkle inclusion proof, offline or against a node",
		Long: `Check a Merkle inclusion proof as served by GET /api/v1/txs/{id}/proof
("-": read it from standard input).

Offline it checks that the tx ID is the leaf at the proof's index of a tree
of the proof's size whose root is the proof's tx_root (RFC 6962). With
--node given on the command line it also checks, against that node, that
the proof's block is on the main chain with that tx_root, height and tx
count, that the block's header hashes to the block hash with valid proof
of work, and that the block holds the tx at that index. (The audit path
alone cannot always tell a tree's size apart, e.g. index 3 of 5 or of 6:
only the check against a node confirms the block's tx count.)

Exit status 0 only if every check holds; 1 if one fails.`,
		Example: `  curl -s http://127.0.0.1:8645/api/v1/txs/<id>/proof > proof.json
  cairn verify-proof proof.json
  cairn verify-proof proof.json --node http://127.0.0.1:8645`,
		Args: exactArgs(1, "a PROOF.json file or -"),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := readInput(cmd, args[0], maxProofFile)
			if err != nil {
				return err
			}
			p, err := parseProof(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if err := p.Verify(); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "proof valid: tx %s is tx %d of %d under tx_root %s\n", p.TxID, p.Index, p.Size, p.TxRoot)
			if !cmd.Flags().Changed("node") {
				fmt.Fprintf(w, "(offline check only: give --node URL to check that block %s at height %d is on the main chain)\n", p.Block, p.Height)
				return nil
			}
			c, err := g.client(false)
			if err != nil {
				return err
			}
			b, err := c.Block(cmd.Context(), p.Block.String())
			if isProblem(err, core.CodeNotFound) {
				return invalid("the node at %s does not know block %s", c.BaseURL(), p.Block)
			}
			if err != nil {
				return err
			}
			if err := checkBlock(p, b); err != nil {
				return err
			}
			fmt.Fprintf(w, "on the main chain of %s: block %d %s (%s)\n", c.BaseURL(), b.Height, b.Hash, plural(b.Confirmations, "confirmation"))
			return nil
		},
	}
	return cmd
}

// checkBlock checks the node's block against the proof.
func checkBlock(p *anchor.TxProof, b *wire.Block) error {
	want := p.Block.String()
	if b.Hash != want {
		return invalid("the node answered block %s for %s", b.Hash, want)
	}
	if err := checkHeader(b); err != nil {
		return err
	}
	count := b.TxCount
	if count == 0 {
		count = len(b.Txs)
	}
	switch {
	case !b.MainChain:
		return invalid("block %s is not on the node's main chain (it was reorganised out)", want)
	case b.Height != p.Height:
		return invalid("block %s is at height %d, the proof says %d", want, b.Height, p.Height)
	case b.TxRoot != p.TxRoot.String():
		return invalid("block %s has tx_root %s, the proof says %s", want, b.TxRoot, p.TxRoot)
	case uint64(count) != p.Size:
		return invalid("block %s has %d txs, the proof says %d", want, count, p.Size)
	case len(b.Txs) != 0 && len(b.Txs) != count:
		return invalid("block %s lists %d txs but counts %d", want, len(b.Txs), count)
	}
	if len(b.Txs) == count && b.Txs[p.Index].ID != p.TxID.String() {
		return invalid("block %s holds tx %s at index %d, not %s", want, b.Txs[p.Index].ID, p.Index, p.TxID)
	}
	return nil
}

// checkHeader rebuilds the block's header from its fields, checks that it
// hashes to the block hash and that its seal holds as far as it can be
// checked without the chain (engines.CheckSealOffline), so the node's
// answer is self-consistent.
func checkHeader(b *wire.Block) error {
	h, err := anchor.HeaderFromWire(&b.BlockHeader)
	if err != nil {
		return err
	}
	if err := engines.CheckSealOffline(h); err != nil {
		return invalid("block %s (bits %s): %v", b.Hash, b.Bits, err)
	}
	return nil
}
