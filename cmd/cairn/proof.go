package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/consensus/engines"
	"github.com/cairn-chain/cairn/core"
	"github.com/spf13/cobra"
)

// maxProofFile bounds a proof file.
const maxProofFile = 1 << 20

// proofInvalid marks a proof that does not hold (as opposed to a failure
// to check it).
type proofInvalid struct{ msg string }

func (e proofInvalid) Error() string { return "proof INVALID: " + e.msg }

func invalid(format string, args ...any) error { return proofInvalid{fmt.Sprintf(format, args...)} }

// parsedProof is a proof's fields, decoded.
type parsedProof struct {
	wire.Proof
	txID, root, block core.Hash
	branch            []core.Hash
}

// parseProof decodes a proof file and its hex fields.
func parseProof(data []byte) (*parsedProof, error) {
	var p parsedProof
	if err := json.Unmarshal(data, &p.Proof); err != nil {
		return nil, fmt.Errorf("not a proof JSON document (as GET /api/v1/txs/{id}/proof returns): %v", err)
	}
	var err error
	if p.txID, err = core.ParseHash(p.TxID); err != nil {
		return nil, invalid("tx_id: %v", err)
	}
	if p.root, err = core.ParseHash(p.TxRoot); err != nil {
		return nil, invalid("tx_root: %v", err)
	}
	if p.block, err = core.ParseHash(p.BlockHash); err != nil {
		return nil, invalid("block_hash: %v", err)
	}
	if p.Size == 0 || p.Index >= p.Size {
		return nil, invalid("index %d is not within a block of %d txs", p.Index, p.Size)
	}
	if len(p.Branch) > 64 {
		return nil, invalid("branch of %d hashes", len(p.Branch))
	}
	for i, h := range p.Branch {
		b, err := core.ParseHash(h)
		if err != nil {
			return nil, invalid("branch[%d]: %v", i, err)
		}
		p.branch = append(p.branch, b)
	}
	return &p, nil
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
			if err := core.VerifyMerkleProof(p.root, p.txID, uint64(p.Index), uint64(p.Size), p.branch); err != nil {
				return invalid("tx %s is not the leaf at index %d of %d under tx_root %s (%v)", p.TxID, p.Index, p.Size, p.TxRoot, errors.Unwrap(err))
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "proof valid: tx %s is tx %d of %d under tx_root %s\n", p.TxID, p.Index, p.Size, p.TxRoot)
			if !cmd.Flags().Changed("node") {
				fmt.Fprintf(w, "(offline check only: give --node URL to check that block %s at height %d is on the main chain)\n", p.BlockHash, p.Height)
				return nil
			}
			c, err := g.client(false)
			if err != nil {
				return err
			}
			b, err := c.Block(cmd.Context(), p.BlockHash)
			if isProblem(err, core.CodeNotFound) {
				return invalid("the node at %s does not know block %s", c.BaseURL(), p.BlockHash)
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
func checkBlock(p *parsedProof, b *wire.Block) error {
	if b.Hash != p.BlockHash {
		return invalid("the node answered block %s for %s", b.Hash, p.BlockHash)
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
		return invalid("block %s is not on the node's main chain (it was reorganised out)", p.BlockHash)
	case b.Height != p.Height:
		return invalid("block %s is at height %d, the proof says %d", p.BlockHash, b.Height, p.Height)
	case b.TxRoot != p.TxRoot:
		return invalid("block %s has tx_root %s, the proof says %s", p.BlockHash, b.TxRoot, p.TxRoot)
	case count != int(p.Size):
		return invalid("block %s has %d txs, the proof says %d", p.BlockHash, count, p.Size)
	case len(b.Txs) != 0 && len(b.Txs) != count:
		return invalid("block %s lists %d txs but counts %d", p.BlockHash, len(b.Txs), count)
	}
	if len(b.Txs) == count && b.Txs[p.Index].ID != p.TxID {
		return invalid("block %s holds tx %s at index %d, not %s", p.BlockHash, b.Txs[p.Index].ID, p.Index, p.TxID)
	}
	return nil
}

// checkHeader recomputes the block's hash from its header fields and
// checks its proof of work, so the node's answer is self-consistent.
func checkHeader(b *wire.Block) error {
	h := core.Header{Version: core.BlockVersion, Height: b.Height, Timestamp: b.Timestamp, Nonce: b.Nonce}
	var err error
	if h.PrevHash, err = core.ParseHash(b.PrevHash); err != nil {
		return fmt.Errorf("the node's block %s: prev_hash: %v", b.Hash, err)
	}
	if h.TxRoot, err = core.ParseHash(b.TxRoot); err != nil {
		return fmt.Errorf("the node's block %s: tx_root: %v", b.Hash, err)
	}
	// The miner's address prefix is the bech32 part before the last '1'.
	if i := strings.LastIndexByte(b.Miner, '1'); i > 0 {
		if h.Miner, err = core.ParseAddress(b.Miner, b.Miner[:i]); err != nil {
			return fmt.Errorf("the node's block %s: miner: %v", b.Hash, err)
		}
	} else {
		return fmt.Errorf("the node's block %s: miner %q is not an address", b.Hash, b.Miner)
	}
	var bits core.HexU32
	if err := bits.UnmarshalText([]byte(b.Bits)); err != nil {
		return fmt.Errorf("the node's block %s: bits: %v", b.Hash, err)
	}
	h.Bits = uint32(bits)
	hash := h.Hash()
	if hash.String() != b.Hash {
		return invalid("the header the node gave for block %s hashes to %s", b.Hash, hash)
	}
	if err := engines.CheckSealOffline(&h); err != nil {
		return invalid("block %s (bits %s): %v", b.Hash, b.Bits, err)
	}
	return nil
}
