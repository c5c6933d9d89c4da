package mempool

import (
	"fmt"
	"math/bits"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/par"
)

// Add admits one signed tx, or returns why not: a *core.RuleError for a tx
// that breaks a rule, another error for an internal failure (reading state,
// persisting). When Persist is set, an admitted tx is stored before Add
// returns (a group commit: concurrent calls share one write).
func (p *Pool) Add(tx *core.Tx) error {
	return p.addBatch([]*core.Tx{tx}, addDurable)[0]
}

// AddBatch admits txs in order, as if each were passed to Add (a later tx
// sees the earlier ones, so one sender's consecutive nonces work), and
// returns one error or nil per tx. Signatures are verified on all cores,
// and the admitted txs are stored before it returns, in the same write as
// whatever else is queued then. If that write fails, the txs admitted by
// this call are taken out again (with what they displaced put back) and
// each gets the error.
func (p *Pool) AddBatch(txs []*core.Tx) []error {
	return p.addBatch(txs, addDurable)
}

// AddBatchDeferred is AddBatch without waiting for the disk: the admitted
// txs are queued for the next Flush (see Queued and Saved), so the caller
// decides when to sync and many admissions share one write. While the
// last write failed (or WriteFailed reported a failure), it writes before
// returning, as AddBatch does.
func (p *Pool) AddBatchDeferred(txs []*core.Tx) []error {
	if p.storeDown() {
		return p.addBatch(txs, addDurable)
	}
	return p.addBatch(txs, addDeferred)
}

// addMode says how addBatch persists what it admits.
type addMode int

const (
	addDurable  addMode = iota // queued and flushed before returning
	addDeferred                // queued for a later Flush
	addStored                  // read back by Load: already stored
)

// addBatch is Add, AddBatch, AddBatchDeferred and Load.
func (p *Pool) addBatch(txs []*core.Tx, mode addMode) []error {
	errs := make([]error, len(txs))
	es := make([]*entry, len(txs))
	for i, tx := range txs {
		es[i], errs[i] = p.prepare(tx)
	}

	// Skip verifying what is pooled already (gossip repeats itself).
	p.mu.Lock()
	for i, e := range es {
		if e != nil {
			if _, ok := p.byID[e.id]; ok {
				errs[i], es[i] = p.errDuplicate(e), nil
			}
		}
	}
	p.mu.Unlock()

	p.verify(es, errs)

	stored := mode == addStored
	p.mu.Lock()
	var added, displaced, dropped []*entry
	for i, e := range es {
		if e == nil {
			continue
		}
		if err := p.admitLocked(e, &displaced, &dropped, stored); err != nil {
			errs[i], es[i] = err, nil
			continue
		}
		e.saved = stored
		added = append(added, e)
	}
	if !stored {
		p.queueSaveLocked(added)
	}
	p.queueDeleteLocked(append(displaced, dropped...))
	ticket := p.ticket
	p.mu.Unlock()

	if mode == addDurable && len(added) > 0 && p.cfg.Persist != nil {
		if err := p.flushThrough(ticket); err != nil {
			p.mu.Lock()
			var own []*entry
			for _, e := range added {
				if !e.saved {
					own = append(own, e)
				}
			}
			p.rollbackLocked(own, displaced)
			p.mu.Unlock()
			for i, e := range es {
				if e != nil && !e.saved {
					errs[i] = err
				}
			}
			added = nil
		}
	}

	if p.cfg.SigCache != nil {
		for _, e := range added {
			p.cfg.SigCache.Add(e.id)
		}
	}
	return errs
}

// prepare runs the checks that need no state and no signature check and
// derives the entry.
func (p *Pool) prepare(tx *core.Tx) (*entry, error) {
	if tx == nil {
		return nil, core.Errorf(core.CodeMalformed, "no tx")
	}
	return p.prepareKnown(tx, tx.ID(), tx.Sender())
}

// prepareKnown is prepare for a tx whose ID and sender are known.
func (p *Pool) prepareKnown(tx *core.Tx, id core.Hash, from core.Address) (*entry, error) {
	if len(tx.Memo) > core.MaxMemoLen {
		return nil, core.Errorf(core.CodeTooLarge, "tx memo: %d bytes, the limit is %d", len(tx.Memo), core.MaxMemoLen)
	}
	if size, max := tx.Size(), tx.Kind.MaxTxSize(); size > max {
		return nil, core.Errorf(core.CodeTooLarge, "%s tx: %d bytes, the limit is %d", tx.Kind, size, max)
	}
	if err := tx.CheckSanity(p.cfg.ChainID, p.cfg.MinFee, false); err != nil {
		return nil, err
	}
	return &entry{
		tx:     tx,
		id:     id,
		sender: from,
		size:   tx.Size(),
		cost:   tx.Amount + tx.Fee, // <= MaxMoney: CheckSanity
	}, nil
}

// minParallelVerify is the batch size from which verification is spread
// over all cores.
const minParallelVerify = 4

// verify checks the signatures of es outside the lock, skipping IDs the
// SigCache knows; a failure sets errs[i] and clears es[i]. Large batches
// use one goroutine per core; all finish before verify returns.
func (p *Pool) verify(es []*entry, errs []error) {
	check := func(i int) {
		e := es[i]
		if e == nil || p.cfg.SigCache != nil && p.cfg.SigCache.Has(e.id) {
			return
		}
		if err := e.tx.CheckSanity(p.cfg.ChainID, p.cfg.MinFee, true); err != nil {
			errs[i], es[i] = err, nil
		}
	}
	if len(es) < minParallelVerify {
		for i := range es {
			check(i)
		}
		return
	}
	par.Each(len(es), 1, check)
}

func (p *Pool) errDuplicate(e *entry) error {
	return core.Errorf(core.CodeDuplicate, "tx %s is already in the mempool", e.id)
}

// admitLocked applies the stateful rules to e and, if it passes, pools it.
// Txs it evicts or replaces are appended to displaced; txs found invalid
// on refreshing the sender's account are appended to dropped. With stored
// (Load: txs pooled before a restart) the per-sender and nonce-window
// limits are not applied: like Update, which returns a reorg's txs without
// them, they only apply to new submissions, and a restart must not drop
// what was pooled.
func (p *Pool) admitLocked(e *entry, displaced, dropped *[]*entry, stored bool) error {
	if _, ok := p.byID[e.id]; ok {
		return p.errDuplicate(e)
	}
	s, err := p.senderFor(e.sender, dropped)
	if err != nil {
		return err
	}
	nonce, acct := e.tx.Nonce, s.acct
	if nonce < acct.Nonce { // the executor's rule too; checked first for the window below
		return core.Errorf(core.CodeNonceTooLow, "nonce %d already used: the account's next nonce is %d", nonce, acct.Nonce)
	}
	if ahead := nonce - acct.Nonce; ahead > p.cfg.MaxNonceAhead && !stored {
		return core.Errorf(core.CodeNonceGap, "nonce %d is %d ahead of the account's next nonce %d; at most %d",
			nonce, ahead, acct.Nonce, p.cfg.MaxNonceAhead)
	}
	i, found := s.find(nonce)
	var old *entry
	if found {
		old = s.txs[i]
		need, ok := p.replaceFee(old.tx.Fee)
		if !ok {
			return core.Errorf(core.CodeFeeTooLow, "pending tx %s with nonce %d pays fee %d: no fee up to MaxMoney is %d%% more",
				old.id, nonce, old.tx.Fee, p.cfg.ReplaceBumpPercent)
		}
		if e.tx.Fee < need {
			return core.Errorf(core.CodeFeeTooLow, "fee %d does not replace pending tx %s with nonce %d and fee %d: a replacement needs a fee of at least %d (+%d%%)",
				e.tx.Fee, old.id, nonce, old.tx.Fee, need, p.cfg.ReplaceBumpPercent)
		}
	} else if len(s.txs) >= p.cfg.MaxPerSender && !stored {
		return core.Errorf(core.CodeMempoolFull, "sender %s has %d pending txs, the per-sender limit is %d",
			p.addr(e.sender), len(s.txs), p.cfg.MaxPerSender)
	}
	if err := p.checkState(s, e, i, found); err != nil {
		return err
	}
	freed := 0
	if old != nil {
		freed = old.size
	}
	victims, err := p.planEviction(e, s, p.bytes-freed+e.size-p.cfg.MaxBytes)
	if err != nil {
		s.view = nil // it may hold e applied
		return err
	}
	for _, v := range victims {
		p.removeTail(p.senders[v.sender])
	}
	*displaced = append(*displaced, victims...)
	p.seq++
	e.seq = p.seq
	if old != nil {
		*displaced = append(*displaced, p.replaceAt(s, i, e))
	} else {
		p.insertAt(s, i, e)
	}
	p.settle(s, dropped)
	return nil
}

// settle executes the txs that a closed nonce gap joined to s's run; the
// first that fails is dropped with every later tx of s.
func (p *Pool) settle(s *sender, dropped *[]*entry) {
	if _, applied := p.pendingView(s); applied < s.run() {
		for len(s.txs) > applied {
			*dropped = append(*dropped, p.removeTail(s))
		}
	}
}

// replaceFee returns the least fee that replaces a tx paying old:
// ceil(old * (100+bump) / 100), and at least old+1. ok is false when no
// fee within MaxMoney can.
func (p *Pool) replaceFee(old uint64) (uint64, bool) {
	hi, lo := bits.Mul64(old, 100+p.cfg.ReplaceBumpPercent)
	lo, c := bits.Add64(lo, 99, 0)
	hi += c
	if hi >= 100 {
		return 0, false
	}
	need, _ := bits.Div64(hi, lo, 100)
	need = max(need, old+1)
	return need, need <= core.MaxMoney
}

// senderFor returns a's queue (new and unregistered if a has no txs),
// first rechecking it if the confirmed account moved since its txs were
// checked (a block Update has not been told about yet).
func (p *Pool) senderFor(a core.Address, dropped *[]*entry) (*sender, error) {
	acct, err := p.cfg.State.Account(a)
	if err != nil {
		return nil, fmt.Errorf("mempool: read account %s: %w", p.addr(a), err)
	}
	s := p.senders[a]
	if s == nil {
		s = newSender(a)
		s.acct = acct
		return s, nil
	}
	p.revalidate(s, acct, nil, true, dropped)
	return s, nil
}

// planEviction picks the txs to evict so that need more bytes fit: the
// cheapest per byte first, always a queue's last tx (so no queue gets a
// gap), never one of the incoming tx's own sender. It fails with
// CodeMempoolFull if a victim would pay as much per byte as e. Nothing is
// changed; victims are in an order in which each is its queue's last.
func (p *Pool) planEviction(e *entry, own *sender, need int) ([]*entry, error) {
	if need <= 0 {
		return nil, nil
	}
	if e.size > p.cfg.MaxBytes {
		return nil, core.Errorf(core.CodeMempoolFull, "mempool full: a tx of %d bytes does not fit in its %d-byte capacity", e.size, p.cfg.MaxBytes)
	}
	var victims []*entry
	freed := 0
	walk := heapWalk{worst: true}
	walk.start(p.tails, func(s *sender) int { return len(s.txs) - 1 })
	for freed < need {
		c, ok := walk.next()
		if !ok {
			return nil, core.Errorf(core.CodeMempoolFull, "mempool full: %d of %d bytes used and no other sender's tx can be evicted", p.bytes, p.cfg.MaxBytes)
		}
		if c.s == own {
			continue
		}
		if !higherRate(e, c.e) {
			return nil, core.Errorf(core.CodeMempoolFull, "mempool full: %d of %d bytes used; this tx pays %.3f per byte, no more than the %.3f per byte of the cheapest tx that could be evicted",
				p.bytes, p.cfg.MaxBytes, e.rate(), c.e.rate())
		}
		victims = append(victims, c.e)
		freed += c.e.size
		if c.idx > 0 {
			walk.push(c.s, c.idx-1)
		}
	}
	return victims, nil
}
