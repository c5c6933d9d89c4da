package wallet

import (
	"crypto/ed25519"
	"fmt"
	"slices"

	"github.com/cairn-chain/cairn/core"
)

// Key is a decrypted Ed25519 key. Clear Private (clear(k.Private)) when
// done with it if the key lives long.
type Key struct {
	Name    string
	Private ed25519.PrivateKey
}

// newKey derives the key of a 32-byte seed.
func newKey(name string, seed []byte) *Key {
	return &Key{Name: name, Private: ed25519.NewKeyFromSeed(seed)}
}

// PublicKey returns the key's public key.
func (k *Key) PublicKey() core.PublicKey {
	var pk core.PublicKey
	copy(pk[:], k.Private[ed25519.SeedSize:])
	return pk
}

// Address returns the key's account address.
func (k *Key) Address() core.Address { return k.PublicKey().Address() }

// String names the key without its secret, so printing or logging a Key
// never leaks it.
func (k *Key) String() string { return fmt.Sprintf("Key{%s %s}", k.Name, k.PublicKey()) }

// GoString is String, for %#v.
func (k *Key) GoString() string { return k.String() }

// NewTx builds a version core.TxVersion tx from this key and signs it. It
// checks what a node would check regardless of state (chain ID and memo
// length, amounts within core.MaxMoney, amount 0 only with a memo), except
// the chain's minimum fee. Errors are *core.RuleError.
func (k *Key) NewTx(chainID string, to core.Address, amount, fee, nonce uint64, memo []byte) (*core.Tx, error) {
	if len(chainID) > core.MaxChainIDLen {
		return nil, core.Errorf(core.CodeTooLarge, "chain_id: %d bytes, the limit is %d", len(chainID), core.MaxChainIDLen)
	}
	if len(memo) > core.MaxMemoLen {
		return nil, core.Errorf(core.CodeTooLarge, "memo: %d bytes, the limit is %d", len(memo), core.MaxMemoLen)
	}
	tx := &core.Tx{
		Version: core.TxVersion,
		ChainID: chainID,
		From:    k.PublicKey(),
		To:      to,
		Amount:  amount,
		Fee:     fee,
		Nonce:   nonce,
	}
	if len(memo) > 0 {
		tx.Memo = slices.Clone(memo)
	}
	if err := tx.CheckSanity(chainID, 0, false); err != nil {
		return nil, err
	}
	tx.Sign(k.Private)
	return tx, nil
}

// SignTx sets tx's signature; tx.From must be this key.
func (k *Key) SignTx(tx *core.Tx) error {
	if pk := k.PublicKey(); tx.From != pk {
		return fmt.Errorf("sign tx: from is %s, but key %q is %s", tx.From, k.Name, pk)
	}
	tx.Sign(k.Private)
	return nil
}
