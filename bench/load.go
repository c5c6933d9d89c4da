package bench

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/time/rate"

	"github.com/cairn-chain/cairn/core"
)

// pacer spaces submissions to a rate in txs/s (nil limiter: no pacing).
type pacer struct{ l *rate.Limiter }

func newPacer(txsPerSec float64, batch int) *pacer {
	if txsPerSec <= 0 {
		return &pacer{}
	}
	return &pacer{rate.NewLimiter(rate.Limit(txsPerSec), batch)}
}

func (p *pacer) wait(ctx context.Context, n int) error {
	if p.l == nil {
		return nil
	}
	return p.l.WaitN(ctx, n)
}

// submitLoop sends the transfers of lane's share of node ni's accounts
// (every Conns-th) in batches until every one is acknowledged or settled.
// Each batch takes a few consecutive txs from each account in turn, so
// nonces arrive in order; an account the node refuses for now (its
// per-sender limit, a full mempool, the rate limit) waits for the next
// block.
func (r *run) submitLoop(ctx context.Context, ni, lane int, p *pacer) error {
	c := r.cfg.Nodes[ni]
	var mine []*account
	k := 0
	for _, a := range r.accts {
		if a.node == ni {
			if k%r.cfg.Conns == lane {
				mine = append(mine, a)
			}
			k++
		}
	}
	if len(mine) == 0 {
		return nil
	}
	per := max(1, (r.cfg.BatchSize+len(mine)-1)/len(mine))
	offset, fails, lastOK := 0, 0, time.Now()
	for {
		sig := r.blockSignal()
		var batch []*btx
		remaining := false
		for k := 0; k < len(mine) && len(batch) < r.cfg.BatchSize; k++ {
			a := mine[(offset+k)%len(mine)]
			for a.next < len(a.txs) && a.txs[a.next].done {
				a.next++
			}
			if a.next == len(a.txs) {
				continue
			}
			remaining = true
			if a.paused {
				continue
			}
			for j := a.next; j < len(a.txs) && j < a.next+per && len(batch) < r.cfg.BatchSize; j++ {
				if !a.txs[j].done {
					batch = append(batch, r.signLate(a, j))
				}
			}
		}
		offset = (offset + 1) % len(mine)
		if !remaining {
			return nil
		}
		if len(batch) == 0 {
			// Every account with txs left is waiting for room: wait for a
			// block (or a short while: the node may have room anyway).
			t := time.NewTimer(250 * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-sig:
			case <-t.C:
			}
			t.Stop()
			for _, a := range mine {
				a.paused = false
			}
			continue
		}
		if err := p.wait(ctx, len(batch)); err != nil {
			return err
		}
		txs := make([]*core.Tx, len(batch))
		for i, b := range batch {
			txs[i] = b.tx
		}
		res, err := c.SubmitBatch(ctx, txs)
		now := time.Now()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// Nothing was acknowledged: the whole batch is retried (a tx
			// the node did admit comes back as a duplicate, which counts).
			if fails++; time.Since(lastOK) > r.cfg.Stall {
				return fmt.Errorf("bench: node %s: %d submissions in a row failed over %s, the last: %w", c.BaseURL(), fails, r.cfg.Stall, err)
			}
			if err := pause(ctx, backoff(fails)); err != nil {
				return err
			}
			continue
		}
		fails, lastOK = 0, now
		for i, x := range res {
			b := batch[i]
			a := r.accts[b.from]
			switch {
			case x.Error == nil || x.Error.Code == string(core.CodeDuplicate):
				r.ack(b, now)
			case retryable(x.Error.Code):
				a.paused = true
			case x.Error.Code == string(core.CodeNonceTooLow):
				// Already mined: only possible when an earlier answer was
				// lost, so it was never acknowledged to us. The final walk
				// finds it in the chain.
				b.done = true
			default:
				b.done = true
				r.reject(b, fmt.Sprintf("tx %s (account %d nonce %d) refused by %s: %s: %s",
					b.id, b.from, b.tx.Nonce, c.BaseURL(), x.Error.Code, x.Error.Detail))
			}
		}
	}
}

// followTimeout bounds each request of the follower: a request stuck on
// a busy node is abandoned and asked again.
const followTimeout = 15 * time.Second

// followFailed records an error reading the chain (retried at the next poll).
func (r *run) followFailed(err error) {
	r.mu.Lock()
	r.followErr = err
	r.mu.Unlock()
	if os.Getenv("CAIRN_BENCH_DEBUG") != "" {
		fmt.Fprintln(os.Stderr, "bench: follow:", err)
	}
}

func (r *run) ack(b *btx, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b.ackAt == 0 {
		b.ackAt = now.UnixNano()
		r.submitted++
		r.lastAck = now
	}
	b.done = true
	b.tx = nil // never sent again: only its id and times are kept
}

func (r *run) reject(b *btx, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rejected = append(r.rejected, why)
}

// follow watches node 0's main chain from startHeight and stamps each
// bench tx with the time it was first seen in a block, until ctx ends.
func (r *run) follow(ctx context.Context, startHeight uint64) error {
	c := r.cfg.Nodes[0]
	known := map[uint64]string{} // height -> main-chain hash as last seen
	last := startHeight
	var lastTip string
	lastOK := time.Now()
	debug := os.Getenv("CAIRN_BENCH_DEBUG") != ""
	for {
		if err := pause(ctx, 25*time.Millisecond); err != nil {
			return err
		}
		sctx, cancel := context.WithTimeout(ctx, followTimeout)
		st, err := c.Status(sctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.followFailed(err)
			// A node restarting is expected (soak runs kill it): give up
			// only after a stall's worth of failures.
			if time.Since(lastOK) > r.cfg.Stall {
				return err
			}
			continue
		}
		lastOK = time.Now()
		if st.Tip == lastTip {
			continue
		}
		from := last + 1
		if debug {
			fmt.Fprintf(os.Stderr, "follow: tip %d %.12s, read up to %d\n", st.Height, st.Tip, last)
		}
		for from <= st.Height {
			bctx, cancel := context.WithTimeout(ctx, followTimeout)
			hdrs, err := c.Blocks(bctx, from, 100)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				r.followFailed(err)
				break // try again at the next poll
			}
			if len(hdrs) == 0 {
				break
			}
			if debug {
				fmt.Fprintf(os.Stderr, "follow: %d headers from %d (asked %d)\n", len(hdrs), hdrs[0].Height, from)
			}
			if h := hdrs[0].Height; h > startHeight+1 && known[h-1] != "" && hdrs[0].PrevHash != known[h-1] {
				// A reorg below from: walk back and re-read.
				from = walkBack(h, startHeight)
				continue
			}
			for _, h := range hdrs {
				if err := r.seeBlock(ctx, h.Hash, h.TxCount); err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					r.followFailed(fmt.Errorf("block %d %s: %w", h.Height, h.Hash, err))
					break
				}
				known[h.Height] = h.Hash
				last = h.Height
			}
			from = last + 1
		}
		lastTip = st.Tip
		if last < st.Height {
			lastTip = "" // not fully read: read again
		}
		r.mu.Lock()
		close(r.blockSig)
		r.blockSig = make(chan struct{})
		r.mu.Unlock()
	}
}

// walkBack is where to re-read the chain from when the block at height h
// no longer links to what was read: 20 blocks back, but not below the
// start (heights are unsigned: h-20 must not wrap).
func walkBack(h, start uint64) uint64 {
	if h > start+21 {
		return h - 20
	}
	return start + 1
}

// seeBlock stamps the bench txs of block hash, the first time the block
// is seen, with the time it was seen.
func (r *run) seeBlock(ctx context.Context, hash string, txCount int) error {
	bh, err := core.ParseHash(hash)
	if err != nil {
		return err
	}
	r.mu.Lock()
	_, seen := r.seenBlocks[bh]
	r.mu.Unlock()
	if seen {
		return nil
	}
	bctx, cancel := context.WithTimeout(ctx, followTimeout)
	ids, err := r.blockIDs(bctx, hash, txCount)
	cancel()
	if err != nil {
		return err
	}
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seenBlocks[bh] = struct{}{}
	for _, id := range ids {
		if b := r.byID.get(id); b != nil && b.confirmAt == 0 {
			b.confirmAt = now.UnixNano()
			r.confirmed++
			r.lastConf = now
			if r.cfg.CPU != nil {
				r.cpuAtConf = r.cfg.CPU()
			}
		}
	}
	return nil
}

// blockIDs fetches block hash's tx ids from node 0. They are not kept:
// a million IDs would be 32 MiB more in the heap that --devnet's nodes
// share, and the final walk reads each block once more instead.
func (r *run) blockIDs(ctx context.Context, hash string, txCount int) ([]core.Hash, error) {
	if txCount == 0 {
		return nil, nil
	}
	b, err := r.cfg.Nodes[0].BlockTxIDs(ctx, hash)
	if err != nil {
		return nil, err
	}
	ids := make([]core.Hash, len(b.TxIDs))
	for i, t := range b.TxIDs {
		if ids[i], err = core.ParseHash(t); err != nil {
			return nil, fmt.Errorf("block %s: tx %d: %v", hash, i, err)
		}
	}
	return ids, nil
}

// waitConfirmed waits until every acknowledged tx has been seen in a
// block, or nothing new is confirmed for cfg.Stall.
func (r *run) waitConfirmed(ctx context.Context) error {
	lastCount, lastProgress := -1, time.Now()
	for {
		r.mu.Lock()
		acked, confirmedAcked := 0, 0
		r.byID.each(func(b *btx) {
			if b.ackAt != 0 {
				acked++
				if b.confirmAt != 0 {
					confirmedAcked++
				}
			}
		})
		r.mu.Unlock()
		if confirmedAcked == acked {
			return nil
		}
		if confirmedAcked != lastCount {
			lastCount, lastProgress = confirmedAcked, time.Now()
		} else if time.Since(lastProgress) > r.cfg.Stall {
			r.mu.Lock()
			ferr := r.followErr
			r.mu.Unlock()
			if ferr != nil {
				return fmt.Errorf("%d acknowledged txs not seen in a block after %s without progress (last error reading the chain: %v)", acked-confirmedAcked, r.cfg.Stall, ferr)
			}
			return fmt.Errorf("%d acknowledged txs not seen in a block after %s without progress", acked-confirmedAcked, r.cfg.Stall)
		}
		t := time.NewTimer(200 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-r.blockSignal():
		case <-t.C:
		}
		t.Stop()
	}
}
