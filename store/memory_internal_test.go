package store

import "testing"

// TestMemoryBalanced: the treap stays shallow under sequential inserts
// (the common case: heights and addresses in order) and deletes.
func TestMemoryBalanced(t *testing.T) {
	kv := NewMemory()
	defer kv.Close()
	m := kv.(*memory)
	const n = 1 << 15
	for i := 0; i < n; i += 1024 {
		b := kv.NewBatch()
		for j := i; j < i+1024; j++ {
			b.Set(heightKey(uint64(j)), nil)
		}
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	b := kv.NewBatch()
	for j := 0; j < n; j += 2 {
		b.Delete(heightKey(uint64(j)))
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	var depth func(*node) int
	depth = func(x *node) int {
		if x == nil {
			return 0
		}
		return 1 + max(depth(x.left), depth(x.right))
	}
	// A random treap of n/2 = 16384 nodes has expected depth ~ 2.99 ln n ~ 30.
	if d := depth(m.root.Load()); d > 60 {
		t.Errorf("depth %d for %d keys", d, n/2)
	}
	count := 0
	if err := kv.Iterate(nil, nil, false, func(_, _ []byte) (bool, error) { count++; return true, nil }); err != nil || count != n/2 {
		t.Errorf("%d keys, %v; want %d", count, err, n/2)
	}
}
