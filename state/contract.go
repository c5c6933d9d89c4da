package state

import (
	"encoding/binary"

	"github.com/cairn-chain/cairn/core"
)

// Contract is a contract's record: what runs at its address. Its coins
// are its account's, its assets its holdings; its storage is records
// under StoragePrefix, its code a record shared by every contract of the
// same code (CodeKey).
type Contract struct {
	Address       core.Address // the key's
	CodeHash      core.Hash    // SHA-256 of the module as deployed
	Deployer      core.Address
	CreatedHeight uint64
	StorageKeys   uint64 // records under StoragePrefix
	StorageBytes  uint64 // their keys' and values' bytes
}

// encode: code hash (32) || deployer (20) || created u64 || storage keys
// u64 || storage bytes u64. The address is the key's.
func (c *Contract) encode() []byte {
	b := make([]byte, 0, core.HashSize+core.AddressSize+24)
	b = append(b, c.CodeHash[:]...)
	b = append(b, c.Deployer[:]...)
	b = binary.BigEndian.AppendUint64(b, c.CreatedHeight)
	b = binary.BigEndian.AppendUint64(b, c.StorageKeys)
	return binary.BigEndian.AppendUint64(b, c.StorageBytes)
}

// DecodeContract strictly decodes the contract record at a.
func DecodeContract(a core.Address, b []byte) (*Contract, error) {
	r := core.NewReader("contract record", b)
	c := &Contract{Address: a}
	r.Fixed("code_hash", c.CodeHash[:])
	r.Fixed("deployer", c.Deployer[:])
	c.CreatedHeight = r.U64("created_height")
	c.StorageKeys = r.U64("storage_keys")
	c.StorageBytes = r.U64("storage_bytes")
	if err := r.End(); err != nil {
		return nil, err
	}
	return c, nil
}

// ContractKey is the key of the contract record at a.
func ContractKey(a core.Address) []byte { return append([]byte{PrefixContract}, a[:]...) }

// CodeKey is the key of a contract code by its SHA-256.
func CodeKey(h core.Hash) []byte { return append([]byte{PrefixCode}, h[:]...) }

// StoragePrefix is the prefix of every storage record of the contract at a.
func StoragePrefix(a core.Address) []byte { return append([]byte{PrefixStorage}, a[:]...) }

// StorageKey is the key of a contract's storage record key.
func StorageKey(a core.Address, key []byte) []byte {
	k := make([]byte, 0, 1+core.AddressSize+len(key))
	return append(append(append(k, PrefixStorage), a[:]...), key...)
}

// ReadContract reads the contract at a from r, or nil if there is none.
func ReadContract(r Reader, a core.Address) (*Contract, error) {
	raw, err := r.Get(ContractKey(a))
	if err != nil || raw == nil {
		return nil, err
	}
	return DecodeContract(a, raw)
}

// ReadCode reads the code with SHA-256 h from r (nil: none).
func ReadCode(r Reader, h core.Hash) ([]byte, error) { return r.Get(CodeKey(h)) }

// ReadStorage reads a contract's storage record (nil: absent).
func ReadStorage(r Reader, a core.Address, key []byte) ([]byte, error) {
	return r.Get(StorageKey(a, key))
}

func (v *View) setContract(c *Contract) { v.set(ContractKey(c.Address), c.encode()) }
