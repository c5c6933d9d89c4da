package mempool

// walkItem is one tx reached by a heapWalk: s.txs[idx], and node, the
// index of s in the walked heap when it was reached through the heap
// (-1 when pushed by the caller).
type walkItem struct {
	e    *entry
	s    *sender
	idx  int
	node int
}

// heapWalk visits the txs of a heap of senders in order (best first, or
// worst first) without changing the heap: a best-first search over the
// heap's tree, whose root is the heap's top and whose children are never
// ahead of their parent. The caller pushes follow-up txs of a sender it
// took (the next nonce for selection, the previous one for eviction), so
// the walk is the same as repeatedly taking the top of a heap that is
// updated as txs are taken, in O(k log k) for k steps.
type heapWalk struct {
	worst   bool      // worst first (eviction) instead of best first (selection)
	senders []*sender // the heap's array
	pick    func(*sender) int
	items   []walkItem
}

func (w *heapWalk) start(h []*sender, pick func(*sender) int) {
	w.senders, w.pick = h, pick
	if len(h) > 0 {
		w.pushNode(0)
	}
}

func (w *heapWalk) pushNode(n int) {
	s := w.senders[n]
	i := w.pick(s)
	w.add(walkItem{e: s.txs[i], s: s, idx: i, node: n})
}

// push adds s.txs[idx] to the walk.
func (w *heapWalk) push(s *sender, idx int) {
	w.add(walkItem{e: s.txs[idx], s: s, idx: idx, node: -1})
}

// next returns the next tx in order, or false when none is left.
func (w *heapWalk) next() (walkItem, bool) {
	if len(w.items) == 0 {
		return walkItem{}, false
	}
	it := w.items[0]
	last := len(w.items) - 1
	w.items[0] = w.items[last]
	w.items = w.items[:last]
	w.down(0)
	if it.node >= 0 {
		for _, c := range [2]int{2*it.node + 1, 2*it.node + 2} {
			if c < len(w.senders) {
				w.pushNode(c)
			}
		}
	}
	return it, true
}

// The frontier is a binary heap of walkItems, typed to avoid boxing.

func (w *heapWalk) less(i, j int) bool {
	if w.worst {
		return better(w.items[j].e, w.items[i].e)
	}
	return better(w.items[i].e, w.items[j].e)
}

func (w *heapWalk) add(it walkItem) {
	w.items = append(w.items, it)
	for i := len(w.items) - 1; i > 0; {
		parent := (i - 1) / 2
		if !w.less(i, parent) {
			break
		}
		w.items[i], w.items[parent] = w.items[parent], w.items[i]
		i = parent
	}
}

func (w *heapWalk) down(i int) {
	for n := len(w.items); ; {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && w.less(r, l) {
			c = r
		}
		if !w.less(c, i) {
			return
		}
		w.items[i], w.items[c] = w.items[c], w.items[i]
		i = c
	}
}
