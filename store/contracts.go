package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/cairn-chain/cairn/core"
)

// The contract event index, written by package index:
//
// contract tx ('v')   'v' || contract (20) || height (u64) || index (u32)   tx ID (32): a tx of the contract
//                                                                           whose receipt has events, oldest first

func contractTxPrefix(c core.Address) []byte {
	k := make([]byte, 0, 1+core.AddressSize+12)
	return append(append(k, prefixContractTx), c[:]...)
}

func contractTxKey(c core.Address, height uint64, index uint32) []byte {
	k := binary.BigEndian.AppendUint64(contractTxPrefix(c), height)
	return binary.BigEndian.AppendUint32(k, index)
}

// PutContractTx records that tx e of a block emitted events of contract c.
func (b *Batch) PutContractTx(c core.Address, e ItemEvent) {
	b.b.Set(contractTxKey(c, e.Height, e.Index), e.ID[:])
}

// DeleteContractTx removes that record.
func (b *Batch) DeleteContractTx(c core.Address, e ItemEvent) {
	b.b.Delete(contractTxKey(c, e.Height, e.Index))
}

// ContractTxs returns up to limit txs that emitted events of contract c,
// oldest first (newest first with newest), after the entry after in that
// order (nil: from the first).
func (db *DB) ContractTxs(c core.Address, after *ItemEvent, limit int, newest bool) ([]ItemEvent, error) {
	prefix := contractTxPrefix(c)
	var start []byte
	if after != nil {
		start = contractTxKey(c, after.Height, after.Index)
		if !newest {
			start = append(start, 0)
		}
	}
	var out []ItemEvent
	err := db.kv.Iterate(prefix, start, newest, func(k, v []byte) (bool, error) {
		if newest && start != nil && bytes.Equal(k, start) {
			return true, nil // the cursor itself
		}
		rest := k[len(prefix):]
		if len(rest) != 12 || len(v) != core.HashSize || !bytes.HasPrefix(k, prefix) {
			return false, corrupt(kindContractTx, k, "key of %d bytes, value of %d", len(k), len(v))
		}
		out = append(out, ItemEvent{Height: binary.BigEndian.Uint64(rest), Index: binary.BigEndian.Uint32(rest[8:]), ID: core.Hash(v)})
		return len(out) < limit, nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: contract txs: %w", err)
	}
	return out, nil
}
