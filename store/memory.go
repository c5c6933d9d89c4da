package store

import (
	"bytes"
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// memory is an in-memory KV: a persistent (path-copying) treap whose root
// is swapped atomically on each batch commit. Readers load the root once and
// walk an immutable tree, so Get and Iterate take no lock, iteration sees a
// snapshot, and a batch is visible all at once or not at all.
type memory struct {
	mu     sync.Mutex // serialises writers (Commit, Close)
	root   atomic.Pointer[node]
	closed atomic.Bool
	seed   maphash.Seed // treap priorities: a keyed hash of the key
}

// node is an immutable treap node: keys in binary-search-tree order,
// priorities in max-heap order. Nodes are never modified once published.
type node struct {
	key, val    []byte
	prio        uint64
	left, right *node
}

// NewMemory returns an empty in-memory KV, safe for concurrent use. It
// copies keys and values in and out, and its batches are atomic; Commit has
// nothing to sync.
func NewMemory() KV {
	return &memory{seed: maphash.MakeSeed()}
}

var _ KV = (*memory)(nil)

func (m *memory) Get(key []byte) ([]byte, error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	n := m.root.Load()
	for n != nil {
		switch c := bytes.Compare(key, n.key); {
		case c < 0:
			n = n.left
		case c > 0:
			n = n.right
		default:
			return bytes.Clone(n.val), nil
		}
	}
	return nil, ErrNotFound
}

func (m *memory) NewBatch() KVBatch { return &memBatch{m: m} }

func (m *memory) Iterate(prefix, start []byte, reverse bool, fn func(key, value []byte) (bool, error)) error {
	if m.closed.Load() {
		return ErrClosed
	}
	lo, hi := IterRange(prefix, start, reverse)
	var err error
	visit := func(n *node) bool {
		// Copies keep the tree immutable even if fn writes to its arguments.
		var more bool
		more, err = fn(bytes.Clone(n.key), bytes.Clone(n.val))
		return more && err == nil
	}
	if reverse {
		descend(m.root.Load(), lo, hi, visit)
	} else {
		ascend(m.root.Load(), lo, hi, visit)
	}
	return err
}

func (m *memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed.Swap(true) {
		return ErrClosed
	}
	m.root.Store(nil)
	return nil
}

// aboveLo reports whether k >= lo, belowHi whether k < hi; nil bounds
// are open.
func aboveLo(k, lo []byte) bool { return lo == nil || bytes.Compare(k, lo) >= 0 }
func belowHi(k, hi []byte) bool { return hi == nil || bytes.Compare(k, hi) < 0 }

// ascend visits the nodes with keys in [lo, hi) in ascending order until
// visit returns false; it returns false if visiting stopped early.
func ascend(n *node, lo, hi []byte, visit func(*node) bool) bool {
	if n == nil {
		return true
	}
	ge, lt := aboveLo(n.key, lo), belowHi(n.key, hi)
	if ge && !ascend(n.left, lo, hi, visit) {
		return false
	}
	if ge && lt && !visit(n) {
		return false
	}
	if lt {
		return ascend(n.right, lo, hi, visit)
	}
	return true
}

// descend is ascend in descending order.
func descend(n *node, lo, hi []byte, visit func(*node) bool) bool {
	if n == nil {
		return true
	}
	ge, lt := aboveLo(n.key, lo), belowHi(n.key, hi)
	if lt && !descend(n.right, lo, hi, visit) {
		return false
	}
	if ge && lt && !visit(n) {
		return false
	}
	if ge {
		return descend(n.left, lo, hi, visit)
	}
	return true
}

// insert returns a tree with key set to val, copying the search path.
// Every node it returns is freshly allocated, so rotating it is safe.
func insert(n *node, key, val []byte, prio uint64) *node {
	if n == nil {
		return &node{key: key, val: val, prio: prio}
	}
	cp := *n
	switch c := bytes.Compare(key, n.key); {
	case c < 0:
		cp.left = insert(n.left, key, val, prio)
		if cp.left.prio > cp.prio { // rotate right
			l := cp.left
			cp.left, l.right = l.right, &cp
			return l
		}
	case c > 0:
		cp.right = insert(n.right, key, val, prio)
		if cp.right.prio > cp.prio { // rotate left
			r := cp.right
			cp.right, r.left = r.left, &cp
			return r
		}
	default:
		cp.val = val
	}
	return &cp
}

// remove returns a tree without key (n itself if key is absent).
func remove(n *node, key []byte) *node {
	if n == nil {
		return nil
	}
	switch c := bytes.Compare(key, n.key); {
	case c < 0:
		l := remove(n.left, key)
		if l == n.left {
			return n
		}
		cp := *n
		cp.left = l
		return &cp
	case c > 0:
		r := remove(n.right, key)
		if r == n.right {
			return n
		}
		cp := *n
		cp.right = r
		return &cp
	default:
		return merge(n.left, n.right)
	}
}

// merge joins two treaps whose keys are all in a before all in b.
func merge(a, b *node) *node {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		cp := *a
		cp.right = merge(a.right, b)
		return &cp
	default:
		cp := *b
		cp.left = merge(a, b.left)
		return &cp
	}
}

// memBatch buffers writes until Commit.
type memBatch struct {
	m    *memory
	ops  []memOp
	done bool
}

type memOp struct {
	key, val []byte
	del      bool
}

func (b *memBatch) Set(key, value []byte) {
	if !b.done {
		// Clone of an empty slice may be nil; keep "present, empty" distinct.
		v := append(make([]byte, 0, len(value)), value...)
		b.ops = append(b.ops, memOp{key: bytes.Clone(key), val: v})
	}
}

func (b *memBatch) Delete(key []byte) {
	if !b.done {
		b.ops = append(b.ops, memOp{key: bytes.Clone(key), del: true})
	}
}

func (b *memBatch) Len() int { return len(b.ops) }

func (b *memBatch) Commit() error {
	if b.done {
		return ErrBatchCommitted
	}
	b.done = true
	m := b.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed.Load() {
		return ErrClosed
	}
	root := m.root.Load()
	for _, op := range b.ops {
		if op.del {
			root = remove(root, op.key)
		} else {
			root = insert(root, op.key, op.val, maphash.Bytes(m.seed, op.key))
		}
	}
	m.root.Store(root)
	b.ops = nil
	return nil
}
