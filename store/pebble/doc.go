// Package pebble is the on-disk store.KV backend, on CockroachDB's Pebble
// LSM engine. It is the only Cairn package that imports Pebble.
//
// Batches commit with a synced write-ahead log (pebble.Sync): a committed
// batch survives a crash or kill -9, and a batch is applied all or nothing.
// Pebble's own log lines go to an injected *slog.Logger (none by default).
//
// Faults. Pebble treats write errors and corruption as fatal (its default
// exits the process); this package turns them into errors instead:
//   - Open refuses damaged files with an error wrapping ErrDamaged and
//     store.ErrCorrupt that names the directory and the problem: a missing
//     or truncated MANIFEST or sstable, a table whose footer, first or last
//     block fails its checksum, a corrupt WAL, a directory with files but
//     no database (never silently opened as a new, empty one), a MANIFEST
//     shorter than or different from the one recorded at the last open or
//     close (Pebble itself would read it as an older database). Damage
//     found later by a read or a compaction is logged, the read fails with
//     the same error, and the store refuses writes.
//   - Commit refuses, with ErrDiskFull and before Pebble sees it, a batch
//     that would leave less than Options.MinFreeBytes free on the disk, so
//     that Pebble never meets a full disk mid-write; writes resume once
//     half as much again is free.
//   - A commit that fails inside Pebble anyway (a write error) returns an
//     error wrapping ErrFailed and the store takes no more writes until it
//     is reopened; what is on disk stays consistent.
//
// MoveAside moves a database out of the way (for a rebuild), and LimitedFS
// simulates a small disk for tests (Options.FS).
//
// Errors: Open wraps Pebble's errors (e.g. another process holding the
// directory's lock) with the directory; Get returns store.ErrNotFound for an
// absent key; use after Close returns store.ErrClosed.
package pebble
