package anchor

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-chain/cairn/anchor/memo"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/engines"
	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/core"
)

// InvalidError is a receipt or proof that does not hold (as opposed to a
// failure to check it, such as an unreachable node). Reason says which
// check failed.
type InvalidError struct{ Reason string }

func (e *InvalidError) Error() string { return "proof INVALID: " + e.Reason }

// Invalid returns an *InvalidError with a formatted reason.
func Invalid(format string, args ...any) error {
	return &InvalidError{fmt.Sprintf(format, args...)}
}

// MaxFutureDrift is how far past the verifier's clock a receipt's newest
// header may be dated: chain.MaxFutureDrift, the limit every node applies
// (a test keeps the two equal; this package does not import chain).
const MaxFutureDrift = 2 * time.Minute

// TxProof is a tx's Merkle inclusion proof in its block, decoded.
type TxProof struct {
	TxID, TxRoot, Block core.Hash
	Height              uint64
	Index, Size         uint64
	Branch              []core.Hash
}

// ParseTxProof decodes the hex fields of a proof as GET
// /api/v1/txs/{id}/proof serves it.
func ParseTxProof(p wire.Proof) (*TxProof, error) {
	out := &TxProof{Height: p.Height, Index: uint64(p.Index), Size: uint64(p.Size)}
	var err error
	if out.TxID, err = core.ParseHash(p.TxID); err != nil {
		return nil, Invalid("tx_id: %v", err)
	}
	if out.TxRoot, err = core.ParseHash(p.TxRoot); err != nil {
		return nil, Invalid("tx_root: %v", err)
	}
	if out.Block, err = core.ParseHash(p.BlockHash); err != nil {
		return nil, Invalid("block_hash: %v", err)
	}
	if p.Size == 0 || p.Index >= p.Size {
		return nil, Invalid("index %d is not within a block of %d txs", p.Index, p.Size)
	}
	if out.Branch, err = parseHashes("branch", p.Branch); err != nil {
		return nil, err
	}
	return out, nil
}

// Wire returns the proof in its JSON form.
func (p *TxProof) Wire() wire.Proof {
	out := wire.Proof{TxID: p.TxID.String(), BlockHash: p.Block.String(), Height: p.Height, TxRoot: p.TxRoot.String(),
		Index: uint32(p.Index), Size: uint32(p.Size), Branch: make([]string, len(p.Branch))}
	for i, b := range p.Branch {
		out.Branch[i] = b.String()
	}
	return out
}

// Verify checks that the tx is the leaf at the proof's index of a tree of
// its size under its tx_root (RFC 6962).
func (p *TxProof) Verify() error {
	if err := core.VerifyMerkleProof(p.TxRoot, p.TxID, p.Index, p.Size, p.Branch); err != nil {
		return Invalid("tx %s is not the leaf at index %d of %d under tx_root %s (%v)", p.TxID, p.Index, p.Size, p.TxRoot, errors.Unwrap(err))
	}
	return nil
}

func parseHashes(field string, hs []string) ([]core.Hash, error) {
	if len(hs) > 64 {
		return nil, Invalid("%s of %d hashes", field, len(hs))
	}
	out := make([]core.Hash, len(hs))
	for i, h := range hs {
		var err error
		if out[i], err = core.ParseHash(h); err != nil {
			return nil, Invalid("%s[%d]: %v", field, i, err)
		}
	}
	return out, nil
}

// Record is what CheckRecord established: the file's commitment is in the
// signed tx, which is in its block's tx tree.
type Record struct {
	Tx    *core.Tx
	Leaf  core.Hash // the file's commitment (v1: its SHA-256)
	Root  core.Hash // the anchored root (v1: the file's SHA-256)
	Topic string
	Proof *TxProof
}

// CheckRecord checks everything a receipt says about the file that needs
// neither headers nor a node: the file's SHA-256 is the receipt's; its
// commitment (salted or not) is the receipt's leaf; the leaf's audit path
// leads to the batch root; the memo of the correctly signed tx carries
// that root (and the receipt's topic); the tx's ID is the leaf of the
// Merkle proof under the proof's tx_root.
func (rc *Receipt) CheckRecord(fileSum core.Hash) (*Record, error) {
	anchored, err := core.ParseHash(rc.FileSHA256)
	if err != nil {
		return nil, Invalid("file_sha256: %v", err)
	}
	if anchored != fileSum {
		return nil, Invalid("the file's SHA-256 is %s, the receipt anchors %s: not the anchored file (or it was changed)", fileSum, anchored)
	}
	rec := &Record{Leaf: fileSum, Root: fileSum}
	if rc.Version == Version2 {
		if err := rc.checkBatch(fileSum, rec); err != nil {
			return nil, err
		}
	}
	raw, err := hex.DecodeString(rc.Tx)
	if err != nil {
		return nil, Invalid("tx: not hex")
	}
	tx, err := core.DecodeTx(raw)
	if err != nil {
		return nil, Invalid("tx: %v", err)
	}
	rec.Tx = tx
	if !tx.VerifySignature() {
		return nil, Invalid("the receipt's tx signature does not verify")
	}
	if rc.Version == Version1 {
		if !bytes.Equal(tx.Memo, fileSum[:]) {
			return nil, Invalid("the receipt's tx memo is %x, not the file's SHA-256", tx.Memo)
		}
	} else {
		topic, root, err := memo.Parse(tx.Memo)
		if err != nil {
			return nil, Invalid("the receipt's tx memo: %v", err)
		}
		if root != rec.Root || topic != rc.Topic {
			return nil, Invalid("the receipt's tx anchors root %s under topic %q, the receipt says root %s under topic %q", root, topic, rec.Root, rc.Topic)
		}
	}
	if tx.ChainID != rc.ChainID {
		return nil, Invalid("the receipt's tx is for chain %q, the receipt says %q", tx.ChainID, rc.ChainID)
	}
	id := tx.ID().String()
	if id != rc.TxID || rc.Proof.TxID != id {
		return nil, Invalid("the receipt's tx hashes to %s; tx_id says %s and the proof %s", id, rc.TxID, rc.Proof.TxID)
	}
	if rc.Proof.BlockHash != rc.BlockHash || rc.Proof.Height != rc.Height {
		return nil, Invalid("the proof is for block %d %s, the receipt says %d %s", rc.Proof.Height, rc.Proof.BlockHash, rc.Height, rc.BlockHash)
	}
	if rec.Proof, err = ParseTxProof(rc.Proof); err != nil {
		return nil, err
	}
	if err := rec.Proof.Verify(); err != nil {
		return nil, err
	}
	return rec, nil
}

// checkBatch checks the commitment and its audit path.
func (rc *Receipt) checkBatch(fileSum core.Hash, rec *Record) error {
	var salt []byte
	if rc.Salt != "" {
		var err error
		if salt, err = hex.DecodeString(rc.Salt); err != nil || len(salt) == 0 || len(salt) > 64 {
			return Invalid("salt: want 1 to 64 bytes of hex")
		}
	}
	leaf, err := core.ParseHash(rc.Leaf)
	if err != nil {
		return Invalid("leaf: %v", err)
	}
	if want := Leaf(fileSum, salt); leaf != want {
		return Invalid("the file's commitment is %s, the receipt's leaf %s (salt or leaf changed)", want, leaf)
	}
	root, err := core.ParseHash(rc.Batch.Root)
	if err != nil {
		return Invalid("batch root: %v", err)
	}
	path, err := parseHashes("batch path", rc.Batch.Path)
	if err != nil {
		return err
	}
	if err := VerifyPath(root, leaf, rc.Batch.Index, rc.Batch.Size, path); err != nil {
		return Invalid("leaf %s is not leaf %d of %d under the batch root %s (%v)", leaf, rc.Batch.Index, rc.Batch.Size, root, err)
	}
	rec.Leaf, rec.Root = leaf, root
	return nil
}

// Chain is what VerifyHeaders established about a receipt's block.
type Chain struct {
	Genesis     *core.Genesis
	GenesisHash core.Hash
	Block       core.Header // the anchor's block
	Tip         core.Header // the newest header in the receipt
	// Confirmations counts the block and the headers on top of it.
	Confirmations uint64
	// Work is the engine's fork-choice weight of the block and the
	// headers on top of it (PoW: expected hashes; PoA: in-turn weights).
	Work *big.Int
}

// VerifyHeaders checks a version-2 receipt's headers offline, with the
// consensus engine of the receipt's genesis (never with rules of its own):
// the genesis hashes to genesis_hash and, if pin is not nil, to *pin;
// every header decodes, connects to the one before (prev_hash, height)
// and passes the engine's VerifySeal and, against its parent, CheckHeader
// (PoW: hash within the target of bits, bits what ASERT demands after the
// parent; PoA: the signature, a signer of the snapshot replayed from the
// genesis, in its turn's weight, not too soon); the receipt's block is
// among them with the proof's tx_root and its time as block_time; no
// header is dated more than MaxFutureDrift after now.
//
// A receipt's first header is the block's parent, whose own bits
// (PoW) or time and recency (PoA) are not checked: its parent is not in
// the receipt. A proof-of-authority receipt's signer set at that parent is
// replayed from the genesis through its vote_headers
// (poa.Engine.ReplayVotes: each sealed by a signer of the set replayed to
// it), or, without vote_headers, the headers start at height 1 and are
// all checked in full.
func (rc *Receipt) VerifyHeaders(proof *TxProof, pin *core.Hash, now time.Time) (*Chain, error) {
	if rc.Version != Version2 {
		return nil, Invalid("a version-%d receipt carries no headers: check it against a node", rc.Version)
	}
	g, err := core.ParseGenesis(rc.Genesis)
	if err != nil {
		return nil, Invalid("the receipt's genesis: %v", err)
	}
	gh := g.Hash()
	switch {
	case gh.String() != rc.GenesisHash:
		return nil, Invalid("the receipt's genesis hashes to %s, its genesis_hash says %s", gh, rc.GenesisHash)
	case pin != nil && *pin != gh:
		return nil, Invalid("the receipt is for the chain with genesis %s, not the pinned genesis %s", gh, *pin)
	case g.ChainID != rc.ChainID:
		return nil, Invalid("the receipt's genesis is for chain %q, the receipt says %q", g.ChainID, rc.ChainID)
	}
	eng, err := engines.New(g)
	if err != nil {
		return nil, Invalid("the receipt's genesis: %v", err)
	}
	pe, _ := eng.(*poa.Engine)
	if g.IsPoA() != (pe != nil) {
		return nil, Invalid("the receipt's genesis: engine %T for consensus %q", eng, g.Consensus)
	}
	genesis := g.Block().Header
	hs, err := parseHeaders("headers", rc.Headers)
	if err != nil {
		return nil, err
	}
	votes, err := parseHeaders("vote_headers", rc.VoteHeaders)
	if err != nil {
		return nil, err
	}
	if len(hs) == 0 {
		return nil, Invalid("the receipt has no headers")
	}
	first := hs[0].Height
	switch {
	case first == 0:
		return nil, Invalid("headers[0] is at height 0: the genesis header comes from the genesis document")
	case pe == nil && len(votes) > 0:
		return nil, Invalid("a proof-of-work receipt with vote_headers")
	case rc.Height < first || rc.Height-first >= uint64(len(hs)):
		return nil, Invalid("the block's height %d is not among the headers (heights %d to %d)", rc.Height, first, first+uint64(len(hs))-1)
	case rc.Height == first && first != 1:
		return nil, Invalid("the block at height %d is the first header: its parent must be in the receipt, to check the block against it", rc.Height)
	}
	// Every seal at once, on every core; ReplayVotes finds the vote
	// headers' in the engine's cache.
	seals := verifySeals(eng, append(slices.Clip(hs), votes...))
	limit := uint64(now.Add(MaxFutureDrift).UnixMilli())
	var snap *poa.Snapshot
	if pe != nil {
		for i, h := range votes {
			if err := seals[len(hs)+i]; err != nil {
				return nil, Invalid("vote header at height %d %s: %v", h.Height, h.Hash(), err)
			}
			if h.Timestamp > limit {
				return nil, Invalid("vote header at height %d is dated %s, after the verifier's clock %s (+%s)", h.Height,
					core.MillisTime(h.Timestamp).Format(time.RFC3339), now.UTC().Format(time.RFC3339), MaxFutureDrift)
			}
		}
		if snap, err = pe.ReplayVotes(votes, first-1); err != nil {
			return nil, Invalid("the signer set replayed from the receipt's vote headers (below height %d): %v", first, err)
		}
	}
	reader := headerReader{genesis.Hash(): &genesis}
	for i, h := range hs {
		hash := h.Hash()
		var parent *core.Header
		switch {
		case i > 0:
			parent = hs[i-1]
		case h.Height == 1:
			parent = &genesis
		}
		if parent != nil && (h.PrevHash != parent.Hash() || h.Height != parent.Height+1) {
			return nil, Invalid("header %d (height %d) does not connect to the one before (height %d %s): prev_hash %s",
				i, h.Height, parent.Height, parent.Hash(), h.PrevHash)
		}
		if err := seals[i]; err != nil {
			return nil, Invalid("header at height %d %s: %v", h.Height, hash, err)
		}
		switch {
		case pe != nil:
			// From the replayed set: the first header's time and recency
			// need its parent, which only a receipt from height 1 has.
			if snap, err = pe.CheckHeaderAfter(snap, h, parent); err != nil {
				return nil, Invalid("header at height %d %s: %v", h.Height, hash, err)
			}
		case parent != nil:
			if err := eng.CheckHeader(reader, h, parent); err != nil {
				return nil, Invalid("header at height %d %s: %v", h.Height, hash, err)
			}
		}
		if h.Timestamp > limit {
			return nil, Invalid("header at height %d is dated %s, after the verifier's clock %s (+%s)", h.Height,
				core.MillisTime(h.Timestamp).Format(time.RFC3339), now.UTC().Format(time.RFC3339), MaxFutureDrift)
		}
		reader[hash] = h
	}
	k := rc.Height - first
	blk := hs[k]
	if hash := blk.Hash(); hash.String() != rc.BlockHash {
		return nil, Invalid("the header at height %d hashes to %s, the receipt's block is %s", rc.Height, hash, rc.BlockHash)
	}
	if want := core.MillisTime(blk.Timestamp).Format(time.RFC3339); rc.BlockTime != want {
		return nil, Invalid("the receipt's block_time %s is not the block's time %s", rc.BlockTime, want)
	}
	if proof != nil && blk.TxRoot != proof.TxRoot {
		return nil, Invalid("block %d has tx_root %s, the proof says %s", rc.Height, blk.TxRoot, proof.TxRoot)
	}
	out := &Chain{Genesis: g, GenesisHash: gh, Block: *blk, Tip: *hs[len(hs)-1], Confirmations: uint64(len(hs)) - k, Work: new(big.Int)}
	for _, h := range hs[k:] {
		out.Work.Add(out.Work, eng.Work(h))
	}
	return out, nil
}

// parseHeaders decodes a receipt's hex headers.
func parseHeaders(field string, hexes []string) ([]*core.Header, error) {
	hs := make([]*core.Header, len(hexes))
	for i, s := range hexes {
		raw, err := hex.DecodeString(s)
		if err != nil {
			return nil, Invalid("%s[%d]: not hex", field, i)
		}
		if hs[i], err = core.DecodeHeader(raw); err != nil {
			return nil, Invalid("%s[%d]: %v", field, i, err)
		}
	}
	return hs, nil
}

// verifySeals runs the engine's VerifySeal on every header, on every core
// (a PoA seal is an Ed25519 verification), and returns the results by
// index.
func verifySeals(eng consensus.Engine, hs []*core.Header) []error {
	errs := make([]error, len(hs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(hs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(hs) {
					return
				}
				errs[i] = eng.VerifySeal(hs[i])
			}
		}()
	}
	wg.Wait()
	return errs
}

// headerReader is the receipt's headers by hash, for the engine.
type headerReader map[core.Hash]*core.Header

var _ consensus.ChainReader = headerReader(nil)

func (r headerReader) HeaderByHash(h core.Hash) (*core.Header, bool) {
	x, ok := r[h]
	if !ok {
		return nil, false
	}
	c := *x
	return &c, true
}
