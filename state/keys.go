package state

import "github.com/cairn-chain/cairn/core"

// The state is (key, value) records. A key is a one-byte prefix and fixed
// fields; every kind of record is in the digest and the undo data. The
// prefixes are lowercase letters the store reserves for state (store's
// schema.go lists them), so a state key is also its store key.
//
// record       key                                        value
// account      'a' || address (20)                        balance u64 || nonce u64 (core.Account)
// asset        'd' || asset id (20)                       Asset.encode
// holding      'h' || asset id (20) || address (20)       balance u64 || frozen u8
// item         'k' || collection (20) || item id (1-64)   Item.encode
// contract     'c' || address (20)                        Contract.encode
// code         'e' || SHA-256 of the code (32)            the module as deployed
// storage      's' || contract (20) || key (1-64)         the value (0-8 KiB)
// permission   'p' || role u8 || address (20)             granted height u64
// perm count   'p' || role u8                             members u64 (see perm.go)
const (
	PrefixAccount  byte = 'a'
	PrefixAsset    byte = 'd'
	PrefixHolding  byte = 'h'
	PrefixItem     byte = 'k'
	PrefixContract byte = 'c'
	PrefixCode     byte = 'e'
	PrefixStorage  byte = 's'
	PrefixPerm     byte = 'p'
)

// Prefixes lists every state record prefix.
var Prefixes = []byte{PrefixAccount, PrefixAsset, PrefixHolding, PrefixItem, PrefixContract, PrefixCode, PrefixStorage, PrefixPerm}

// AccountKey is the key of a's account.
func AccountKey(a core.Address) []byte { return append([]byte{PrefixAccount}, a[:]...) }

// AssetKey is the key of an asset's definition and supply.
func AssetKey(id core.AssetID) []byte { return append([]byte{PrefixAsset}, id[:]...) }

// HoldingPrefix is the prefix of every holding of an asset.
func HoldingPrefix(id core.AssetID) []byte { return append([]byte{PrefixHolding}, id[:]...) }

// ItemPrefix is the prefix of every item of a collection.
func ItemPrefix(coll core.AssetID) []byte { return append([]byte{PrefixItem}, coll[:]...) }

// HoldingKey is the key of holder's holding of an asset.
func HoldingKey(id core.AssetID, holder core.Address) []byte {
	k := make([]byte, 0, 1+core.AssetIDSize+core.AddressSize)
	k = append(append(append(k, PrefixHolding), id[:]...), holder[:]...)
	return k
}

// ItemKey is the key of an item of a collection.
func ItemKey(coll core.AssetID, id []byte) []byte {
	k := make([]byte, 0, 1+core.AssetIDSize+len(id))
	return append(append(append(k, PrefixItem), coll[:]...), id...)
}

// addressOfAccountKey returns the address of an account key.
func addressOfAccountKey(k string) (core.Address, bool) {
	var a core.Address
	if len(k) != 1+core.AddressSize || k[0] != PrefixAccount {
		return a, false
	}
	copy(a[:], k[1:])
	return a, true
}
