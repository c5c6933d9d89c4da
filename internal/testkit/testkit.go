// Package testkit holds the fixtures that tests of many packages share:
// deterministic Ed25519 keys, signed transfers and version-2 txs, and a
// genesis that funds some addresses on a chain with trivial proof of work.
//
// It is a normal package so that tests of any package can import it (and
// test-support packages such as chain/scenarios and store/storetest).
// core's own tests cannot: testkit imports core.
package testkit

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"

	"github.com/cairn-chain/cairn/core"
)

// Key is a test signing key with its public key and address.
type Key struct {
	Priv ed25519.PrivateKey
	Pub  core.PublicKey
	Addr core.Address
}

// NewKey returns the i-th deterministic test key: the Ed25519 key whose
// seed holds uint64(i) little-endian in its first 8 bytes and zeros after
// them. So NewKey(0) is the all-zero seed, and for i < 1<<16 the seed is
// byte(i), byte(i>>8) followed by zeros.
func NewKey(i int) Key {
	var seed [ed25519.SeedSize]byte
	binary.LittleEndian.PutUint64(seed[:8], uint64(i))
	return KeyFromSeed(seed[:])
}

// KeyFromSeed returns the key of an Ed25519 seed, for tests that need a
// seed layout of their own. It panics unless len(seed) is
// ed25519.SeedSize.
func KeyFromSeed(seed []byte) Key {
	if len(seed) != ed25519.SeedSize {
		panic(fmt.Sprintf("testkit: seed of %d bytes, want %d", len(seed), ed25519.SeedSize))
	}
	k := Key{Priv: ed25519.NewKeyFromSeed(seed)}
	copy(k.Pub[:], k.Priv.Public().(ed25519.PublicKey))
	k.Addr = k.Pub.Address()
	return k
}

// Sign sets tx.From to k's public key, signs tx with k and returns it. Set
// every other field first: the signature covers them.
func (k Key) Sign(tx *core.Tx) *core.Tx {
	tx.From = k.Pub
	tx.Sign(k.Priv)
	return tx
}

// Transfer returns a signed version-1 transfer of amount from k to to.
func (k Key) Transfer(chainID string, to core.Address, amount, fee, nonce uint64) *core.Tx {
	return k.Sign(&core.Tx{Version: core.TxVersion, ChainID: chainID, To: to, Amount: amount, Fee: fee, Nonce: nonce})
}

// Tx2 returns a signed version-2 tx of body from k (Kind is body.Kind()).
func (k Key) Tx2(chainID string, body core.Body, fee, nonce uint64) *core.Tx {
	return k.Sign(&core.Tx{Version: core.TxVersion2, Kind: body.Kind(), ChainID: chainID, Fee: fee, Nonce: nonce, Body: body})
}

// Parameters Genesis sets on top of core.NewGenesis's defaults.
const (
	// GenesisTime is the genesis timestamp (unix ms, November 2023): fixed,
	// so a genesis and its hash depend only on Genesis's arguments. Tests
	// that run a node against the wall clock usually set g.Timestamp to a
	// recent time instead.
	GenesisTime = 1_700_000_000_000
	// TrivialBits is the initial compact target: the default PoW limit, so
	// about half of all hashes solve a block.
	TrivialBits = 0x207fffff
	// MinFee is the genesis minimum fee.
	MinFee = 10
)

// Genesis returns a genesis of chainID with core.NewGenesis's defaults
// except Timestamp GenesisTime, InitialBits TrivialBits and MinFee MinFee,
// and an alloc (sorted, as the format requires) with a balance for each
// address of funded (nil funds nobody). Callers adjust the returned
// genesis to their own parameters; after adding to Alloc, call
// g.SortAlloc again.
func Genesis(chainID string, funded map[core.Address]uint64) *core.Genesis {
	g := core.NewGenesis(chainID, GenesisTime)
	g.InitialBits = TrivialBits
	g.MinFee = MinFee
	for a, b := range funded {
		g.Alloc = append(g.Alloc, core.Alloc{Address: a, Balance: b})
	}
	g.SortAlloc()
	return g
}

// Fund returns an alloc for Genesis that gives each key balance.
func Fund(balance uint64, keys ...Key) map[core.Address]uint64 {
	m := make(map[core.Address]uint64, len(keys))
	for _, k := range keys {
		m[k.Addr] = balance
	}
	return m
}

// NewKeys returns n keys: NewKey(first), NewKey(first+1), ...
func NewKeys(first, n int) []Key {
	ks := make([]Key, n)
	for i := range ks {
		ks[i] = NewKey(first + i)
	}
	return ks
}
