package store

import (
	"errors"
	"fmt"

	"github.com/cairn-chain/cairn/core"
)

// Receipts ('r' || block hash (32) -> opaque, owned by state): the
// receipts of a main-chain block's txs, written by package index.

func receiptsKey(h core.Hash) []byte { return hashKey(prefixReceipts, h) }

// PutReceipts stores the receipts of block h.
func (b *Batch) PutReceipts(h core.Hash, v []byte) { b.b.Set(receiptsKey(h), v) }

// DeleteReceipts removes them.
func (b *Batch) DeleteReceipts(h core.Hash) { b.b.Delete(receiptsKey(h)) }

// Receipts returns the stored receipts of block h, or nil if it has none
// (a block connected before receipts were kept).
func (db *DB) Receipts(h core.Hash) ([]byte, error) {
	v, err := db.kv.Get(receiptsKey(h))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: read %s %s: %w", kindReceipts, h, err)
	}
	return v, nil
}
