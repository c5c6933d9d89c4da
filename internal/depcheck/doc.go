// Package depcheck holds a test that enforces the import direction of
// ARCHITECTURE.md: the pure packages never reach networking, HTTP or the
// storage engine, not even transitively; the edge packages keep to their
// side (p2p never reaches the API's packages; the API never reaches the
// store, chain, mempool, miner or PoW engine, only its own interfaces).
package depcheck
