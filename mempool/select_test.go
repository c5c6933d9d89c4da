package mempool

import (
	"slices"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

func TestSelect(t *testing.T) {
	a, b, c := newKey(1), newKey(2), newKey(3)
	size := a.tx(sink, 1, 1, 0).Size()
	type step struct {
		k                  key
		amount, fee, nonce uint64
	}
	tests := []struct {
		name     string
		txs      []step
		nonces   map[core.Address]uint64 // account nonces; default 0
		maxBytes int
		maxTxs   int
		want     []int // indexes into txs, in order
	}{
		{
			name:     "fee order across senders",
			txs:      []step{{a, 1, 1000, 0}, {b, 1, 3000, 0}, {c, 1, 2000, 0}},
			maxBytes: 1 << 20, maxTxs: 100,
			want: []int{1, 2, 0},
		},
		{
			name: "nonce order within a sender",
			// a's second tx pays most, but needs a's first, which pays least.
			txs:      []step{{a, 1, 1000, 0}, {a, 1, 9000, 1}, {b, 1, 5000, 0}},
			maxBytes: 1 << 20, maxTxs: 100,
			want: []int{2, 0, 1},
		},
		{
			name:     "a gapped nonce is not selected",
			txs:      []step{{a, 1, 1000, 0}, {a, 1, 9000, 2}, {b, 1, 5000, 0}},
			maxBytes: 1 << 20, maxTxs: 100,
			want: []int{2, 0},
		},
		{
			name:     "queue not starting at the account nonce",
			txs:      []step{{a, 1, 1000, 1}, {b, 1, 5000, 0}},
			maxBytes: 1 << 20, maxTxs: 100,
			want: []int{1},
		},
		{
			name:     "account nonce above zero",
			txs:      []step{{a, 1, 1000, 7}, {a, 1, 1000, 8}},
			nonces:   map[core.Address]uint64{a.Addr: 7},
			maxBytes: 1 << 20, maxTxs: 100,
			want: []int{0, 1},
		},
		{
			name:     "count limit",
			txs:      []step{{a, 1, 1000, 0}, {b, 1, 3000, 0}, {c, 1, 2000, 0}},
			maxBytes: 1 << 20, maxTxs: 2,
			want: []int{1, 2},
		},
		{
			name:     "byte limit",
			txs:      []step{{a, 1, 1000, 0}, {b, 1, 3000, 0}, {c, 1, 2000, 0}},
			maxBytes: 2*size + size/2, maxTxs: 100,
			want: []int{1, 2},
		},
		{
			name:     "zero limits",
			txs:      []step{{a, 1, 1000, 0}},
			maxBytes: 0, maxTxs: 100,
			want: nil,
		},
		{
			name:     "equal rates: first admitted first",
			txs:      []step{{c, 1, 2000, 0}, {a, 1, 2000, 0}, {b, 1, 2000, 0}},
			maxBytes: 1 << 20, maxTxs: 100,
			want: []int{0, 1, 2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newFakeState()
			for _, k := range []key{a, b, c} {
				st.set(k.Addr, 1e9, tc.nonces[k.Addr])
			}
			p := newTestPool(t, st, nil)
			var txs []*core.Tx
			for _, s := range tc.txs {
				tx := s.k.tx(sink, s.amount, s.fee, s.nonce)
				mustAdd(t, p, tx)
				txs = append(txs, tx)
			}
			var want []core.Hash
			for _, i := range tc.want {
				want = append(want, txs[i].ID())
			}
			got := ids(p.Select(tc.maxBytes, tc.maxTxs))
			if !slices.Equal(got, want) {
				t.Fatalf("Select order wrong:\n got %x\nwant %x", got, want)
			}
			checkInvariants(t, p, st)
		})
	}
}

// TestSelectGapFills checks that a gapped tx becomes selectable once the
// missing nonce arrives.
func TestSelectGapFills(t *testing.T) {
	a := newKey(1)
	st := newFakeState()
	st.set(a.Addr, 1e9, 0)
	p := newTestPool(t, st, nil)
	t0, t1, t2 := a.tx(sink, 1, 1000, 0), a.tx(sink, 1, 1000, 1), a.tx(sink, 1, 1000, 2)
	mustAdd(t, p, t0, t2)
	if got := ids(p.Select(1<<20, 10)); !slices.Equal(got, ids([]*core.Tx{t0})) {
		t.Fatalf("with a gap: selected %d txs, want only nonce 0", len(got))
	}
	if got := ids(p.Txs(0)); !slices.Equal(got, ids([]*core.Tx{t0, t2})) {
		t.Fatal("Txs does not list the gapped tx after the selectable ones")
	}
	mustAdd(t, p, t1)
	if got := ids(p.Select(1<<20, 10)); !slices.Equal(got, ids([]*core.Tx{t0, t1, t2})) {
		t.Fatalf("gap filled: selected %d txs, want 3 in nonce order", len(got))
	}
	checkInvariants(t, p, st)
}

// TestSelectSkipsWhatDoesNotFit: a big tx that does not fit is skipped
// with its sender's later txs, and smaller txs of others still fill the room.
func TestSelectSkipsWhatDoesNotFit(t *testing.T) {
	a, b := newKey(1), newKey(2)
	st := newFakeState()
	st.set(a.Addr, 1e9, 0)
	st.set(b.Addr, 1e9, 0)
	p := newTestPool(t, st, nil)
	big := a.Sign(&core.Tx{Version: 1, ChainID: testChain, To: sink, Amount: 1, Fee: 100_000, Nonce: 0, Memo: make([]byte, 200)})
	after := a.tx(sink, 1, 100_000, 1)
	small := b.tx(sink, 1, 1000, 0)
	mustAdd(t, p, big, after, small)
	got := p.Select(small.Size()+after.Size(), 10)
	if !slices.Equal(ids(got), ids([]*core.Tx{small})) {
		t.Fatalf("selected %d txs, want only the small one", len(got))
	}
}

func TestTxsLimit(t *testing.T) {
	a, b := newKey(1), newKey(2)
	st := newFakeState()
	st.set(a.Addr, 1e9, 0)
	st.set(b.Addr, 1e9, 0)
	p := newTestPool(t, st, nil)
	x := a.tx(sink, 1, 5000, 0)
	y := a.tx(sink, 1, 9000, 3) // gapped
	z := b.tx(sink, 1, 2000, 0)
	w := b.tx(sink, 1, 1000, 5) // gapped
	mustAdd(t, p, x, y, z, w)
	tests := []struct {
		name  string
		limit int
		want  []*core.Tx
	}{
		{"all", 0, []*core.Tx{x, z, y, w}},
		{"selectable only", 2, []*core.Tx{x, z}},
		{"into the gapped ones", 3, []*core.Tx{x, z, y}},
		{"more than pooled", 10, []*core.Tx{x, z, y, w}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(p.Txs(tc.limit)); !slices.Equal(got, ids(tc.want)) {
				t.Fatalf("Txs(%d) order wrong", tc.limit)
			}
		})
	}
}
