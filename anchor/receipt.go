package anchor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cairn-chain/cairn/api/wire"
)

// Receipt versions.
const (
	// Version1 receipts (cairn before batches) anchor one file: the tx's
	// memo is the file's SHA-256; they are checked against a node.
	Version1 = 1
	// Version2 receipts anchor one file of a batch: the memo carries the
	// batch root (and topic); they carry the genesis and headers for an
	// offline check.
	Version2 = 2
)

// MaxReceiptSize bounds a receipt file (a proof-of-authority receipt
// written before vote_headers carried every header since the genesis:
// about 500 bytes of JSON each).
const MaxReceiptSize = 64 << 20

// maxHeaders bounds a receipt's headers and vote headers together.
const maxHeaders = MaxReceiptSize / 200

// Receipt is what `cairn anchor` writes for each file: everything needed
// to show later, to anyone with the file, that the file's commitment was
// put on chain in a given block. docs/receipts.md describes every field.
type Receipt struct {
	Version    int    `json:"version"`
	File       string `json:"file"` // base name, for people; not checked
	FileSize   int64  `json:"file_size"`
	FileSHA256 string `json:"file_sha256"`

	// Version 2: the commitment and its place in the batch.
	Salt  string `json:"salt,omitempty"` // hex; absent: unsalted
	Leaf  string `json:"leaf,omitempty"` // the commitment, the batch tree's leaf
	Topic string `json:"topic,omitempty"`
	Batch *Batch `json:"batch,omitempty"`

	ChainID string `json:"chain_id"`
	// Version 2: the chain's identity and rules, for the offline check.
	GenesisHash string          `json:"genesis_hash,omitempty"`
	Genesis     json.RawMessage `json:"genesis,omitempty"`

	// Tx is the hex of the signed tx's canonical encoding: its ID, memo
	// and signature can be checked without a node.
	Tx        string     `json:"tx"`
	TxID      string     `json:"tx_id"`
	From      string     `json:"from"`
	BlockHash string     `json:"block_hash"`
	Height    uint64     `json:"height"`
	BlockTime string     `json:"block_time"` // RFC 3339, UTC, from the header's unix milliseconds
	Proof     wire.Proof `json:"proof"`

	// Version 2, proof of authority: the canonical encodings (hex) of the
	// main chain's headers that carry a vote, below the first of Headers,
	// ascending, from which the signer set is replayed (none: Headers start
	// at height 1).
	VoteHeaders []string `json:"vote_headers,omitempty"`
	// Version 2: the canonical encodings (hex) of consecutive main-chain
	// headers from the block's parent (proof of authority without
	// vote_headers: from height 1) to the tip when the receipt was written.
	Headers []string `json:"headers,omitempty"`

	Node string `json:"node"` // the node that confirmed it; not checked
}

// Batch is a file's place in its batch: its leaf is leaf Index of Size
// under Root, by the audit path Path (hex, from the sibling up).
type Batch struct {
	Root  string   `json:"root"`
	Index uint64   `json:"index"`
	Size  uint64   `json:"size"`
	Path  []string `json:"path"`
}

// Parse decodes a receipt strictly (unknown fields and trailing data are
// errors) and checks that it has the fields of its version. The values
// themselves are checked by CheckRecord and VerifyHeaders.
func Parse(data []byte) (*Receipt, error) {
	if len(data) > MaxReceiptSize {
		return nil, fmt.Errorf("not an anchor receipt: %d bytes, at most %d", len(data), MaxReceiptSize)
	}
	var rc Receipt
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rc); err != nil {
		return nil, fmt.Errorf("not an anchor receipt (as cairn anchor writes): %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not an anchor receipt: data after the JSON object")
	}
	switch rc.Version {
	case Version1:
		if rc.Salt != "" || rc.Leaf != "" || rc.Topic != "" || rc.Batch != nil || rc.GenesisHash != "" || rc.Genesis != nil || rc.Headers != nil || rc.VoteHeaders != nil {
			return nil, errors.New("receipt version 1 with version-2 fields (salt, leaf, topic, batch, genesis, headers, vote_headers)")
		}
	case Version2:
		switch {
		case rc.Leaf == "":
			return nil, errors.New("receipt version 2 without its leaf")
		case rc.Batch == nil:
			return nil, errors.New("receipt version 2 without its batch path")
		case rc.GenesisHash == "" || len(rc.Genesis) == 0:
			return nil, errors.New("receipt version 2 without its genesis")
		case len(rc.Headers) == 0:
			return nil, errors.New("receipt version 2 without headers")
		case len(rc.Headers)+len(rc.VoteHeaders) > maxHeaders:
			return nil, fmt.Errorf("receipt with %d headers and %d vote headers, at most %d in all", len(rc.Headers), len(rc.VoteHeaders), maxHeaders)
		case len(rc.Batch.Path) > 64:
			return nil, fmt.Errorf("batch path of %d hashes", len(rc.Batch.Path))
		}
	default:
		return nil, fmt.Errorf("receipt version %d: this cairn reads versions %d and %d", rc.Version, Version1, Version2)
	}
	return &rc, nil
}

// Marshal encodes a receipt as written to a file (indented, one trailing
// newline).
func (rc *Receipt) Marshal() ([]byte, error) {
	data, err := json.MarshalIndent(rc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// receiptOwn and receiptShared split a Receipt's fields, in its field
// order, into what differs between the files of a batch and what they
// share, so that MarshalBatch encodes the shared part (genesis, tx,
// headers) once.
type (
	receiptOwn struct {
		Version    int    `json:"version"`
		File       string `json:"file"`
		FileSize   int64  `json:"file_size"`
		FileSHA256 string `json:"file_sha256"`
		Salt       string `json:"salt,omitempty"`
		Leaf       string `json:"leaf,omitempty"`
		Topic      string `json:"topic,omitempty"`
		Batch      *Batch `json:"batch,omitempty"`
	}
	receiptShared struct {
		ChainID     string          `json:"chain_id"`
		GenesisHash string          `json:"genesis_hash,omitempty"`
		Genesis     json.RawMessage `json:"genesis,omitempty"`
		Tx          string          `json:"tx"`
		TxID        string          `json:"tx_id"`
		From        string          `json:"from"`
		BlockHash   string          `json:"block_hash"`
		Height      uint64          `json:"height"`
		BlockTime   string          `json:"block_time"`
		Proof       wire.Proof      `json:"proof"`
		VoteHeaders []string        `json:"vote_headers,omitempty"`
		Headers     []string        `json:"headers,omitempty"`
		Node        string          `json:"node"`
	}
)

func (rc *Receipt) split() (receiptOwn, receiptShared) {
	return receiptOwn{rc.Version, rc.File, rc.FileSize, rc.FileSHA256, rc.Salt, rc.Leaf, rc.Topic, rc.Batch},
		receiptShared{rc.ChainID, rc.GenesisHash, rc.Genesis, rc.Tx, rc.TxID, rc.From, rc.BlockHash, rc.Height, rc.BlockTime, rc.Proof, rc.VoteHeaders, rc.Headers, rc.Node}
}

// sameShared reports whether a and b share their batch-wide fields (the
// slices by identity: Job.Receipts gives every receipt the same ones).
func sameShared(a, b *receiptShared) bool {
	sameSlice := func(x, y []string) bool { return len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0]) }
	return a.ChainID == b.ChainID && a.GenesisHash == b.GenesisHash && bytes.Equal(a.Genesis, b.Genesis) && a.Tx == b.Tx &&
		a.TxID == b.TxID && a.From == b.From && a.BlockHash == b.BlockHash && a.Height == b.Height && a.BlockTime == b.BlockTime &&
		a.Proof.TxID == b.Proof.TxID && a.Proof.BlockHash == b.Proof.BlockHash && a.Proof.Height == b.Proof.Height &&
		a.Proof.TxRoot == b.Proof.TxRoot && a.Proof.Index == b.Proof.Index && a.Proof.Size == b.Proof.Size &&
		sameSlice(a.Proof.Branch, b.Proof.Branch) && sameSlice(a.VoteHeaders, b.VoteHeaders) && sameSlice(a.Headers, b.Headers) && a.Node == b.Node
}

// MarshalBatch encodes receipts exactly as Marshal does each, encoding the
// part the receipts of one batch share only once (10,000 receipts of one
// batch differ only in their first fields).
func MarshalBatch(rcs []*Receipt) ([][]byte, error) {
	out := make([][]byte, len(rcs))
	if len(rcs) == 0 {
		return out, nil
	}
	_, first := rcs[0].split()
	shared, err := json.MarshalIndent(first, "", "  ")
	if err != nil {
		return nil, err
	}
	tail := shared[len("{\n"):] // "  \"chain_id\": ...\n}"
	one := func(i int) error {
		rc := rcs[i]
		own, sh := rc.split()
		if !sameShared(&sh, &first) {
			var err error
			out[i], err = rc.Marshal()
			return err
		}
		head, err := json.MarshalIndent(own, "", "  ")
		if err != nil {
			return err
		}
		b := make([]byte, 0, len(head)+len(tail)+3)
		b = append(b, head[:len(head)-len("\n}")]...)
		b = append(b, ",\n"...)
		b = append(b, tail...)
		out[i] = append(b, '\n')
		return nil
	}
	// On every core: the receipts are independent.
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, min(runtime.GOMAXPROCS(0), len(rcs)))
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(rcs) || errs[w] != nil {
					return
				}
				errs[w] = one(i)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
