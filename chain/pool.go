package chain

import "github.com/cairn-chain/cairn/core"

// pool is a bounded set of blocks waiting for something: their parent
// (orphans) or the clock (held). When full, the oldest block is dropped.
// Guarded by Chain.mu.
type pool struct {
	max      int
	blocks   map[core.Hash]*core.Block
	byParent map[core.Hash][]core.Hash
	order    []core.Hash // insertion order, for eviction
}

func newPool(max int) *pool {
	return &pool{max: max, blocks: map[core.Hash]*core.Block{}, byParent: map[core.Hash][]core.Hash{}}
}

func (p *pool) has(h core.Hash) bool { _, ok := p.blocks[h]; return ok }

func (p *pool) len() int { return len(p.blocks) }

func (p *pool) add(h core.Hash, blk *core.Block) {
	if p.has(h) {
		return
	}
	for len(p.blocks) >= p.max && len(p.order) > 0 {
		p.remove(p.order[0])
	}
	p.blocks[h] = blk
	parent := blk.Header.PrevHash
	p.byParent[parent] = append(p.byParent[parent], h)
	p.order = append(p.order, h)
}

func (p *pool) remove(h core.Hash) {
	blk, ok := p.blocks[h]
	if !ok {
		return
	}
	delete(p.blocks, h)
	parent := blk.Header.PrevHash
	kids := p.byParent[parent]
	for i, k := range kids {
		if k == h {
			kids = append(kids[:i:i], kids[i+1:]...)
			break
		}
	}
	if len(kids) == 0 {
		delete(p.byParent, parent)
	} else {
		p.byParent[parent] = kids
	}
	for i, k := range p.order {
		if k == h {
			p.order = append(p.order[:i:i], p.order[i+1:]...)
			break
		}
	}
}

// children removes and returns the pooled blocks whose parent is h.
func (p *pool) children(h core.Hash) []*core.Block {
	var out []*core.Block
	for _, k := range append([]core.Hash(nil), p.byParent[h]...) {
		out = append(out, p.blocks[k])
		p.remove(k)
	}
	return out
}

// take removes and returns the blocks for which ready is true.
func (p *pool) take(ready func(*core.Block) bool) []*core.Block {
	var out []*core.Block
	for _, k := range append([]core.Hash(nil), p.order...) {
		if blk := p.blocks[k]; ready(blk) {
			out = append(out, blk)
			p.remove(k)
		}
	}
	return out
}
