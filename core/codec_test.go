package core

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"testing"
)

func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func testTx(seed byte, nonce uint64) *Tx {
	k := testKey(seed)
	tx := &Tx{Version: TxVersion, ChainID: "test", To: Address{seed, 2}, Amount: 5, Fee: 1000, Nonce: nonce, Memo: []byte("hi")}
	copy(tx.From[:], k.Public().(ed25519.PublicKey))
	tx.Sign(k)
	return tx
}

func testBlock(n int) *Block {
	b := &Block{Header: Header{Version: 1, Height: 7, Timestamp: 1700000000000, Bits: 0x207fffff, Nonce: 42}}
	for i := 0; i < n; i++ {
		b.Txs = append(b.Txs, testTx(byte(i+1), uint64(i)))
	}
	b.Header.TxRoot = MerkleRoot(b.TxIDs())
	return b
}

func TestTxRoundTripAndSignature(t *testing.T) {
	tx := testTx(1, 3)
	enc := tx.Encode()
	if len(enc) != tx.Size() {
		t.Fatalf("Size %d != len(Encode) %d", tx.Size(), len(enc))
	}
	back, err := DecodeTx(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Encode(), enc) || back.ID() != tx.ID() {
		t.Fatal("round trip changed the tx")
	}
	if !back.VerifySignature() {
		t.Fatal("signature does not verify after round trip")
	}
	if err := back.CheckSanity("test", 1000, true); err != nil {
		t.Fatal(err)
	}
	// The chain_id is signed: changing it breaks the signature.
	other := *back
	other.ChainID = "other"
	if other.VerifySignature() {
		t.Fatal("signature verified with another chain_id")
	}
	if err := other.CheckSanity("test", 0, true); !errors.Is(err, CodeWrongChain) {
		t.Fatalf("wrong chain: got %v", err)
	}
	// Every single-bit flip of the signed fields breaks the signature.
	for i := 0; i < len(enc)-SignatureSize; i++ {
		mut := append([]byte(nil), enc...)
		mut[i] ^= 0x01
		if m, err := DecodeTx(mut); err == nil && m.VerifySignature() {
			t.Fatalf("flipping byte %d kept a valid signature", i)
		}
	}
}

func TestTxSanity(t *testing.T) {
	cases := []struct {
		name string
		mut  func(*Tx)
		code Code
	}{
		{"version", func(tx *Tx) { tx.Version = 2 }, CodeBadVersion},
		{"zero amount without memo", func(tx *Tx) { tx.Amount, tx.Memo = 0, nil }, CodeInvalidAmount},
		{"amount above MaxMoney", func(tx *Tx) { tx.Amount = MaxMoney + 1 }, CodeInvalidAmount},
		{"fee above MaxMoney", func(tx *Tx) { tx.Fee = 1 << 60 }, CodeInvalidAmount},
		{"amount plus fee above MaxMoney", func(tx *Tx) { tx.Amount, tx.Fee = MaxMoney, 1000 }, CodeInvalidAmount},
		{"amount plus fee wraps uint64", func(tx *Tx) { tx.Amount, tx.Fee = 1<<63, 1<<63 }, CodeInvalidAmount},
		{"low fee", func(tx *Tx) { tx.Fee = 999 }, CodeFeeTooLow},
		{"bad signature", func(tx *Tx) { tx.Nonce++ }, CodeBadSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx := testTx(1, 0)
			c.mut(tx)
			err := tx.CheckSanity("test", 1000, true)
			if !errors.Is(err, c.code) {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
	data := testTx(1, 0)
	data.Amount = 0
	data.Sign(testKey(1))
	if err := data.CheckSanity("test", 1000, true); err != nil {
		t.Fatalf("data tx with memo rejected: %v", err)
	}
}

// bigTransferBody is an asset_transfer whose body length says 600 bytes:
// only a contract_deploy may pass MaxBodySize.
func bigTransferBody() []byte {
	tx := testTx2(1, 0, &AssetTransfer{Asset: AssetID{1}, To: Address{2}, Amount: 1})
	b := appendU16(nil, TxVersion2)
	b = append(b, byte(KindAssetTransfer))
	b = appendBytes(b, []byte(tx.ChainID))
	b = append(b, tx.From[:]...)
	b = appendU64(b, tx.Fee)
	b = appendU64(b, tx.Nonce)
	b = appendBytes(b, make([]byte, 600))
	b = appendBytes(b, nil)
	return append(b, tx.Signature[:]...)
}

func TestDecodeTxStrict(t *testing.T) {
	enc := testTx(1, 0).Encode()
	nonMinimal := append([]byte(nil), enc[:2]...)
	nonMinimal = append(nonMinimal, 0x84, 0x00) // 4 as a 2-byte varint
	nonMinimal = append(nonMinimal, enc[3:]...)
	longMemo := &Tx{Version: 1, ChainID: "test", Memo: make([]byte, MaxMemoLen+1)}
	cases := []struct {
		name string
		b    []byte
		code Code
	}{
		{"empty", nil, CodeMalformed},
		{"truncated", enc[:len(enc)-1], CodeMalformed},
		{"trailing byte", append(append([]byte(nil), enc...), 0), CodeMalformed},
		{"non-minimal varint", nonMinimal, CodeMalformed},
		{"memo over limit", longMemo.Encode(), CodeTooLarge},
		{"too large", make([]byte, MaxDeployTxSize+1), CodeTooLarge},
		{"body over its kind's cap", bigTransferBody(), CodeTooLarge},
		{"chain id over limit", append([]byte{0, 1, 33}, make([]byte, 200)...), CodeTooLarge},
		{"varint overflow", append([]byte{0, 1}, bytes.Repeat([]byte{0xff}, 11)...), CodeMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeTx(c.b)
			if !errors.Is(err, c.code) {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			if len(err.Error()) < 12 {
				t.Fatalf("error %q does not name the problem", err)
			}
		})
	}
}

func TestBlockRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 3, 17} {
		b := testBlock(n)
		enc := b.Encode()
		if len(enc) != b.Size() {
			t.Fatalf("n=%d: Size %d != %d", n, b.Size(), len(enc))
		}
		back, err := DecodeBlock(enc)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if !bytes.Equal(back.Encode(), enc) || back.Hash() != b.Hash() {
			t.Fatalf("n=%d: round trip changed the block", n)
		}
		if MerkleRoot(back.TxIDs()) != b.Header.TxRoot {
			t.Fatal("tx root changed")
		}
	}
	h := testBlock(0).Header
	if len(h.Encode()) != HeaderSize {
		t.Fatalf("header is %d bytes, want %d", len(h.Encode()), HeaderSize)
	}
	// Nonce is the last 8 bytes of the header.
	enc := h.Encode()
	if binary.BigEndian.Uint64(enc[HeaderNonceOffset:]) != h.Nonce {
		t.Fatal("nonce is not at HeaderNonceOffset")
	}
}

func TestDecodeBlockStrict(t *testing.T) {
	enc := testBlock(2).Encode()
	hugeCount := append(append([]byte(nil), enc[:HeaderSize]...), 0xff, 0xff, 0xff, 0x7f)
	badTxLen := append([]byte(nil), enc[:HeaderSize+1]...)
	badTxLen = append(badTxLen, 0x80, 0x80, 0x01) // tx length 16384 > MaxTxSize
	cases := []struct {
		name string
		b    []byte
		code Code
	}{
		{"header only, no count", enc[:HeaderSize], CodeMalformed},
		{"truncated", enc[:len(enc)-5], CodeMalformed},
		{"trailing", append(append([]byte(nil), enc...), 1), CodeMalformed},
		{"count above what the bytes can hold", hugeCount, CodeTooLarge},
		{"tx length above MaxTxSize", badTxLen, CodeTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := DecodeBlock(c.b); !errors.Is(err, c.code) {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
}

func TestAccountEncoding(t *testing.T) {
	a := Account{Balance: 12345, Nonce: 7}
	back, err := DecodeAccount(a.Encode())
	if err != nil || back != a {
		t.Fatalf("round trip: %v %v", back, err)
	}
	if _, err := DecodeAccount(a.Encode()[:15]); err == nil {
		t.Fatal("truncated account decoded")
	}
}

func TestTxJSONRoundTrip(t *testing.T) {
	tx := testTx(3, 9)
	j := tx.JSON("cairn")
	back, err := j.Tx("cairn")
	if err != nil {
		t.Fatal(err)
	}
	if back.ID() != tx.ID() {
		t.Fatal("JSON round trip changed the tx")
	}
	j.ID = Hash{}.String()
	if _, err := j.Tx("cairn"); err == nil {
		t.Fatal("mismatched id accepted")
	}
	j = tx.JSON("cairn")
	if _, err := j.Tx("acme"); err == nil {
		t.Fatal("address of another prefix accepted")
	}
}

func TestSigCacheBounded(t *testing.T) {
	c := NewSigCache(100)
	for i := 0; i < 1000; i++ {
		c.Add(Hash{byte(i), byte(i >> 8)})
	}
	if c.Len() > 100 {
		t.Fatalf("cache holds %d > 100", c.Len())
	}
	c.Add(Hash{9, 9, 9})
	if !c.Has(Hash{9, 9, 9}) {
		t.Fatal("just-added id missing")
	}
}

// TestSigCacheShardedBounded: a large (sharded) cache stays within its
// bound, keeps what was just added, and forgets nothing it was not made
// to (below the bound every ID is kept).
func TestSigCacheShardedBounded(t *testing.T) {
	const max = 4096
	c := NewSigCache(max)
	ids := make([]Hash, 3000)
	for i := range ids {
		ids[i] = Sum([]byte{byte(i), byte(i >> 8)})
		c.Add(ids[i])
	}
	// (The IDs are fixed, so whether a shard of 64 overflowed is too: with
	// these 3,000 none does.)
	for i, id := range ids {
		if !c.Has(id) {
			t.Fatalf("id %d forgotten with %d of %d cached", i, c.Len(), max)
		}
	}
	for i := range 100_000 {
		c.Add(Sum([]byte{byte(i), byte(i >> 8), byte(i >> 16), 1}))
	}
	if n := c.Len(); n > max || n < max/2 {
		t.Fatalf("cache holds %d, want between %d and %d", n, max/2, max)
	}
	last := Sum([]byte("last"))
	c.Add(last)
	if !c.Has(last) {
		t.Fatal("just-added id missing")
	}
}

// TestSignedHeader: a version-2 header round-trips with and without a
// vote; its signature covers every other field and its hash covers the
// signature; a bad vote kind or a truncated header is refused.
func TestSignedHeader(t *testing.T) {
	h := signedHeader()
	for _, vote := range []Vote{h.Vote, {}} {
		h.Vote = vote
		enc := h.Encode()
		if len(enc) != h.Size() || len(enc) > MaxHeaderSize {
			t.Fatalf("vote %+v: %d bytes, Size %d", vote, len(enc), h.Size())
		}
		got, err := DecodeHeader(enc)
		if err != nil || *got != *h {
			t.Fatalf("vote %+v: round trip %+v, %v", vote, got, err)
		}
	}
	h = signedHeader()
	if !ed25519.Verify(h.Signer[:], h.SigningBytes(), h.Signature[:]) {
		t.Fatal("signature over SigningBytes does not verify")
	}
	other := *h
	other.Vote.Kind = VoteDrop
	if ed25519.Verify(h.Signer[:], other.SigningBytes(), h.Signature[:]) {
		t.Fatal("the signature does not cover the vote")
	}
	other = *h
	other.Signature[0] ^= 1
	if other.Hash() == h.Hash() {
		t.Fatal("the hash does not cover the signature")
	}
	enc := h.Encode()
	bad := append([]byte(nil), enc...)
	bad[HeaderSize+PublicKeySize] = 3
	for name, b := range map[string][]byte{"vote kind 3": bad, "truncated": enc[:len(enc)-1], "trailing": append(enc, 0)} {
		if _, err := DecodeHeader(b); !errors.Is(err, CodeMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Version 1 is unchanged: 114 bytes, no signer fields.
	v1 := testBlock(0).Header
	if len(v1.Encode()) != HeaderSize || v1.Size() != HeaderSize {
		t.Fatalf("version-1 header of %d bytes", len(v1.Encode()))
	}
}
