package pebble

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"strings"
	"sync/atomic"
	"syscall"

	pebbledb "github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-chain/cairn/store"
)

// DefaultCacheBytes is the database's memory budget when
// Options.CacheBytes is 0: 256 MiB (Pebble's own default block cache of 8
// MiB measured at less than half the random-read rate on the reference
// machine).
const DefaultCacheBytes int64 = 256 << 20

// Options configure Open. The zero value is ready to use.
type Options struct {
	// CacheBytes is the memory the database may hold off the Go heap: its
	// block cache, from which Pebble reserves its memtables (see
	// MemTableBytes); 0 means DefaultCacheBytes. A block cache fills with
	// what is read, so a node that mostly writes holds less than this.
	CacheBytes int64
	// Logger receives Pebble's log lines (message "pebble", attribute
	// "detail"); nil discards them.
	Logger *slog.Logger
	// MinFreeBytes is the free space the database keeps on its file
	// system: Commit refuses a batch (ErrDiskFull, nothing written) while
	// less would be left, so that Pebble always has room to finish its
	// background work (flushes, compactions, its MANIFEST) and the store
	// never meets a full disk mid-write. Writes resume by themselves once
	// space is freed. 0 means DefaultMinFreeBytes; negative turns the
	// check off.
	MinFreeBytes int64
	// FS is the file system the database lives on; nil means the
	// operating system's. Fault-injection tests pass a LimitedFS.
	FS vfs.FS
	// MemTableBytes is the size of Pebble's memtables (0: Pebble's
	// default, 4 MiB). Larger ones leave less for compactions to merge: a
	// node syncing 800 blocks of 500 txs took 21-22 s with 16, 32 or 64
	// MiB against 27 s with 4 MiB, but a node under load holds up to
	// three of them (one filling, one flushing, one kept for reuse), which
	// a 1,000,000-tx bench run showed as 70 MiB more resident memory with
	// 16 MiB (docs/performance.md): an operator's choice (cairn node
	// --db-memtable-mib), not the default. The disk space one commit may
	// take beyond the free-space check is about twice this (a new WAL, a
	// flush), so a small disk wants small memtables; tests use it.
	MemTableBytes int64
}

// DefaultMinFreeBytes is the free space kept when Options.MinFreeBytes is
// 0 (with memtables above 16 MiB, four times their size): room for Pebble
// to flush its memtables and run a compaction.
const DefaultMinFreeBytes int64 = 64 << 20

// defaultMemTableBytes is Pebble's default memtable size.
const defaultMemTableBytes = 4 << 20

// memTableSize is the memtable size of opts.
func memTableSize(opts Options) int64 {
	if opts.MemTableBytes > 0 {
		return opts.MemTableBytes
	}
	return defaultMemTableBytes
}

// kv is a store.KV on a Pebble database.
type kv struct {
	db      *pebbledb.DB
	dir     string
	fs      vfs.FS
	minFree int64
	log     *slog.Logger
	closed  atomic.Bool
	// damaged is set (to a *damagedError) when Pebble reports corrupt
	// files; failed when a commit failed inside Pebble (after which its
	// commit pipeline cannot be trusted). Either refuses every later write.
	damaged atomic.Pointer[damagedError]
	failed  atomic.Pointer[error]
	// diskFull is set while checkSpace refuses writes.
	diskFull atomic.Bool
}

var _ store.KV = (*kv)(nil)

// Open opens (creating if needed) the Pebble database in dir. Only one
// process may have a directory open at a time. A directory that holds
// files but no database, or whose files are missing, truncated or fail
// their checksums, gives an error wrapping ErrDamaged (and
// store.ErrCorrupt) that names the directory and the problem.
func Open(dir string, opts Options) (store.KV, error) {
	return open(dir, opts, opts.FS)
}

// open is Open on the file system fs (tests use a crashable in-memory
// one); nil means opts.FS, else the operating system's.
func open(dir string, opts Options, fs vfs.FS) (_ *kv, err error) {
	if opts.CacheBytes < 0 {
		return nil, fmt.Errorf("store/pebble: CacheBytes %d is negative", opts.CacheBytes)
	}
	if opts.CacheBytes == 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	if fs == nil {
		fs = opts.FS
	}
	if fs == nil {
		fs = vfs.Default
	}
	memTable := memTableSize(opts)
	if opts.MinFreeBytes == 0 {
		opts.MinFreeBytes = max(DefaultMinFreeBytes, 4*memTable)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	k := &kv{dir: dir, fs: fs, minFree: opts.MinFreeBytes, log: logger}
	existing, err := hasFiles(fs, dir)
	if err != nil {
		return nil, fmt.Errorf("store/pebble: open %s: %w", dir, err)
	}
	if existing {
		if err := checkManifest(fs, dir); err != nil {
			return nil, &damagedError{dir: dir, err: err}
		}
	}
	cache := pebbledb.NewCache(opts.CacheBytes)
	defer cache.Unref() // the DB holds its own reference
	po := &pebbledb.Options{
		FS:                 fs,
		Cache:              cache,
		FormatMajorVersion: pebbledb.FormatNewest,
		Logger:             slogAdapter{logger},
		MemTableSize:       uint64(memTable),
		// A directory with files but no MANIFEST is a damaged database,
		// not a new one: never silently start an empty store over it.
		ErrorIfNotExists: existing,
		EventListener: &pebbledb.EventListener{
			DataCorruption: k.onCorruption,
			BackgroundError: func(err error) {
				logger.Error("pebble background error", "dir", dir, "err", err)
			},
		},
	}
	// Bloom filters (10 bits per key, as go-ethereum uses) on every level:
	// most reads are point lookups, and a filter skips the sstables that
	// cannot hold the key.
	po.Levels[0].FilterPolicy = bloom.FilterPolicy(10)
	db, err := openRecovering(dir, po)
	if err != nil {
		if damagedOnOpen(err) {
			return nil, &damagedError{dir: dir, err: err}
		}
		return nil, fmt.Errorf("store/pebble: open %s: %w", dir, err)
	}
	k.db = db
	if err := k.verify(); err != nil {
		_ = k.closeDB()
		return nil, err
	}
	k.noteManifest()
	return k, nil
}

// openRecovering is pebble.Open, turning a panic (Pebble's Fatalf on a
// damaged MANIFEST, through slogAdapter) into an error: a damaged
// database must give a clear error at start, not crash the node.
func openRecovering(dir string, po *pebbledb.Options) (db *pebbledb.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.Join(errOpenPanic, fmt.Errorf("%v", r))
		}
	}()
	return pebbledb.Open(dir, po)
}

var errOpenPanic = errors.New("pebble stopped while opening the database")

// damagedOnOpen reports whether an error of pebble.Open means damaged
// files (as opposed to, say, a directory locked by another process or a
// permission problem, which moving the database aside would not fix).
func damagedOnOpen(err error) bool {
	switch {
	case pebbledb.IsCorruptionError(err), errors.Is(err, pebbledb.ErrDBDoesNotExist), errors.Is(err, errOpenPanic),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	case errors.Is(err, iofs.ErrPermission), errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EWOULDBLOCK),
		errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EMFILE):
		return false
	}
	// The consistency check at open: an sstable the MANIFEST lists is
	// missing or has another size.
	msg := err.Error()
	return errors.Is(err, iofs.ErrNotExist) || strings.Contains(msg, "size mismatch") || strings.Contains(msg, "MANIFEST")
}

// hasFiles reports whether dir exists and holds any file but Pebble's LOCK.
func hasFiles(fs vfs.FS, dir string) (bool, error) {
	names, err := fs.List(dir)
	if errors.Is(err, iofs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, n := range names {
		if n != "LOCK" {
			return true, nil
		}
	}
	return false, nil
}

// verify reads every sstable's footer, properties, index and first and
// last data blocks (cheap: a few blocks per file) so that a truncated or
// overwritten table is reported at open, and fails if Pebble reported
// corruption while opening (WAL replay, a first compaction). Damage in
// the middle of a table is found by the first read or compaction that
// meets it: the store then refuses writes with the same error.
func (k *kv) verify() error {
	fail := func(err error) error {
		if d := k.damaged.Load(); d != nil {
			return d
		}
		return &damagedError{dir: k.dir, err: err}
	}
	levels, err := k.db.SSTables(pebbledb.WithProperties())
	if err != nil {
		return fail(err)
	}
	// Read the first and the last block of every table (an iterator
	// bounded to the table's key range loads them): a table overwritten
	// at either end fails its checksum here rather than later.
	for _, level := range levels {
		for _, t := range level {
			hi := append(bytes.Clone(t.Largest.UserKey), 0)
			it, err := k.db.NewIter(&pebbledb.IterOptions{LowerBound: t.Smallest.UserKey, UpperBound: hi})
			if err != nil {
				return fail(err)
			}
			it.First()
			it.Last()
			err = errors.Join(it.Error(), it.Close())
			if err != nil {
				return fail(err)
			}
		}
	}
	if d := k.damaged.Load(); d != nil {
		return d
	}
	return nil
}

// onCorruption is Pebble's DataCorruption event (a checksum failure in a
// read or a compaction). Pebble's default is to exit the process; instead
// the store logs it and refuses every later write with the error, and the
// read that met it fails with it.
func (k *kv) onCorruption(info pebbledb.DataCorruptionInfo) {
	d := &damagedError{dir: k.dir, err: fmt.Errorf("%s: %w", info.Path, info.Details)}
	if k.damaged.CompareAndSwap(nil, d) {
		k.log.Error("database corruption detected: the node stops writing; run `cairn node --resync` to rebuild the database from peers",
			"dir", k.dir, "path", info.Path, "err", info.Details)
	}
}

// ErrDamaged is wrapped by the errors of a database whose files are
// missing, truncated or fail their checksums. Such errors also wrap
// store.ErrCorrupt.
var ErrDamaged = errors.New("store/pebble: database damaged")

// damagedError names the damaged database's directory and the problem.
type damagedError struct {
	dir string
	err error
}

func (e *damagedError) Error() string {
	return fmt.Sprintf("store/pebble: the database in %s is damaged: %v", e.dir, e.err)
}

func (e *damagedError) Unwrap() []error { return []error{ErrDamaged, store.ErrCorrupt, e.err} }

// readError wraps a read error: one that reports corruption is a
// damagedError (which names the directory and the file).
func (k *kv) readError(op string, err error) error {
	if !pebbledb.IsCorruptionError(err) {
		return fmt.Errorf("store/pebble: %s: %w", op, err)
	}
	if d := k.damaged.Load(); d != nil {
		return d
	}
	return &damagedError{dir: k.dir, err: err}
}

// ErrDiskFull is wrapped by Commit's error when the file system holding
// the database has less free space than Options.MinFreeBytes (nothing was
// written; writes resume once space is freed).
var ErrDiskFull = errors.New("store/pebble: disk full")

// ErrFailed is wrapped by Commit's error after a commit failed inside
// Pebble (a write error it cannot recover from). The data on disk stays
// consistent (each batch is all or nothing), but this open database takes
// no more writes: close it and open it again.
var ErrFailed = errors.New("store/pebble: the database stopped after a write error")

// checkSpace refuses a write of n bytes that would leave less than
// minFree bytes free. Once it refuses, writes resume only when half as
// much again is free: space that Pebble's own background work gives back
// (a deleted log, a compaction) does not make the store flap between
// taking and refusing writes at the edge of a full disk.
func (k *kv) checkSpace(n int) error {
	if k.minFree < 0 {
		return nil
	}
	u, err := k.fs.GetDiskUsage(k.dir)
	if err != nil {
		return nil // unknown: do not stop writes for a statistics failure
	}
	need := k.minFree
	if k.diskFull.Load() {
		need += k.minFree / 2
	}
	if int64(u.AvailBytes)-int64(n) < need {
		if !k.diskFull.Swap(true) {
			k.log.Error("disk full: the database refuses writes until space is freed", "dir", k.dir,
				"free", mib(int64(u.AvailBytes)), "reserve", mib(k.minFree), "resumes_at", mib(k.minFree+k.minFree/2))
		}
		return fmt.Errorf("%w: %s free on the file system of %s, and the database keeps %s free so that it can always finish its own work; nothing was written: free disk space (writes resume by themselves once %s are free)",
			ErrDiskFull, mib(int64(u.AvailBytes)), k.dir, mib(k.minFree), mib(k.minFree+k.minFree/2))
	}
	if k.diskFull.Swap(false) {
		k.log.Info("disk space freed: the database takes writes again", "dir", k.dir, "free", mib(int64(u.AvailBytes)))
	}
	return nil
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// writable returns why the store takes no writes, or nil.
func (k *kv) writable() error {
	switch {
	case k.closed.Load():
		return store.ErrClosed
	case k.damaged.Load() != nil:
		return k.damaged.Load()
	case k.failed.Load() != nil:
		return *k.failed.Load()
	}
	return nil
}

func (k *kv) Get(key []byte) ([]byte, error) {
	if k.closed.Load() {
		return nil, store.ErrClosed
	}
	v, closer, err := k.db.Get(key)
	if errors.Is(err, pebbledb.ErrNotFound) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, k.readError("get", err)
	}
	out := append(make([]byte, 0, len(v)), v...)
	if err := closer.Close(); err != nil {
		return nil, fmt.Errorf("store/pebble: get: release value: %w", err)
	}
	return out, nil
}

func (k *kv) Iterate(prefix, start []byte, reverse bool, fn func(key, value []byte) (bool, error)) error {
	if k.closed.Load() {
		return store.ErrClosed
	}
	lo, hi := store.IterRange(prefix, start, reverse)
	it, err := k.db.NewIter(&pebbledb.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return fmt.Errorf("store/pebble: iterate: %w", err)
	}
	var fnErr error
	ok := it.First()
	if reverse {
		ok = it.Last()
	}
	for ; ok; ok = step(it, reverse) {
		v, err := it.ValueAndErr()
		if err != nil {
			break // reported by it.Error
		}
		more, err := fn(it.Key(), v)
		if err != nil {
			fnErr = err
			break
		}
		if !more {
			break
		}
	}
	iterErr := it.Error()
	closeErr := it.Close()
	switch {
	case fnErr != nil:
		return fnErr
	case iterErr != nil:
		return k.readError("iterate", iterErr)
	case closeErr != nil:
		return fmt.Errorf("store/pebble: iterate: close: %w", closeErr)
	}
	return nil
}

func step(it *pebbledb.Iterator, reverse bool) bool {
	if reverse {
		return it.Prev()
	}
	return it.Next()
}

func (k *kv) NewBatch() store.KVBatch { return &batch{kv: k, b: k.db.NewBatch()} }

// Close closes the database; a second Close returns store.ErrClosed.
func (k *kv) Close() error {
	if k.closed.Swap(true) {
		return store.ErrClosed
	}
	return k.closeDB()
}

// closeDB closes Pebble. After a failed commit Pebble's commit pipeline
// is broken and its Close may panic or report the write error: the
// batches committed before are on disk either way.
func (k *kv) closeDB() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store/pebble: close after a failure: %v", r)
		}
	}()
	if err := k.db.Close(); err != nil {
		return fmt.Errorf("store/pebble: close: %w", err)
	}
	if k.damaged.Load() == nil && k.failed.Load() == nil {
		k.noteManifest()
	}
	return nil
}

// noteManifest records the MANIFEST for the check at the next open.
func (k *kv) noteManifest() {
	if err := recordManifest(k.fs, k.dir); err != nil {
		k.log.Warn("store/pebble: MANIFEST check not recorded", "dir", k.dir, "err", err)
	}
}

// batch is a store.KVBatch on a Pebble batch.
type batch struct {
	kv   *kv
	b    *pebbledb.Batch
	n    int
	err  error // first error of Set or Delete, returned by Commit
	done bool
}

func (b *batch) Set(key, value []byte) {
	if b.done {
		return
	}
	b.n++
	if err := b.b.Set(key, value, nil); err != nil && b.err == nil {
		b.err = err
	}
}

func (b *batch) Delete(key []byte) {
	if b.done {
		return
	}
	b.n++
	if err := b.b.Delete(key, nil); err != nil && b.err == nil {
		b.err = err
	}
}

func (b *batch) Len() int { return b.n }

func (b *batch) Commit() (err error) {
	if b.done {
		return store.ErrBatchCommitted
	}
	b.done = true
	defer func() {
		if errors.Is(err, ErrFailed) {
			return // Pebble's state is unknown: leave the batch to the collector
		}
		if cerr := b.b.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("store/pebble: release batch: %w", cerr)
		}
	}()
	if err := b.kv.writable(); err != nil {
		return err
	}
	if b.err != nil {
		return fmt.Errorf("store/pebble: build batch: %w", b.err)
	}
	if err := b.kv.checkSpace(len(b.b.Repr())); err != nil {
		return err
	}
	return b.kv.commit(b.b)
}

// commit commits pb synced. Pebble treats a failed WAL write or sync as
// fatal (it calls Logger.Fatalf, which panics here, or panics itself):
// the panic is turned into an error wrapping ErrFailed, the store takes
// no more writes, and the node reports it instead of crashing. Whether
// the failed batch reached the disk is unknown until the database is
// reopened: it is there whole or not at all.
func (k *kv) commit(pb *pebbledb.Batch) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		cause := fmt.Errorf("%v", r)
		if e, ok := r.(error); ok {
			cause = e
		}
		err = fmt.Errorf("%w (%s): %w; close the database and open it again (restart the node) once the cause is fixed", ErrFailed, k.dir, cause)
		if k.failed.CompareAndSwap(nil, &err) {
			k.log.Error("database write failed: the node stops writing until it is restarted", "dir", k.dir, "err", cause)
		}
	}()
	if err := pb.Commit(pebbledb.Sync); err != nil {
		return fmt.Errorf("store/pebble: commit: %w", err)
	}
	return nil
}

// slogAdapter sends Pebble's log lines to a *slog.Logger.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) logf(level slog.Level, format string, args ...any) {
	ctx := context.Background()
	if a.l.Enabled(ctx, level) {
		a.l.Log(ctx, level, "pebble", "detail", fmt.Sprintf(format, args...))
	}
}

func (a slogAdapter) Infof(format string, args ...any)  { a.logf(slog.LevelInfo, format, args...) }
func (a slogAdapter) Errorf(format string, args ...any) { a.logf(slog.LevelError, format, args...) }

// Fatalf is called by Pebble only on unrecoverable internal failures (a
// failed WAL or MANIFEST write, detected data corruption), after which it
// must not continue. It logs and panics with a fatalError (Pebble's
// default calls os.Exit, which skips deferred cleanup); Open and Commit
// turn that panic into an error.
func (a slogAdapter) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	a.l.Error("pebble fatal", "detail", msg)
	panic(fatalError("store/pebble: fatal: " + msg))
}

// fatalError is the panic value of slogAdapter.Fatalf.
type fatalError string

func (e fatalError) Error() string { return string(e) }
