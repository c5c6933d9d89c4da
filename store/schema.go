package store

import (
	"encoding/binary"

	"github.com/cairn-chain/cairn/core"
)

// The key schema: every key the store writes is built here.
//
// Iterable record kinds live under a one-byte lowercase prefix followed by
// fixed-size fields, so a prefix never matches another kind and keys of one
// kind sort by their fields. Single-record keys are words starting with an
// uppercase letter, so they never collide with a prefix. Integers in keys
// and values are big-endian, so byte order is numeric order.
//
// Record kind (prefix)        key                                  value
// block body ('b')            'b' || block hash (32)               core.Block.Encode (canonical block)
// block index entry ('i')     'i' || block hash (32)               opaque, owned by chain (header, cumulative work, status)
// main-chain hash ('n')       'n' || height (u64)                  block hash (32)
// tx location ('t')           't' || tx ID (32)                    block hash (32) || height (u64) || index in block (u32)
// address tx ('x')            'x' || address (20) || height (u64)  tx ID (32); one entry for the sender and one for
//
//	|| index in block (u32)          the recipient; iterate in reverse for newest first
//
// account ('a')               'a' || address (20)                  core.Account.Encode (balance u64 || nonce u64);
//
//	absent means the zero account
//
// asset ('d'), holding ('h'), item ('k'), contract ('c'), code ('e'),
// contract storage ('s'), permission ('p'): state records owned by state
//
//	(see state/keys.go and state.go); with accounts, the state prefixes
//
// undo data ('u')             'u' || block hash (32)               opaque, owned by state
// mempool tx ('m')            'm' || tx ID (32)                    core.Tx.Encode; the ID is SHA-256 of the value
// tip ("Tip")                 "Tip"                                block hash (32) || height (u64) || state digest
//
//	vector (opaque, owned by state: the rest of the value)
//
// schema version              "SchemaVersion"                      u64; written on first open
//
// Changing any layout above means bumping SchemaVersion.
const (
	prefixBlock    byte = 'b'
	prefixIndex    byte = 'i'
	prefixHeight   byte = 'n'
	prefixTxLoc    byte = 't'
	prefixAddrTx   byte = 'x'
	prefixAccount  byte = 'a'
	prefixAsset    byte = 'd'
	prefixHolding  byte = 'h'
	prefixItem     byte = 'k'
	prefixContract byte = 'c'
	prefixCode     byte = 'e'
	prefixStorage  byte = 's'
	prefixPerm     byte = 'p'

	prefixAccountAsset byte = 'y' // see assets.go
	prefixItemHistory  byte = 'z'
	prefixContractTx   byte = 'v' // see contracts.go
	prefixReceipts     byte = 'r' // see receipts.go
	prefixTopicAnchor  byte = 'o' // see anchors.go
	prefixUndo         byte = 'u'
	prefixMempool      byte = 'm'

	keyTip           = "Tip"
	keySchemaVersion = "SchemaVersion"
)

// SchemaVersion is the layout version this package reads and writes. New
// refuses a database with any other version.
const SchemaVersion uint64 = 1

// Key and record sizes.
const (
	hashKeyLen   = 1 + core.HashSize            // b, i, t, u, m keys
	addrTxKeyLen = 1 + core.AddressSize + 8 + 4 // x keys
	txLocLen     = core.HashSize + 8 + 4        // t values
	tipMinLen    = core.HashSize + 8            // Tip value with an empty state
	versionLen   = 8                            // SchemaVersion value
)

// Record kinds, as named in errors.
const (
	kindBlock   = "block"
	kindIndex   = "block index entry"
	kindHeight  = "main-chain hash"
	kindTxLoc   = "tx location"
	kindAddrTx  = "address tx"
	kindAccount = "account"
	kindUndo    = "undo data"
	kindMempool = "mempool tx"

	kindAccountAsset = "account asset"
	kindItemHistory  = "item history entry"
	kindContractTx   = "contract tx entry"
	kindReceipts     = "receipts"
	kindTopicAnchor  = "topic anchor entry"
	kindTip          = "tip"
	kindVersion      = "schema version"
)

func hashKey(prefix byte, h core.Hash) []byte {
	k := make([]byte, hashKeyLen)
	k[0] = prefix
	copy(k[1:], h[:])
	return k
}

func blockKey(h core.Hash) []byte    { return hashKey(prefixBlock, h) }
func indexKey(h core.Hash) []byte    { return hashKey(prefixIndex, h) }
func txLocKey(id core.Hash) []byte   { return hashKey(prefixTxLoc, id) }
func undoKey(h core.Hash) []byte     { return hashKey(prefixUndo, h) }
func mempoolKey(id core.Hash) []byte { return hashKey(prefixMempool, id) }

func heightKey(height uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixHeight}, height)
}

func accountKey(a core.Address) []byte {
	return append([]byte{prefixAccount}, a[:]...)
}

// addrTxPrefix is the prefix of every address-tx key of a.
func addrTxPrefix(a core.Address) []byte {
	k := make([]byte, 1, addrTxKeyLen)
	k[0] = prefixAddrTx
	return append(k, a[:]...)
}

func addrTxKey(a core.Address, height uint64, index uint32) []byte {
	k := binary.BigEndian.AppendUint64(addrTxPrefix(a), height)
	return binary.BigEndian.AppendUint32(k, index)
}

// schemaPrefixes lists every prefix and single key, for the schema test.
func schemaPrefixes() [][]byte {
	return [][]byte{
		{prefixBlock}, {prefixIndex}, {prefixHeight}, {prefixTxLoc}, {prefixAddrTx},
		{prefixAccount}, {prefixAsset}, {prefixHolding}, {prefixItem}, {prefixContract}, {prefixCode}, {prefixStorage}, {prefixAccountAsset}, {prefixItemHistory}, {prefixContractTx}, {prefixReceipts}, {prefixTopicAnchor}, {prefixUndo}, {prefixMempool}, []byte(keyTip), []byte(keySchemaVersion),
	}
}
