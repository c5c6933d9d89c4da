package mempool

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cairn-chain/cairn/core"
)

// maxUndeleted bounds the IDs remembered for a retried DeleteTxs. A stored
// tx that is never deleted is harmless: Load rechecks it.
const maxUndeleted = 1 << 16

// saveLocked stores the txs of added that are still pooled, with one
// SaveTxs call that also retries earlier failed saves. On failure nothing
// is marked saved.
func (p *Pool) saveLocked(added []*entry) error {
	if p.cfg.Persist == nil {
		return nil
	}
	var saving []*entry
	for _, list := range [2][]*entry{p.unsaved, added} {
		for _, e := range list {
			if !e.saved && p.byID[e.id] == e {
				saving = append(saving, e)
			}
		}
	}
	if len(saving) == 0 {
		p.unsaved = nil
		return nil
	}
	txs := make([]*core.Tx, len(saving))
	for i, e := range saving {
		txs[i] = e.tx
	}
	if err := p.cfg.Persist.SaveTxs(txs); err != nil {
		return err
	}
	for _, e := range saving {
		e.saved = true
	}
	p.unsaved = nil
	return nil
}

// deleteLocked deletes the stored records of removed txs that are not
// pooled (again), with the IDs of earlier failed deletes. A failure is
// remembered and retried with the next call: the txs left the pool anyway.
func (p *Pool) deleteLocked(removed []*entry) {
	if p.cfg.Persist == nil {
		return
	}
	var ids []core.Hash
	for _, id := range p.undeleted {
		if _, ok := p.byID[id]; !ok {
			ids = append(ids, id)
		}
	}
	for _, e := range removed {
		if _, ok := p.byID[e.id]; e.saved && !ok {
			ids = append(ids, e.id)
		}
	}
	if len(ids) == 0 {
		p.undeleted = nil
		return
	}
	if err := p.cfg.Persist.DeleteTxs(ids); err != nil {
		p.undeleted = ids[:min(len(ids), maxUndeleted)]
		return
	}
	p.undeleted = nil
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
		if !isAdded[e] {
			back[e.sender] = append(back[e.sender], e)
		}
	}
	var lost []*entry
	for _, a := range sortedAddrs(back) {
		p.restoreLocked(a, back[a], &lost)
	}
	p.deleteLocked(lost)
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
	errs := p.addBatch(txs, true)
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
		p.undeleted = append(p.undeleted, bad...)
		p.deleteLocked(nil)
		p.mu.Unlock()
	}
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
