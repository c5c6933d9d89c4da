// Package miner owns block production: it asks the chain for a block
// template, has the chain's consensus engine seal it (consensus.Sealer: for
// proof of work the multi-core nonce search of consensus/pow/powseal) and
// hands the sealed block to the node.
//
// Two layers:
//
//   - The mining service (miner.go): Miner.Run mines until its context ends,
//     re-building the template after RefreshEvery units of sealing work per
//     thread (PoW: hashes) and abandoning work within milliseconds when the
//     tip moves (TipChanged) or its settings change (SetEnabled, SetThreads,
//     SetAddress). A template identical to the last one resumes the nonce
//     sequence where it stopped.
//   - MineOne (template.go): one block now, for the REST API's GET /mine.
//
// The miner imports only core, consensus (the interfaces) and the standard
// library: the chain, the mempool and the network reach it through the Chain
// and TxSource interfaces and the Config.Submit function, the engine through
// Config.Sealer. It names no concrete engine.
//
// Errors: New returns an error naming the missing Config field; Run returns
// an error only when it is already running; MineOne returns the context's
// error when cancelled and wraps the chain's or the sealer's errors
// (errors.Is and errors.As see through them). Rule errors are the chain's,
// never made here.
package miner
