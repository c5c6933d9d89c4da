// Package pebble is the on-disk store.KV backend, on CockroachDB's Pebble
// LSM engine. It is the only Cairn package that imports Pebble.
//
// Batches commit with a synced write-ahead log (pebble.Sync): a committed
// batch survives a crash or kill -9, and a batch is applied all or nothing.
// Pebble's own log lines go to an injected *slog.Logger (none by default).
//
// Errors: Open wraps Pebble's errors (e.g. another process holding the
// directory's lock) with the directory; Get returns store.ErrNotFound for an
// absent key; use after Close returns store.ErrClosed.
package pebble
