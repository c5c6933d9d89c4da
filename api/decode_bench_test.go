package api

import (
	"encoding/json"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// BenchmarkDecodeBatch500 measures decoding a POST /txs/batch body of 500
// txs (JSON to checked core.Tx values), on all cores.
func BenchmarkDecodeBatch500(b *testing.B) {
	s := &Server{prefix: core.DefaultAddressPrefix, cfg: Config{MaxBatchTxs: DefaultMaxBatchTxs}}
	k := testkit.NewKey(0)
	js := make([]core.TxJSON, 500)
	for i := range js {
		tx := k.Transfer("cairn-test", k.Addr, uint64(i+1), 10, uint64(i))
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
