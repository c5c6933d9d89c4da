package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/cairn-chain/cairn/anchor"
	"github.com/cairn-chain/cairn/core"
	"github.com/spf13/cobra"
)

func newVerifyAnchorCmd(g *globals) *cobra.Command {
	var (
		confirmations uint64
		offline       bool
		genesisFile   string
		genesisHash   string
	)
	cmd := &cobra.Command{
		Use:   "verify-anchor FILE RECEIPT [--offline] [--genesis FILE|--genesis-hash HEX] [--node URL] [--confirmations N]",
		Short: "Check that a file was anchored on chain, as its receipt says",
		Long: `Check an anchor receipt written by "cairn anchor" against a file:

  - the file's SHA-256 is the receipt's; its commitment (salted or not) is
    the receipt's leaf, whose path leads to the batch root;
  - the receipt's tx is correctly signed, its memo carries that root (and
    topic), and its ID is the leaf of the receipt's Merkle proof;
  - (version-2 receipts) the receipt's headers, with the consensus rules of
    the receipt's genesis: each connects to the one before and carries
    valid proof of work with the bits ASERT demands (proof of authority:
    a signature by a signer in turn, the signer set replayed from the
    genesis); the block is among them with the proof's tx_root.

With --offline nothing else is asked: no node is needed. An offline check
proves that the headers carry that work (or those signatures), not that the
block is on today's main chain. Pin the chain with --genesis FILE (your copy
of the genesis document) or --genesis-hash HEX, or the receipt's own genesis
is taken at its word.

Without --offline, the node (--node) is also asked: it is on the receipt's
chain, the block is on its main chain with that tx_root, height and tx count,
holds the tx at the proof's index, and has at least --confirmations
confirmations. Version-1 receipts (before batches) are checked this way only.

Exit status 0 only if every check holds; 1 if one fails or the node
cannot be asked.`,
		Example: `  cairn verify-anchor invoice.pdf invoice.pdf.receipt.json --offline --genesis-hash 5e1f...
  cairn verify-anchor contract.pdf contract.pdf.receipt.json --node http://10.0.0.5:8645 --confirmations 6`,
		Args: exactArgs(2, "a FILE and its RECEIPT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if confirmations == 0 {
				return usageError{errors.New("--confirmations: at least 1")}
			}
			if genesisFile != "" && genesisHash != "" {
				return usageError{errors.New("--genesis and --genesis-hash: give one")}
			}
			pin, err := pinnedGenesis(genesisFile, genesisHash)
			if err != nil {
				return err
			}
			file, receiptFile := args[0], args[1]
			data, err := readInput(cmd, receiptFile, anchor.MaxReceiptSize)
			if err != nil {
				return err
			}
			rc, err := anchor.Parse(data)
			if err != nil {
				return fmt.Errorf("%s: %w", receiptFile, err)
			}
			sum, err := anchor.HashFile(file)
			if err != nil {
				return err
			}
			rec, err := rc.CheckRecord(sum.Sum)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			printRecord(w, file, rc, rec)
			if rc.Version == anchor.Version1 && offline {
				return invalid("a version-1 receipt carries no headers: it can only be checked against a node (drop --offline)")
			}
			if rc.Version == anchor.Version1 && pin != nil {
				return usageError{errors.New("--genesis/--genesis-hash: a version-1 receipt names no genesis; the node's chain id is checked")}
			}
			var ch *anchor.Chain
			if rc.Version == anchor.Version2 {
				if ch, err = rc.VerifyHeaders(rec.Proof, pin, time.Now()); err != nil {
					return err
				}
				printChain(w, rc, ch, pin != nil)
			}
			if offline {
				if ch.Confirmations < confirmations {
					return invalid("the receipt's headers give block %d %s, fewer than the %d asked for", ch.Block.Height, plural(ch.Confirmations, "confirmation"), confirmations)
				}
				fmt.Fprintf(w, "anchor valid offline: block %d %s, mined %s, with %s in the receipt (not checked against any node: whether the block is on today's main chain needs --node)\n",
					ch.Block.Height, rc.BlockHash, rc.BlockTime, plural(ch.Confirmations, "confirmation"))
				return nil
			}

			ctx := cmd.Context()
			c, st, err := g.clientStatus(ctx)
			if err != nil {
				return err
			}
			if st.ChainID != rc.ChainID {
				return invalid("the node at %s is on chain %q, the receipt is for chain %q", c.BaseURL(), st.ChainID, rc.ChainID)
			}
			if rc.Version == anchor.Version2 && st.Genesis != rc.GenesisHash {
				return invalid("the node at %s is on the chain with genesis %s, the receipt's is %s", c.BaseURL(), st.Genesis, rc.GenesisHash)
			}
			b, err := c.Block(ctx, rc.BlockHash)
			if isProblem(err, core.CodeNotFound) {
				return invalid("the node at %s does not know block %s", c.BaseURL(), rc.BlockHash)
			}
			if err != nil {
				return err
			}
			if err := checkBlock(rec.Proof, b); err != nil {
				return err
			}
			if err := checkBlockTime(w, rc.BlockTime, b.Timestamp); err != nil {
				return err
			}
			if b.Confirmations < confirmations {
				return invalid("block %d %s has %s on %s, fewer than the %d asked for", b.Height, b.Hash, plural(b.Confirmations, "confirmation"), c.BaseURL(), confirmations)
			}
			fmt.Fprintf(w, "anchor valid: on the main chain of %s in block %d %s, mined %s (%s)\n",
				c.BaseURL(), b.Height, b.Hash, core.MillisTime(b.Timestamp).Format(time.RFC3339), plural(b.Confirmations, "confirmation"))
			return nil
		},
	}
	f := cmd.Flags()
	f.Uint64Var(&confirmations, "confirmations", 1, "confirmations the block must have (--offline: headers from the block to the receipt's tip)")
	f.BoolVar(&offline, "offline", false, "check the receipt alone, with no node (version-2 receipts)")
	f.StringVar(&genesisFile, "genesis", "", "pin the chain: the receipt's genesis must be this genesis document's")
	f.StringVar(&genesisHash, "genesis-hash", "", "pin the chain: the receipt's genesis must hash to this (cairn status shows it)")
	return cmd
}

// pinnedGenesis reads --genesis or --genesis-hash (nil: neither).
func pinnedGenesis(file, hash string) (*core.Hash, error) {
	switch {
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("--genesis: %w", err)
		}
		defer f.Close()
		g, err := core.LoadGenesis(f)
		if err != nil {
			return nil, fmt.Errorf("--genesis %s: %w", file, err)
		}
		h := g.Hash()
		return &h, nil
	case hash != "":
		h, err := core.ParseHash(hash)
		if err != nil {
			return nil, usageError{fmt.Errorf("--genesis-hash: %v", err)}
		}
		return &h, nil
	}
	return nil, nil
}

// printRecord says what CheckRecord established.
func printRecord(w io.Writer, file string, rc *anchor.Receipt, rec *anchor.Record) {
	fmt.Fprintf(w, "file %s: sha256 %s matches the receipt\n", file, rc.FileSHA256)
	if rc.Version == anchor.Version2 {
		kind := "unsalted commitment"
		if rc.Salt != "" {
			kind = "salted commitment"
		}
		fmt.Fprintf(w, "its %s %s is leaf %d of %d under the batch root %s\n", kind, rec.Leaf, rc.Batch.Index, rc.Batch.Size, rec.Root)
		topic := ""
		if rec.Topic != "" || rc.Topic != "" {
			topic = fmt.Sprintf(" under topic %q", rc.Topic)
		}
		fmt.Fprintf(w, "the signed tx %s anchors that root%s and is tx %d of %d under tx_root %s\n", rc.TxID, topic, rec.Proof.Index, rec.Proof.Size, rec.Proof.TxRoot)
		return
	}
	fmt.Fprintf(w, "the receipt's signed tx %s carries it and is leaf %d of %d under tx_root %s\n", rc.TxID, rec.Proof.Index, rec.Proof.Size, rec.Proof.TxRoot)
}

// printChain says what VerifyHeaders established.
func printChain(w io.Writer, rc *anchor.Receipt, ch *anchor.Chain, pinned bool) {
	how := "taken from the receipt: pin it with --genesis FILE or --genesis-hash HEX"
	if pinned {
		how = "pinned"
	}
	fmt.Fprintf(w, "chain %q, genesis %s (%s)\n", rc.ChainID, ch.GenesisHash, how)
	n := ch.Confirmations
	if ch.Genesis.IsPoA() {
		replay := fmt.Sprintf("over %d headers", len(rc.Headers))
		if ch.Block.Height-1 > uint64(len(rc.Headers))-n { // the headers start above height 1
			replay = "through " + plural(uint64(len(rc.VoteHeaders)), "vote header") + " below them"
		}
		subject, note := andOnTop(n-1, "is", "are")
		fmt.Fprintf(w, "block %d %s, mined %s: %s signed by the chain's signers in their turns (the signer set replayed from the genesis %s)%s\n",
			ch.Block.Height, rc.BlockHash, rc.BlockTime, subject, replay, note)
		return
	}
	work, _ := ch.Work.Float64()
	subject, note := andOnTop(n-1, "carries", "carry")
	fmt.Fprintf(w, "block %d %s, mined %s: %s valid proof of work with the bits ASERT demands, about 2^%.1f hashes in all%s\n",
		ch.Block.Height, rc.BlockHash, rc.BlockTime, subject, math.Log2(work), note)
}

// andOnTop is the subject of a receipt check's sentence, "it and 3
// headers on top carry", or for a receipt with no headers on top of its
// block "it carries" and a note to end the sentence with.
func andOnTop(above uint64, one, many string) (subject, note string) {
	if above == 0 {
		return "it " + one, " (the receipt has no headers on top of it)"
	}
	return "it and " + plural(above, "header") + " on top " + many, ""
}

// checkBlockTime compares a receipt's block_time with the block's header
// time. Receipts written before the fix of the seconds-for-milliseconds
// bug carry a date tens of thousands of years ahead: those still verify
// (the proof does not depend on the date) with a note giving the real time.
func checkBlockTime(w io.Writer, receiptTime string, headerMs uint64) error {
	want := core.MillisTime(headerMs).Format(time.RFC3339)
	switch receiptTime {
	case want:
		return nil
	case time.Unix(int64(headerMs), 0).UTC().Format(time.RFC3339):
		fmt.Fprintf(w, "note: the receipt's block_time %s was misdated by an older cairn (milliseconds read as seconds); the block was mined at %s\n", receiptTime, want)
		return nil
	}
	return invalid("the receipt's block_time %s is not the block's time %s", receiptTime, want)
}
