package core

import (
	"crypto/ed25519"
)

// Transaction limits fixed by the protocol.
const (
	TxVersion     = 1   // the only tx version of protocol v1
	MaxChainIDLen = 32  // bytes
	MaxMemoLen    = 256 // bytes
	// MaxMoney bounds every amount, fee, balance and the total supply, so
	// JSON numbers stay exact in every language.
	MaxMoney = 1<<53 - 1
	// MaxTxSize is the largest possible canonical tx encoding.
	MaxTxSize = 2 + 1 + MaxChainIDLen + PublicKeySize + AddressSize + 3*8 + 2 + MaxMemoLen + SignatureSize
	// minTxSize is the smallest possible canonical tx encoding.
	minTxSize = 2 + 1 + PublicKeySize + AddressSize + 3*8 + 1 + SignatureSize
)

// Tx is a signed account-model transfer (or a data tx: amount 0 with a
// non-empty memo). Fields are in encoding order.
type Tx struct {
	Version   uint16
	ChainID   string
	From      PublicKey // sender's Ed25519 public key
	To        Address
	Amount    uint64
	Fee       uint64
	Nonce     uint64
	Memo      []byte
	Signature Signature // over SigningBytes
}

// Sender returns the sender's address.
func (tx *Tx) Sender() Address { return tx.From.Address() }

// appendUnsigned appends the encoding of every field but the signature.
func (tx *Tx) appendUnsigned(b []byte) []byte {
	b = appendU16(b, tx.Version)
	b = appendBytes(b, []byte(tx.ChainID))
	b = append(b, tx.From[:]...)
	b = append(b, tx.To[:]...)
	b = appendU64(b, tx.Amount)
	b = appendU64(b, tx.Fee)
	b = appendU64(b, tx.Nonce)
	return appendBytes(b, tx.Memo)
}

// SigningBytes returns the bytes the signature covers: the canonical
// encoding of all fields except the signature (chain_id included, so a
// signature is not valid on another chain).
func (tx *Tx) SigningBytes() []byte { return tx.appendUnsigned(make([]byte, 0, tx.Size())) }

// Size returns the length of the canonical encoding.
func (tx *Tx) Size() int {
	return 2 + uvarintLen(uint64(len(tx.ChainID))) + len(tx.ChainID) + PublicKeySize + AddressSize + 24 +
		uvarintLen(uint64(len(tx.Memo))) + len(tx.Memo) + SignatureSize
}

// AppendEncode appends the canonical encoding of tx to b.
func (tx *Tx) AppendEncode(b []byte) []byte {
	b = tx.appendUnsigned(b)
	return append(b, tx.Signature[:]...)
}

// Encode returns the canonical encoding.
func (tx *Tx) Encode() []byte { return tx.AppendEncode(make([]byte, 0, tx.Size())) }

// ID returns the tx ID: SHA-256 of the full encoding, signature included.
func (tx *Tx) ID() Hash {
	var buf [MaxTxSize]byte
	return Sum(tx.AppendEncode(buf[:0]))
}

// Sign sets the signature with key, which must match From.
func (tx *Tx) Sign(key ed25519.PrivateKey) {
	copy(tx.Signature[:], ed25519.Sign(key, tx.SigningBytes()))
}

// VerifySignature reports whether the signature is valid for From, with
// exactly the acceptance set of crypto/ed25519.Verify.
func (tx *Tx) VerifySignature() bool {
	var buf [MaxTxSize]byte
	return ed25519.Verify(tx.From[:], tx.appendUnsigned(buf[:0]), tx.Signature[:])
}

// DecodeTx strictly decodes a canonical tx encoding.
func DecodeTx(b []byte) (*Tx, error) {
	if len(b) > MaxTxSize {
		return nil, Errorf(CodeTooLarge, "tx: %d bytes, the limit is %d", len(b), MaxTxSize)
	}
	r := &Reader{what: "tx", b: b}
	tx := decodeTx(r)
	if err := r.End(); err != nil {
		return nil, err
	}
	return tx, nil
}

func decodeTx(r *Reader) *Tx {
	tx := &Tx{}
	tx.Version = r.U16("version")
	tx.ChainID = string(r.Bytes("chain_id", MaxChainIDLen))
	r.Fixed("from", tx.From[:])
	r.Fixed("to", tx.To[:])
	tx.Amount = r.U64("amount")
	tx.Fee = r.U64("fee")
	tx.Nonce = r.U64("nonce")
	tx.Memo = r.Bytes("memo", MaxMemoLen)
	if len(tx.Memo) == 0 {
		tx.Memo = nil // one in-memory form for "no memo"
	}
	r.Fixed("signature", tx.Signature[:])
	return tx
}

// CheckSanity checks the rules a tx must meet regardless of state:
// version, chain, amount bounds (data txs need a memo), fee bounds, and the
// signature when verifySig is true. minFee is the chain's minimum fee.
func (tx *Tx) CheckSanity(chainID string, minFee uint64, verifySig bool) error {
	if tx.Version != TxVersion {
		return Errorf(CodeBadVersion, "tx version %d, want %d", tx.Version, TxVersion)
	}
	if len(tx.Memo) > MaxMemoLen {
		return Errorf(CodeTooLarge, "memo of %d bytes, the limit is %d", len(tx.Memo), MaxMemoLen)
	}
	if tx.ChainID != chainID {
		return Errorf(CodeWrongChain, "tx chain_id %q, this chain is %q", clip(tx.ChainID), chainID)
	}
	if tx.Amount == 0 && len(tx.Memo) == 0 {
		return Errorf(CodeInvalidAmount, "amount 0 needs a memo (a data tx)")
	}
	if tx.Amount > MaxMoney {
		return Errorf(CodeInvalidAmount, "amount %d above MaxMoney %d", tx.Amount, uint64(MaxMoney))
	}
	if tx.Fee > MaxMoney {
		return Errorf(CodeInvalidAmount, "fee %d above MaxMoney %d", tx.Fee, uint64(MaxMoney))
	}
	if tx.Amount+tx.Fee > MaxMoney { // both <= 2^53, so no uint64 wrap here
		return Errorf(CodeInvalidAmount, "amount %d + fee %d above MaxMoney %d", tx.Amount, tx.Fee, uint64(MaxMoney))
	}
	if tx.Fee < minFee {
		return Errorf(CodeFeeTooLow, "fee %d below the minimum fee %d", tx.Fee, minFee)
	}
	if verifySig && !tx.VerifySignature() {
		return Errorf(CodeBadSignature, "signature does not verify for sender %s", tx.From)
	}
	return nil
}
