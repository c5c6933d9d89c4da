package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
)

// bodyBytes returns a case's body as bytes.
func bodyBytes(body any) []byte {
	switch b := body.(type) {
	case []byte:
		return b
	case string:
		return []byte(b)
	}
	data, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	return data
}

// FuzzPostTxs throws random bodies at POST /api/v1/txs, seeded with the
// bad-input table: never a 5xx, always a problem, never a state change.
func FuzzPostTxs(f *testing.F) {
	fx := newBadFixture(f)
	before := fx.snapshot()
	for _, c := range fx.txCases() {
		if c.status != 413 || c.item {
			f.Add(bodyBytes(c.body))
		}
	}
	f.Add([]byte(`{"raw":"` + hexOf(fx.dup.Encode()) + `"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e := *fx.env
		e.t = t
		code, _, resp := e.do(http.MethodPost, "/api/v1/txs", body)
		if code >= 500 || code < 400 {
			t.Fatalf("status %d for %q: %s", code, body, resp)
		}
		problemOf(t, resp)
		if after := fx.snapshot(); after != before {
			t.Fatalf("state changed by %q: %+v -> %+v", body, before, after)
		}
	})
}

// FuzzPostBatch throws random bodies at POST /api/v1/txs/batch: never a
// 5xx, every item rejected with a problem, never a state change.
func FuzzPostBatch(f *testing.F) {
	fx := newBadFixture(f)
	before := fx.snapshot()
	var items []any
	for _, c := range fx.txCases() {
		if c.item {
			items = append(items, c.body)
			f.Add(bodyBytes([]any{c.body}))
		}
	}
	f.Add(bodyBytes(items))
	for _, s := range []string{`[]`, `[{}]`, `[null]`, `[[]]`, `{}`, `null`, `[{"raw":""}]`, `[1,"a",true]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := *fx.env
		e.t = t
		code, _, resp := e.do(http.MethodPost, "/api/v1/txs/batch", body)
		switch {
		case code == http.StatusOK:
			var res []wire.BatchResult
			if err := json.Unmarshal(resp, &res); err != nil {
				t.Fatalf("200 with %s: %v", resp, err)
			}
			for i, r := range res {
				if r.ID != "" || r.Error == nil || r.Error.Status >= 500 || r.Error.Code == "" {
					t.Fatalf("item %d of %q: %+v", i, body, r)
				}
			}
		case code >= 400 && code < 500:
			problemOf(t, resp)
		default:
			t.Fatalf("status %d for %q: %s", code, body, resp)
		}
		if after := fx.snapshot(); after != before {
			t.Fatalf("state changed by %q: %+v -> %+v", body, before, after)
		}
	})
}
