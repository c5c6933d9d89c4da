package store

import (
	"errors"
	"fmt"
	"slices"
)

// State records: the consensus state is (key, value) records owned by
// package state, whose keys begin with one of StatePrefixes ('a' accounts,
// 'd' assets, 'h' holdings, 'k' items). The store keeps them under their
// own keys and knows nothing of their values.

// StatePrefixes are the key prefixes reserved for state records. Package
// state's prefixes must be among them (chain checks it at start).
var StatePrefixes = []byte{prefixAccount, prefixAsset, prefixHolding, prefixItem, prefixContract, prefixCode, prefixStorage, prefixPerm}

// IsStatePrefix reports whether p is reserved for state records.
func IsStatePrefix(p byte) bool { return slices.Contains(StatePrefixes, p) }

func checkStateKey(key []byte) error {
	if len(key) < 2 || !IsStatePrefix(key[0]) {
		return fmt.Errorf("store: %x is not a state record key", key)
	}
	return nil
}

// Get returns the state record at key, or nil if there is none (with
// Account, DB is a state.Reader).
func (db *DB) Get(key []byte) ([]byte, error) {
	if err := checkStateKey(key); err != nil {
		return nil, err
	}
	v, err := db.kv.Get(key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: read state record %x: %w", key, err)
	}
	return v, nil
}

// StateIterate calls fn with every state record under prefix (which starts
// with a state prefix) in key order, beginning after the key after (nil:
// from the first), until fn returns false.
func (db *DB) StateIterate(prefix, after []byte, fn func(key, value []byte) bool) error {
	if len(prefix) == 0 || !IsStatePrefix(prefix[0]) {
		return fmt.Errorf("store: %x is not a state record prefix", prefix)
	}
	var start []byte
	if after != nil {
		start = append(slices.Clone(after), 0) // the first key above after
	}
	return db.kv.Iterate(prefix, start, false, func(k, v []byte) (bool, error) {
		return fn(k, v), nil
	})
}

// SetState writes a state record; a nil value deletes it.
func (b *Batch) SetState(key, value []byte) {
	if value == nil {
		b.b.Delete(key)
		return
	}
	b.b.Set(key, value)
}
