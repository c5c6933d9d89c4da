package main

// Decoding headers, blocks and txs by docs/protocol.md, with a strict
// reader: no Cairn package, so a document that disagrees with the node
// fails here.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// ---- headers and blocks (docs/protocol.md, "Block header", "Block") ----

type header struct {
	raw       []byte
	hash      [32]byte
	version   uint16
	height    uint64
	prevHash  [32]byte
	timestamp uint64
	txRoot    [32]byte
	miner     [20]byte
	bits      uint32
	nonce     uint64
	// version 2
	signer     [32]byte
	voteKind   byte
	voteTarget [32]byte
	signature  [64]byte
}

func decodeHeaders(b []byte) ([]header, error) {
	r := &reader{b: b}
	n := r.uvarint(maxHeadersAsked)
	if r.err == nil && n*114 > uint64(len(b)-r.off) {
		r.fail(fmt.Sprintf("%d headers cannot fit in %d bytes", n, len(b)-r.off))
	}
	var hs []header
	for i := uint64(0); i < n && r.err == nil; i++ {
		hs = append(hs, readHeader(r))
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return hs, nil
}

// readHeader reads one self-delimiting header: version 2 adds to the 114
// bytes of version 1 a signer, a vote kind, a vote target when the kind
// is 1 or 2, and a signature; any other version is 114 bytes (checkSeal
// refuses versions other than 1 and 2, as the node's validation does).
func readHeader(r *reader) header {
	start := r.off
	var h header
	h.version = r.u16()
	h.height = r.u64()
	r.fixed(h.prevHash[:])
	h.timestamp = r.u64()
	r.fixed(h.txRoot[:])
	r.fixed(h.miner[:])
	h.bits = r.u32()
	h.nonce = r.u64()
	if h.version == 2 {
		r.fixed(h.signer[:])
		h.voteKind = r.u8()
		switch h.voteKind {
		case 0:
		case 1, 2:
			r.fixed(h.voteTarget[:])
		default:
			r.fail(fmt.Sprintf("vote kind %d", h.voteKind))
		}
		r.fixed(h.signature[:])
	}
	if r.err == nil {
		h.raw = r.b[start:r.off]
		h.hash = sha256.Sum256(h.raw)
	}
	return h
}

// checkSeal checks what a header proves alone: a version-1 hash meets its
// bits; a version-2 header is signed by its signer, whose address is the
// miner, with nonce 0.
func (h *header) checkSeal() error {
	switch h.version {
	case 1:
		target, err := compactTarget(h.bits)
		if err != nil {
			return err
		}
		if new(big.Int).SetBytes(h.hash[:]).Cmp(target) > 0 {
			return fmt.Errorf("hash %x is above the target of its bits 0x%08x", h.hash, h.bits)
		}
	case 2:
		if a := sha256.Sum256(h.signer[:]); !bytes.Equal(a[:20], h.miner[:]) {
			return fmt.Errorf("miner %x is not the signer's address %x", h.miner, a[:20])
		}
		if h.nonce != 0 {
			return fmt.Errorf("version-2 header with nonce %d", h.nonce)
		}
		if !ed25519.Verify(h.signer[:], h.raw[:len(h.raw)-64], h.signature[:]) {
			return errors.New("the signer's signature does not verify")
		}
	default:
		return fmt.Errorf("header version %d: Cairn headers are version 1 or 2", h.version)
	}
	return nil
}

// compactTarget decodes Bitcoin's nBits (docs/protocol.md, "Compact bits").
func compactTarget(bits uint32) (*big.Int, error) {
	mant, exp := bits&0x007fffff, bits>>24
	var t *big.Int
	if exp <= 3 {
		mant >>= 8 * (3 - exp)
		t = big.NewInt(int64(mant))
	} else {
		t = new(big.Int).Lsh(big.NewInt(int64(mant)), 8*uint(exp-3))
	}
	if bits&0x00800000 != 0 && mant != 0 || t.BitLen() > 256 || t.Sign() == 0 {
		return nil, fmt.Errorf("bits 0x%08x: no valid target", bits)
	}
	return t, nil
}

func (h header) String() string {
	s := fmt.Sprintf("height=%d hash=%x prev=%x time=%s timestamp_ms=%d tx_root=%x miner=%x bits=0x%08x nonce=%d version=%d",
		h.height, h.hash, h.prevHash, time.UnixMilli(int64(h.timestamp)).UTC().Format("2006-01-02T15:04:05.000Z"),
		h.timestamp, h.txRoot, h.miner, h.bits, h.nonce, h.version)
	if h.version == 2 {
		s += fmt.Sprintf(" signer=%x vote=%d", h.signer, h.voteKind)
	}
	return s
}

type block struct {
	header header
	txs    []tx
	size   int
}

type tx struct {
	raw       []byte
	id        [32]byte
	version   uint16
	kind      byte
	chainID   string
	from      [32]byte
	to        [20]byte
	amount    uint64
	fee       uint64
	nonce     uint64
	memo      []byte
	signature [64]byte
}

func (b *block) txIDs() [][32]byte {
	ids := make([][32]byte, len(b.txs))
	for i := range b.txs {
		ids[i] = b.txs[i].id
	}
	return ids
}

// decodeBlock reads header || uvarint count || count × var(tx).
func decodeBlock(b []byte) (*block, error) {
	r := &reader{b: b}
	blk := &block{header: readHeader(r), size: len(b)}
	n := r.uvarint(uint64(len(b)))
	for i := uint64(0); i < n && r.err == nil; i++ {
		raw := r.bytes(1024 + 8 + (1 << 18) + 400) // a contract deploy is the largest tx
		if r.err != nil {
			break
		}
		t, err := decodeTx(raw)
		if err != nil {
			return nil, fmt.Errorf("tx %d: %w", i, err)
		}
		blk.txs = append(blk.txs, t)
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return blk, nil
}

// decodeTx decodes a version-1 or version-2 tx (docs/protocol.md,
// "Transaction") and verifies its signature.
func decodeTx(raw []byte) (tx, error) {
	r := &reader{b: raw}
	t := tx{raw: raw, id: sha256.Sum256(raw)}
	t.version = r.u16()
	switch t.version {
	case 1:
		t.chainID = string(r.bytes(32))
		r.fixed(t.from[:])
		r.fixed(t.to[:])
		t.amount = r.u64()
		t.fee = r.u64()
		t.nonce = r.u64()
		t.memo = r.bytes(256)
	case 2:
		t.kind = r.u8()
		t.chainID = string(r.bytes(32))
		r.fixed(t.from[:])
		t.fee = r.u64()
		t.nonce = r.u64()
		r.bytes(1 << 19) // the body: its layout depends on the kind
		t.memo = r.bytes(256)
	default:
		r.fail(fmt.Sprintf("tx version %d", t.version))
	}
	r.fixed(t.signature[:])
	if err := r.end(); err != nil {
		return tx{}, err
	}
	if !ed25519.Verify(t.from[:], raw[:len(raw)-64], t.signature[:]) {
		return tx{}, fmt.Errorf("tx %x: the signature does not verify", t.id)
	}
	return t, nil
}

func (t tx) String() string {
	from := sha256.Sum256(t.from[:])
	s := fmt.Sprintf("id=%x version=%d from=%x fee=%d nonce=%d", t.id, t.version, from[:20], t.fee, t.nonce)
	if t.version == 1 {
		s += fmt.Sprintf(" to=%x amount=%d", t.to, t.amount)
	} else if t.kind < byte(len(kindNames)) && kindNames[t.kind] != "" {
		s += " kind=" + kindNames[t.kind]
	} else {
		s += fmt.Sprintf(" kind=%d", t.kind)
	}
	if len(t.memo) > 0 {
		s += fmt.Sprintf(" memo=%q", t.memo)
	}
	return s
}

// kindNames are the version-2 tx kinds by number (docs/protocol.md,
// "Transaction (protocol version 2)").
var kindNames = []string{1: "asset_create", 2: "asset_transfer", 3: "asset_mint", 4: "asset_burn", 5: "asset_freeze",
	6: "asset_clawback", 7: "asset_config", 8: "item_mint", 9: "item_transfer", 10: "item_attest", 11: "item_burn",
	12: "contract_deploy", 13: "contract_call"}

// merkleRoot is RFC 6962's Merkle tree hash over the tx IDs
// (docs/protocol.md, "Merkle root").
func merkleRoot(ids [][32]byte) [32]byte {
	if len(ids) == 0 {
		return sha256.Sum256(nil)
	}
	if len(ids) == 1 {
		return sha256.Sum256(append([]byte{0}, ids[0][:]...))
	}
	k := 1
	for k*2 < len(ids) {
		k *= 2
	}
	l, r := merkleRoot(ids[:k]), merkleRoot(ids[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

// ---- a strict reader (docs/protocol.md, "Conventions") ----

type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(why string) {
	if r.err == nil {
		r.err = fmt.Errorf("byte %d: %s", r.off, why)
	}
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.fail(fmt.Sprintf("%d bytes wanted, %d left", n, len(r.b)-r.off))
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *reader) fixed(dst []byte) {
	if v := r.take(len(dst)); v != nil {
		copy(dst, v)
	}
}

func (r *reader) u8() byte {
	if v := r.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if v := r.take(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if v := r.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if v := r.take(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// uvarint reads a minimal uvarint of at most max.
func (r *reader) uvarint(max uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	switch {
	case n <= 0:
		r.fail("bad uvarint")
		return 0
	case n != len(binary.AppendUvarint(nil, v)):
		r.fail("uvarint not minimal")
		return 0
	case v > max:
		r.fail(fmt.Sprintf("%d above the limit %d", v, max))
		return 0
	}
	r.off += n
	return v
}

func (r *reader) bytes(max uint64) []byte {
	n := r.uvarint(max)
	return r.take(int(n))
}

func (r *reader) end() error {
	if r.err == nil && r.off != len(r.b) {
		r.fail(fmt.Sprintf("%d trailing bytes", len(r.b)-r.off))
	}
	return r.err
}
