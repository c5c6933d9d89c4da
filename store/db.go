package store

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/cairn-chain/cairn/core"
)

// DB gives typed access to Cairn's records over any KV. It is safe for
// concurrent use (as the KV is); its Batch is not. Reads return data the
// caller owns.
type DB struct {
	kv KV
}

// New checks the schema version of kv, writing it (synced) if kv is empty,
// and returns a DB over kv. It refuses, with ErrSchemaVersion, a KV written
// with another schema version or holding data but no version. On error the
// caller still owns kv and must close it.
func New(kv KV) (*DB, error) {
	if kv == nil {
		return nil, errors.New("store: New: nil KV")
	}
	raw, err := kv.Get([]byte(keySchemaVersion))
	switch {
	case errors.Is(err, ErrNotFound):
		if err := initVersion(kv); err != nil {
			return nil, err
		}
		return &DB{kv: kv}, nil
	case err != nil:
		return nil, fmt.Errorf("store: read schema version: %w", err)
	}
	v, err := decodeVersion(raw)
	if err != nil {
		return nil, corrupt(kindVersion, []byte(keySchemaVersion), "%v", err)
	}
	switch {
	case v > SchemaVersion:
		return nil, fmt.Errorf("%w: the database has schema version %d, newer than this build's %d: run a newer cairn or use another data directory",
			ErrSchemaVersion, v, SchemaVersion)
	case v < SchemaVersion:
		return nil, fmt.Errorf("%w: the database has schema version %d, older than this build's %d, and there is no migration",
			ErrSchemaVersion, v, SchemaVersion)
	}
	return &DB{kv: kv}, nil
}

// initVersion writes the schema version into an empty KV.
func initVersion(kv KV) error {
	var first []byte
	err := kv.Iterate(nil, nil, false, func(k, _ []byte) (bool, error) {
		first = bytes.Clone(k)
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("store: check for existing data: %w", err)
	}
	if first != nil {
		return fmt.Errorf("%w: the database has data (first key %q) but no %q key: not a Cairn store",
			ErrSchemaVersion, first, keySchemaVersion)
	}
	b := kv.NewBatch()
	b.Set([]byte(keySchemaVersion), encodeVersion(SchemaVersion))
	if err := b.Commit(); err != nil {
		return fmt.Errorf("store: write schema version: %w", err)
	}
	return nil
}

// Close closes the underlying KV.
func (db *DB) Close() error { return db.kv.Close() }

// get reads key, wrapping a miss as notFound(kind, what) and other errors
// with the kind.
func (db *DB) get(key []byte, kind string, what fmt.Stringer) ([]byte, error) {
	v, err := db.kv.Get(key)
	if errors.Is(err, ErrNotFound) {
		return nil, notFound(kind, "%s", what)
	}
	if err != nil {
		return nil, fmt.Errorf("store: read %s %s: %w", kind, what, err)
	}
	return v, nil
}

// Tip returns the main chain's head, and false on a fresh database.
func (db *DB) Tip() (Tip, bool, error) {
	v, err := db.kv.Get([]byte(keyTip))
	if errors.Is(err, ErrNotFound) {
		return Tip{}, false, nil
	}
	if err != nil {
		return Tip{}, false, fmt.Errorf("store: read %s: %w", kindTip, err)
	}
	t, err := decodeTip(v)
	if err != nil {
		return Tip{}, false, corrupt(kindTip, []byte(keyTip), "%v", err)
	}
	return t, true, nil
}

// Block returns the block with hash h, or an ErrNotFound error.
func (db *DB) Block(h core.Hash) (*core.Block, error) {
	key := blockKey(h)
	v, err := db.get(key, kindBlock, h)
	if err != nil {
		return nil, err
	}
	blk, err := core.DecodeBlock(v)
	if err != nil {
		return nil, corrupt(kindBlock, key, "%v", err)
	}
	if got := blk.Hash(); got != h {
		return nil, corrupt(kindBlock, key, "decodes to a block with hash %s", got)
	}
	return blk, nil
}

// BlockSummary returns the header and tx count of the block with hash h
// without decoding its txs (listings of big blocks), or an ErrNotFound
// error.
func (db *DB) BlockSummary(h core.Hash) (core.Header, int, error) {
	key := blockKey(h)
	v, err := db.get(key, kindBlock, h)
	if err != nil {
		return core.Header{}, 0, err
	}
	hdr, n, err := core.DecodeBlockSummary(v)
	if err != nil {
		return core.Header{}, 0, corrupt(kindBlock, key, "%v", err)
	}
	if got := hdr.Hash(); got != h {
		return core.Header{}, 0, corrupt(kindBlock, key, "decodes to a block with hash %s", got)
	}
	return hdr, int(n), nil
}

// HasBlock reports whether the body of block h is stored, without reading it.
func (db *DB) HasBlock(h core.Hash) (bool, error) {
	var found bool
	err := db.kv.Iterate(blockKey(h), nil, false, func(_, _ []byte) (bool, error) {
		found = true
		return false, nil
	})
	if err != nil {
		return false, fmt.Errorf("store: look up %s %s: %w", kindBlock, h, err)
	}
	return found, nil
}

// IndexEntries calls fn for every block index entry, in no particular
// order, stopping at fn's first error, which it returns. v is fn's to keep.
func (db *DB) IndexEntries(fn func(h core.Hash, v []byte) error) error {
	return db.kv.Iterate([]byte{prefixIndex}, nil, false, func(k, v []byte) (bool, error) {
		if len(k) != hashKeyLen {
			return false, corrupt(kindIndex, k, "key of %d bytes, want %d", len(k), hashKeyLen)
		}
		if err := fn(core.Hash(k[1:]), bytes.Clone(v)); err != nil {
			return false, err
		}
		return true, nil
	})
}

// HashAt returns the hash of the main-chain block at height, or an
// ErrNotFound error above the tip.
func (db *DB) HashAt(height uint64) (core.Hash, error) {
	key := heightKey(height)
	v, err := db.get(key, kindHeight, heightStr(height))
	if err != nil {
		return core.Hash{}, err
	}
	h, err := decodeHash(v)
	if err != nil {
		return core.Hash{}, corrupt(kindHeight, key, "%v", err)
	}
	return h, nil
}

// Account returns the account at a: the zero Account if none is stored.
func (db *DB) Account(a core.Address) (core.Account, error) {
	key := accountKey(a)
	v, err := db.kv.Get(key)
	if errors.Is(err, ErrNotFound) {
		return core.Account{}, nil
	}
	if err != nil {
		return core.Account{}, fmt.Errorf("store: read %s %x: %w", kindAccount, a[:], err)
	}
	acct, err := core.DecodeAccount(v)
	if err != nil {
		return core.Account{}, corrupt(kindAccount, key, "%v", err)
	}
	return acct, nil
}

// TxLoc returns where the confirmed tx id is, or an ErrNotFound error.
func (db *DB) TxLoc(id core.Hash) (TxLoc, error) {
	key := txLocKey(id)
	v, err := db.get(key, kindTxLoc, id)
	if err != nil {
		return TxLoc{}, err
	}
	l, err := decodeTxLoc(v)
	if err != nil {
		return TxLoc{}, corrupt(kindTxLoc, key, "%v", err)
	}
	return l, nil
}

// AddressTxs returns up to limit (> 0) entries of a's tx history, newest
// first (by height, then index). With a cursor, it returns only entries
// strictly before (*before).Height, (*before).Index: pass the last entry of
// a page to get the next page.
func (db *DB) AddressTxs(a core.Address, before *AddrTx, limit int) ([]AddrTx, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("store: address txs: limit %d, want at least 1", limit)
	}
	var start []byte
	if before != nil {
		start = addrTxKey(a, before.Height, before.Index)
	}
	out := make([]AddrTx, 0, min(limit, 64))
	err := db.kv.Iterate(addrTxPrefix(a), start, true, func(k, v []byte) (bool, error) {
		if start != nil && bytes.Equal(k, start) {
			return true, nil // the cursor itself
		}
		t, err := decodeAddrTx(a, k, v)
		if err != nil {
			return false, corrupt(kindAddrTx, k, "%v", err)
		}
		out = append(out, t)
		return len(out) < limit, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Undo returns the undo data of block h, or an ErrNotFound error.
func (db *DB) Undo(h core.Hash) ([]byte, error) {
	return db.get(undoKey(h), kindUndo, h)
}

// MempoolTxs calls fn with the encoding of every persisted mempool tx, in
// tx ID order, stopping at fn's first error, which it returns. raw is fn's
// to keep. A record whose key is not the SHA-256 of its value is corrupt.
func (db *DB) MempoolTxs(fn func(raw []byte) error) error {
	return db.kv.Iterate([]byte{prefixMempool}, nil, false, func(k, v []byte) (bool, error) {
		if len(k) != hashKeyLen {
			return false, corrupt(kindMempool, k, "key of %d bytes, want %d", len(k), hashKeyLen)
		}
		if id := core.Sum(v); !bytes.Equal(id[:], k[1:]) {
			return false, corrupt(kindMempool, k, "value hashes to %s", id)
		}
		if err := fn(bytes.Clone(v)); err != nil {
			return false, err
		}
		return true, nil
	})
}

// SaveMempoolTxs persists txs in one synced batch.
func (db *DB) SaveMempoolTxs(txs []*core.Tx) error {
	if len(txs) == 0 {
		return nil
	}
	b := db.NewBatch()
	for _, tx := range txs {
		b.PutMempoolTx(tx)
	}
	return b.Commit()
}

// DeleteMempoolTxs removes the persisted mempool txs ids (absent ones are
// ignored) in one synced batch.
func (db *DB) DeleteMempoolTxs(ids []core.Hash) error {
	if len(ids) == 0 {
		return nil
	}
	b := db.NewBatch()
	for _, id := range ids {
		b.DeleteMempoolTx(id)
	}
	return b.Commit()
}

// heightStr formats a height for messages.
type heightStr uint64

func (h heightStr) String() string { return fmt.Sprintf("at height %d", uint64(h)) }
