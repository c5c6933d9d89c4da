package core

import (
	"encoding/binary"
)

// Block limits fixed by the protocol (genesis sets tighter ones).
const (
	BlockVersion = 1 // the proof-of-work header (protocol v1)
	// BlockVersionSigned is the header of a signed engine (proof of
	// authority): the version-1 fields, then the signer's key, a vote and
	// the signer's signature.
	BlockVersionSigned = 2
	// HeaderSize is the size of an encoded version-1 header.
	HeaderSize = 2 + 8 + HashSize + 8 + HashSize + AddressSize + 4 + 8
	// MaxHeaderSize is the largest encoded header of any version.
	MaxHeaderSize = HeaderSize + PublicKeySize + 1 + PublicKeySize + SignatureSize
	// HeaderNonceOffset is where the nonce starts in an encoded header: a
	// miner hashes everything before it once and only the tail per nonce.
	HeaderNonceOffset = HeaderSize - 8
	// MaxBlockSizeHard bounds any block a decoder will accept, whatever
	// genesis says: 32 MiB.
	MaxBlockSizeHard = 32 << 20
)

// Header is a block header. Fields are in encoding order; Nonce is the
// last of version 1. Version 2 (a signed engine) adds Signer, Vote and
// Signature.
type Header struct {
	Version   uint16
	Height    uint64 // the brief's "index"
	PrevHash  Hash
	Timestamp uint64 // unix milliseconds
	TxRoot    Hash   // RFC 6962 Merkle root of the tx IDs
	Miner     Address
	Bits      uint32 // compact target (PoW); the engine's weight (PoA)
	Nonce     uint64
	// Version 2 only.
	Signer    PublicKey // who sealed the block
	Vote      Vote      // a proposal to add or drop a signer (VoteNone: none)
	Signature Signature // the signer's Ed25519 signature over SigningBytes
}

// Vote is a version-2 header's proposal about the signer set.
type Vote struct {
	Kind   uint8     // VoteNone, VoteAdd or VoteDrop
	Target PublicKey // the signer to add or drop (zero with VoteNone)
}

// Vote kinds.
const (
	VoteNone uint8 = 0
	VoteAdd  uint8 = 1
	VoteDrop uint8 = 2
)

// Block is a header and its transactions.
type Block struct {
	Header Header
	Txs    []*Tx
}

// AppendEncode appends the header encoding to b (114 bytes for version 1).
func (h *Header) AppendEncode(b []byte) []byte {
	b = h.appendUnsigned(b)
	if h.Version == BlockVersionSigned {
		b = append(b, h.Signature[:]...)
	}
	return b
}

// SigningBytes returns what a version-2 header's signature covers: its
// encoding without the signature.
func (h *Header) SigningBytes() []byte { return h.appendUnsigned(make([]byte, 0, h.Size())) }

// Size returns the length of the header's encoding.
func (h *Header) Size() int {
	if h.Version == BlockVersionSigned {
		n := HeaderSize + PublicKeySize + 1 + SignatureSize
		if h.Vote.Kind != VoteNone {
			n += PublicKeySize
		}
		return n
	}
	return HeaderSize
}

func (h *Header) appendUnsigned(b []byte) []byte {
	b = appendU16(b, h.Version)
	b = appendU64(b, h.Height)
	b = append(b, h.PrevHash[:]...)
	b = appendU64(b, h.Timestamp)
	b = append(b, h.TxRoot[:]...)
	b = append(b, h.Miner[:]...)
	b = appendU32(b, h.Bits)
	b = appendU64(b, h.Nonce)
	if h.Version == BlockVersionSigned {
		b = append(b, h.Signer[:]...)
		b = append(b, h.Vote.Kind)
		if h.Vote.Kind != VoteNone {
			b = append(b, h.Vote.Target[:]...)
		}
	}
	return b
}

// Encode returns the header encoding.
func (h *Header) Encode() []byte { return h.AppendEncode(make([]byte, 0, h.Size())) }

// Hash returns the block hash: SHA-256 of the header encoding (a version-2
// header's signature included).
func (h *Header) Hash() Hash {
	var buf [MaxHeaderSize]byte
	return Sum(h.AppendEncode(buf[:0]))
}

// DecodeHeader strictly decodes a header.
func DecodeHeader(b []byte) (*Header, error) {
	r := &Reader{what: "header", b: b}
	h := decodeHeader(r)
	if err := r.End(); err != nil {
		return nil, err
	}
	return h, nil
}

func decodeHeader(r *Reader) *Header {
	h := &Header{}
	h.Version = r.U16("version")
	h.Height = r.U64("height")
	r.Fixed("prev_hash", h.PrevHash[:])
	h.Timestamp = r.U64("timestamp")
	r.Fixed("tx_root", h.TxRoot[:])
	r.Fixed("miner", h.Miner[:])
	h.Bits = r.U32("bits")
	h.Nonce = r.U64("nonce")
	if h.Version == BlockVersionSigned {
		r.Fixed("signer", h.Signer[:])
		var k [1]byte
		r.Fixed("vote", k[:])
		switch h.Vote.Kind = k[0]; {
		case r.Err() != nil:
		case h.Vote.Kind == VoteAdd || h.Vote.Kind == VoteDrop:
			r.Fixed("vote target", h.Vote.Target[:])
		case h.Vote.Kind != VoteNone:
			r.Fail(CodeMalformed, "vote", "unknown vote kind %d (0 none, 1 add, 2 drop)", k[0])
		}
		r.Fixed("signature", h.Signature[:])
	}
	return h
}

// DecodeHeaderFrom reads one header of any version from r (headers in a
// list are self-delimiting: the version says what follows).
func DecodeHeaderFrom(r *Reader) *Header { return decodeHeader(r) }

// Hash returns the block hash.
func (b *Block) Hash() Hash { return b.Header.Hash() }

// Size returns the length of the block's canonical encoding.
func (b *Block) Size() int {
	n := b.Header.Size() + uvarintLen(uint64(len(b.Txs)))
	for _, tx := range b.Txs {
		s := tx.Size()
		n += uvarintLen(uint64(s)) + s
	}
	return n
}

// Encode returns the canonical block encoding: the header, a uvarint tx
// count, then each tx as a uvarint length and its encoding.
func (b *Block) Encode() []byte {
	out := make([]byte, 0, b.Size())
	out = b.Header.AppendEncode(out)
	out = binary.AppendUvarint(out, uint64(len(b.Txs)))
	for _, tx := range b.Txs {
		out = binary.AppendUvarint(out, uint64(tx.Size()))
		out = tx.AppendEncode(out)
	}
	return out
}

// TxIDs returns the IDs of the block's txs in order.
func (b *Block) TxIDs() []Hash {
	ids := make([]Hash, len(b.Txs))
	for i, tx := range b.Txs {
		ids[i] = tx.ID()
	}
	return ids
}

// DecodeBlockSummary reads only a block encoding's header and tx count,
// checking no more than those: for listings that need no txs.
func DecodeBlockSummary(b []byte) (Header, uint64, error) {
	if len(b) > MaxBlockSizeHard {
		return Header{}, 0, Errorf(CodeTooLarge, "block: %d bytes, the limit is %d", len(b), MaxBlockSizeHard)
	}
	r := &Reader{what: "block", b: b}
	h := *decodeHeader(r)
	n := r.Uvarint("tx count", uint64(len(b)-r.off)/(minTxSize+1))
	if r.err != nil {
		return Header{}, 0, r.err
	}
	return h, n, nil
}

// DecodeBlock strictly decodes a canonical block encoding.
func DecodeBlock(b []byte) (*Block, error) {
	if len(b) > MaxBlockSizeHard {
		return nil, Errorf(CodeTooLarge, "block: %d bytes, the limit is %d", len(b), MaxBlockSizeHard)
	}
	r := &Reader{what: "block", b: b}
	blk := &Block{Header: *decodeHeader(r)}
	// Each tx takes at least minTxSize+1 bytes, which bounds the count
	// before anything is allocated.
	n := r.Uvarint("tx count", uint64(len(b)-r.off)/(minTxSize+1))
	if r.err != nil {
		return nil, r.err
	}
	blk.Txs = make([]*Tx, 0, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		size := r.Uvarint("tx length", MaxDeployTxSize)
		raw := r.Take("tx", int(size))
		if r.err != nil {
			break
		}
		sub := &Reader{what: "tx", b: raw}
		tx := decodeTx(sub)
		if err := sub.End(); err != nil {
			r.err = Wrap(CodeMalformed, err, "block tx %d", i)
			break
		}
		blk.Txs = append(blk.Txs, tx)
	}
	if err := r.End(); err != nil {
		return nil, err
	}
	return blk, nil
}
