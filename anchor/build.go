package anchor

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/cairn-chain/cairn/anchor/memo"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/core"
)

// Entry is one file of a batch: its sum, its salt (nil: unsalted) and its
// commitment.
type Entry struct {
	FileSum
	Salt []byte
	Leaf core.Hash
}

// Job is a batch being anchored: its files' commitments, their tree and
// the topic.
type Job struct {
	Topic   string
	Entries []Entry
	tree    *Tree
}

// NewJob commits to files: salt, if not nil, is called once per file for
// its salt (e.g. 32 random bytes; a fixed salt for every file discloses
// more); topic ("" for none) is checked.
func NewJob(sums []FileSum, topic string, salt func() ([]byte, error)) (*Job, error) {
	if topic != "" {
		if err := memo.CheckTopic(topic); err != nil {
			return nil, err
		}
	}
	j := &Job{Topic: topic, Entries: make([]Entry, len(sums))}
	leaves := make([]core.Hash, len(sums))
	for i, s := range sums {
		e := Entry{FileSum: s}
		if salt != nil {
			var err error
			if e.Salt, err = salt(); err != nil {
				return nil, fmt.Errorf("salt: %w", err)
			}
		}
		e.Leaf = Leaf(s.Sum, e.Salt)
		j.Entries[i], leaves[i] = e, e.Leaf
	}
	var err error
	if j.tree, err = NewTree(leaves); err != nil {
		return nil, err
	}
	return j, nil
}

// Root returns the batch root the tx anchors.
func (j *Job) Root() core.Hash { return j.tree.Root() }

// Memo returns the anchoring tx's memo.
func (j *Job) Memo() ([]byte, error) { return memo.Encode(j.Topic, j.Root()) }

// Anchored is what the chain says about the batch's tx once confirmed.
type Anchored struct {
	Genesis json.RawMessage // the genesis document
	Tx      *core.Tx
	From    string // the sender's address, for people
	Proof   wire.Proof
	// Headers are consecutive main-chain headers, from the block's parent
	// (or, PoA without VoteHeaders: from height 1) to the tip.
	Headers []core.Header
	// VoteHeaders (PoA) are the main chain's headers that carry a vote,
	// below Headers[0], ascending: the signer set is replayed from them.
	// Receipts carry those a replay needs (poa.Engine.NeededVotes).
	VoteHeaders []core.Header
	Node        string
}

// encoded returns the parts of a receipt every file of the batch shares:
// the checked genesis and the hex headers and vote headers.
func (a *Anchored) encoded() (g *core.Genesis, headers, votes []string, block *core.Header, err error) {
	if g, err = core.ParseGenesis(a.Genesis); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("the node's genesis: %w", err)
	}
	size := 0
	encode := func(hs []core.Header) ([]string, error) {
		var out []string
		for i := range hs {
			out = append(out, hex.EncodeToString(hs[i].Encode()))
			size += len(out[i]) + 8 // quotes, comma, indentation
			if size > MaxReceiptSize-1<<20 || len(headers)+len(out) > maxHeaders {
				return nil, fmt.Errorf("%d headers and %d vote headers do not fit in a receipt of at most %d bytes", len(a.Headers), len(a.VoteHeaders), MaxReceiptSize)
			}
		}
		return out, nil
	}
	if headers, err = encode(a.Headers); err != nil {
		return nil, nil, nil, nil, err
	}
	needed, err := a.neededVotes(g)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if votes, err = encode(needed); err != nil {
		return nil, nil, nil, nil, err
	}
	for i := range a.Headers {
		if h := &a.Headers[i]; h.Height == a.Proof.Height && h.Hash().String() == a.Proof.BlockHash {
			block = h
		}
	}
	if block == nil {
		return nil, nil, nil, nil, fmt.Errorf("block %d %s is not among the headers fetched", a.Proof.Height, a.Proof.BlockHash)
	}
	return g, headers, votes, block, nil
}

// neededVotes returns the vote headers a receipt needs
// (poa.Engine.NeededVotes): not those of an epoch past whose votes
// changed nothing.
func (a *Anchored) neededVotes(g *core.Genesis) ([]core.Header, error) {
	if len(a.VoteHeaders) == 0 || len(a.Headers) == 0 {
		return a.VoteHeaders, nil
	}
	e, err := poa.New(g)
	if err != nil {
		return nil, fmt.Errorf("vote headers on a chain whose genesis is not proof of authority: %w", err)
	}
	hs := make([]*core.Header, len(a.VoteHeaders))
	for i := range a.VoteHeaders {
		hs[i] = &a.VoteHeaders[i]
	}
	keep, err := e.NeededVotes(hs, a.Headers[0].Height-1)
	if err != nil {
		return nil, fmt.Errorf("the node's vote headers: %w", err)
	}
	out := make([]core.Header, len(keep))
	for i, k := range keep {
		out[i] = a.VoteHeaders[k]
	}
	return out, nil
}

// Receipts returns the batch's receipts, in the order of its entries,
// each checked (CheckRecord and VerifyHeaders) before it is returned: a
// receipt that would not verify is never handed out.
func (j *Job) Receipts(a *Anchored, now time.Time) ([]*Receipt, error) {
	g, headers, votes, block, err := a.encoded()
	if err != nil {
		return nil, err
	}
	base := Receipt{
		Version: Version2, Topic: j.Topic, ChainID: g.ChainID, GenesisHash: g.Hash().String(), Genesis: a.Genesis,
		Tx: hex.EncodeToString(a.Tx.Encode()), TxID: a.Tx.ID().String(), From: a.From,
		BlockHash: a.Proof.BlockHash, Height: a.Proof.Height, BlockTime: core.MillisTime(block.Timestamp).Format(time.RFC3339),
		Proof: a.Proof, VoteHeaders: votes, Headers: headers, Node: a.Node,
	}
	// The headers and the tx are the same for every file: check them once.
	if _, err := base.VerifyHeaders(nil, nil, now); err != nil {
		return nil, fmt.Errorf("the node's headers do not check: %w", err)
	}
	root := j.Root().String()
	out := make([]*Receipt, len(j.Entries))
	for i, e := range j.Entries {
		path, err := j.tree.Path(uint64(i))
		if err != nil {
			return nil, err
		}
		rc := base
		rc.File, rc.FileSize, rc.FileSHA256 = filepath.Base(e.Name), e.Size, e.Sum.String()
		if e.Salt != nil {
			rc.Salt = hex.EncodeToString(e.Salt)
		}
		rc.Leaf = e.Leaf.String()
		rc.Batch = &Batch{Root: root, Index: uint64(i), Size: uint64(len(j.Entries)), Path: make([]string, len(path))}
		for k, p := range path {
			rc.Batch.Path[k] = p.String()
		}
		// Each receipt's own part is its path: check it; the tx, its proof
		// and memo are the same for all, checked in full once.
		if err := VerifyPath(j.Root(), e.Leaf, uint64(i), uint64(len(j.Entries)), path); err != nil {
			return nil, fmt.Errorf("receipt of %s: %w", e.Name, err)
		}
		if i == 0 {
			if _, err := rc.CheckRecord(e.Sum); err != nil {
				return nil, fmt.Errorf("receipt of %s: %w", e.Name, err)
			}
		}
		out[i] = &rc
	}
	return out, nil
}
