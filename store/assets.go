package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/cairn-chain/cairn/core"
)

// Secondary indexes of protocol v2, written by package index inside the
// batch that connects or disconnects a block:
//
// account asset ('y')   'y' || address (20) || asset id (20)      empty: the account has a holding record of the asset
// item history ('z')    'z' || collection (20) || uvarint id len   tx ID (32): a tx of the item (mint, transfer,
//                       || item id || height (u64) || index (u32)  attestation, burn), oldest first

func accountAssetKey(a core.Address, id core.AssetID) []byte {
	k := make([]byte, 0, 1+core.AddressSize+core.AssetIDSize)
	return append(append(append(k, prefixAccountAsset), a[:]...), id[:]...)
}

func itemHistoryPrefix(coll core.AssetID, item []byte) []byte {
	k := make([]byte, 0, 1+core.AssetIDSize+1+len(item)+12)
	k = append(append(k, prefixItemHistory), coll[:]...)
	k = binary.AppendUvarint(k, uint64(len(item)))
	return append(k, item...)
}

func itemHistoryKey(coll core.AssetID, item []byte, height uint64, index uint32) []byte {
	k := binary.BigEndian.AppendUint64(itemHistoryPrefix(coll, item), height)
	return binary.BigEndian.AppendUint32(k, index)
}

// PutAccountAsset records that a holds a holding of asset id.
func (b *Batch) PutAccountAsset(a core.Address, id core.AssetID) {
	b.b.Set(accountAssetKey(a, id), nil)
}

// DeleteAccountAsset removes that record.
func (b *Batch) DeleteAccountAsset(a core.Address, id core.AssetID) {
	b.b.Delete(accountAssetKey(a, id))
}

// AccountAssets returns up to limit asset ids a has holdings of, in id
// order, after the id after (nil: from the first).
func (db *DB) AccountAssets(a core.Address, after *core.AssetID, limit int) ([]core.AssetID, error) {
	prefix := append([]byte{prefixAccountAsset}, a[:]...)
	var start []byte
	if after != nil {
		start = append(accountAssetKey(a, *after), 0)
	}
	var out []core.AssetID
	err := db.kv.Iterate(prefix, start, false, func(k, _ []byte) (bool, error) {
		if len(k) != len(prefix)+core.AssetIDSize {
			return false, corrupt(kindAccountAsset, k, "key of %d bytes", len(k))
		}
		out = append(out, core.AssetID(k[len(prefix):]))
		return len(out) < limit, nil
	})
	return out, err
}

// ItemEvent is one entry of an item's history.
type ItemEvent struct {
	Height uint64
	Index  uint32
	ID     core.Hash
}

// PutItemEvent adds a tx to an item's history.
func (b *Batch) PutItemEvent(coll core.AssetID, item []byte, e ItemEvent) {
	b.b.Set(itemHistoryKey(coll, item, e.Height, e.Index), e.ID[:])
}

// DeleteItemEvent removes it.
func (b *Batch) DeleteItemEvent(coll core.AssetID, item []byte, e ItemEvent) {
	b.b.Delete(itemHistoryKey(coll, item, e.Height, e.Index))
}

// ItemHistory returns up to limit entries of an item's history, oldest
// first, after the entry after (nil: from the first).
func (db *DB) ItemHistory(coll core.AssetID, item []byte, after *ItemEvent, limit int) ([]ItemEvent, error) {
	prefix := itemHistoryPrefix(coll, item)
	var start []byte
	if after != nil {
		start = append(itemHistoryKey(coll, item, after.Height, after.Index), 0)
	}
	var out []ItemEvent
	err := db.kv.Iterate(prefix, start, false, func(k, v []byte) (bool, error) {
		rest := k[len(prefix):]
		if len(rest) != 12 || len(v) != core.HashSize || !bytes.HasPrefix(k, prefix) {
			return false, corrupt(kindItemHistory, k, "key of %d bytes, value of %d", len(k), len(v))
		}
		out = append(out, ItemEvent{Height: binary.BigEndian.Uint64(rest), Index: binary.BigEndian.Uint32(rest[8:]), ID: core.Hash(v)})
		return len(out) < limit, nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: item history: %w", err)
	}
	return out, nil
}
