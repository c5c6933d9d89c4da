package pebble

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	pebbledb "github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-chain/cairn/store"
)

// DefaultCacheBytes is the block cache size when Options.CacheBytes is 0:
// 256 MiB (Pebble's own default of 8 MiB measured at less than half the
// random-read rate on the reference machine).
const DefaultCacheBytes int64 = 256 << 20

// Options configure Open. The zero value is ready to use.
type Options struct {
	// CacheBytes is the block cache size; 0 means DefaultCacheBytes.
	CacheBytes int64
	// Logger receives Pebble's log lines (message "pebble", attribute
	// "detail"); nil discards them.
	Logger *slog.Logger
}

// kv is a store.KV on a Pebble database.
type kv struct {
	db     *pebbledb.DB
	closed atomic.Bool
}

var _ store.KV = (*kv)(nil)

// Open opens (creating if needed) the Pebble database in dir. Only one
// process may have a directory open at a time.
func Open(dir string, opts Options) (store.KV, error) {
	return open(dir, opts, vfs.Default)
}

// open is Open on the file system fs (tests use a crashable in-memory one).
func open(dir string, opts Options, fs vfs.FS) (*kv, error) {
	if opts.CacheBytes < 0 {
		return nil, fmt.Errorf("store/pebble: CacheBytes %d is negative", opts.CacheBytes)
	}
	if opts.CacheBytes == 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cache := pebbledb.NewCache(opts.CacheBytes)
	defer cache.Unref() // the DB holds its own reference
	po := &pebbledb.Options{
		FS:                 fs,
		Cache:              cache,
		FormatMajorVersion: pebbledb.FormatNewest,
		Logger:             slogAdapter{logger},
	}
	// Bloom filters (10 bits per key, as go-ethereum uses) on every level:
	// most reads are point lookups, and a filter skips the sstables that
	// cannot hold the key.
	po.Levels[0].FilterPolicy = bloom.FilterPolicy(10)
	db, err := pebbledb.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("store/pebble: open %s: %w", dir, err)
	}
	return &kv{db: db}, nil
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
		return nil, fmt.Errorf("store/pebble: get: %w", err)
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
		return fmt.Errorf("store/pebble: iterate: %w", iterErr)
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
	if err := k.db.Close(); err != nil {
		return fmt.Errorf("store/pebble: close: %w", err)
	}
	return nil
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
		if cerr := b.b.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("store/pebble: release batch: %w", cerr)
		}
	}()
	switch {
	case b.kv.closed.Load():
		return store.ErrClosed
	case b.err != nil:
		return fmt.Errorf("store/pebble: build batch: %w", b.err)
	}
	if err := b.b.Commit(pebbledb.Sync); err != nil {
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

// Fatalf is called by Pebble only on unrecoverable internal failures (e.g.
// detected data corruption), after which it must not continue. It logs and
// panics (Pebble's default calls os.Exit, which skips deferred cleanup).
func (a slogAdapter) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	a.l.Error("pebble fatal", "detail", msg)
	panic("store/pebble: fatal: " + msg)
}
