// Package mempool holds transactions that are valid against the chain tip
// but not yet in a block: it checks them on admission (signature, chain,
// fee, nonce window, balance, replace-by-fee, limits), keeps one
// nonce-ordered queue per sender, evicts the cheapest txs when full, hands
// the miner the best fee-per-byte txs that can be applied in order
// (Select), follows the chain tip through new blocks and reorgs (Update),
// and optionally persists what it holds so a restart keeps it (Load).
// Persistence is a group commit (persist.go): Add and AddBatch return once
// their txs are stored, sharing one write with concurrent callers;
// AddBatchDeferred and Update only queue their changes for the next Flush,
// which the caller runs when it likes (the node: a background flusher).
//
// The package is pure: it reads account state through the StateReader it
// is given, stores through an optional Persister, starts no goroutine that
// outlives a call, and reads no clock. A Pool is safe for concurrent use:
// one mutex guards its state, and signatures are verified outside it so
// concurrent Add calls verify on all cores.
//
// Errors: admission failures are *core.RuleError with a stable code
// (core.CodeDuplicate, CodeNonceTooLow, CodeNonceGap,
// CodeInsufficientFunds, CodeFeeTooLow, CodeMempoolFull, and the sanity
// codes of core.Tx.CheckSanity); errors.Is(err, core.CodeX) tells which
// rule failed. Any other error (reading state, persisting) is an internal
// failure, not the submitter's fault.
package mempool
