package state

import (
	"context"

	"github.com/cairn-chain/cairn/core"
)

// QueryResult is what a read-only run of a contract gave.
type QueryResult struct {
	Return  []byte
	GasUsed uint64
	Events  []Event // what a call would have emitted
	// Failed is why the run failed (out_of_gas, trap, aborted,
	// call_depth_exceeded), nil if it succeeded.
	Failed error
}

// Query runs a contract's call export over r with input, as caller, as if
// in the block at height with timestamp time, and discards every change:
// the read-only query of the API. gas bounds the run. Errors are for a
// query that did not run (no contract here, the node's own failures).
func Query(r Reader, rules Rules, height, time uint64, contract, caller core.Address, input []byte, gas uint64) (*QueryResult, error) {
	v := NewView(r)
	v.env = newEnv(rules, r, height, time, false)
	v.Height = height
	e, err := v.contracts()
	if err != nil {
		return nil, err
	}
	c, err := ReadContract(v, contract)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, core.Errorf(core.CodeContractNotFound, "no contract at %s", contract.Encode(e.Genesis.AddressPrefix))
	}
	code, err := ReadCode(v, c.CodeHash)
	if err != nil {
		return nil, err
	}
	ctx := context.Background() // gas-capped; the VM's watchdog as in blocks
	h := &host{v: v, c: c, caller: caller, input: input}
	res := e.VM.Run(ctx, code, "call", gas, h)
	out := &QueryResult{Return: res.Return, GasUsed: res.GasUsed}
	switch {
	case res.Err == nil:
		out.Events = append([]Event(nil), v.events...)
	case executedAndFailed(res.Err):
		out.Failed = res.Err
	default:
		return nil, res.Err
	}
	return out, nil
}
