// Package state owns the account state transition: validating and
// applying txs and blocks against account balances and nonces, the undo
// data that reverses a block exactly, and the incrementally maintained
// state digest (an LtHash multiset hash of all accounts) that two nodes at
// the same tip must agree on.
//
// It is pure: it reads accounts through the Reader interface and returns
// changes; it never writes storage, starts goroutines or reads a clock.
// Errors are *core.RuleError (nonce_too_low, nonce_gap, insufficient_funds,
// invalid_amount, ...) for invalid input, plain errors for Reader failures.
package state
