package core

import (
	"crypto/ed25519"
	"encoding/binary"
)

// Transaction limits fixed by the protocol.
const (
	TxVersion     = 1   // the version-1 envelope: coin transfers and data txs
	TxVersion2    = 2   // the version-2 envelope: a kind and its body
	MaxChainIDLen = 32  // bytes
	MaxMemoLen    = 256 // bytes
	// MaxMoney bounds every amount, fee, balance and the total supply, so
	// JSON numbers stay exact in every language.
	MaxMoney = 1<<53 - 1
	// MaxTxSize is the largest canonical tx encoding of any kind but
	// contract_deploy (Kind.MaxTxSize).
	MaxTxSize = 1024
	// MaxDeployTxSize is the largest contract_deploy, and so of any tx.
	MaxDeployTxSize = MaxTxSize + MaxDeployBodySize
	// minTxSize is a lower bound of every canonical tx encoding (a
	// version-2 envelope with an empty chain id, body and memo).
	minTxSize = 2 + 1 + 1 + PublicKeySize + 2*8 + 1 + 1 + SignatureSize
)

// Tx is a signed transaction. Version 1 is an account-model coin transfer
// (or a data tx: amount 0 with a non-empty memo): Kind is KindTransfer and
// To and Amount are set. Version 2 carries a Kind and its Body (To and
// Amount unused). Fields are in encoding order.
type Tx struct {
	Version   uint16
	Kind      Kind // version 2 only (KindTransfer for version 1)
	ChainID   string
	From      PublicKey // sender's Ed25519 public key
	To        Address   // version 1 only
	Amount    uint64    // version 1 only
	Fee       uint64
	Nonce     uint64
	Body      Body // version 2 only
	Memo      []byte
	Signature Signature // over SigningBytes
}

// Sender returns the sender's address.
func (tx *Tx) Sender() Address { return tx.From.Address() }

// appendUnsigned appends the encoding of every field but the signature.
func (tx *Tx) appendUnsigned(b []byte) []byte {
	b = appendU16(b, tx.Version)
	if tx.Version == TxVersion2 {
		b = append(b, byte(tx.Kind))
		b = appendBytes(b, []byte(tx.ChainID))
		b = append(b, tx.From[:]...)
		b = appendU64(b, tx.Fee)
		b = appendU64(b, tx.Nonce)
		b = binary.AppendUvarint(b, uint64(tx.bodySize()))
		if tx.Body != nil {
			b = AppendBody(b, tx.Body)
		}
		return appendBytes(b, tx.Memo)
	}
	b = appendBytes(b, []byte(tx.ChainID))
	b = append(b, tx.From[:]...)
	b = append(b, tx.To[:]...)
	b = appendU64(b, tx.Amount)
	b = appendU64(b, tx.Fee)
	b = appendU64(b, tx.Nonce)
	return appendBytes(b, tx.Memo)
}

func (tx *Tx) bodySize() int {
	if tx.Body == nil {
		return 0
	}
	return bodySize(tx.Body)
}

// SigningBytes returns the bytes the signature covers: the canonical
// encoding of all fields except the signature (chain_id included, so a
// signature is not valid on another chain).
func (tx *Tx) SigningBytes() []byte { return tx.appendUnsigned(make([]byte, 0, tx.Size())) }

// Size returns the length of the canonical encoding.
func (tx *Tx) Size() int {
	common := 2 + uvarintLen(uint64(len(tx.ChainID))) + len(tx.ChainID) + PublicKeySize + 16 +
		uvarintLen(uint64(len(tx.Memo))) + len(tx.Memo) + SignatureSize
	if tx.Version == TxVersion2 {
		n := tx.bodySize()
		return common + 1 + uvarintLen(uint64(n)) + n
	}
	return common + AddressSize + 8
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

// DecodeTx strictly decodes a canonical tx encoding of either version.
func DecodeTx(b []byte) (*Tx, error) {
	if len(b) > MaxDeployTxSize {
		return nil, Errorf(CodeTooLarge, "tx: %d bytes, the limit is %d", len(b), MaxDeployTxSize)
	}
	r := &Reader{what: "tx", b: b}
	tx := decodeTx(r)
	if err := r.End(); err != nil {
		return nil, err
	}
	if max := tx.Kind.MaxTxSize(); len(b) > max {
		return nil, Errorf(CodeTooLarge, "%s tx: %d bytes, the limit is %d", tx.Kind, len(b), max)
	}
	return tx, nil
}

func decodeTx(r *Reader) *Tx {
	tx := &Tx{}
	tx.Version = r.U16("version")
	switch tx.Version {
	case TxVersion:
		tx.ChainID = string(r.Bytes("chain_id", MaxChainIDLen))
		r.Fixed("from", tx.From[:])
		r.Fixed("to", tx.To[:])
		tx.Amount = r.U64("amount")
		tx.Fee = r.U64("fee")
		tx.Nonce = r.U64("nonce")
	case TxVersion2:
		var k [1]byte
		r.Fixed("kind", k[:])
		tx.Kind = Kind(k[0])
		switch {
		case r.Err() != nil:
		case tx.Kind == KindTransfer:
			r.Fail(CodeBadVersion, "kind", "transfer uses the version-1 envelope")
		case !tx.Kind.Known():
			r.Fail(CodeBadVersion, "kind", "unknown kind %d", k[0])
		}
		tx.ChainID = string(r.Bytes("chain_id", MaxChainIDLen))
		r.Fixed("from", tx.From[:])
		tx.Fee = r.U64("fee")
		tx.Nonce = r.U64("nonce")
		raw := r.BytesView("body", tx.Kind.MaxBodySize())
		if r.Err() == nil {
			body, err := DecodeBody(tx.Kind, raw)
			if err != nil {
				r.SetErr(err)
			}
			tx.Body = body
		}
	default:
		if r.Err() == nil {
			r.Fail(CodeBadVersion, "version", "unknown tx version %d (want %d or %d)", tx.Version, TxVersion, TxVersion2)
		}
		return tx
	}
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
	switch tx.Version {
	case TxVersion:
		if tx.Kind != KindTransfer || tx.Body != nil {
			return Errorf(CodeBadVersion, "a version-1 tx is a transfer, not %s", tx.Kind)
		}
	case TxVersion2:
		if tx.Kind == KindTransfer {
			return Errorf(CodeBadVersion, "tx version 2 of kind transfer: coins move in a version-1 tx")
		}
		if !tx.Kind.Known() {
			return Errorf(CodeBadVersion, "tx version 2 of unknown kind %s", tx.Kind)
		}
		if tx.Body == nil || tx.Body.Kind() != tx.Kind {
			return Errorf(CodeMalformed, "tx of kind %s without its body", tx.Kind)
		}
		if tx.Amount != 0 || !tx.To.IsZero() {
			return Errorf(CodeMalformed, "a version-2 tx has no to or amount: they are in its body")
		}
	default:
		return Errorf(CodeBadVersion, "tx version %d, want %d or %d", tx.Version, TxVersion, TxVersion2)
	}
	if len(tx.Memo) > MaxMemoLen {
		return Errorf(CodeTooLarge, "memo of %d bytes, the limit is %d", len(tx.Memo), MaxMemoLen)
	}
	if tx.ChainID != chainID {
		return Errorf(CodeWrongChain, "tx chain_id %q, this chain is %q", clip(tx.ChainID), chainID)
	}
	if tx.Version == TxVersion2 {
		if n, max := tx.bodySize(), tx.Kind.MaxBodySize(); n > max {
			return Errorf(CodeTooLarge, "%s body of %d bytes, the limit is %d", tx.Kind, n, max)
		}
		if err := checkBody(tx.Body); err != nil {
			return err
		}
	} else if tx.Amount == 0 && len(tx.Memo) == 0 {
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
