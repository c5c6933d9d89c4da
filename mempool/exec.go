package mempool

import (
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

// The pool's stateful check is the executor's (state.View.ApplyTx), the
// same one the block template and block validation run: each sender keeps
// a view of the confirmed state with its pending txs applied in nonce
// order, and a new tx must apply on it. The pool adds only its own policy
// (nonce window, per-sender limit, fee bump, capacity).
//
// A tx behind a nonce gap cannot be executed yet: it is held if the
// sender's balance covers the amounts and fees of all its pending txs (a
// bound on what it may queue, not a rule of blocks), and executed when
// the gap closes (a tx that then fails is dropped with every later one of
// its sender).

// run returns the length of s's run of txs with consecutive nonces from
// the account nonce.
func (s *sender) run() int {
	n := 0
	for n < len(s.txs) && s.txs[n].tx.Nonce == s.acct.Nonce+uint64(n) {
		n++
	}
	return n
}

// newView returns an admission view over the tip's state.
func (p *Pool) newView() *state.View { return state.NewPendingView(p.cfg.State, p.cfg.Rules, 0) }

// pendingView returns s's view with its run applied, building it when it
// is missing or older than the last Update. A run tx that no longer
// applies ends the view there: the returned count is what applied.
func (p *Pool) pendingView(s *sender) (*state.View, int) {
	run := s.run()
	if s.view == nil || s.viewEpoch != p.epoch || s.applied > run {
		s.view, s.applied, s.viewEpoch = p.newView(), 0, p.epoch
	}
	for s.applied < run {
		if _, err := s.view.ApplyTxFrom(s.txs[s.applied].tx, s.addr); err != nil {
			break
		}
		s.applied++
	}
	return s.view, s.applied
}

// checkState runs the executor for e, which would go to index i of s's
// queue (found: replacing the tx there). On success for a tx at the end
// of the run, s's view has e applied (the caller drops the view if e is
// not pooled after all).
func (p *Pool) checkState(s *sender, e *entry, i int, found bool) error {
	v, applied := p.pendingView(s)
	run := s.run()
	switch {
	case !found && i == run && e.tx.Nonce == s.acct.Nonce+uint64(run) && applied == run:
		if _, err := v.ApplyTxFrom(e.tx, e.sender); err != nil {
			if applied > 0 && core.IsRuleError(err) {
				return core.Errorf(core.CodeOf(err), "after its %d pending txs: %v", applied, err)
			}
			return err
		}
		s.applied++
		return nil
	case found && i < run:
		// A replacement inside the run: it must apply, and so must the
		// txs after it.
		nv := p.newView()
		for _, o := range s.txs[:i] {
			if _, err := nv.ApplyTxFrom(o.tx, o.sender); err != nil {
				return err
			}
		}
		if _, err := nv.ApplyTxFrom(e.tx, e.sender); err != nil {
			return err
		}
		for _, o := range s.txs[i+1 : run] {
			if _, err := nv.ApplyTxFrom(o.tx, o.sender); err != nil && !core.IsRuleError(err) {
				return err
			} else if err != nil {
				return core.Errorf(core.CodeOf(err), "the replacement would make pending tx %s (nonce %d) invalid: %v", o.id, o.tx.Nonce, err)
			}
		}
		s.view, s.applied, s.viewEpoch = nv, run, p.epoch
		return nil
	}
	// Behind a nonce gap: held if the balance covers the amounts and fees
	// of all the sender's pending txs (a bound on what it may queue).
	total := s.cost + e.cost
	if found {
		total -= s.txs[i].cost
	}
	if total > s.acct.Balance {
		return core.Errorf(core.CodeInsufficientFunds, "insufficient funds: balance %d, needs %d (amount + fee of this tx behind a nonce gap and the sender's other pending txs)", s.acct.Balance, total)
	}
	return nil
}
