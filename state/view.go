package state

import (
	"bytes"
	"sort"

	"github.com/cairn-chain/cairn/core"
)

// Reader reads confirmed account state.
type Reader interface {
	Account(a core.Address) (core.Account, error)
}

// Change is one account's state before and after a block.
type Change struct {
	Address  core.Address
	Old, New core.Account
}

// View is a copy-on-write overlay over a Reader: txs are applied to it and
// its Changes are the block's effect. Not safe for concurrent use.
type View struct {
	base    Reader
	current map[core.Address]core.Account
	orig    map[core.Address]core.Account
}

// NewView returns an empty overlay over base.
func NewView(base Reader) *View {
	return &View{base: base, current: map[core.Address]core.Account{}, orig: map[core.Address]core.Account{}}
}

// Account returns the account as the overlay sees it.
func (v *View) Account(a core.Address) (core.Account, error) {
	if acct, ok := v.current[a]; ok {
		return acct, nil
	}
	acct, err := v.base.Account(a)
	if err != nil {
		return core.Account{}, err
	}
	v.orig[a] = acct
	v.current[a] = acct
	return acct, nil
}

func (v *View) set(a core.Address, acct core.Account) { v.current[a] = acct }

// Changes returns every account whose state differs from the base, sorted
// by address (a deterministic order for undo data and storage).
func (v *View) Changes() []Change {
	out := make([]Change, 0, len(v.current))
	for a, acct := range v.current {
		if old := v.orig[a]; old != acct {
			out = append(out, Change{Address: a, Old: old, New: acct})
		}
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].Address[:], out[j].Address[:]) < 0 })
	return out
}

// CheckTx checks the stateful rules for tx against the sender account:
// nonce equal to the account's, balance covering amount + fee. Sanity
// (chain_id, amounts, fee, signature) is tx.CheckSanity's.
func CheckTx(tx *core.Tx, sender core.Account) error {
	if tx.Nonce < sender.Nonce {
		return core.Errorf(core.CodeNonceTooLow, "nonce %d already used: the account's next nonce is %d", tx.Nonce, sender.Nonce)
	}
	if tx.Nonce > sender.Nonce {
		return core.Errorf(core.CodeNonceGap, "nonce %d is ahead of the account's next nonce %d", tx.Nonce, sender.Nonce)
	}
	need := tx.Amount + tx.Fee // sanity bounds both by MaxMoney, so no wrap
	if tx.Amount > core.MaxMoney || tx.Fee > core.MaxMoney || need > core.MaxMoney {
		return core.Errorf(core.CodeInvalidAmount, "amount %d + fee %d above MaxMoney", tx.Amount, tx.Fee)
	}
	if sender.Balance < need {
		return core.Errorf(core.CodeInsufficientFunds, "insufficient funds: balance %d, needs %d (amount %d + fee %d)", sender.Balance, need, tx.Amount, tx.Fee)
	}
	return nil
}

// ApplyTx checks tx against the view and applies it: the sender pays
// amount + fee and its nonce advances, the recipient receives amount. The
// fee is returned for the miner. On error the view is unchanged.
func (v *View) ApplyTx(tx *core.Tx) (fee uint64, err error) {
	from := tx.Sender()
	sender, err := v.Account(from)
	if err != nil {
		return 0, err
	}
	if err := CheckTx(tx, sender); err != nil {
		return 0, err
	}
	before := sender
	sender.Balance -= tx.Amount + tx.Fee
	sender.Nonce++
	v.set(from, sender)
	to, err := v.Account(tx.To)                             // after the sender's update, so a self-transfer only pays the fee
	if err == nil && to.Balance+tx.Amount > core.MaxMoney { // unreachable while supply <= MaxMoney
		err = core.Errorf(core.CodeInvalidAmount, "recipient balance %d + %d above MaxMoney", to.Balance, tx.Amount)
	}
	if err != nil {
		v.set(from, before)
		return 0, err
	}
	to.Balance += tx.Amount
	v.set(tx.To, to)
	return tx.Fee, nil
}

// Credit adds amount to a's balance, checked against MaxMoney.
func (v *View) Credit(a core.Address, amount uint64) error {
	acct, err := v.Account(a)
	if err != nil {
		return err
	}
	if amount > core.MaxMoney || acct.Balance+amount > core.MaxMoney {
		return core.Errorf(core.CodeInvalidAmount, "credit of %d to balance %d above MaxMoney", amount, acct.Balance)
	}
	acct.Balance += amount
	v.set(a, acct)
	return nil
}
