package anchor

import (
	"crypto"
	"crypto/sha256" // also registers crypto.SHA256 for the RFC 6962 hasher
	"errors"
	"fmt"

	"github.com/cairn-chain/cairn/core"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// SaltSize is the size of a commitment's salt.
const SaltSize = 32

var hasher = rfc6962.New(crypto.SHA256)

// Leaf returns a file's commitment, the leaf of its batch tree:
// SHA-256(file) without a salt, SHA-256(salt || SHA-256(file)) with one.
func Leaf(fileSum core.Hash, salt []byte) core.Hash {
	if len(salt) == 0 {
		return fileSum
	}
	h := sha256.New()
	h.Write(salt)
	h.Write(fileSum[:])
	var out core.Hash
	h.Sum(out[:0])
	return out
}

// Tree is the RFC 6962 Merkle tree of a batch's leaves (the same tree as a
// block's tx_root, over commitments): built once, it gives every leaf's
// audit path without rehashing the batch.
type Tree struct {
	size  uint64
	root  core.Hash
	nodes map[compact.NodeID][]byte
}

// NewTree builds the tree of leaves (at least one).
func NewTree(leaves []core.Hash) (*Tree, error) {
	if len(leaves) == 0 {
		return nil, errors.New("anchor: a batch needs at least one leaf")
	}
	t := &Tree{size: uint64(len(leaves)), nodes: make(map[compact.NodeID][]byte, 2*len(leaves))}
	visit := func(id compact.NodeID, h []byte) { t.nodes[id] = h }
	rf := compact.RangeFactory{Hash: hasher.HashChildren}
	r := rf.NewEmptyRange(0)
	for _, l := range leaves {
		lh := hasher.HashLeaf(l[:])
		visit(compact.NewNodeID(0, r.End()), lh)
		if err := r.Append(lh, visit); err != nil {
			return nil, err
		}
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		return nil, err
	}
	copy(t.root[:], root)
	return t, nil
}

// Root returns the tree's root, the batch's anchor.
func (t *Tree) Root() core.Hash { return t.root }

// Size returns the number of leaves.
func (t *Tree) Size() uint64 { return t.size }

// Path returns the audit path of leaf i, from its sibling up.
func (t *Tree) Path(i uint64) ([]core.Hash, error) {
	plan, err := proof.Inclusion(i, t.size)
	if err != nil {
		return nil, err
	}
	hashes := make([][]byte, len(plan.IDs))
	for j, id := range plan.IDs {
		h, ok := t.nodes[id]
		if !ok {
			return nil, fmt.Errorf("anchor: tree node %v missing", id)
		}
		hashes[j] = h
	}
	path, err := plan.Rehash(hashes, hasher.HashChildren)
	if err != nil {
		return nil, err
	}
	out := make([]core.Hash, len(path))
	for j, p := range path {
		copy(out[j][:], p)
	}
	return out, nil
}

// VerifyPath checks that leaf is leaf index of a batch of size leaves
// with the given root.
func VerifyPath(root, leaf core.Hash, index, size uint64, path []core.Hash) error {
	p := make([][]byte, len(path))
	for i := range path {
		p[i] = path[i][:]
	}
	return proof.VerifyInclusion(hasher, index, size, hasher.HashLeaf(leaf[:]), p, root[:])
}
