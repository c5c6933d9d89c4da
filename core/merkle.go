package core

import (
	"crypto"
	_ "crypto/sha256" // registers crypto.SHA256 for the RFC 6962 hasher

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// The tx_root is the RFC 6962 Merkle Tree Hash over the tx IDs in block
// order: leaf = SHA-256(0x00 || id), node = SHA-256(0x01 || left || right),
// the empty tree hashes to SHA-256(""). Built on transparency-dev/merkle.

var merkleHasher = rfc6962.New(crypto.SHA256)

var rangeFactory = compact.RangeFactory{Hash: merkleHasher.HashChildren}

// LeafHash returns the RFC 6962 leaf hash of a tx ID.
func LeafHash(id Hash) Hash {
	var h Hash
	copy(h[:], merkleHasher.HashLeaf(id[:]))
	return h
}

// MerkleRoot returns the tx_root of the given tx IDs.
func MerkleRoot(ids []Hash) Hash {
	root, _ := merkleTree(ids, nil)
	return root
}

// merkleTree computes the root and, if nodes is not nil, records the hash
// of every perfect subtree by node ID.
func merkleTree(ids []Hash, nodes map[compact.NodeID][]byte) (Hash, error) {
	var visit compact.VisitFn
	if nodes != nil {
		visit = func(id compact.NodeID, h []byte) { nodes[id] = h }
	}
	r := rangeFactory.NewEmptyRange(0)
	for _, id := range ids {
		leaf := merkleHasher.HashLeaf(id[:])
		if visit != nil {
			visit(compact.NewNodeID(0, r.End()), leaf)
		}
		if err := r.Append(leaf, visit); err != nil {
			return Hash{}, err
		}
	}
	var root Hash
	if len(ids) == 0 {
		copy(root[:], merkleHasher.EmptyRoot())
		return root, nil
	}
	h, err := r.GetRootHash(nil)
	if err != nil {
		return Hash{}, err
	}
	copy(root[:], h)
	return root, nil
}

// MerkleProof returns the RFC 6962 audit path for the tx at index among
// ids, from the leaf's sibling up to the root's child.
func MerkleProof(ids []Hash, index int) ([]Hash, error) {
	if index < 0 || index >= len(ids) {
		return nil, Errorf(CodeNotFound, "merkle proof: index %d out of range for %d txs", index, len(ids))
	}
	plan, err := proof.Inclusion(uint64(index), uint64(len(ids)))
	if err != nil {
		return nil, err
	}
	nodes := make(map[compact.NodeID][]byte, 2*len(ids))
	if _, err := merkleTree(ids, nodes); err != nil {
		return nil, err
	}
	hashes := make([][]byte, len(plan.IDs))
	for i, id := range plan.IDs {
		h, ok := nodes[id]
		if !ok {
			return nil, Errorf(CodeMalformed, "merkle proof: node %v missing", id)
		}
		hashes[i] = h
	}
	path, err := plan.Rehash(hashes, merkleHasher.HashChildren)
	if err != nil {
		return nil, err
	}
	out := make([]Hash, len(path))
	for i, p := range path {
		copy(out[i][:], p)
	}
	return out, nil
}

// VerifyMerkleProof checks that id is the leaf at index of a tree of size
// leaves with the given root, using the audit path branch.
func VerifyMerkleProof(root, id Hash, index, size uint64, branch []Hash) error {
	path := make([][]byte, len(branch))
	for i := range branch {
		path[i] = branch[i][:]
	}
	leaf := merkleHasher.HashLeaf(id[:])
	if err := proof.VerifyInclusion(merkleHasher, index, size, leaf, path, root[:]); err != nil {
		return Wrap(CodeBadTxRoot, err, "merkle proof of tx %s at index %d of %d", id, index, size)
	}
	return nil
}
