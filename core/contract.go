package core

import (
	"crypto/sha256"
	"encoding/binary"
)

// ContractAddress is the address of the contract deployed by deployer's tx
// with nonce: the first 20 bytes of SHA-256("cairn/contract" || deployer
// || nonce u64 big-endian). A contract is an account: it holds coins and
// assets, and only its code moves them.
func ContractAddress(deployer Address, nonce uint64) Address {
	h := sha256.New()
	h.Write([]byte("cairn/contract"))
	h.Write(deployer[:])
	h.Write(binary.BigEndian.AppendUint64(nil, nonce))
	var a Address
	copy(a[:], h.Sum(nil))
	return a
}

// Defaults of the genesis's contract fields (0 in a file: the default).
const (
	DefaultGasPrice       = 1
	DefaultMaxBlockGas    = 50_000_000
	DefaultMaxCodeBytes   = 128 << 10
	DefaultMaxMemoryPages = 16
	// MaxMemoryPagesHard bounds max_contract_memory_pages (16 MiB).
	MaxMemoryPagesHard = 256
	// MaxBlockGasHard bounds max_block_gas, so gas * gas_price sums never
	// wrap a uint64 (with gas_price <= MaxMoney, it bounds the product by
	// 2^93 only through the fee check, which uses 128-bit arithmetic).
	MaxBlockGasHard = 1 << 40
)

// deployOverhead is a block's bytes besides a deploy's code: the header, a
// tx count and the rest of the tx.
const deployOverhead = MaxTxSize + MaxHeaderSize + 8

// ContractParams are the genesis's contract rules, defaults applied.
type ContractParams struct {
	GasPrice       uint64 // base units of the coin per gas
	MaxBlockGas    uint64 // sum of the gas limits of a block's contract txs
	MaxCodeBytes   uint64 // largest module a deploy may carry
	MaxMemoryPages uint32 // largest linear memory, in 64 KiB pages
}

// Contracts returns the genesis's contract rules, defaults applied.
func (g *Genesis) Contracts() ContractParams {
	p := ContractParams{GasPrice: g.GasPrice, MaxBlockGas: g.MaxBlockGas, MaxCodeBytes: g.MaxCodeBytes, MaxMemoryPages: uint32(g.MaxContractMemoryPages)}
	if p.GasPrice == 0 {
		p.GasPrice = DefaultGasPrice
	}
	if p.MaxBlockGas == 0 {
		p.MaxBlockGas = DefaultMaxBlockGas
	}
	if p.MaxCodeBytes == 0 { // the default, or less if a deploy that size would not fit in a block
		p.MaxCodeBytes = min(DefaultMaxCodeBytes, g.MaxBlockBytes-min(g.MaxBlockBytes, deployOverhead))
	}
	if p.MaxMemoryPages == 0 {
		p.MaxMemoryPages = DefaultMaxMemoryPages
	}
	return p
}

// hasContractFields reports whether the genesis sets any contract field
// (then they are part of its params hash; a v1 genesis keeps its hash).
func (g *Genesis) hasContractFields() bool {
	return g.GasPrice != 0 || g.MaxBlockGas != 0 || g.MaxCodeBytes != 0 || g.MaxContractMemoryPages != 0
}

// validateContracts checks the contract fields (0: the default).
func (g *Genesis) validateContracts() error {
	bad := func(format string, args ...any) error {
		return Errorf(CodeBadGenesis, "genesis "+format, args...)
	}
	p := g.Contracts()
	switch {
	case p.GasPrice > MaxMoney:
		return bad("gas_price %d above MaxMoney %d", p.GasPrice, uint64(MaxMoney))
	case p.MaxBlockGas > MaxBlockGasHard:
		return bad("max_block_gas %d: at most %d", p.MaxBlockGas, uint64(MaxBlockGasHard))
	case p.MaxCodeBytes > MaxCodeSizeHard:
		return bad("max_code_bytes %d: at most %d", p.MaxCodeBytes, MaxCodeSizeHard)
	case p.MaxCodeBytes+deployOverhead > g.MaxBlockBytes:
		return bad("max_code_bytes %d: a deploy of that size does not fit in max_block_bytes %d", p.MaxCodeBytes, g.MaxBlockBytes)
	case p.MaxMemoryPages > MaxMemoryPagesHard:
		return bad("max_contract_memory_pages %d: at most %d (16 MiB)", p.MaxMemoryPages, MaxMemoryPagesHard)
	}
	return nil
}
