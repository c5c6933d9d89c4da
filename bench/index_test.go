package bench

import (
	"testing"
	"unsafe"

	"github.com/cairn-chain/cairn/core"
)

// TestTxIndex: IDs sharing their 8-byte prefix are kept apart, an ID
// that only shares a prefix is not found, and each visits every one once.
func TestTxIndex(t *testing.T) {
	x := newTxIndex()
	var a, b, c, stranger core.Hash
	a[0], b[0], c[0], stranger[0] = 1, 1, 2, 1
	b[31], stranger[31] = 7, 9 // a, b and stranger share a prefix
	ta, tb, tc := &btx{id: a}, &btx{id: b}, &btx{id: c}
	for _, bt := range []*btx{ta, tb, tc} {
		x.put(bt)
	}
	x.put(ta) // again: still once
	if x.get(a) != ta || x.get(b) != tb || x.get(c) != tc {
		t.Fatal("a registered ID is not found, or finds another transfer")
	}
	if x.get(stranger) != nil {
		t.Fatal("an ID sharing only the prefix was found")
	}
	seen := map[*btx]int{}
	x.each(func(bt *btx) { seen[bt]++ })
	if len(seen) != 3 || seen[ta] != 1 || seen[tb] != 1 || seen[tc] != 1 {
		t.Fatalf("each visited %v", seen)
	}
}

// TestBtxSize: a million records must stay at 64 MiB.
func TestBtxSize(t *testing.T) {
	if s := unsafe.Sizeof(btx{}); s > 64 {
		t.Fatalf("btx is %d bytes, want at most 64", s)
	}
}
