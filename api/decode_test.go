package api

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

func fuzzServer() *Server {
	return &Server{prefix: core.DefaultAddressPrefix, cfg: Config{MaxBatchTxs: 100}}
}

func seedTx() *core.Tx {
	k := testkit.NewKey(0)
	return k.Sign(&core.Tx{Version: 1, ChainID: "cairn-test", To: k.Addr, Amount: 5, Fee: 10, Nonce: 3, Memo: []byte{1, 2}})
}

// FuzzDecodeTx: any body either decodes to a tx that round-trips through
// its JSON fields and its raw form to the same encoding, or is a 4xx
// problem; never a panic.
func FuzzDecodeTx(f *testing.F) {
	s := fuzzServer()
	tx := seedTx()
	js, _ := json.Marshal(tx.JSON(s.prefix))
	f.Add(js)
	f.Add([]byte(`{"raw":"` + hex.EncodeToString(tx.Encode()) + `"}`))
	for _, b := range []string{``, `{}`, `[]`, `null`, `{"amount":1.5}`, `{"raw":"zz"}`, `{"x":1}`, `{"version":1}{}`} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, p := s.decodeTx(body)
		if p != nil {
			if got != nil || p.Status < 400 || p.Status >= 500 || p.Code == "" || p.Detail == "" {
				t.Fatalf("problem %+v with tx %v", p.Problem, got)
			}
			return
		}
		enc := got.Encode()
		again, _ := json.Marshal(got.JSON(s.prefix))
		viaJSON, p := s.decodeTx(again)
		if p != nil || !bytes.Equal(viaJSON.Encode(), enc) {
			t.Fatalf("JSON round trip of %q: %v", body, p)
		}
		raw, _ := json.Marshal(map[string]string{"raw": hex.EncodeToString(enc)})
		viaRaw, p := s.decodeTx(raw)
		if p != nil || !bytes.Equal(viaRaw.Encode(), enc) {
			t.Fatalf("raw round trip of %q: %v", body, p)
		}
	})
}

// FuzzDecodeBatch: a batch body is one problem, or one tx or problem per
// item; never a panic.
func FuzzDecodeBatch(f *testing.F) {
	s := fuzzServer()
	tx := seedTx()
	js, _ := json.Marshal(tx.JSON(s.prefix))
	f.Add([]byte("[" + string(js) + "," + string(js) + "]"))
	f.Add([]byte(`[{"raw":"` + hex.EncodeToString(tx.Encode()) + `"},{}]`))
	for _, b := range []string{``, `{}`, `[]`, `null`, `[null]`, `[1,"a"]`, `[{"amount":-1}]`} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		txs, probs, p := s.decodeBatch(body)
		if p != nil {
			if txs != nil || probs != nil || p.Status < 400 || p.Status >= 500 {
				t.Fatalf("problem %+v with items", p.Problem)
			}
			return
		}
		if len(txs) != len(probs) {
			t.Fatalf("%d txs, %d problems", len(txs), len(probs))
		}
		for i := range txs {
			if (txs[i] == nil) == (probs[i] == nil) {
				t.Fatalf("item %d: tx %v, problem %v", i, txs[i], probs[i])
			}
			if probs[i] != nil && (probs[i].Status < 400 || probs[i].Status >= 500) {
				t.Fatalf("item %d: %+v", i, probs[i].Problem)
			}
		}
	})
}
