package core

import (
	"bytes"
	"crypto/ed25519"
	"testing"
)

// FuzzDecodeTx: anything that decodes re-encodes to the same bytes.
func FuzzDecodeTx(f *testing.F) {
	f.Add(testTx(1, 0).Encode())
	f.Add(testTx(2, 1<<40).Encode())
	for i, b := range sampleBodies() {
		f.Add(testTx2(byte(i+1), uint64(i), b).Encode())
	}
	f.Add([]byte{})
	f.Add([]byte{0, 1, 0x84, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeTx(b)
		if err != nil {
			if !IsRuleError(err) {
				t.Fatalf("decode error is not a rule error: %v", err)
			}
			return
		}
		if !bytes.Equal(tx.Encode(), b) {
			t.Fatalf("decode(b) re-encodes differently:\n%x\n%x", b, tx.Encode())
		}
		if tx.Size() != len(b) {
			t.Fatal("Size disagrees with the encoding")
		}
		_ = tx.CheckSanity("test", 0, true)
	})
}

// FuzzDecodeBlock: anything that decodes re-encodes to the same bytes.
func FuzzDecodeBlock(f *testing.F) {
	f.Add(testBlock(0).Encode())
	f.Add(testBlock(2).Encode())
	f.Add(make([]byte, HeaderSize+1))
	f.Fuzz(func(t *testing.T, b []byte) {
		hdr, n, serr := DecodeBlockSummary(b)
		blk, err := DecodeBlock(b)
		if err != nil {
			return
		}
		if !bytes.Equal(blk.Encode(), b) {
			t.Fatal("decode(b) re-encodes differently")
		}
		// The summary of a valid block is its header and tx count.
		if serr != nil || hdr != blk.Header || n != uint64(len(blk.Txs)) {
			t.Fatalf("summary %v, %d txs (%v); block has %d txs", hdr, n, serr, len(blk.Txs))
		}
	})
}

// FuzzDecodeBlockSummary: never panics, and agrees with DecodeHeader on
// the header it reads.
func FuzzDecodeBlockSummary(f *testing.F) {
	f.Add(testBlock(0).Encode())
	sb := testBlock(1)
	sb.Header = *signedHeader()
	f.Add(sb.Encode())
	f.Add(testBlock(3).Encode())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		hdr, _, err := DecodeBlockSummary(b)
		if err != nil {
			return
		}
		hd, herr := DecodeHeader(b[:hdr.Size()])
		if herr != nil || *hd != hdr {
			t.Fatalf("summary header %v, DecodeHeader %v (%v)", hdr, hd, herr)
		}
	})
}

// FuzzDecodeHeader: fixed-size headers round-trip.
func FuzzDecodeHeader(f *testing.F) {
	h := testBlock(0).Header
	f.Add(h.Encode())
	s := signedHeader()
	f.Add(s.Encode())
	s.Vote = Vote{}
	f.Add(s.Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		hd, err := DecodeHeader(b)
		if err != nil {
			if len(b) == HeaderSize && (len(b) < 2 || b[1] != BlockVersionSigned || b[0] != 0) {
				t.Fatal("a 114-byte header of version 1 layout failed to decode")
			}
			return
		}
		if !bytes.Equal(hd.Encode(), b) {
			t.Fatal("round trip")
		}
	})
}

// FuzzParseAddress: a parsed address re-encodes to the lowercase input.
func FuzzParseAddress(f *testing.F) {
	f.Add("cairn1ve584t0cv27hwmy0cx9ca8uwyqyfw9y96sywx6", "cairn")
	f.Add("acme1ve584t0cv27hwmy0cx9ca8uwyqyfw9y90m2fjs", "cairn")
	f.Add("cairn1", "cairn")
	f.Fuzz(func(t *testing.T, s, prefix string) {
		a, err := ParseAddress(s, prefix)
		if err != nil {
			return
		}
		if got := a.Encode(prefix); got != string(bytes.ToLower([]byte(s))) {
			t.Fatalf("ParseAddress(%q) re-encodes as %q", s, got)
		}
	})
}

// FuzzParseGenesis: the genesis loader never panics, and what it accepts
// validates and re-parses to the same chain.
func FuzzParseGenesis(f *testing.F) {
	f.Add([]byte(`{"chain_id":"t","timestamp":1700000000000}`))
	f.Add([]byte(`{"chain_id":"t","timestamp":1,"alloc":{"cairn1ve584t0cv27hwmy0cx9ca8uwyqyfw9y96sywx6":5}}`))
	f.Add([]byte(`{"chain_id":"t","timestamp":1,"initial_reward":-1}`))
	f.Add([]byte(`{"chain_id":"t","timestamp":1,"permissions":{"admins":["cairn1ve584t0cv27hwmy0cx9ca8uwyqyfw9y96sywx6"],"submit":{"restricted":true,"members":[]}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ParseGenesis(b)
		if err != nil {
			return
		}
		out, err := g.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		g2, err := ParseGenesis(out)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		if g2.Hash() != g.Hash() {
			t.Fatal("genesis hash changed on round trip")
		}
	})
}

// signedHeader is a version-2 header with a vote, signed by testKey(7).
func signedHeader() *Header {
	k := testKey(7)
	h := &Header{Version: BlockVersionSigned, Height: 5, PrevHash: Sum([]byte("p")), Timestamp: 1_700_000_000_000,
		TxRoot: MerkleRoot(nil), Bits: 2, Vote: Vote{Kind: VoteAdd, Target: PublicKey{9}}}
	copy(h.Signer[:], k.Public().(ed25519.PublicKey))
	h.Miner = h.Signer.Address()
	copy(h.Signature[:], ed25519.Sign(k, h.SigningBytes()))
	return h
}
