package mempool

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cairn-chain/cairn/core"
)

// Persistence is a group commit: admitted txs are queued (saveQ), the IDs
// of stored txs that left the pool too (delQ), and a flush writes
// everything queued in one Persister call made outside the pool's lock,
// so admissions go on while the disk syncs and concurrent callers waiting
// for durability share one write. Every change to the queues takes a new
// ticket; a successful flush makes every ticket up to the one it took
// durable (Saved).

// maxUndeleted bounds the IDs queued for deletion. A stored tx that is
// never deleted is harmless: Load rechecks it.
const maxUndeleted = 1 << 16

// TxWriter is optionally implemented by a Persister that can store txs and
// delete others in one atomic write; a flush then costs one sync instead
// of two.
type TxWriter interface {
	WriteTxs(save []*core.Tx, del []core.Hash) error
}

// flushState is the group commit's: one flush runs at a time, callers that
// need a ticket written wait on cond. Guarded by fmu, never held with mu
// while writing.
type flushState struct {
	flushing bool
	saved    uint64 // every ticket up to here is written
	fails    uint64 // failed writes so far
	failedAt uint64 // the ticket the last failed write covered
	err      error  // the last write's error; nil once one succeeds
	reported uint64 // WriteFailed calls: a write that began before one does not clear err
}

// queueSaveLocked queues added txs to be stored.
func (p *Pool) queueSaveLocked(added []*entry) {
	if p.cfg.Persist == nil || len(added) == 0 {
		return
	}
	p.saveQ = append(p.saveQ, added...)
	p.ticket++
}

// queueDeleteLocked queues the deletion of the stored records of removed
// txs; txs not stored yet are simply not saved (a flush saves only pooled
// txs).
func (p *Pool) queueDeleteLocked(removed []*entry) {
	if p.cfg.Persist == nil {
		return
	}
	n := len(p.delQ)
	for _, e := range removed {
		if e.saved {
			p.delQ = append(p.delQ, e.id)
		}
	}
	if len(p.delQ) > n {
		p.trimDeletesLocked()
		p.ticket++
	}
}

func (p *Pool) trimDeletesLocked() {
	if over := len(p.delQ) - maxUndeleted; over > 0 {
		p.delQ = slices.Delete(p.delQ, 0, over)
	}
}

// Queued returns the ticket of the last queued change: Flush or a later
// Saved tells when it is durable.
func (p *Pool) Queued() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ticket
}

// Saved returns the ticket up to which every queued change is written.
func (p *Pool) Saved() uint64 {
	p.fmu.Lock()
	defer p.fmu.Unlock()
	return p.fs.saved
}

// Unsaved reports whether changes are queued that no flush has written.
func (p *Pool) Unsaved() bool { return p.Queued() > p.Saved() }

// WriteFailed tells the pool that the store refused a write elsewhere (a
// block, say): until a write succeeds, AddBatchDeferred writes before it
// returns, as AddBatch does, so that a store that takes no writes refuses
// txs rather than acknowledging what it cannot keep.
func (p *Pool) WriteFailed(err error) {
	if err == nil || p.cfg.Persist == nil {
		return
	}
	p.fmu.Lock()
	p.fs.err = err
	p.fs.reported++
	p.fmu.Unlock()
}

// storeDown reports whether the last write failed.
func (p *Pool) storeDown() bool {
	p.fmu.Lock()
	defer p.fmu.Unlock()
	return p.fs.err != nil
}

// Flush writes everything queued so far and returns once it is durable,
// or with the error of the write that covered it (the queue is kept and
// retried by the next flush). Concurrent calls share writes: while one
// writes, the others wait, and the next write takes everything queued
// meanwhile.
func (p *Pool) Flush() error {
	if p.cfg.Persist == nil {
		return nil
	}
	return p.flushThrough(p.Queued())
}

func (p *Pool) flushThrough(t uint64) error {
	p.fmu.Lock()
	defer p.fmu.Unlock()
	fails := p.fs.fails
	for p.fs.saved < t {
		if p.fs.fails != fails && p.fs.failedAt >= t {
			return p.fs.err
		}
		if p.fs.flushing {
			p.fcond.Wait()
			continue
		}
		p.fs.flushing = true
		reported := p.fs.reported
		p.fmu.Unlock()
		through, err := p.writeQueued()
		p.fmu.Lock()
		p.fs.flushing = false
		if err != nil {
			p.fs.fails++
			p.fs.failedAt, p.fs.err = through, err
		} else {
			p.fs.saved = max(p.fs.saved, through)
			if p.fs.reported == reported {
				p.fs.err = nil
			}
		}
		p.fcond.Broadcast()
	}
	return nil
}

// writeQueued takes the queues, writes them without holding the pool's
// lock, and returns the ticket they covered. A failed save puts its txs
// back in front of the queue; a failed delete only its IDs (deletes are
// retried, never reported).
func (p *Pool) writeQueued() (uint64, error) {
	p.mu.Lock()
	through := p.ticket
	var save []*entry
	for _, e := range p.saveQ {
		if !e.saved && p.byID[e.id] == e {
			save = append(save, e)
		}
	}
	var del []core.Hash
	for _, id := range p.delQ {
		if _, ok := p.byID[id]; !ok {
			del = append(del, id)
		}
	}
	p.saveQ, p.delQ = nil, nil
	p.mu.Unlock()

	txs := make([]*core.Tx, len(save))
	for i, e := range save {
		txs[i] = e.tx
	}
	saveErr, delErr := p.write(txs, del)

	p.mu.Lock()
	defer p.mu.Unlock()
	if delErr != nil {
		p.delQ = append(del, p.delQ...)
		p.trimDeletesLocked()
	}
	if saveErr != nil {
		p.saveQ = append(save, p.saveQ...)
		return through, fmt.Errorf("mempool: persist admitted txs: %w", saveErr)
	}
	left := false
	for _, e := range save {
		e.saved = true
		if p.byID[e.id] != e { // left the pool while it was written
			p.delQ = append(p.delQ, e.id)
			left = true
		}
	}
	if left {
		p.trimDeletesLocked()
		p.ticket++
	}
	return through, nil
}

// write stores txs and deletes del, in one write when the Persister can.
func (p *Pool) write(txs []*core.Tx, del []core.Hash) (saveErr, delErr error) {
	if len(txs) == 0 && len(del) == 0 {
		return nil, nil
	}
	if w, ok := p.cfg.Persist.(TxWriter); ok {
		err := w.WriteTxs(txs, del)
		return err, err
	}
	if len(txs) > 0 {
		if saveErr = p.cfg.Persist.SaveTxs(txs); saveErr != nil {
			// A durable caller rolls back and puts back what its txs
			// displaced: their records must stay.
			return saveErr, saveErr
		}
	}
	if len(del) > 0 {
		delErr = p.cfg.Persist.DeleteTxs(del)
	}
	return saveErr, delErr
}

// rollbackLocked undoes the admission of added after it could not be
// persisted, and puts back the txs they displaced.
func (p *Pool) rollbackLocked(added, displaced []*entry) {
	isAdded := make(map[*entry]bool, len(added))
	for i := len(added) - 1; i >= 0; i-- {
		e := added[i]
		isAdded[e] = true
		if p.byID[e.id] == e {
			p.remove(e)
		}
	}
	back := make(map[core.Address][]*entry)
	for _, e := range displaced {
		if !isAdded[e] && p.byID[e.id] == nil {
			back[e.sender] = append(back[e.sender], e)
		}
	}
	var lost, kept []*entry
	for _, a := range sortedAddrs(back) {
		kept = append(kept, p.restoreLocked(a, back[a], &lost)...)
	}
	var unsaved []*entry
	for _, e := range kept {
		if !e.saved {
			unsaved = append(unsaved, e)
		}
	}
	p.queueSaveLocked(unsaved)
	p.queueDeleteLocked(lost)
}

// restoreLocked merges extra (txs not pooled) into a's queue, checked
// against a's confirmed account (unchecked if it cannot be read). It
// returns the extras kept; pooled txs that turn out invalid go to removed.
func (p *Pool) restoreLocked(a core.Address, extra []*entry, removed *[]*entry) []*entry {
	s := p.senders[a]
	if s == nil {
		s = newSender(a)
	}
	acct, err := p.cfg.State.Account(a)
	if err != nil {
		return p.revalidate(s, s.acct, extra, false, removed)
	}
	return p.revalidate(s, acct, extra, true, removed)
}

// Load re-admits the persisted txs at start-up against the current state
// (with the usual checks, signatures included, except the per-sender and
// nonce-window limits: a reorg may have pooled more than they allow, see
// Update) and returns how many are pooled. Stored txs that are no longer
// admissible, or do not decode, are deleted from the store. The error is an
// internal failure: reading the store, or the first failure reading state.
func (p *Pool) Load() (int, error) {
	if p.cfg.Persist == nil {
		return 0, nil
	}
	var txs []*core.Tx
	var bad []core.Hash
	err := p.cfg.Persist.LoadTxs(func(raw []byte) error {
		tx, err := core.DecodeTx(raw)
		if err != nil {
			bad = append(bad, core.Sum(raw)) // its ID, if the store keys by ID
			return nil
		}
		txs = append(txs, tx)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mempool: load persisted txs: %w", err)
	}
	// By nonce, so each sender's queue is rebuilt front first.
	slices.SortStableFunc(txs, func(a, b *core.Tx) int { return cmp.Compare(a.Nonce, b.Nonce) })
	errs := p.addBatch(txs, addStored)
	n := 0
	var firstErr error
	for i, err := range errs {
		switch {
		case err == nil:
			n++
		case core.CodeOf(err) == core.CodeDuplicate:
		case core.IsRuleError(err):
			bad = append(bad, txs[i].ID())
		case firstErr == nil:
			firstErr = err
		}
	}
	if len(bad) > 0 {
		p.mu.Lock()
		p.delQ = append(p.delQ, bad...)
		p.trimDeletesLocked()
		p.ticket++
		p.mu.Unlock()
	}
	// The deletes are not reported: a record left behind is checked again
	// at the next start.
	_ = p.Flush()
	return n, firstErr
}

// sortedAddrs returns m's keys in byte order, for a deterministic walk.
func sortedAddrs[V any](m map[core.Address]V) []core.Address {
	out := make([]core.Address, 0, len(m))
	for a := range m {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b core.Address) int { return slices.Compare(a[:], b[:]) })
	return out
}
