package mempool

import (
	"container/heap"
	"math/bits"
	"slices"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

// entry is one pooled tx with what the pool derives from it once.
type entry struct {
	tx     *core.Tx
	id     core.Hash
	sender core.Address
	size   int    // encoded bytes, <= core.MaxTxSize
	cost   uint64 // amount + fee, <= core.MaxMoney once sanity passed
	seq    uint64 // admission order: breaks fee-rate ties, earlier first
	saved  bool   // stored by the Persister
}

// higherRate reports whether a pays strictly more fee per encoded byte than
// b. Fees are <= MaxMoney (2^53) and sizes < 2^9, so the products fit.
func higherRate(a, b *entry) bool {
	return a.tx.Fee*uint64(b.size) > b.tx.Fee*uint64(a.size)
}

// better is the mining order ignoring nonces: higher fee per byte, then
// earlier admission. It is a strict total order (seq is unique).
func better(a, b *entry) bool {
	x, y := a.tx.Fee*uint64(b.size), b.tx.Fee*uint64(a.size)
	if x != y {
		return x > y
	}
	return a.seq < b.seq
}

// rate returns fee per byte, for messages only.
func (e *entry) rate() float64 { return float64(e.tx.Fee) / float64(e.size) }

// sender is one account's queue of pooled txs.
type sender struct {
	addr  core.Address
	acct  core.Account // the confirmed state txs were last checked against
	stale bool         // acct could not be read: recheck at the next chance
	txs   []*entry     // sorted by nonce; nonces unique
	cost  uint64       // sum of the txs' costs (for PendingState)

	// view is the confirmed state with the first applied txs executed
	// (see exec.go); stale when viewEpoch is not the pool's epoch.
	view      *state.View
	applied   int
	viewEpoch uint64

	readyIdx int // index in Pool.ready, -1 if absent
	tailIdx  int // index in Pool.tails, -1 if absent
}

func newSender(a core.Address) *sender { return &sender{addr: a, readyIdx: -1, tailIdx: -1} }

// find returns the index of nonce in s.txs, or where it would go.
func (s *sender) find(nonce uint64) (int, bool) {
	return slices.BinarySearchFunc(s.txs, nonce, func(e *entry, n uint64) int {
		switch {
		case e.tx.Nonce < n:
			return -1
		case e.tx.Nonce > n:
			return 1
		}
		return 0
	})
}

// isReady reports whether s's first tx can be mined now: it carries the
// account nonce, and the queue was checked against the account.
func (s *sender) isReady() bool {
	return !s.stale && len(s.txs) > 0 && s.txs[0].tx.Nonce == s.acct.Nonce
}

// receipts sums the amounts of pooled txs to one recipient.
type receipts struct {
	n   int
	sum u128
}

// u128 is an unsigned 128-bit integer: sums of many amounts cannot wrap.
type u128 struct{ hi, lo uint64 }

func (x u128) add(v uint64) u128 { return x.add128(u128{lo: v}) }

func (x u128) add128(y u128) u128 {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	return u128{x.hi + y.hi + c, lo}
}

func (x u128) sub128(y u128) u128 {
	lo, b := bits.Sub64(x.lo, y.lo, 0)
	return u128{x.hi - y.hi - b, lo}
}

func (x u128) less(y u128) bool { return x.hi < y.hi || x.hi == y.hi && x.lo < y.lo }

// readyHeap is a max-heap of senders by their first tx (better first).
type readyHeap []*sender

func (h readyHeap) Len() int           { return len(h) }
func (h readyHeap) Less(i, j int) bool { return better(h[i].txs[0], h[j].txs[0]) }
func (h readyHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].readyIdx, h[j].readyIdx = i, j
}
func (h *readyHeap) Push(x any) {
	s := x.(*sender)
	s.readyIdx = len(*h)
	*h = append(*h, s)
}
func (h *readyHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	s.readyIdx = -1
	*h = old[:len(old)-1]
	return s
}

// tailHeap is a min-heap of senders by their last tx (worst first): the
// eviction candidates, since evicting a queue's end leaves no gap.
type tailHeap []*sender

func (h tailHeap) Len() int { return len(h) }
func (h tailHeap) Less(i, j int) bool {
	return better(h[j].txs[len(h[j].txs)-1], h[i].txs[len(h[i].txs)-1])
}
func (h tailHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].tailIdx, h[j].tailIdx = i, j
}
func (h *tailHeap) Push(x any) {
	s := x.(*sender)
	s.tailIdx = len(*h)
	*h = append(*h, s)
}
func (h *tailHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	s.tailIdx = -1
	*h = old[:len(old)-1]
	return s
}

// fix re-registers s after its txs or account changed: in the senders map
// and the tails heap while it has txs, in the ready heap while its first
// tx carries the account nonce.
func (p *Pool) fix(s *sender) {
	if len(s.txs) == 0 {
		if s.readyIdx >= 0 {
			heap.Remove(&p.ready, s.readyIdx)
		}
		if s.tailIdx >= 0 {
			heap.Remove(&p.tails, s.tailIdx)
		}
		if p.senders[s.addr] == s {
			delete(p.senders, s.addr)
		}
		return
	}
	p.senders[s.addr] = s
	switch {
	case s.isReady() && s.readyIdx < 0:
		heap.Push(&p.ready, s)
	case s.isReady():
		heap.Fix(&p.ready, s.readyIdx)
	case s.readyIdx >= 0:
		heap.Remove(&p.ready, s.readyIdx)
	}
	if s.tailIdx < 0 {
		heap.Push(&p.tails, s)
	} else {
		heap.Fix(&p.tails, s.tailIdx)
	}
}

// account adds e to the ID index, the byte count and its recipient's receipts.
func (p *Pool) account(e *entry) {
	p.byID[e.id] = e
	p.bytes += e.size
	r := p.incoming[e.tx.To]
	if r == nil {
		r = &receipts{}
		p.incoming[e.tx.To] = r
	}
	r.n++
	r.sum = r.sum.add(e.tx.Amount)
}

// unaccount undoes account.
func (p *Pool) unaccount(e *entry) {
	delete(p.byID, e.id)
	p.bytes -= e.size
	if r := p.incoming[e.tx.To]; r != nil {
		if r.n--; r.n == 0 {
			delete(p.incoming, e.tx.To)
		} else {
			r.sum = r.sum.sub128(u128{lo: e.tx.Amount})
		}
	}
}

// insertAt puts e at index i of s (its nonce's place).
func (p *Pool) insertAt(s *sender, i int, e *entry) {
	s.txs = slices.Insert(s.txs, i, e)
	s.cost += e.cost
	p.account(e)
	p.fix(s)
}

// replaceAt swaps e in for the tx at index i of s (same nonce).
func (p *Pool) replaceAt(s *sender, i int, e *entry) *entry {
	old := s.txs[i]
	s.txs[i] = e
	s.cost = s.cost - old.cost + e.cost
	p.unaccount(old)
	p.account(e)
	p.fix(s)
	return old
}

// removeTail removes s's last tx.
func (p *Pool) removeTail(s *sender) *entry {
	last := len(s.txs) - 1
	e := s.txs[last]
	s.txs[last] = nil
	s.txs = s.txs[:last]
	s.cost -= e.cost
	p.unaccount(e)
	p.fix(s)
	return e
}

// remove takes a pooled e out wherever it is in its queue.
func (p *Pool) remove(e *entry) {
	s := p.senders[e.sender]
	if s == nil {
		return
	}
	i, ok := s.find(e.tx.Nonce)
	if !ok || s.txs[i] != e {
		return
	}
	s.txs = slices.Delete(s.txs, i, i+1)
	s.cost -= e.cost
	p.unaccount(e)
	p.fix(s)
}

// revalidate rebuilds s's queue from its txs plus extra (txs that are not
// pooled, e.g. from disconnected blocks) against acct. With check, a tx
// whose nonce is below acct.Nonce is dropped, the run of consecutive
// nonces is executed on a fresh view, and every tx from the first one that
// fails (or, behind a gap, whose cost with the earlier ones passes the
// balance) is dropped,
// so the queue keeps its front. Without check (acct could not be read),
// only same-nonce conflicts are resolved and s is marked stale. Of two
// txs with one nonce the higher fee per byte stays. Capacity limits are
// not applied here. Pooled txs that leave are appended to removed; the
// extras kept are returned.
func (p *Pool) revalidate(s *sender, acct core.Account, extra []*entry, check bool, removed *[]*entry) (added []*entry) {
	if check && !s.stale && s.acct == acct && len(extra) == 0 && s.viewEpoch == p.epoch {
		return nil
	}
	all := make([]*entry, 0, len(s.txs)+len(extra))
	all = append(all, s.txs...)
	all = append(all, extra...)
	slices.SortFunc(all, func(a, b *entry) int {
		switch {
		case a.tx.Nonce < b.tx.Nonce:
			return -1
		case a.tx.Nonce > b.tx.Nonce:
			return 1
		case better(a, b):
			return -1
		case better(b, a):
			return 1
		}
		return 0
	})
	pooled := make(map[*entry]bool, len(s.txs))
	for _, e := range s.txs {
		pooled[e] = true
		p.unaccount(e)
	}
	kept := make([]*entry, 0, len(all))
	var cost uint64
	var view *state.View
	if check {
		view = p.newView()
	}
	applied, next, gap := 0, acct.Nonce, false
	broken := false
	for _, e := range all {
		ok := !broken
		switch {
		case !ok:
		case len(kept) > 0 && kept[len(kept)-1].tx.Nonce == e.tx.Nonce:
			ok = false // the better tx of this nonce is kept already
		case !check:
		case e.tx.Nonce < acct.Nonce:
			ok = false
		case !gap && e.tx.Nonce == next:
			if _, err := view.ApplyTxFrom(e.tx, e.sender); err != nil {
				broken, ok = true, false
			} else {
				applied++
				next++
			}
		default:
			gap = true
			if cost+e.cost > acct.Balance {
				broken, ok = true, false
			}
		}
		switch {
		case ok:
			kept = append(kept, e)
			cost += e.cost // each cost <= MaxMoney and at most 2^10 txs a sender
			p.account(e)
			if !pooled[e] {
				added = append(added, e)
			}
		case pooled[e]:
			*removed = append(*removed, e)
		}
	}
	s.txs, s.cost, s.acct, s.stale = kept, cost, acct, !check
	s.view, s.applied, s.viewEpoch = view, applied, p.epoch
	p.fix(s)
	return added
}
