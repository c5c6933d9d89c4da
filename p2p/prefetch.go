package p2p

import (
	"context"
	"sync"

	"github.com/cairn-chain/cairn/core"
)

// sigPrefetcher is implemented by a chain that can verify the signatures
// of blocks ahead of processing them (*chain.Chain).
type sigPrefetcher interface {
	PrefetchSignatures([]*core.Block)
}

// prefetchBudget bounds the txs whose signatures were verified ahead and
// whose blocks are not applied yet: a quarter of the node's SigCache
// (2^18 IDs), so that verified IDs are not pushed out before their
// blocks connect.
const prefetchBudget = 1 << 16

// prefetcher is the sync stage between fetching and applying: it takes
// the fetched chunks in chain order, verifies their tx signatures on all
// cores into the SigCache (Chain.PrefetchSignatures) and passes them on
// to the applier, so verification runs ahead while earlier blocks
// connect. It keeps at most prefetchBudget txs verified ahead.
type prefetcher struct {
	pf sigPrefetcher // nil: chunks pass through

	mu    sync.Mutex
	ahead int           // txs verified and not applied
	room  chan struct{} // signalled when ahead drops
}

func newPrefetcher(c Chain) *prefetcher {
	pf, _ := c.(sigPrefetcher)
	return &prefetcher{pf: pf, room: make(chan struct{}, 1)}
}

func chunkTxs(c *chunk) int {
	n := 0
	for _, b := range c.blocks {
		n += len(b.Txs)
	}
	return n
}

// run verifies the chunks of in (in order) and sends them to out, which
// it closes when in is closed.
func (p *prefetcher) run(ctx context.Context, in <-chan *chunk, out chan<- *chunk) {
	defer close(out)
	for {
		var c *chunk
		select {
		case <-ctx.Done():
			return
		case c = <-in:
		}
		if c == nil {
			return
		}
		if p.pf != nil {
			n := chunkTxs(c)
			for !p.reserve(n) {
				select {
				case <-ctx.Done():
					return
				case <-p.room:
				}
			}
			p.pf.PrefetchSignatures(c.blocks)
		}
		select {
		case out <- c:
		case <-ctx.Done():
			return
		}
	}
}

// reserve counts n more txs ahead if the budget allows (or none are).
func (p *prefetcher) reserve(n int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ahead > 0 && p.ahead+n > prefetchBudget {
		return false
	}
	p.ahead += n
	return true
}

// applied releases the budget of an applied chunk.
func (p *prefetcher) applied(c *chunk) {
	if p.pf == nil {
		return
	}
	p.mu.Lock()
	p.ahead -= chunkTxs(c)
	p.mu.Unlock()
	select {
	case p.room <- struct{}{}:
	default:
	}
}
