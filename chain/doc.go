// Package chain owns the block tree: the block index with cumulative
// work, the three-stage validation pipeline (sanity with PoW first, then
// context against the parent, then state), fork choice by most work (ties
// keep the first seen), reorgs through undo data with rollback when a block
// of the new branch fails, memory of invalid blocks and their descendants,
// a bounded pool of orphans (unknown parent) and of blocks from the future
// (held with their descendants until the clock catches up), an optional
// maximum reorg depth (Config.MaxReorgDepth, a local policy), checks at
// open that the stored chain is whole (errors wrap store.ErrCorrupt), and
// the read side (blocks, txs, accounts, proofs) the API serves.
//
// It is a pure state machine over a store.DB and a consensus.Engine: it
// reads no clock (Config.Now is injected), opens no sockets, and starts no
// goroutine that outlives a call (signature checks of a block fan out over
// the cores and are joined before the call returns).
//
// Errors: rule violations are *core.RuleError (errors.Is(err,
// core.CodeBadPoW) etc.); anything else (a storage failure) is internal.
// ProcessBlock reports orphans and future blocks in its Result, not as
// errors.
package chain
