package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

func sampleTx() *core.Tx {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	var pub core.PublicKey
	copy(pub[:], key.Public().(ed25519.PublicKey))
	tx := &core.Tx{Version: core.TxVersion, ChainID: "test", From: pub, To: core.Address{7}, Amount: 5, Fee: 1000, Nonce: 1, Memo: []byte{1, 2}}
	tx.Sign(key)
	return tx
}

func TestDecodeTxFile(t *testing.T) {
	tx := sampleTx()
	j, _ := json.Marshal(tx.JSON("cairn"))
	raw := hex.EncodeToString(tx.Encode())
	cases := []struct {
		name, in string
		err      string
	}{
		{"json fields", string(j), ""},
		{"raw object", `{"raw": "` + raw + `"}`, ""},
		{"bare hex", raw + "\n", ""},
		{"empty", "  ", "empty"},
		{"not hex", "xyz", "neither JSON nor"},
		{"raw with fields", `{"raw": "` + raw + `", "fee": 1}`, "other fields"},
		{"unknown field", `{"bogus": 1}`, "unknown field"},
		{"trailing data", string(j) + "{}", "data after"},
		{"bad raw hex", `{"raw": "zz"}`, "not hex"},
		{"truncated raw", raw[:20], "tx"},
		{"wrong prefix", string(j), "prefix"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prefix := "cairn"
			if c.name == "wrong prefix" {
				prefix = "acme"
			}
			got, err := decodeTxFile([]byte(c.in), prefix)
			if c.err != "" {
				if err == nil || !contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || got.ID() != tx.ID() {
				t.Fatalf("decodeTxFile: %v, %v", got, err)
			}
		})
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// FuzzDecodeTxFile: no panics; a decoded tx written back as JSON decodes
// to the same tx (round trip).
func FuzzDecodeTxFile(f *testing.F) {
	tx := sampleTx()
	j, _ := json.Marshal(tx.JSON("cairn"))
	f.Add(string(j))
	f.Add(`{"raw": "` + hex.EncodeToString(tx.Encode()) + `"}`)
	f.Add(hex.EncodeToString(tx.Encode()))
	f.Add(`{"raw": ""}`)
	f.Fuzz(func(t *testing.T, in string) {
		got, err := decodeTxFile([]byte(in), "cairn")
		if err != nil {
			return
		}
		again, err := json.Marshal(got.JSON("cairn"))
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeTxFile(again, "cairn")
		if err != nil {
			t.Fatalf("re-decoding %s: %v", again, err)
		}
		if back.ID() != got.ID() {
			t.Fatalf("round trip changed the tx: %s vs %s", back.ID(), got.ID())
		}
	})
}

// FuzzParseProof: no panics; a proof that parses has sane bounds, and a
// proof that verifies keeps verifying after a JSON round trip.
func FuzzParseProof(f *testing.F) {
	ids := []core.Hash{{1}, {2}, {3}}
	branch, _ := core.MerkleProof(ids, 1)
	p := wire.Proof{TxID: ids[1].String(), BlockHash: core.Hash{9}.String(), Height: 3, TxRoot: core.MerkleRoot(ids).String(), Index: 1, Size: 3}
	for _, b := range branch {
		p.Branch = append(p.Branch, b.String())
	}
	good, _ := json.Marshal(p)
	f.Add(string(good))
	f.Add(`{"tx_id": "00", "size": 1}`)
	f.Add(`{}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, in string) {
		pp, err := parseProof([]byte(in))
		if err != nil {
			var pi proofInvalid
			if !errors.As(err, &pi) && !contains(err.Error(), "not a proof JSON") {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if pp.Size == 0 || pp.Index >= pp.Size || len(pp.Branch) > 64 {
			t.Fatalf("parsed proof out of bounds: %+v", pp)
		}
		ok := pp.Verify() == nil
		again, _ := json.Marshal(pp.Wire())
		pp2, err := parseProof(again)
		if err != nil {
			t.Fatalf("re-parsing: %v", err)
		}
		ok2 := pp2.Verify() == nil
		if ok != ok2 {
			t.Fatalf("verification changed across a round trip: %v vs %v", ok, ok2)
		}
	})
}

func TestExplainProblem(t *testing.T) {
	cases := []struct {
		p    wire.Problem
		want string
	}{
		{wire.Problem{Code: "insufficient_funds", Detail: "balance 5, needs 7"}, "insufficient funds: balance 5, needs 7"},
		{wire.Problem{Code: "insufficient_funds", Detail: "Insufficient funds: balance 5"}, "Insufficient funds: balance 5"},
		{wire.Problem{Code: "nonce_gap", Detail: "nonce 5, next is 3"}, "nonce gap: nonce 5, next is 3 (the account"},
		{wire.Problem{Code: "unauthorized", Detail: "missing token"}, "unauthorized: missing token (admin commands need"},
		{wire.Problem{Code: "mempool_full", Title: "Service Unavailable"}, "mempool full: Service Unavailable (raise --fee"},
		{wire.Problem{Code: "something_new", Detail: "x"}, "the node rejected the request (something_new): x"},
		{wire.Problem{Status: 500, Detail: "boom"}, "the node answered HTTP 500: boom"},
	}
	for _, c := range cases {
		t.Run(c.p.Code, func(t *testing.T) {
			if got := explainProblem(&c.p); !contains(got, c.want) {
				t.Fatalf("explainProblem = %q, want it to contain %q", got, c.want)
			}
		})
	}
	p := &wire.Problem{Code: "fee_too_low", Detail: "fee 1 below 1000"}
	if got := describe(fmt.Errorf("send: %w", p)); got != "send: fee too low: fee 1 below 1000 (raise --fee)" {
		t.Fatalf("describe wrapped = %q", got)
	}
	if got := describe(errors.New("plain")); got != "plain" {
		t.Fatalf("describe plain = %q", got)
	}
}
