package core

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Kind is what a tx does. Version-1 txs are coin transfers (KindTransfer,
// data txs included); version-2 txs carry a kind byte and a body whose
// layout depends on it (docs/protocol.md). Unknown kinds are invalid.
type Kind uint8

// The kinds of protocol v2. The numbers are consensus: never reuse one.
const (
	KindTransfer      Kind = 0 // coins (and data txs); only in the version-1 envelope
	KindAssetCreate   Kind = 1
	KindAssetTransfer Kind = 2
	KindAssetMint     Kind = 3
	KindAssetBurn     Kind = 4
	KindAssetFreeze   Kind = 5
	KindAssetClawback Kind = 6
	KindAssetConfig   Kind = 7
	KindItemMint      Kind = 8
	KindItemTransfer  Kind = 9
	KindItemAttest    Kind = 10
	KindItemBurn      Kind = 11
	// Contracts (V2.md §5, docs/contracts.md).
	KindContractDeploy Kind = 12
	KindContractCall   Kind = 13
	// Account permissions (V2.md §3).
	KindPermGrant  Kind = 14
	KindPermRevoke Kind = 15
)

var kindNames = [...]string{
	KindTransfer:       "transfer",
	KindAssetCreate:    "asset_create",
	KindAssetTransfer:  "asset_transfer",
	KindAssetMint:      "asset_mint",
	KindAssetBurn:      "asset_burn",
	KindAssetFreeze:    "asset_freeze",
	KindAssetClawback:  "asset_clawback",
	KindAssetConfig:    "asset_config",
	KindItemMint:       "item_mint",
	KindItemTransfer:   "item_transfer",
	KindItemAttest:     "item_attest",
	KindItemBurn:       "item_burn",
	KindContractDeploy: "contract_deploy",
	KindContractCall:   "contract_call",
	KindPermGrant:      "perm_grant",
	KindPermRevoke:     "perm_revoke",
}

// Known reports whether k is a kind of this protocol version.
func (k Kind) Known() bool { return int(k) < len(kindNames) }

// String returns the kind's public name (e.g. "asset_transfer").
func (k Kind) String() string {
	if k.Known() {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind returns the kind named s.
func ParseKind(s string) (Kind, error) {
	for k, name := range kindNames {
		if name == s {
			return Kind(k), nil
		}
	}
	return 0, Errorf(CodeBadVersion, "unknown tx kind %q", clip(s))
}

// MaxBodySize returns the largest body a tx of kind k may carry: only a
// contract_deploy may pass MaxBodySize (its code).
func (k Kind) MaxBodySize() int {
	if k == KindContractDeploy {
		return MaxDeployBodySize
	}
	return MaxBodySize
}

// MaxTxSize returns the largest canonical encoding of a tx of kind k.
func (k Kind) MaxTxSize() int {
	if k == KindContractDeploy {
		return MaxDeployTxSize
	}
	return MaxTxSize
}

// Kinds returns every kind, in number order.
func Kinds() []Kind {
	out := make([]Kind, len(kindNames))
	for i := range out {
		out[i] = Kind(i)
	}
	return out
}

// AssetIDSize is the length of an asset id.
const AssetIDSize = 20

// AssetID names an asset (or a unique collection): the first 20 bytes of
// SHA-256("cairn/asset" || creator address || creator nonce u64), shown
// as 40 lowercase hex characters.
type AssetID [AssetIDSize]byte

// NewAssetID derives the id of the asset created by creator's tx with nonce.
func NewAssetID(creator Address, nonce uint64) AssetID {
	h := sha256.New()
	h.Write([]byte("cairn/asset"))
	h.Write(creator[:])
	h.Write(binary.BigEndian.AppendUint64(nil, nonce))
	var id AssetID
	copy(id[:], h.Sum(nil))
	return id
}

// String returns the id as 40 lowercase hex characters.
func (id AssetID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is all zeros (no asset).
func (id AssetID) IsZero() bool { return id == AssetID{} }

// MarshalText implements encoding.TextMarshaler.
func (id AssetID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (id *AssetID) UnmarshalText(b []byte) error {
	v, err := ParseAssetID(string(b))
	*id = v
	return err
}

// ParseAssetID parses 40 hex characters.
func ParseAssetID(s string) (AssetID, error) {
	var id AssetID
	return id, decodeFixedHex("asset id", s, id[:])
}

// Asset flags, fixed at creation.
const (
	FlagMintable  uint8 = 1 << iota // the minter may mint up to max_supply
	FlagFreezable                   // the freezer may freeze holdings
	FlagClawback                    // the clawback address may take holdings back
	FlagUnique                      // a collection of unique items (supply counts live items)
	flagsAll      = FlagMintable | FlagFreezable | FlagClawback | FlagUnique
)

// FlagNames names the asset flags in bit order.
var FlagNames = []string{"mintable", "freezable", "clawback", "unique"}
