package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// TestEveryCodeHasItsTableStatus sends every code of core's table through
// the API's error path (a backend that fails POST /txs with it, alone and
// in a batch) and checks the problem's status is the table's; a code
// missing from the table is 500.
func TestEveryCodeHasItsTableStatus(t *testing.T) {
	var next core.Code
	e := newEnv(t, 1, func(c *api.Config) {
		disableRateLimit(c)
		c.SubmitTxs = func(txs []*core.Tx) []error {
			errs := make([]error, len(txs))
			for i := range errs {
				errs[i] = core.Errorf(next, "the backend says %s", next)
			}
			return errs
		}
	})
	tx := transfer(0, addr(1), 1, core.DefaultMinFee, 0)
	check := func(code core.Code, want int) {
		t.Helper()
		next = code
		status, _, body := e.do(http.MethodPost, "/api/v1/txs", tx.JSON(e.n.Genesis.AddressPrefix))
		p := problemOf(t, body)
		if status != want || p.Status != want || p.Code != string(code) || p.Title != http.StatusText(want) {
			t.Errorf("%s: POST /txs answered %d %+v, want %d with the code", code, status, p, want)
		}
		var batch []wire.BatchResult
		status, _, body = e.do(http.MethodPost, "/api/v1/txs/batch", []any{tx.JSON(e.n.Genesis.AddressPrefix)})
		if err := json.Unmarshal(body, &batch); err != nil || status != http.StatusOK {
			t.Fatalf("POST /txs/batch: %d %s", status, body)
		}
		if len(batch) != 1 || batch[0].Error == nil || batch[0].Error.Status != want || batch[0].Error.Code != string(code) {
			t.Errorf("%s: POST /txs/batch answered %+v, want status %d", code, batch, want)
		}
		if got := api.StatusOf(string(code)); got != want {
			t.Errorf("StatusOf(%s) = %d, want %d", code, got, want)
		}
	}
	for _, code := range core.Codes() {
		check(code, code.Info().Status)
	}
	check("a_code_not_in_the_table", http.StatusInternalServerError)
}
