package chain

import (
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
	"github.com/cairn-chain/cairn/store"
)

// Queries of contracts at the tip, without the chain's lock (see
// assets.go).

// ContractInfo is a contract's record with its code size and balance.
type ContractInfo struct {
	state.Contract
	CodeSize int
	Balance  uint64
}

// Contract returns the contract at a, or a not-found error.
func (c *Chain) Contract(a core.Address) (*ContractInfo, error) {
	r := c.reader()
	ct, err := state.ReadContract(r, a)
	if err == nil && ct == nil {
		err = notFound("contract %s", a.Encode(c.cfg.Genesis.AddressPrefix))
	}
	if err != nil {
		return nil, err
	}
	code, err := state.ReadCode(r, ct.CodeHash)
	if err != nil {
		return nil, err
	}
	acct, err := r.Account(a)
	if err != nil {
		return nil, err
	}
	return &ContractInfo{Contract: *ct, CodeSize: len(code), Balance: acct.Balance}, nil
}

// ContractCode returns the code (the module as deployed) of the contract
// at a.
func (c *Chain) ContractCode(a core.Address) ([]byte, error) {
	ct, err := c.Contract(a)
	if err != nil {
		return nil, err
	}
	return state.ReadCode(c.reader(), ct.CodeHash)
}

// ContractTxs lists the txs that emitted events of the contract at a,
// oldest first (newest first with newest), after the entry after (nil:
// from the first), at most limit; their receipts hold the events.
func (c *Chain) ContractTxs(a core.Address, after *store.ItemEvent, limit int, newest bool) ([]store.ItemEvent, error) {
	if _, err := c.Contract(a); err != nil {
		return nil, err
	}
	return c.cfg.DB.ContractTxs(a, after, limit, newest)
}

// QueryContract runs the call export of the contract at a read-only on
// the tip's state, as caller, as if in the next block at the current
// time: nothing is written.
func (c *Chain) QueryContract(a, caller core.Address, input []byte, gas uint64) (*state.QueryResult, error) {
	tip := c.Tip()
	now := uint64(max(c.cfg.Now().UnixMilli(), 0))
	if t := tip.Header.Timestamp; now <= t {
		now = t + 1
	}
	return state.Query(c.reader(), c.rules(), tip.Header.Height+1, now, a, caller, input, gas)
}
