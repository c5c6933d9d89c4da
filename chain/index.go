package chain

import (
	"encoding/binary"
	"math/big"

	"github.com/cairn-chain/cairn/core"
)

// Block status flags kept in the index.
const (
	statusValid           uint8 = 1 << iota // state-validated: connected to the main chain at least once
	statusInvalid                           // failed a rule itself
	statusInvalidAncestor                   // descends from an invalid block
)

// node is a block in the index: every block whose header passed sanity and
// context checks and whose body is stored.
type node struct {
	hash   core.Hash
	header core.Header
	parent *node
	work   *big.Int // cumulative work from genesis through this block
	status uint8
	seq    uint64 // first-seen order, for tie-breaking and diagnostics
}

func (n *node) invalid() bool { return n.status&(statusInvalid|statusInvalidAncestor) != 0 }

// ancestor returns n's ancestor at height h (n itself if h == n.height).
func (n *node) ancestor(h uint64) *node {
	for n != nil && n.header.Height > h {
		n = n.parent
	}
	return n
}

// Index entry encoding: header (114 bytes for version 1, more for a
// signed one) || status (1) || seq (8) || uvarint len || cumulative work
// (big-endian, minimal).
func encodeNode(n *node) []byte {
	w := n.work.Bytes()
	b := n.header.AppendEncode(make([]byte, 0, n.header.Size()+9+1+len(w)))
	b = append(b, n.status)
	b = binary.BigEndian.AppendUint64(b, n.seq)
	b = binary.AppendUvarint(b, uint64(len(w)))
	return append(b, w...)
}

func decodeNode(hash core.Hash, b []byte) (*node, error) {
	if len(b) < core.HeaderSize+9+1 {
		return nil, core.Errorf(core.CodeMalformed, "index entry %s: %d bytes, too short", hash, len(b))
	}
	r := core.NewReader("index entry header", b)
	h := core.DecodeHeaderFrom(r)
	if err := r.Err(); err != nil {
		return nil, err
	}
	rest := b[h.Size():]
	if len(rest) < 9+1 {
		return nil, core.Errorf(core.CodeMalformed, "index entry %s: %d bytes, too short", hash, len(b))
	}
	n := &node{hash: hash, header: *h, status: rest[0], seq: binary.BigEndian.Uint64(rest[1:9])}
	l, k := binary.Uvarint(rest[9:])
	if k != 1 || l > 33 || uint64(len(rest[9+k:])) != l || l > 0 && rest[9+k] == 0 {
		return nil, core.Errorf(core.CodeMalformed, "index entry %s: bad work field", hash)
	}
	n.work = new(big.Int).SetBytes(rest[9+k:])
	if h.Hash() != hash {
		return nil, core.Errorf(core.CodeMalformed, "index entry %s: header hashes to %s", hash, h.Hash())
	}
	return n, nil
}
