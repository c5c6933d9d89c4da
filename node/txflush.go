package node

import (
	"sync"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/mempool"
	"github.com/cairn-chain/cairn/store"
)

// DefaultTxSyncWindow is Config.TxSyncWindow's default.
const DefaultTxSyncWindow = 100 * time.Millisecond

// txFlusher writes the mempool's queued txs in the background, as a group
// commit: it flushes whenever something is queued, so under load one
// write (one fsync) carries every tx admitted while the previous write
// was syncing. It also keeps the promise of a non-durable acknowledgement
// (SubmitLocalTxs): an acknowledgement is given only while every tx
// acknowledged more than the window earlier is durable; when the disk
// falls behind, the next acknowledgement waits for the write.
type txFlusher struct {
	pool   *mempool.Pool
	window time.Duration
	now    func() time.Time
	onErr  func(error)

	wake chan struct{} // cap 1: something was queued
	stop chan struct{}
	done chan struct{}

	mu   sync.Mutex
	acks []ackMark // oldest first; tickets not yet written

	closeOnce sync.Once
}

// ackMark is a group of acknowledgements: the earliest was given at at,
// and ticket covers them all (the pool's Queued after the last).
type ackMark struct {
	at     time.Time
	ticket uint64
}

// ackGroup is how close acknowledgements must be to share a mark: it
// bounds the marks kept to window/ackGroup.
const ackGroup = time.Millisecond

// flushRetry spaces the retries of a failed background write.
const flushRetry = 100 * time.Millisecond

// flushGap is the least time between the starts of two background
// writes: a sequential client would otherwise cost one fsync per request;
// waiting this long first lets a write carry every tx of the gap. Far
// below the sync window, so the promise is unchanged.
const flushGap = 5 * time.Millisecond

func startTxFlusher(pool *mempool.Pool, window time.Duration, now func() time.Time, onErr func(error)) *txFlusher {
	f := &txFlusher{pool: pool, window: window, now: now, onErr: onErr,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go f.run()
	return f
}

func (f *txFlusher) run() {
	defer close(f.done)
	retry := time.NewTicker(flushRetry)
	defer retry.Stop()
	gap := time.NewTimer(0)
	defer gap.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-f.wake:
		case <-retry.C:
			if !f.pool.Unsaved() {
				continue
			}
		}
		select { // the gap since the last write's start
		case <-f.stop:
			return
		case <-gap.C:
		}
		gap.Reset(flushGap)
		f.flush()
	}
}

// flush writes what is queued and forgets the acknowledgements it made
// durable.
func (f *txFlusher) flush() error {
	err := f.pool.Flush()
	if err != nil {
		f.onErr(err)
	}
	saved := f.pool.Saved()
	f.mu.Lock()
	i := 0
	for i < len(f.acks) && f.acks[i].ticket <= saved {
		i++
	}
	f.acks = f.acks[i:]
	f.mu.Unlock()
	return err
}

// queued wakes the flusher: the pool has something to write.
func (f *txFlusher) queued() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// acked records acknowledgements just given for what the pool has queued,
// and first, if an earlier acknowledgement is older than the window and
// still not durable, waits for the write that makes it so. The error is
// that write's failure.
func (f *txFlusher) acked() error {
	ticket := f.pool.Queued()
	now := f.now()
	f.mu.Lock()
	late := len(f.acks) > 0 && now.Sub(f.acks[0].at) > f.window
	if n := len(f.acks); n > 0 && now.Sub(f.acks[n-1].at) < ackGroup {
		f.acks[n-1].ticket = ticket
	} else {
		f.acks = append(f.acks, ackMark{at: now, ticket: ticket})
	}
	f.mu.Unlock()
	f.queued()
	if late {
		return f.flush()
	}
	return nil
}

// close stops the background writer and writes what is still queued.
func (f *txFlusher) close() error {
	f.closeOnce.Do(func() {
		close(f.stop)
		<-f.done
	})
	return f.flush()
}

// poolStore adapts the store to the mempool's Persister.
type poolStore struct{ db *store.DB }

// WriteTxs stores txs and deletes ids in one synced batch.
func (p poolStore) WriteTxs(save []*core.Tx, del []core.Hash) error {
	b := p.db.NewBatch()
	for _, id := range del {
		b.DeleteMempoolTx(id)
	}
	for _, tx := range save {
		b.PutMempoolTx(tx)
	}
	return b.Commit()
}

func (p poolStore) SaveTxs(txs []*core.Tx) error            { return p.db.SaveMempoolTxs(txs) }
func (p poolStore) DeleteTxs(ids []core.Hash) error         { return p.db.DeleteMempoolTxs(ids) }
func (p poolStore) LoadTxs(fn func(raw []byte) error) error { return p.db.MempoolTxs(fn) }

var (
	_ mempool.Persister = poolStore{}
	_ mempool.TxWriter  = poolStore{}
)

// known hands the chain's derived tx IDs and senders to the mempool.
func known(bs []chain.BlockTxs) []mempool.Known {
	out := make([]mempool.Known, len(bs))
	for i, b := range bs {
		out[i] = mempool.Known(b)
	}
	return out
}
