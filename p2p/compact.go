package p2p

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/cairn-chain/cairn/core"
)

// Compact block relay (after Bitcoin's BIP 152). A block is announced as
// its header, a salted 6-byte short ID per tx and the txs the sender
// expects its peers to lack (prefilled); the receiver rebuilds the block
// from the txs it has seen and asks the announcing peer only for the
// missing ones (GetBlockTxn on the RPC protocol). Full blocks stay the
// fallback and the form for sync and for peers that do not take part in
// the compact topic (v1 nodes). See docs/p2p.md, "Compact block
// relay".

// CompactTopic returns the name of a chain's compact block gossip topic.
func CompactTopic(genesis core.Hash) string {
	return "/cairn/" + genesis.String()[:16] + "/cblocks/1"
}

// ShortIDSize is the length of a short tx ID (48 bits, as BIP 152's).
const ShortIDSize = 6

// MaxBlockTxnIndexes caps the indexes of one GetBlockTxn request (a
// request frame holds at most maxRequestBytes); a receiver missing more
// txs fetches the full block.
const MaxBlockTxnIndexes = 4096

// ShortID is a salted short tx ID.
type ShortID [ShortIDSize]byte

// CompactSalt is the key of a compact block's short IDs: SHA-256 of the
// header's encoding and the sender's nonce (u64, big-endian), so a short
// ID cannot be ground for before the block exists, and each sender's
// collisions differ.
func CompactSalt(h *core.Header, nonce uint64) [32]byte {
	b := h.AppendEncode(make([]byte, 0, core.MaxHeaderSize+8))
	return sha256.Sum256(binary.BigEndian.AppendUint64(b, nonce))
}

// ShortTxID is the first 6 bytes of SHA-256(salt || tx ID). (BIP 152 uses
// SipHash-2-4, which the module does not carry; a short ID costs one
// SHA-256 of 64 bytes: BenchmarkShortTxIDs.)
func ShortTxID(salt *[32]byte, id core.Hash) ShortID {
	var buf [64]byte
	copy(buf[:32], salt[:])
	copy(buf[32:], id[:])
	sum := sha256.Sum256(buf[:])
	return ShortID(sum[:ShortIDSize])
}

// PrefilledTx is a tx sent in full inside a compact block, with its index
// in the block.
type PrefilledTx struct {
	Index int
	Tx    *core.Tx
}

// CompactBlock is the compact form of a block. Short IDs are those of the
// txs not prefilled, in block order; prefilled txs are in index order.
type CompactBlock struct {
	Header    core.Header
	Nonce     uint64
	ShortIDs  []ShortID
	Prefilled []PrefilledTx
}

// NewCompactBlock returns the compact form of blk with the given nonce,
// sending in full the txs for which prefill is true.
func NewCompactBlock(blk *core.Block, nonce uint64, prefill func(i int, tx *core.Tx) bool) *CompactBlock {
	cb := &CompactBlock{Header: blk.Header, Nonce: nonce}
	salt := CompactSalt(&blk.Header, nonce)
	for i, tx := range blk.Txs {
		if prefill != nil && prefill(i, tx) {
			cb.Prefilled = append(cb.Prefilled, PrefilledTx{Index: i, Tx: tx})
			continue
		}
		cb.ShortIDs = append(cb.ShortIDs, ShortTxID(&salt, tx.ID()))
	}
	return cb
}

// TxCount returns the number of txs in the block.
func (cb *CompactBlock) TxCount() int { return len(cb.ShortIDs) + len(cb.Prefilled) }

// Encode returns the compact block encoding: the header, the nonce (u64),
// the short IDs (a uvarint count, then 6 bytes each), and the prefilled
// txs (a uvarint count, then each as a uvarint index delta, the index
// minus one more than the previous index, and var(tx)).
func (cb *CompactBlock) Encode() []byte {
	n := core.MaxHeaderSize + 8 + 3 + len(cb.ShortIDs)*ShortIDSize + 3
	for _, p := range cb.Prefilled {
		n += 6 + p.Tx.Size()
	}
	b := cb.Header.AppendEncode(make([]byte, 0, n))
	b = binary.BigEndian.AppendUint64(b, cb.Nonce)
	b = binary.AppendUvarint(b, uint64(len(cb.ShortIDs)))
	for _, s := range cb.ShortIDs {
		b = append(b, s[:]...)
	}
	b = binary.AppendUvarint(b, uint64(len(cb.Prefilled)))
	next := 0
	for _, p := range cb.Prefilled {
		b = binary.AppendUvarint(b, uint64(p.Index-next))
		next = p.Index + 1
		b = binary.AppendUvarint(b, uint64(p.Tx.Size()))
		b = p.Tx.AppendEncode(b)
	}
	return b
}

// DecodeCompactBlock strictly decodes a compact block of at most maxTxs
// txs. Every prefilled index must fall inside the block.
func DecodeCompactBlock(b []byte, maxTxs int) (*CompactBlock, error) {
	r := core.NewReader("compact_block", b)
	h := core.DecodeHeaderFrom(r)
	if r.Err() != nil {
		return nil, r.End()
	}
	cb := &CompactBlock{Header: *h, Nonce: r.U64("nonce")}
	ns := r.Count("short_ids", maxTxs, ShortIDSize)
	if ns > 0 {
		raw := r.Take("short_ids", ns*ShortIDSize)
		cb.ShortIDs = make([]ShortID, 0, ns)
		for i := 0; i+ShortIDSize <= len(raw); i += ShortIDSize {
			cb.ShortIDs = append(cb.ShortIDs, ShortID(raw[i:i+ShortIDSize]))
		}
	}
	np := r.Count("prefilled", maxTxs-ns, 2)
	total := ns + np
	next := 0
	for i := 0; i < np && r.Err() == nil; i++ {
		d := r.Uvarint("prefilled index", uint64(maxTxs))
		if r.Err() != nil {
			break
		}
		idx := next + int(d)
		if idx >= total {
			r.Fail(core.CodeMalformed, "prefilled index", "index %d outside a block of %d txs", idx, total)
			break
		}
		raw := r.BytesView("prefilled tx", core.MaxDeployTxSize)
		if r.Err() != nil {
			break
		}
		tx, err := core.DecodeTx(raw)
		if err != nil {
			r.SetErr(core.Wrap(core.CodeMalformed, err, "compact_block: prefilled tx %d", i))
			break
		}
		cb.Prefilled = append(cb.Prefilled, PrefilledTx{Index: idx, Tx: tx})
		next = idx + 1
	}
	if err := r.End(); err != nil {
		return nil, err
	}
	return cb, nil
}

// GetBlockTxn asks the announcing peer for the txs of a block at the
// given indexes (ascending).
type GetBlockTxn struct {
	Block   core.Hash
	Indexes []int
}

// Encode returns the request frame body (kind byte included): the block
// hash, then a uvarint count and each index as a uvarint delta (as in a
// compact block).
func (m *GetBlockTxn) Encode() []byte {
	b := append([]byte{reqBlockTxn}, m.Block[:]...)
	b = binary.AppendUvarint(b, uint64(len(m.Indexes)))
	next := 0
	for _, i := range m.Indexes {
		b = binary.AppendUvarint(b, uint64(i-next))
		next = i + 1
	}
	return b
}

// decodeGetBlockTxn strictly decodes a GetBlockTxn payload (after the
// kind byte).
func decodeGetBlockTxn(b []byte) (*GetBlockTxn, error) {
	r := core.NewReader("get_block_txn", b)
	m := &GetBlockTxn{}
	r.Fixed("block", m.Block[:])
	n := r.Count("indexes", MaxBlockTxnIndexes, 1)
	next := uint64(0)
	for i := 0; i < n && r.Err() == nil; i++ {
		d := r.Uvarint("index", 1<<32)
		idx := next + d
		if r.Err() == nil && idx >= 1<<32 {
			r.Fail(core.CodeMalformed, "index", "index %d above 2^32", idx)
		}
		m.Indexes = append(m.Indexes, int(idx))
		next = idx + 1
	}
	if err := r.End(); err != nil {
		return nil, err
	}
	return m, nil
}

// encodeBlockTxn encodes a BlockTxn reply: blockFound and the txs (as
// EncodeTxs), or blockNotFound alone.
func encodeBlockTxn(txs []*core.Tx, found bool) []byte {
	if !found {
		return []byte{blockNotFound}
	}
	return append([]byte{blockFound}, EncodeTxs(txs)...)
}

// decodeBlockTxn strictly decodes a BlockTxn reply to a request for want
// txs: found, and then exactly want txs.
func decodeBlockTxn(b []byte, want int) (txs []*core.Tx, found bool, err error) {
	switch {
	case len(b) == 1 && b[0] == blockNotFound:
		return nil, false, nil
	case len(b) < 1 || b[0] != blockFound:
		return nil, false, core.Errorf(core.CodeMalformed, "block_txn: bad kind")
	}
	txs, err = DecodeTxs(b[1:], want)
	if err != nil {
		return nil, false, err
	}
	if len(txs) != want {
		return nil, false, core.Errorf(core.CodeMalformed, "block_txn: %d txs, asked for %d", len(txs), want)
	}
	return txs, true, nil
}
