// Package miner owns block production: it asks the chain for a block
// template, searches the nonce space on several goroutines and hands a solved
// block to the node.
//
// Three layers:
//
//   - The nonce search kernel (kernel.go, search.go): the 114-byte header
//     ends with the 8-byte nonce, so the first 64 bytes are compressed once
//     per template (the SHA-256 midstate) and each nonce costs exactly one
//     SHA-256 compression of the last 50 bytes plus padding. Search scans one
//     interleaved nonce sequence; Solve runs it on several goroutines.
//   - The mining service (miner.go): Miner.Run mines until its context ends,
//     re-building the template after RefreshEvery hashes per thread and
//     abandoning work within milliseconds when the tip moves (TipChanged) or
//     its settings change (SetEnabled, SetThreads, SetAddress).
//   - MineOne (template.go): one block now, for the REST API's GET /mine.
//
// The miner imports only core and the standard library: the chain, the
// mempool and the network reach it through the Chain and TxSource interfaces
// and the Config.Submit and Config.Target functions. It compares hashes
// against a 32-byte big-endian target itself (hash <= target).
//
// Errors: New returns an error naming the missing Config field; Run returns
// an error only when it is already running; MineOne returns the context's
// error when cancelled and wraps the chain's or Target's errors (errors.Is
// and errors.As see through them). Rule errors are the chain's, never made
// here.
package miner
