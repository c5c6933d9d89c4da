package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// sampleReceipt builds a valid receipt for content, as anchor would: the
// data tx is the second of three txs in its block.
func sampleReceipt(content []byte) (receipt, core.Hash) {
	sum := core.Hash(sha256.Sum256(content))
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	var pub core.PublicKey
	copy(pub[:], key.Public().(ed25519.PublicKey))
	tx := &core.Tx{Version: core.TxVersion, ChainID: "test", From: pub, To: pub.Address(), Fee: 1000, Nonce: 4, Memo: sum[:]}
	tx.Sign(key)
	ids := []core.Hash{{1}, tx.ID(), {3}}
	branch, _ := core.MerkleProof(ids, 1)
	p := wire.Proof{TxID: tx.ID().String(), BlockHash: core.Hash{9}.String(), Height: 3, TxRoot: core.MerkleRoot(ids).String(), Index: 1, Size: 3}
	for _, b := range branch {
		p.Branch = append(p.Branch, b.String())
	}
	return receipt{Version: receiptVersion, File: "doc", FileSize: int64(len(content)), FileSHA256: sum.String(), ChainID: "test",
		Tx: hex.EncodeToString(tx.Encode()), TxID: p.TxID, BlockHash: p.BlockHash, Height: 3, Proof: p}, sum
}

// TestReceiptOffline: a good receipt checks; each field changed on its
// own makes it fail with a reason.
func TestReceiptOffline(t *testing.T) {
	rc, sum := sampleReceipt([]byte("doc"))
	if err := rc.checkOffline(sum); err != nil {
		t.Fatalf("good receipt: %v", err)
	}
	other := core.Hash(sha256.Sum256([]byte("doc2")))
	if err := rc.checkOffline(other); err == nil || !strings.Contains(err.Error(), "not the anchored file") {
		t.Fatalf("other file: %v", err)
	}
	// A second signed tx with another memo, to swap in.
	rc2, _ := sampleReceipt([]byte("other"))
	cases := []struct {
		name   string
		mutate func(*receipt)
		want   string
	}{
		{"hash not hex", func(r *receipt) { r.FileSHA256 = "zz" }, "file_sha256"},
		{"tx not hex", func(r *receipt) { r.Tx = "xx" }, "not hex"},
		{"tx truncated", func(r *receipt) { r.Tx = r.Tx[:40] }, "tx:"},
		{"bad signature", func(r *receipt) { r.Tx = r.Tx[:len(r.Tx)-2] + "00" }, "signature"},
		{"other tx", func(r *receipt) { r.Tx = rc2.Tx }, "memo"},
		{"chain", func(r *receipt) { r.ChainID = "main" }, "chain"},
		{"tx id", func(r *receipt) { r.TxID = strings.Repeat("0", 64) }, "hashes to"},
		{"proof index", func(r *receipt) { r.Proof.Index = 2 }, "not the leaf"},
		{"proof root", func(r *receipt) { r.Proof.TxRoot = strings.Repeat("1", 64) }, "not the leaf"},
		{"block", func(r *receipt) { r.BlockHash = strings.Repeat("2", 64) }, "the proof is for block"},
		{"height", func(r *receipt) { r.Height = 4 }, "the proof is for block"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := rc
			bad.Proof.Branch = append([]string(nil), rc.Proof.Branch...)
			c.mutate(&bad)
			err := bad.checkOffline(sum)
			var pi proofInvalid
			if !errors.As(err, &pi) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an invalid proof naming %q", err, c.want)
			}
		})
	}
}

func TestParseReceipt(t *testing.T) {
	rc, _ := sampleReceipt([]byte("doc"))
	good, _ := json.Marshal(rc)
	if _, err := parseReceipt(good); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		`[]`:                          "not an anchor receipt",
		`{"version": 1, "x": 2}`:      "unknown field",
		string(good) + `{}`:           "data after",
		`{"version": 2}`:              "receipt version 2",
		`{"version": 1, "tx": 5}`:     "not an anchor receipt",
		`{"version": 1} trailing`:     "data after",
		`{"proof": {"size": "x"}}`:    "not an anchor receipt",
		`{"version": 1, "height":-1}`: "not an anchor receipt",
	} {
		if _, err := parseReceipt([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseReceipt(%s) = %v, want %q", in, err, want)
		}
	}
}

// FuzzReceipt: no panics; a receipt that parses and checks for a file
// hash still checks after a JSON round trip, and only for that hash.
func FuzzReceipt(f *testing.F) {
	rc, sum := sampleReceipt([]byte("doc"))
	good, _ := json.Marshal(rc)
	f.Add(good, sum[:])
	f.Add([]byte(`{"version":1}`), sum[:])
	f.Add([]byte(`{}`), []byte{})
	f.Fuzz(func(t *testing.T, in, hash []byte) {
		r, err := parseReceipt(in)
		if err != nil {
			return
		}
		var h core.Hash
		copy(h[:], hash)
		if r.checkOffline(h) != nil {
			return
		}
		again, _ := json.Marshal(r)
		r2, err := parseReceipt(again)
		if err != nil || r2.checkOffline(h) != nil {
			t.Fatalf("a valid receipt stopped checking after a round trip: %v", err)
		}
		h[0] ^= 1
		if r.checkOffline(h) == nil {
			t.Fatal("a receipt checked for two file hashes")
		}
	})
}
