package state

import (
	"github.com/cairn-chain/cairn/core"
)

// ApplyTx is the executor: it checks tx against the view and applies it,
// for every kind. The sender must hold the roles the chain's permissions
// restrict (read at the parent's state: perm.go); its nonce must be the account's and its balance
// must cover the fee (and a transfer's amount); the fee is taken, the
// nonce advances, and the kind's handler applies the body (one plain
// switch, a file per family of kinds). The fee is returned for the block's
// miner. On error the view is unchanged.
//
// The mempool's admission, the block template and block validation all
// call it, so a tx the mempool admits is one a block may hold. Sanity
// (version, chain, bounds, signature) is tx.CheckSanity's, checked first
// by the caller.
func (v *View) ApplyTx(tx *core.Tx) (fee uint64, err error) {
	_, fee, err = v.apply(tx, tx.Sender())
	return fee, err
}

// ApplyTxFrom is ApplyTx for a caller that has already derived the tx's
// sender address (tx.Sender(), a SHA-256): from must be it.
func (v *View) ApplyTxFrom(tx *core.Tx, from core.Address) (fee uint64, err error) {
	_, fee, err = v.apply(tx, from)
	return fee, err
}

// Apply is ApplyTx returning the tx's receipt.
func (v *View) Apply(tx *core.Tx) (Receipt, error) {
	rc, _, err := v.apply(tx, tx.Sender())
	return rc, err
}

// apply applies tx sent by from (tx.Sender()) and returns its receipt and
// the fee it paid (a contract tx pays for the gas it used, FeeCharged).
func (v *View) apply(tx *core.Tx, from core.Address) (Receipt, uint64, error) {
	mark := len(v.journal)
	v.events = v.events[:0]
	v.outcome = outcome{}
	if err := v.applyTx(tx, from); err != nil {
		v.revert(mark)
		v.events = v.events[:0]
		return Receipt{}, 0, err
	}
	v.journal = v.journal[:mark]
	rc := Receipt{Status: ReceiptSuccess}
	fee := tx.Fee
	if o := v.outcome; o.contract {
		rc.GasUsed, fee = o.gasUsed, o.fee
		if o.failed != nil {
			rc.Status = ReceiptFailed
			rc.Error = string(core.CodeOf(o.failed)) + ": " + o.failed.Error()
		}
	}
	if len(v.events) > 0 {
		rc.Events = append([]Event(nil), v.events...)
	}
	return rc, fee, nil
}

// CheckTx reports whether tx would apply to the view, without changing it.
func (v *View) CheckTx(tx *core.Tx) error {
	_, err := NewView(v).ApplyTx(tx)
	return err
}

func (v *View) applyTx(tx *core.Tx, from core.Address) error {
	if err := v.permitted(from, tx.Kind); err != nil {
		return err
	}
	sender, err := v.Account(from)
	if err != nil {
		return err
	}
	if tx.Nonce < sender.Nonce {
		return core.Errorf(core.CodeNonceTooLow, "nonce %d already used: the account's next nonce is %d", tx.Nonce, sender.Nonce)
	}
	if tx.Nonce > sender.Nonce {
		return core.Errorf(core.CodeNonceGap, "nonce %d is ahead of the account's next nonce %d", tx.Nonce, sender.Nonce)
	}
	amount := tx.Amount // coins that leave the sender besides the fee
	if call, ok := tx.Body.(*core.ContractCall); ok {
		amount = call.Amount
	}
	need := amount + tx.Fee // sanity bounds both by MaxMoney, so no wrap
	if amount > core.MaxMoney || tx.Fee > core.MaxMoney || need > core.MaxMoney {
		return core.Errorf(core.CodeInvalidAmount, "amount %d + fee %d above MaxMoney", amount, tx.Fee)
	}
	if sender.Balance < need {
		if amount > 0 {
			return core.Errorf(core.CodeInsufficientFunds, "insufficient funds: balance %d, needs %d (amount %d + fee %d)", sender.Balance, need, amount, tx.Fee)
		}
		return core.Errorf(core.CodeInsufficientFunds, "insufficient funds: balance %d, the fee is %d", sender.Balance, tx.Fee)
	}
	sender.Balance -= tx.Amount + tx.Fee // a call's amount moves with the call
	sender.Nonce++
	v.setAccount(from, sender)
	switch body := tx.Body.(type) {
	case nil:
		if tx.Kind != core.KindTransfer {
			return core.Errorf(core.CodeMalformed, "tx of kind %s without its body", tx.Kind)
		}
		return v.transfer(tx.To, tx.Amount)
	case *core.AssetCreate:
		return v.assetCreate(from, tx.Nonce, body)
	case *core.AssetTransfer:
		return v.assetTransfer(from, body)
	case *core.AssetMint:
		return v.assetMint(from, body)
	case *core.AssetBurn:
		return v.assetBurn(from, body)
	case *core.AssetFreeze:
		return v.assetFreeze(from, body)
	case *core.AssetClawback:
		return v.assetClawback(from, body)
	case *core.AssetConfig:
		return v.assetConfig(from, body)
	case *core.ItemMint:
		return v.itemMint(from, body)
	case *core.ItemTransfer:
		return v.itemTransfer(from, body)
	case *core.ItemAttest:
		return v.itemAttest(from, body)
	case *core.ItemBurn:
		return v.itemBurn(from, body)
	case *core.ContractDeploy:
		return v.contractDeploy(from, tx, body)
	case *core.ContractCall:
		return v.contractCall(from, tx, body)
	case *core.PermGrant:
		return v.permGrant(body)
	case *core.PermRevoke:
		return v.permRevoke(body)
	}
	return core.Errorf(core.CodeBadVersion, "tx kind %s has no handler", tx.Kind)
}

// transfer credits a coin transfer's recipient (after the sender's
// update, so a self-transfer only pays the fee).
func (v *View) transfer(to core.Address, amount uint64) error {
	if amount == 0 {
		return nil // a data tx
	}
	acct, err := v.Account(to)
	if err != nil {
		return err
	}
	if acct.Balance+amount > core.MaxMoney { // unreachable while supply <= MaxMoney
		return core.Errorf(core.CodeInvalidAmount, "recipient balance %d + %d above MaxMoney", acct.Balance, amount)
	}
	acct.Balance += amount
	v.setAccount(to, acct)
	return nil
}
