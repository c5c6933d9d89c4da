package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cairn-chain/cairn/core"
)

// ErrCorrupt reports a stored record that does not decode strictly. The
// wrapping error names the record kind and its key. It deliberately does not
// wrap the decoder's core.RuleError: a bad record on our own disk is an
// internal failure, not a rule violation by a peer or client.
var ErrCorrupt = errors.New("store: corrupt record")

// ErrSchemaVersion reports a database written with a schema version this
// package does not read (see SchemaVersion).
var ErrSchemaVersion = errors.New("store: unsupported schema version")

// corrupt builds an ErrCorrupt error naming the record kind and key.
func corrupt(kind string, key []byte, format string, args ...any) error {
	return fmt.Errorf("%w: %s at key %x: %s", ErrCorrupt, kind, key, fmt.Sprintf(format, args...))
}

// notFound builds an ErrNotFound error naming what is missing.
func notFound(kind string, format string, args ...any) error {
	return fmt.Errorf("%w: %s %s", ErrNotFound, kind, fmt.Sprintf(format, args...))
}

// Tip is the head of the main chain, written in the same batch as the block
// that made it the head.
type Tip struct {
	Hash   core.Hash
	Height uint64
	State  []byte // state digest vector, opaque (owned by the state package)
}

// TxLoc is where a confirmed tx is: its block and its position in it.
type TxLoc struct {
	BlockHash core.Hash
	Height    uint64
	Index     uint32
}

// AddrTx is one entry of an address's tx history: a tx that the address
// sent or received, at (Height, Index). Entries order by (Height, Index).
type AddrTx struct {
	Height uint64
	Index  uint32
	ID     core.Hash
}

// encodeTip returns hash || height || state.
func encodeTip(t Tip) []byte {
	b := make([]byte, 0, tipMinLen+len(t.State))
	b = append(b, t.Hash[:]...)
	b = binary.BigEndian.AppendUint64(b, t.Height)
	return append(b, t.State...)
}

// decodeTip strictly decodes a tip record; State is a copy (nil if empty).
func decodeTip(b []byte) (Tip, error) {
	var t Tip
	if len(b) < tipMinLen {
		return t, fmt.Errorf("%d bytes, need at least %d", len(b), tipMinLen)
	}
	copy(t.Hash[:], b)
	t.Height = binary.BigEndian.Uint64(b[core.HashSize:])
	if rest := b[tipMinLen:]; len(rest) > 0 {
		t.State = append([]byte(nil), rest...)
	}
	return t, nil
}

// encodeTxLoc returns block hash || height || index.
func encodeTxLoc(l TxLoc) []byte {
	b := make([]byte, 0, txLocLen)
	b = append(b, l.BlockHash[:]...)
	b = binary.BigEndian.AppendUint64(b, l.Height)
	return binary.BigEndian.AppendUint32(b, l.Index)
}

// decodeTxLoc strictly decodes a tx location record.
func decodeTxLoc(b []byte) (TxLoc, error) {
	var l TxLoc
	if len(b) != txLocLen {
		return l, fmt.Errorf("%d bytes, want %d", len(b), txLocLen)
	}
	copy(l.BlockHash[:], b)
	l.Height = binary.BigEndian.Uint64(b[core.HashSize:])
	l.Index = binary.BigEndian.Uint32(b[core.HashSize+8:])
	return l, nil
}

// decodeHash strictly decodes a 32-byte hash value.
func decodeHash(b []byte) (core.Hash, error) {
	var h core.Hash
	if len(b) != core.HashSize {
		return h, fmt.Errorf("%d bytes, want %d", len(b), core.HashSize)
	}
	copy(h[:], b)
	return h, nil
}

// decodeAddrTx strictly decodes an address-tx key and value for address a.
func decodeAddrTx(a core.Address, key, value []byte) (AddrTx, error) {
	var t AddrTx
	if len(key) != addrTxKeyLen || key[0] != prefixAddrTx || core.Address(key[1:1+core.AddressSize]) != a {
		return t, fmt.Errorf("key of %d bytes is not %c || address %x || height || index", len(key), prefixAddrTx, a[:])
	}
	id, err := decodeHash(value)
	if err != nil {
		return t, fmt.Errorf("value: %v", err)
	}
	t.Height = binary.BigEndian.Uint64(key[1+core.AddressSize:])
	t.Index = binary.BigEndian.Uint32(key[1+core.AddressSize+8:])
	t.ID = id
	return t, nil
}

// encodeVersion returns a schema version record.
func encodeVersion(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// decodeVersion strictly decodes a schema version record.
func decodeVersion(b []byte) (uint64, error) {
	if len(b) != versionLen {
		return 0, fmt.Errorf("%d bytes, want %d", len(b), versionLen)
	}
	return binary.BigEndian.Uint64(b), nil
}
