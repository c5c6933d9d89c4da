package api

import (
	"crypto/ed25519"
	"encoding/json"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// BenchmarkDecodeBatch500 measures decoding a POST /txs/batch body of 500
// txs (JSON to checked core.Tx values), on all cores.
func BenchmarkDecodeBatch500(b *testing.B) {
	s := &Server{prefix: core.DefaultAddressPrefix, cfg: Config{MaxBatchTxs: DefaultMaxBatchTxs}}
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	var pub core.PublicKey
	copy(pub[:], priv.Public().(ed25519.PublicKey))
	js := make([]core.TxJSON, 500)
	for i := range js {
		tx := &core.Tx{Version: 1, ChainID: "cairn-test", From: pub, To: pub.Address(), Amount: uint64(i + 1), Fee: 10, Nonce: uint64(i)}
		tx.Sign(priv)
		js[i] = tx.JSON(core.DefaultAddressPrefix)
		js[i].ID, js[i].FromAddress = "", ""
	}
	body, _ := json.Marshal(js)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		txs, _, p := s.decodeBatch(body)
		if p != nil || txs[499] == nil {
			b.Fatal(p)
		}
	}
	b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "txs/s")
}
