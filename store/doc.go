// Package store is Cairn's persistence layer above a key-value backend.
//
// It owns:
//   - the backend interface, KV and Batch (kv.go), with an in-memory
//     implementation, NewMemory, for tests and tools;
//   - the key schema (schema.go): every key prefix and the layout of every
//     record, in one file;
//   - DB (db.go, batch.go): typed reads and an atomic write Batch grouping
//     everything one connected or disconnected block changes.
//
// store imports no storage engine, so the pure chain and state packages can
// depend on it; store/pebble is the on-disk backend (the only package that
// imports Pebble), and store/storetest is the conformance suite every
// backend passes.
//
// Errors: ErrNotFound (absent key or record; DB accessors wrap it with the
// record kind and key, so use errors.Is), ErrClosed (use after Close),
// ErrBatchCommitted (a Batch reused after Commit), ErrCorrupt (a stored
// record does not decode strictly; the message names the record kind and
// key) and ErrSchemaVersion (the database was written by another schema
// version). None of them is a core.RuleError: a bad record on our own disk
// is an internal failure, never a peer's fault.
package store
