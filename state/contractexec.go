package state

import (
	"context"
	"fmt"
	"math/bits"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm/hostapi"
)

// Gas of the contract kinds besides what their code uses (schedule v1,
// docs/contracts.md).
const (
	DeployBaseGas    = 20_000 // a deploy, plus DeployGasPerByte per byte of code
	DeployGasPerByte = 10     // validation, metering and compilation
	CallBaseGas      = 500    // a call, before its code runs
)

// Runs in blocks get no deadline of their own: gas bounds them, and the
// VM's own watchdog (vm.Watchdog, a timer) stops one that a node bug lets
// spin; that is never a consensus outcome (the run fails as an internal
// error and the block is not judged). A ctx with a deadline would cost a
// goroutine per call in the engine.

// outcome is what a contract tx gave beyond its changes.
type outcome struct {
	contract bool   // a contract kind: fee and gas below apply
	gasUsed  uint64 //
	fee      uint64 // charged: gas_used * gas_price + min_fee
	failed   error  // executed and failed: why (a *core.Error)
}

// GasLimit returns the gas a tx may use against its block's
// max_block_gas: a call's gas_limit, a deploy's (fee - min_fee) /
// gas_price capped by max_block_gas, 0 for other kinds.
func GasLimit(g *core.Genesis, tx *core.Tx) uint64 {
	switch b := tx.Body.(type) {
	case *core.ContractCall:
		return b.GasLimit
	case *core.ContractDeploy:
		if tx.Fee <= g.MinFee {
			return 0
		}
		p := g.Contracts()
		return min((tx.Fee-g.MinFee)/p.GasPrice, p.MaxBlockGas)
	}
	return 0 // every other kind: nothing computed on the block path
}

// FeeCharged returns what tx paid, given its receipt: a contract tx pays
// gas_used * gas_price + min_fee, any other its fee.
func FeeCharged(g *core.Genesis, tx *core.Tx, rc Receipt) uint64 {
	switch tx.Kind {
	case core.KindContractCall, core.KindContractDeploy:
		f, _ := charge(g, rc.GasUsed)
		return min(f, tx.Fee)
	}
	return tx.Fee
}

// charge returns gas * gas_price + min_fee; false above MaxMoney.
func charge(g *core.Genesis, gas uint64) (uint64, bool) {
	hi, lo := bits.Mul64(gas, g.Contracts().GasPrice)
	if hi != 0 || lo > core.MaxMoney {
		return 0, false
	}
	f := lo + g.MinFee
	return f, f <= core.MaxMoney
}

// contracts returns the block context, or an error if this view runs no
// contracts.
func (v *View) contracts() (*env, error) {
	if v.env == nil || v.env.Genesis == nil || v.env.VM == nil {
		return nil, core.Errorf(core.CodeBadVersion, "this node runs no contracts here")
	}
	return v.env, nil
}

// contractCall runs a call. The fee was taken; the amount moves and the
// code runs in a part that a failure reverts, leaving the fee (for the
// gas used) and the nonce.
func (v *View) contractCall(from core.Address, tx *core.Tx, b *core.ContractCall) error {
	e, err := v.contracts()
	if err != nil {
		return err
	}
	g := e.Genesis
	if b.GasLimit > e.contracts.MaxBlockGas {
		return core.Errorf(core.CodeBlockGasExceeded, "gas_limit %d above the chain's max_block_gas %d", b.GasLimit, e.contracts.MaxBlockGas)
	}
	if b.GasLimit < CallBaseGas {
		return core.Errorf(core.CodeOutOfGas, "gas_limit %d below a call's base cost of %d gas", b.GasLimit, CallBaseGas)
	}
	maxFee, ok := charge(g, b.GasLimit)
	if !ok || tx.Fee < maxFee {
		return core.Errorf(core.CodeFeeTooLow, "fee %d does not cover gas_limit %d x gas_price %d + min_fee %d = %d",
			tx.Fee, b.GasLimit, e.contracts.GasPrice, g.MinFee, maxFee)
	}
	c, err := ReadContract(v, b.Contract)
	if err != nil {
		return err
	}
	v.outcome = outcome{contract: true}
	switch {
	case c == nil && e.pending:
		return core.Errorf(core.CodeContractNotFound, "no contract at %s", b.Contract.Encode(g.AddressPrefix))
	case c == nil:
		// In a block, a call to no contract is executed and failed: its
		// sender may have raced a deploy that lost a reorg.
		v.outcome.failed = core.Errorf(core.CodeContractNotFound, "no contract at %s", b.Contract.Encode(g.AddressPrefix))
		return v.settle(from, tx, CallBaseGas)
	}
	mark := len(v.journal)
	if err := v.move(from, c.Address, b.Amount); err != nil {
		return err
	}
	if e.pending { // charged its most; the amount moved for the sender's next txs
		v.outcome.gasUsed, v.outcome.fee = b.GasLimit, tx.Fee
		return nil
	}
	h := &host{v: v, c: c, caller: from, value: b.Amount, input: b.Input}
	used, err := v.run(c, "call", b.GasLimit-CallBaseGas, h, mark, b.GasLimit)
	if err != nil {
		return err
	}
	return v.settle(from, tx, CallBaseGas+used)
}

// contractDeploy creates a contract and runs its init.
func (v *View) contractDeploy(from core.Address, tx *core.Tx, b *core.ContractDeploy) error {
	e, err := v.contracts()
	if err != nil {
		return err
	}
	g := e.Genesis
	if n := uint64(len(b.Code)); n > e.contracts.MaxCodeBytes {
		return core.Errorf(core.CodeCodeTooLarge, "code of %d bytes, the chain's max_code_bytes is %d", n, e.contracts.MaxCodeBytes)
	}
	limit := GasLimit(g, tx)
	base := DeployBaseGas + DeployGasPerByte*uint64(len(b.Code))
	if limit < base {
		need, _ := charge(g, base)
		return core.Errorf(core.CodeFeeTooLow, "a deploy of %d bytes costs at least %d gas: the fee must be at least %d (and cover init)", len(b.Code), base, need)
	}
	if err := e.VM.Check(b.Code); err != nil {
		return err
	}
	addr := core.ContractAddress(from, tx.Nonce)
	if old, err := ReadContract(v, addr); err != nil || old != nil {
		if err == nil {
			err = core.Errorf(core.CodeDuplicate, "a contract exists at %s", addr.Encode(g.AddressPrefix))
		}
		return err
	}
	v.outcome = outcome{contract: true}
	mark := len(v.journal)
	c := &Contract{Address: addr, CodeHash: core.Sum(b.Code), Deployer: from, CreatedHeight: e.height}
	k := CodeKey(c.CodeHash)
	if old, err := v.Get(k); err != nil {
		return err
	} else if old == nil {
		v.set(k, b.Code)
	}
	if _, err := ReadContract(v, addr); err != nil { // read before set, for the undo data
		return err
	}
	v.setContract(c)
	if e.pending {
		v.outcome.gasUsed, v.outcome.fee = limit, tx.Fee
		return nil
	}
	h := &host{v: v, c: c, caller: from, input: b.InitInput}
	used, err := v.run(c, "init", limit-base, h, mark, limit)
	if err != nil {
		return err
	}
	return v.settle(from, tx, base+used)
}

// move takes amount coins from the sender (whose balance the executor
// checked covers it with the fee) to a contract.
func (v *View) move(from, to core.Address, amount uint64) error {
	if amount == 0 {
		return nil
	}
	acct, err := v.Account(from)
	if err != nil {
		return err
	}
	if acct.Balance < amount {
		return core.Errorf(core.CodeInsufficientFunds, "insufficient funds: balance %d after the fee, the call sends %d", acct.Balance, amount)
	}
	acct.Balance -= amount
	v.setAccount(from, acct)
	return v.transfer(to, amount)
}

// run runs entry of c's code with gas (of the tx's txLimit). An
// executed-and-failed run reverts the view to mark and is recorded in the
// outcome; any other error (the node's, not the contract's) is returned
// and the tx is not judged.
func (v *View) run(c *Contract, entry string, gas uint64, h *host, mark int, txLimit uint64) (uint64, error) {
	code, err := ReadCode(v, c.CodeHash)
	if err != nil {
		return 0, err
	}
	if code == nil {
		return 0, fmt.Errorf("contract %x: code %s missing from the state", c.Address[:], c.CodeHash)
	}
	evMark := len(v.events)
	res := v.env.VM.Run(context.Background(), code, entry, gas, h)
	if res.Err != nil {
		if !executedAndFailed(res.Err) {
			return 0, res.Err
		}
		v.revert(mark)
		v.events = v.events[:evMark]
		v.outcome.failed = res.Err
		if core.CodeOf(res.Err) == core.CodeOutOfGas {
			v.outcome.failed = core.Errorf(core.CodeOutOfGas, "out of gas: the tx's %d gas were used up", txLimit)
		}
		return res.GasUsed, nil
	}
	h.flush()
	return res.GasUsed, nil
}

// executedAndFailed reports whether a run's error is the contract's: the
// call is in its block, failed, its fee charged.
func executedAndFailed(err error) bool {
	switch core.CodeOf(err) {
	case core.CodeOutOfGas, core.CodeTrap, core.CodeAborted, core.CodeCallDepthExceeded:
		return true
	}
	return false
}

// settle charges gas_used * gas_price + min_fee of the fee taken and
// gives the rest back to the sender.
func (v *View) settle(from core.Address, tx *core.Tx, gasUsed uint64) error {
	fee, ok := charge(v.env.Genesis, gasUsed)
	if !ok || fee > tx.Fee { // gas used never passes the limit the fee covers
		fee = tx.Fee
	}
	v.outcome.gasUsed, v.outcome.fee = gasUsed, fee
	if refund := tx.Fee - fee; refund > 0 {
		return v.Credit(from, refund)
	}
	return nil
}

var _ hostapi.Host = (*host)(nil)
