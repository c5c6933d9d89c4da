package store

import (
	"bytes"
	"errors"
)

// Errors returned by backends and by DB.
var (
	// ErrNotFound reports an absent key or record.
	ErrNotFound = errors.New("store: not found")
	// ErrClosed reports use of a KV (or DB) after Close.
	ErrClosed = errors.New("store: closed")
	// ErrBatchCommitted reports a second Commit of the same batch.
	ErrBatchCommitted = errors.New("store: batch already committed")
)

// KV is an ordered byte-key, byte-value store: the backend under DB.
// Implementations are safe for concurrent use, except that Close must not
// race with other calls.
type KV interface {
	// Get returns the value of key, or ErrNotFound if it is absent. The
	// returned slice is the caller's.
	Get(key []byte) ([]byte, error)

	// NewBatch returns an empty write batch.
	NewBatch() KVBatch

	// Iterate calls fn for every key that begins with prefix (nil or empty:
	// every key) in ascending byte order, or descending if reverse. A
	// non-nil start is a whole key (not a suffix of prefix) where iteration
	// begins, inclusive: forward, at the first key >= start; reverse, at
	// the last key <= start. nil starts at the first (or last) key.
	//
	// fn sees a consistent snapshot taken when Iterate starts: writes
	// committed meanwhile (even by fn itself) are not visited. key and
	// value are valid only during the call and must not be modified.
	// Iteration stops when fn returns more == false, or an error, which
	// Iterate returns unchanged.
	Iterate(prefix, start []byte, reverse bool, fn func(key, value []byte) (more bool, err error)) error

	// Close releases the store. Every other call must have returned.
	Close() error
}

// KVBatch is a set of writes applied atomically by Commit: the backend's
// batch under DB's typed Batch. A KVBatch is not safe for concurrent use and
// is single-use: after Commit, further calls are
// ignored and Commit returns ErrBatchCommitted. Set and Delete copy their
// arguments; within a batch, the last write to a key wins.
type KVBatch interface {
	Set(key, value []byte)
	Delete(key []byte)
	// Len returns the number of Set and Delete calls so far.
	Len() int
	// Commit applies the batch atomically (all or nothing) and durably: on a
	// persistent backend it returns only after the write-ahead log is synced.
	Commit() error
}

// IterRange returns the half-open key range [lo, hi) that KV.Iterate visits
// for prefix and start (nil bounds are open), for backend implementations:
// lo is the greater of prefix and, forward, start; hi is the lesser of the
// prefix's end and, in reverse, the key just after start.
func IterRange(prefix, start []byte, reverse bool) (lo, hi []byte) {
	if len(prefix) > 0 {
		lo, hi = prefix, prefixEnd(prefix)
	}
	if start == nil {
		return lo, hi
	}
	if !reverse {
		if bytes.Compare(start, lo) > 0 {
			lo = start
		}
		return lo, hi
	}
	after := append(bytes.Clone(start), 0) // keys <= start are the keys < start||0x00
	if hi == nil || bytes.Compare(after, hi) < 0 {
		hi = after
	}
	return lo, hi
}

// prefixEnd returns the smallest key above every key with the prefix, or
// nil if there is none (an empty or all-0xff prefix).
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
