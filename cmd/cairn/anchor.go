package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/fsutil"
	"github.com/spf13/cobra"
)

// ReceiptVersion is the version of the anchor receipt format.
const receiptVersion = 1

// maxReceiptFile bounds a receipt file.
const maxReceiptFile = 1 << 20

// receipt is what `cairn anchor` writes: everything needed to show later,
// to anyone with the file and access to a node of the chain, that the
// file's SHA-256 was put on chain in a given block.
type receipt struct {
	Version    int    `json:"version"`
	File       string `json:"file"` // base name, for people; not checked
	FileSize   int64  `json:"file_size"`
	FileSHA256 string `json:"file_sha256"`
	ChainID    string `json:"chain_id"`
	// Tx is the hex of the signed tx's canonical encoding: its ID, memo
	// and signature can be checked without a node.
	Tx        string     `json:"tx"`
	TxID      string     `json:"tx_id"`
	From      string     `json:"from"`
	BlockHash string     `json:"block_hash"`
	Height    uint64     `json:"height"`
	BlockTime string     `json:"block_time"` // RFC 3339, UTC
	Proof     wire.Proof `json:"proof"`
	Node      string     `json:"node"` // the node that confirmed it
}

// hashFile returns the SHA-256 and size of a file, streaming it.
func hashFile(name string) (core.Hash, int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return core.Hash{}, 0, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return core.Hash{}, 0, fmt.Errorf("%s: not a regular file", name)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return core.Hash{}, 0, fmt.Errorf("read %s: %w", name, err)
	}
	var sum core.Hash
	h.Sum(sum[:0])
	return sum, n, nil
}

func newAnchorCmd(g *globals) *cobra.Command {
	var (
		keys          keyFlags
		from, fee     string
		out           string
		timeout       time.Duration
		confirmations uint64
	)
	cmd := &cobra.Command{
		Use:   "anchor FILE --from NAME|ADDRESS [--out RECEIPT] [--node URL]",
		Short: "Put a file's SHA-256 on chain and write a receipt that proves it",
		Long: `Anchor a file: put its SHA-256 on chain in a data tx (amount 0, sent to the
sender's own address, memo = the 32-byte hash), wait until the tx is
confirmed (--confirmations deep), then write a receipt: the file's hash,
the signed tx, its block and its Merkle inclusion proof.

The file itself never leaves this machine. Anyone holding the file and the
receipt can later check, with "cairn verify-anchor", that this exact file
existed when that block was mined.

The receipt goes to --out (default FILE.receipt.json); an existing receipt
is not overwritten.`,
		Example: `  cairn anchor contract.pdf --from alice
  cairn verify-anchor contract.pdf contract.pdf.receipt.json`,
		Args: exactArgs(1, "the FILE to anchor"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireFlags(cmd, "from"); err != nil {
				return err
			}
			if confirmations == 0 {
				return usageError{errors.New("--confirmations: at least 1")}
			}
			if cmd.Flags().Changed("fee") {
				if err := checkCoinsSyntax("fee", fee); err != nil {
					return err
				}
			}
			file := args[0]
			if out == "" {
				out = file + ".receipt.json"
			}
			if _, err := os.Stat(out); err == nil {
				return fmt.Errorf("%s already exists: give another --out, or move it away", out)
			}
			w := cmd.OutOrStdout()
			sum, size, err := hashFile(file)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s: %d bytes, sha256 %s\n", file, size, sum)

			ctx := cmd.Context()
			c, st, err := g.clientStatus(ctx)
			if err != nil {
				return err
			}
			ci := infoFromStatus(st)
			t := &transfer{ci: ci, memo: sum[:]}
			if t.fee, err = parseFee(cmd, fee, ci); err != nil {
				return err
			}
			if t.ks, err = keys.open(false); err != nil {
				return err
			}
			if t.from, err = findKey(t.ks, from, ci.prefix); err != nil {
				return err
			}
			t.to = t.from.Address
			fromAddr := t.from.Address.Encode(ci.prefix)
			acct, err := account(ctx, c, fromAddr)
			if err != nil {
				return err
			}
			if acct.PendingBalance < t.fee {
				return fmt.Errorf("insufficient funds: balance %s, the fee is %s, in wallet %q (%s)",
					ci.coins(acct.PendingBalance), ci.coins(t.fee), t.from.Name, fromAddr)
			}
			tx, err := t.sign(cmd, &keys, acct.PendingNonce)
			if err != nil {
				return err
			}
			id, err := c.SubmitTx(ctx, tx)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "submitted data tx %s; waiting for %s...\n", id, plural(confirmations, "confirmation"))
			info, err := waitConfirmed(ctx, c, id, confirmations, timeout, w)
			if err != nil {
				return err
			}
			proof, err := c.Proof(ctx, id)
			if err != nil {
				return fmt.Errorf("tx %s is confirmed but its proof could not be fetched: %w", id, err)
			}
			b, err := c.Block(ctx, proof.BlockHash)
			if err != nil {
				return fmt.Errorf("tx %s is confirmed but its block could not be fetched: %w", id, err)
			}
			rc := receipt{
				Version: receiptVersion, File: filepath.Base(file), FileSize: size, FileSHA256: sum.String(),
				ChainID: ci.chainID, Tx: hex.EncodeToString(tx.Encode()), TxID: id, From: fromAddr,
				BlockHash: proof.BlockHash, Height: proof.Height, BlockTime: core.MillisTime(b.Timestamp).Format(time.RFC3339),
				Proof: *proof, Node: c.BaseURL(),
			}
			// The receipt must check before it is handed to anyone.
			if err := rc.checkOffline(sum); err != nil {
				return fmt.Errorf("the node's proof for tx %s does not check (receipt not written): %w", id, err)
			}
			if info.BlockHash != proof.BlockHash {
				return fmt.Errorf("tx %s moved from block %s to %s while the receipt was made (a reorganisation): run again", id, info.BlockHash, proof.BlockHash)
			}
			data, err := json.MarshalIndent(rc, "", "  ")
			if err != nil {
				return err
			}
			if err := fsutil.WriteFileAtomic(out, append(data, '\n'), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(w, "anchored in block %d %s at %s\nreceipt written to %s\n", rc.Height, rc.BlockHash, rc.BlockTime, out)
			return nil
		},
	}
	keys.register(cmd, false)
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "paying wallet: its name in the keystore, or its address (required)")
	f.StringVar(&fee, "fee", "", "fee in coins (default: the chain's minimum fee)")
	f.StringVarP(&out, "out", "o", "", "receipt file (default FILE.receipt.json)")
	f.DurationVar(&timeout, "timeout", 5*time.Minute, "give up waiting for confirmation after this long (exit 1)")
	f.Uint64Var(&confirmations, "confirmations", 1, "blocks on top of and including the tx's block to wait for")
	return cmd
}

// parseReceipt decodes a receipt strictly.
func parseReceipt(data []byte) (*receipt, error) {
	var rc receipt
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rc); err != nil {
		return nil, fmt.Errorf("not an anchor receipt (as cairn anchor writes): %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not an anchor receipt: data after the JSON object")
	}
	if rc.Version != receiptVersion {
		return nil, fmt.Errorf("receipt version %d: this cairn reads version %d", rc.Version, receiptVersion)
	}
	return &rc, nil
}

// checkOffline checks everything a receipt says that needs no node: the
// file's hash is the memo of a correctly signed tx whose ID is the leaf
// of the Merkle proof.
func (rc *receipt) checkOffline(fileSum core.Hash) error {
	anchored, err := core.ParseHash(rc.FileSHA256)
	if err != nil {
		return invalid("file_sha256: %v", err)
	}
	if anchored != fileSum {
		return invalid("the file's SHA-256 is %s, the receipt anchors %s: not the anchored file (or it was changed)", fileSum, anchored)
	}
	raw, err := hex.DecodeString(rc.Tx)
	if err != nil {
		return invalid("tx: not hex")
	}
	tx, err := core.DecodeTx(raw)
	if err != nil {
		return invalid("tx: %v", err)
	}
	if !tx.VerifySignature() {
		return invalid("the receipt's tx signature does not verify")
	}
	if !bytes.Equal(tx.Memo, fileSum[:]) {
		return invalid("the receipt's tx memo is %x, not the file's SHA-256", tx.Memo)
	}
	if tx.ChainID != rc.ChainID {
		return invalid("the receipt's tx is for chain %q, the receipt says %q", tx.ChainID, rc.ChainID)
	}
	id := tx.ID().String()
	if id != rc.TxID || rc.Proof.TxID != id {
		return invalid("the receipt's tx hashes to %s; tx_id says %s and the proof %s", id, rc.TxID, rc.Proof.TxID)
	}
	if rc.Proof.BlockHash != rc.BlockHash || rc.Proof.Height != rc.Height {
		return invalid("the proof is for block %d %s, the receipt says %d %s", rc.Proof.Height, rc.Proof.BlockHash, rc.Height, rc.BlockHash)
	}
	p, err := parseProof(mustJSON(rc.Proof))
	if err != nil {
		return err
	}
	if err := core.VerifyMerkleProof(p.root, p.txID, uint64(p.Index), uint64(p.Size), p.branch); err != nil {
		return invalid("tx %s is not the leaf at index %d of %d under tx_root %s (%v)", p.TxID, p.Index, p.Size, p.TxRoot, errors.Unwrap(err))
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func newVerifyAnchorCmd(g *globals) *cobra.Command {
	var confirmations uint64
	cmd := &cobra.Command{
		Use:   "verify-anchor FILE RECEIPT [--node URL] [--confirmations N]",
		Short: "Check that a file was anchored on chain, as its receipt says",
		Long: `Check an anchor receipt written by "cairn anchor" against a file and a node:

  - the file's SHA-256 is the receipt's;
  - the receipt's tx is correctly signed, its memo is that hash, and its ID
    is the leaf of the receipt's Merkle proof under the proof's tx_root;
  - on the node: the chain is the receipt's, the block is on the main chain
    with that tx_root, height and tx count, its header hashes to the block
    hash with valid proof of work, it holds the tx at the proof's index, and
    it has at least --confirmations confirmations.

Exit status 0 only if every check holds; 1 if one fails or the node
cannot be asked.`,
		Example: `  cairn verify-anchor contract.pdf contract.pdf.receipt.json
  cairn verify-anchor contract.pdf receipt.json --node http://10.0.0.5:8645 --confirmations 6`,
		Args: exactArgs(2, "a FILE and its RECEIPT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if confirmations == 0 {
				return usageError{errors.New("--confirmations: at least 1")}
			}
			file, receiptFile := args[0], args[1]
			data, err := readInput(cmd, receiptFile, maxReceiptFile)
			if err != nil {
				return err
			}
			rc, err := parseReceipt(data)
			if err != nil {
				return fmt.Errorf("%s: %w", receiptFile, err)
			}
			sum, _, err := hashFile(file)
			if err != nil {
				return err
			}
			if err := rc.checkOffline(sum); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "file %s: sha256 %s matches the receipt, whose signed tx %s carries it and is leaf %d of %d under tx_root %s\n",
				file, sum, rc.TxID, rc.Proof.Index, rc.Proof.Size, rc.Proof.TxRoot)

			ctx := cmd.Context()
			c, st, err := g.clientStatus(ctx)
			if err != nil {
				return err
			}
			if st.ChainID != rc.ChainID {
				return invalid("the node at %s is on chain %q, the receipt is for chain %q", c.BaseURL(), st.ChainID, rc.ChainID)
			}
			b, err := c.Block(ctx, rc.BlockHash)
			if isProblem(err, core.CodeNotFound) {
				return invalid("the node at %s does not know block %s", c.BaseURL(), rc.BlockHash)
			}
			if err != nil {
				return err
			}
			p, err := parseProof(mustJSON(rc.Proof))
			if err != nil {
				return err
			}
			if err := checkBlock(p, b); err != nil {
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
	cmd.Flags().Uint64Var(&confirmations, "confirmations", 1, "confirmations the block must have")
	return cmd
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
