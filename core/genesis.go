package core

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"sort"
	"strconv"
	"strings"
)

// Genesis defines a chain: its parameters and initial balances. The
// genesis block commits to all of it, so its hash identifies the chain.
type Genesis struct {
	ChainID           string `json:"chain_id"`
	AddressPrefix     string `json:"address_prefix"`
	Decimals          uint8  `json:"decimals"`
	Timestamp         uint64 `json:"timestamp"` // unix ms of the genesis block (the ASERT anchor)
	PowLimit          Hash   `json:"pow_limit"` // largest allowed target, big-endian hex
	InitialBits       HexU32 `json:"initial_bits"`
	TargetBlockTimeMs uint64 `json:"target_block_time_ms"`
	AsertHalflifeMs   uint64 `json:"asert_halflife_ms"`
	InitialReward     uint64 `json:"initial_reward"`
	HalvingInterval   uint64 `json:"halving_interval"`
	MinFee            uint64 `json:"min_fee"`
	MaxBlockBytes     uint64 `json:"max_block_bytes"`
	MaxBlockTxs       uint64 `json:"max_block_txs"`
	// Contract rules (docs/contracts.md); 0 or absent: the default
	// (Contracts applies them).
	GasPrice               uint64 `json:"gas_price,omitempty"`
	MaxBlockGas            uint64 `json:"max_block_gas,omitempty"`
	MaxCodeBytes           uint64 `json:"max_code_bytes,omitempty"`
	MaxContractMemoryPages uint64 `json:"max_contract_memory_pages,omitempty"`
	// Consensus names the engine: "pow" (the default, also "") or "poa"
	// with PoA's parameters. Part of the chain's identity.
	Consensus string     `json:"consensus,omitempty"`
	PoA       *PoAParams `json:"poa,omitempty"`
	// Permissions restrict who may send txs, create assets and deploy
	// contracts (nil: nobody is restricted, there are no admins). JSON
	// "permissions", with addresses in the chain's prefix.
	Permissions *Permissions `json:"-"`
	Alloc       []Alloc      `json:"-"` // sorted by address; JSON "alloc": {address: balance}
}

// Alloc is an initial balance.
type Alloc struct {
	Address Address
	Balance uint64
}

// HexU32 is a uint32 written in JSON as a "0x%08x" string (compact bits).
type HexU32 uint32

// MarshalText implements encoding.TextMarshaler.
func (v HexU32) MarshalText() ([]byte, error) { return fmt.Appendf(nil, "0x%08x", uint32(v)), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *HexU32) UnmarshalText(b []byte) error {
	s := string(b)
	if !strings.HasPrefix(s, "0x") || len(s) < 3 || len(s) > 10 {
		return fmt.Errorf("compact bits: want a hex string like \"0x1f00ffff\", got %q", clip(s))
	}
	n, err := strconv.ParseUint(s[2:], 16, 32)
	if err != nil {
		return fmt.Errorf("compact bits: want a hex string like \"0x1f00ffff\", got %q", clip(s))
	}
	*v = HexU32(n)
	return nil
}

// Defaults for genesis fields a file leaves out.
const (
	DefaultDecimals        = 8
	DefaultBlockTimeMs     = 5000
	DefaultHalflifeBlocks  = 10
	DefaultInitialReward   = 50 * 100_000_000
	DefaultHalvingInterval = 210_000
	DefaultMinFee          = 1000
	DefaultMaxBlockBytes   = 1 << 20
	DefaultMaxBlockTxs     = 8192
	DefaultInitialBits     = 0x1f00ffff
	maxBlockTxsHard        = MaxBlockSizeHard / (minTxSize + 1)
	maxGenesisFileBytes    = 64 << 20
)

// DefaultPowLimit is the default largest target (regtest-like, 0x207fffff).
var DefaultPowLimit = Hash{0x7f, 0xff, 0xff}

// NewGenesis returns a genesis with every default set and no alloc.
func NewGenesis(chainID string, timestamp uint64) *Genesis {
	return &Genesis{
		ChainID:           chainID,
		AddressPrefix:     DefaultAddressPrefix,
		Decimals:          DefaultDecimals,
		Timestamp:         timestamp,
		PowLimit:          DefaultPowLimit,
		InitialBits:       DefaultInitialBits,
		TargetBlockTimeMs: DefaultBlockTimeMs,
		AsertHalflifeMs:   DefaultHalflifeBlocks * DefaultBlockTimeMs,
		InitialReward:     DefaultInitialReward,
		HalvingInterval:   DefaultHalvingInterval,
		MinFee:            DefaultMinFee,
		MaxBlockBytes:     DefaultMaxBlockBytes,
		MaxBlockTxs:       DefaultMaxBlockTxs,
	}
}

// MarshalJSON writes the genesis with alloc as {address: balance}.
func (g *Genesis) MarshalJSON() ([]byte, error) {
	alloc := make(map[string]uint64, len(g.Alloc))
	for _, a := range g.Alloc {
		alloc[a.Address.Encode(g.AddressPrefix)] = a.Balance
	}
	var perms *permissionsJSON
	if g.Permissions != nil {
		perms = g.Permissions.toJSON(g.AddressPrefix)
	}
	return json.Marshal(struct {
		*plainGenesis
		Permissions *permissionsJSON  `json:"permissions,omitempty"`
		Alloc       map[string]uint64 `json:"alloc"`
	}{(*plainGenesis)(g), perms, alloc})
}

// plainGenesis has Genesis's fields without its JSON methods.
type plainGenesis Genesis

// LoadGenesis reads and validates a genesis JSON document. Fields left out
// take their defaults (chain_id and timestamp are required); unknown
// fields are errors.
func LoadGenesis(r io.Reader) (*Genesis, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxGenesisFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxGenesisFileBytes {
		return nil, Errorf(CodeBadGenesis, "genesis: file larger than %d bytes", maxGenesisFileBytes)
	}
	return ParseGenesis(data)
}

// ParseGenesis parses and validates a genesis JSON document.
func ParseGenesis(data []byte) (*Genesis, error) {
	g := NewGenesis("", 0)
	var in struct {
		*plainGenesis
		Permissions *permissionsJSON       `json:"permissions"`
		Alloc       map[string]json.Number `json:"alloc"`
	}
	in.plainGenesis = (*plainGenesis)(g)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return nil, Wrap(CodeBadGenesis, err, "genesis: invalid JSON")
	}
	if dec.More() {
		return nil, Errorf(CodeBadGenesis, "genesis: data after the JSON object")
	}
	if g.IsPoA() && !hasKey(data, "initial_reward") {
		g.InitialReward = 0 // a PoA chain pays its signers the fees: no reward unless given
	}
	if !ValidPrefix(g.AddressPrefix) {
		return nil, Errorf(CodeBadGenesis, "genesis address_prefix %q: want 1 to 20 lowercase letters or digits", clip(g.AddressPrefix))
	}
	for addr, num := range in.Alloc {
		a, err := ParseAddress(addr, g.AddressPrefix)
		if err != nil {
			return nil, Wrap(CodeBadGenesis, err, "genesis alloc")
		}
		bal, err := strconv.ParseUint(num.String(), 10, 64)
		if err != nil {
			return nil, Errorf(CodeBadGenesis, "genesis alloc %s: balance %s is not a whole number of base units", addr, clip(num.String()))
		}
		g.Alloc = append(g.Alloc, Alloc{Address: a, Balance: bal})
	}
	g.SortAlloc()
	if in.Permissions != nil {
		p, err := in.Permissions.parse(g.AddressPrefix)
		if err != nil {
			return nil, err
		}
		g.Permissions = p
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return g, nil
}

// SortAlloc sorts Alloc by address, the canonical order.
func (g *Genesis) SortAlloc() {
	sort.Slice(g.Alloc, func(i, j int) bool { return bytes.Compare(g.Alloc[i].Address[:], g.Alloc[j].Address[:]) < 0 })
}

// Validate checks every parameter. Checks of the PoW parameters against
// the compact format are the consensus engine's (pow.New).
func (g *Genesis) Validate() error {
	bad := func(format string, args ...any) error {
		return Errorf(CodeBadGenesis, "genesis "+format, args...)
	}
	if l := len(g.ChainID); l == 0 || l > MaxChainIDLen {
		return bad("chain_id %q: want 1 to %d characters", clip(g.ChainID), MaxChainIDLen)
	}
	for _, c := range g.ChainID {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return bad("chain_id %q: only lowercase letters, digits, '-', '_' and '.' are allowed", clip(g.ChainID))
		}
	}
	switch {
	case !ValidPrefix(g.AddressPrefix):
		return bad("address_prefix %q: want 1 to 20 lowercase letters or digits", clip(g.AddressPrefix))
	case g.Decimals > 15:
		return bad("decimals %d: at most 15 (MaxMoney is 2^53-1 base units)", g.Decimals)
	case g.Timestamp == 0:
		return bad("timestamp: required (unix milliseconds)")
	case g.Timestamp > 1<<50:
		return bad("timestamp %d: not plausible unix milliseconds", g.Timestamp)
	case g.PowLimit.IsZero():
		return bad("pow_limit: must not be zero")
	case g.TargetBlockTimeMs == 0 || g.TargetBlockTimeMs > 1<<32:
		return bad("target_block_time_ms %d: want 1 to 2^32", g.TargetBlockTimeMs)
	case g.AsertHalflifeMs == 0 || g.AsertHalflifeMs > 1<<40:
		return bad("asert_halflife_ms %d: want 1 to 2^40", g.AsertHalflifeMs)
	case g.HalvingInterval == 0:
		return bad("halving_interval: must be at least 1")
	case g.InitialReward > MaxMoney:
		return bad("initial_reward %d above MaxMoney %d", g.InitialReward, uint64(MaxMoney))
	case g.MinFee > MaxMoney:
		return bad("min_fee %d above MaxMoney %d", g.MinFee, uint64(MaxMoney))
	case g.MaxBlockBytes < MaxHeaderSize+MaxTxSize+8 || g.MaxBlockBytes > MaxBlockSizeHard:
		return bad("max_block_bytes %d: want %d to %d", g.MaxBlockBytes, MaxHeaderSize+MaxTxSize+8, MaxBlockSizeHard)
	case g.MaxBlockTxs == 0 || g.MaxBlockTxs > maxBlockTxsHard:
		return bad("max_block_txs %d: want 1 to %d", g.MaxBlockTxs, maxBlockTxsHard)
	}
	var total uint64
	for i, a := range g.Alloc {
		if i > 0 && a.Address == g.Alloc[i-1].Address {
			return bad("alloc: address %s listed twice", a.Address.Encode(g.AddressPrefix))
		}
		if a.Balance == 0 || a.Balance > MaxMoney {
			return bad("alloc %s: balance %d, want 1 to MaxMoney %d", a.Address.Encode(g.AddressPrefix), a.Balance, uint64(MaxMoney))
		}
		total += a.Balance // each <= 2^53 and checked below, so no wrap within 2^10 steps
		if total > MaxMoney {
			return bad("alloc: total %d above MaxMoney %d", total, uint64(MaxMoney))
		}
	}
	if err := g.validateContracts(); err != nil {
		return err
	}
	if err := g.validateConsensus(); err != nil {
		return err
	}
	if g.Permissions != nil {
		if err := g.Permissions.validate(g.AddressPrefix); err != nil {
			return err
		}
	}
	rewards, ok := g.totalRewards()
	if !ok || total+rewards > MaxMoney {
		return bad("supply: alloc %d + all future block rewards exceed MaxMoney %d; lower initial_reward or halving_interval", total, uint64(MaxMoney))
	}
	return nil
}

// Reward returns the block reward at height: initial_reward halved every
// halving_interval blocks, 0 for the genesis block and after 64 halvings.
func (g *Genesis) Reward(height uint64) uint64 {
	if height == 0 {
		return 0
	}
	epoch := height / g.HalvingInterval
	if epoch >= 64 {
		return 0
	}
	return g.InitialReward >> epoch
}

// totalRewards sums every block reward ever paid; ok is false on overflow.
func (g *Genesis) totalRewards() (sum uint64, ok bool) {
	for e := uint64(0); e < 64; e++ {
		r := g.InitialReward >> e
		if r == 0 {
			break
		}
		n := g.HalvingInterval
		if e == 0 {
			n-- // the genesis block pays nothing
		}
		hi, lo := bits.Mul64(r, n)
		if hi != 0 {
			return 0, false
		}
		var c uint64
		sum, c = bits.Add64(sum, lo, 0)
		if c != 0 {
			return 0, false
		}
	}
	return sum, true
}

// AllocTotal returns the sum of the initial balances.
func (g *Genesis) AllocTotal() uint64 {
	var t uint64
	for _, a := range g.Alloc {
		t += a.Balance
	}
	return t
}

// ParamsHash returns SHA-256 of the canonical encoding of every genesis
// field, alloc included; the genesis block's prev_hash carries it.
// Encoding version 2 adds the contract fields (as written, 0 for absent);
// a genesis without them keeps version 1, and so its v1 hash. Version 3
// adds PoA's parameters, version 4 the permissions (after a u8 engine:
// 0 pow, or PoA's parameters): a genesis without permissions keeps its
// version, and so its hash.
func (g *Genesis) ParamsHash() Hash {
	version := uint16(1)
	if g.hasContractFields() {
		version = 2
	}
	if g.IsPoA() {
		version = 3
	}
	if g.Permissions != nil {
		version = 4
	}
	b := appendU16(nil, version) // genesis encoding version
	b = appendBytes(b, []byte(g.ChainID))
	b = appendBytes(b, []byte(g.AddressPrefix))
	b = append(b, g.Decimals)
	b = appendU64(b, g.Timestamp)
	b = append(b, g.PowLimit[:]...)
	b = appendU32(b, uint32(g.InitialBits))
	for _, v := range []uint64{g.TargetBlockTimeMs, g.AsertHalflifeMs, g.InitialReward, g.HalvingInterval, g.MinFee, g.MaxBlockBytes, g.MaxBlockTxs} {
		b = appendU64(b, v)
	}
	if version >= 2 {
		for _, v := range []uint64{g.GasPrice, g.MaxBlockGas, g.MaxCodeBytes, g.MaxContractMemoryPages} {
			b = appendU64(b, v)
		}
	}
	switch {
	case version == 3:
		b = g.PoA.appendEncode(b)
	case version == 4 && g.IsPoA():
		b = g.Permissions.appendEncode(g.PoA.appendEncode(b))
	case version == 4:
		b = g.Permissions.appendEncode(append(b, 0)) // engine 0: proof of work
	}
	b = binary.AppendUvarint(b, uint64(len(g.Alloc)))
	for _, a := range g.Alloc {
		b = append(b, a.Address[:]...)
		b = appendU64(b, a.Balance)
	}
	return Sum(b)
}

// Block returns the genesis block: height 0, prev_hash = ParamsHash (so
// the block hash commits to the whole genesis), the empty tx_root, the
// zero miner, initial_bits and nonce 0. Its PoW is not checked.
func (g *Genesis) Block() *Block {
	return &Block{Header: Header{
		Version:   BlockVersion,
		Height:    0,
		PrevHash:  g.ParamsHash(),
		Timestamp: g.Timestamp,
		TxRoot:    MerkleRoot(nil),
		Bits:      uint32(g.InitialBits),
	}}
}

// Hash returns the genesis block hash, which identifies the chain.
func (g *Genesis) Hash() Hash { return g.Block().Hash() }

// hasKey reports whether the top-level JSON object data has key.
func hasKey(data []byte, key string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return false
	}
	_, ok := m[key]
	return ok
}
