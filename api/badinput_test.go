package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// badCase is one malformed or invalid request and the problem it must get.
type badCase struct {
	name   string
	method string
	path   string
	body   any // nil, []byte, string or a value to marshal
	header []string
	status int
	code   string
	detail string // must appear in the problem's detail
}

// badFixture is a node where key 0 has used nonce 0 (in a block) and key
// 1 has a pending tx (dup): the state the nonce and duplicate cases need.
type badFixture struct {
	*env
	dup *core.Tx
}

func newBadFixture(t testing.TB) *badFixture {
	t.Helper()
	e := newEnv(t, 4, disableRateLimit)
	e.submit(transfer(0, addr(1), 100, 10, 0))
	e.mine()
	dup := transfer(1, addr(2), 100, 10, 0)
	e.submit(dup)
	return &badFixture{env: e, dup: dup}
}

// signed returns a tx from key 2 (funded, nonce 0, nothing pending) after
// edit, signed.
func signed(edit func(*core.Tx)) *core.Tx {
	k := key(2)
	tx := &core.Tx{Version: core.TxVersion, ChainID: testChain, From: k.Pub, To: addr(3), Amount: 100, Fee: testMinFee, Nonce: 0}
	edit(tx)
	tx.Sign(k.Priv) // not k.Sign: edit may have changed From
	return tx
}

// badAddress returns addr(3) with a broken checksum.
func badAddress() string {
	a := []byte(addr(3).Encode(core.DefaultAddressPrefix))
	if a[len(a)-1] == 'q' {
		a[len(a)-1] = 'p'
	} else {
		a[len(a)-1] = 'q'
	}
	return string(a)
}

// bech32Address returns addr(3) with a bech32 (not bech32m) checksum.
func bech32Address() string {
	a := addr(3)
	data, _ := bech32.ConvertBits(a[:], 8, 5, true)
	s, _ := bech32.Encode(core.DefaultAddressPrefix, data)
	return s
}

// txCases are bad bodies for POST /txs (and /transactions/new). Those
// with item set are JSON objects, also sent as items of one batch.
func (f *badFixture) txCases() []struct {
	badCase
	item bool
} {
	good := fields(signed(func(*core.Tx) {})) // valid and never sent
	goodJSON, _ := json.Marshal(good)
	raw := signed(func(*core.Tx) {}).Encode()
	noID := func(tx *core.Tx) map[string]any { return with(fields(tx), "id", nil, "from_address", nil) }
	good2 := fields(signed2(&core.AssetTransfer{Asset: core.AssetID{7}, To: addr(3), Amount: 5}))
	body2, _ := good2["body"].(map[string]any)
	big := append([]byte(`{"memo":"`), bytes.Repeat([]byte("a"), 1<<20)...)
	big = append(big, `"}`...)
	type c = struct {
		badCase
		item bool
	}
	bc := func(name string, body any, status int, code, detail string, item bool) c {
		return c{badCase{name: name, body: body, status: status, code: code, detail: detail}, item}
	}
	return []c{
		bc("malformed JSON", `{"version": 1,`, 400, "malformed", "invalid JSON", false),
		bc("not an object", `[1, 2]`, 400, "malformed", "want a tx object", false),
		bc("empty body", ``, 400, "malformed", "empty request body", false),
		bc("trailing data", string(goodJSON)+`{}`, 400, "malformed", "data after", false),
		bc("unknown field", with(good, "colour", "red"), 400, "malformed", `unknown field "colour" (not a tx field)`, true),
		bc("string amount", with(good, "amount", "100"), 400, "malformed", "amount: want an integer", true),
		bc("float amount", with(good, "amount", json.Number("1.5")), 400, "malformed", "amount: want an integer", true),
		bc("negative amount", with(good, "amount", json.Number("-1")), 400, "malformed", "amount: want an integer", true),
		bc("amount beyond uint64", with(good, "amount", json.Number("18446744073709551616")), 400, "malformed", "amount", true),
		bc("exponent amount", with(good, "amount", json.Number("1e3")), 400, "malformed", "amount", true),
		bc("object nonce", with(good, "nonce", map[string]int{"n": 1}), 400, "malformed", "nonce", true),
		bc("bad hex signature", with(good, "signature", strings.Repeat("zz", 64)), 400, "malformed", "signature: not hex", true),
		bc("short signature", with(good, "signature", "abcd"), 400, "malformed", "signature: want 128 hex characters", true),
		bc("bad hex from", with(good, "from", strings.Repeat("g", 64)), 400, "malformed", "from", true),
		bc("bad hex memo", with(good, "memo", "xyz", "id", nil), 400, "malformed", "memo: not hex", true),
		bc("bad address checksum", with(good, "to", badAddress(), "id", nil), 400, "malformed", "invalid checksum", true),
		bc("bech32 instead of bech32m", with(good, "to", bech32Address(), "id", nil), 400, "malformed", "want bech32m", true),
		bc("wrong address prefix", with(good, "to", addr(3).Encode("other"), "id", nil), 400, "malformed", `this chain uses "cairn"`, true),
		bc("wrong id", with(good, "id", strings.Repeat("00", 32)), 400, "malformed", "does not match", true),
		bc("wrong from_address", with(good, "from_address", addr(0).Encode("cairn")), 400, "malformed", "from_address", true),
		bc("raw not hex", map[string]string{"raw": "zz"}, 400, "malformed", "raw: not hex", true),
		bc("raw with fields", map[string]any{"raw": hexOf(raw), "amount": 5}, 400, "malformed", "raw", true),
		bc("raw truncated", map[string]string{"raw": hexOf(raw[:40])}, 400, "malformed", "tx", true),
		bc("raw trailing bytes", map[string]string{"raw": hexOf(append(raw, 0))}, 400, "malformed", "tx", true),
		bc("bad signature", with(noID(signed(func(*core.Tx) {})), "amount", 101), 422, "bad_signature", "signature does not verify", true),
		bc("wrong chain_id", noID(signed(func(tx *core.Tx) { tx.ChainID = "other-chain" })), 422, "wrong_chain", `chain_id "other-chain"`, true),
		bc("bad version", noID(signed(func(tx *core.Tx) { tx.Version = 3 })), 422, "bad_version", "version 3", true),
		bc("amount 0 without memo", noID(signed(func(tx *core.Tx) { tx.Amount = 0 })), 422, "invalid_amount", "needs a memo", true),
		bc("amount above MaxMoney", noID(signed(func(tx *core.Tx) { tx.Amount = core.MaxMoney + 1 })), 422, "invalid_amount", "above MaxMoney", true),
		bc("amount+fee overflow", noID(signed(func(tx *core.Tx) { tx.Amount = core.MaxMoney })), 422, "invalid_amount", "+ fee", true),
		bc("nonce too low", noID(transfer(0, addr(3), 100, 10, 0)), 409, "nonce_too_low", "nonce 0 already used", true),
		bc("nonce gap", noID(signed(func(tx *core.Tx) { tx.Nonce = 65 })), 409, "nonce_gap", "ahead", true),
		bc("insufficient funds", noID(signed(func(tx *core.Tx) { tx.Amount = testBalance })), 422, "insufficient_funds", "insufficient funds", true),
		bc("low fee", noID(signed(func(tx *core.Tx) { tx.Fee = 1 })), 422, "fee_too_low", "fee 1 below the minimum fee 10", true),
		bc("duplicate", fields(f.dup), 409, "duplicate", "already in the mempool", true),
		bc("memo too large", noID(signed(func(tx *core.Tx) { tx.Memo = make([]byte, 300) })), 413, "too_large", "memo", true),
		bc("oversized body", big, 413, "too_large", "limit", false),
		// Version 2: kinds and bodies.
		bc("v2 unknown kind", with(good2, "kind", "teleport", "id", nil), 422, "bad_version", `unknown tx kind "teleport"`, true),
		bc("v2 kind transfer", with(good2, "kind", "transfer", "id", nil), 422, "bad_version", "version-1 tx", true),
		bc("v2 without kind", with(good2, "kind", nil, "id", nil), 422, "bad_version", "without a kind", true),
		bc("v2 without body", with(good2, "body", nil, "id", nil), 400, "malformed", "body: missing", true),
		bc("v2 body not an object", with(good2, "body", []int{1}, "id", nil), 400, "malformed", "want a JSON object", true),
		bc("v2 body unknown field", with(good2, "body", with(body2, "colour", "red"), "id", nil), 400, "malformed", "body.colour: not a field of asset_transfer", true),
		bc("v2 body missing field", with(good2, "body", with(body2, "to", nil), "id", nil), 400, "malformed", "body.to: missing", true),
		bc("v2 body bad asset id", with(good2, "body", with(body2, "asset", "zz"), "id", nil), 400, "malformed", "body.asset", true),
		bc("v2 body string amount", with(good2, "body", with(body2, "amount", "5"), "id", nil), 400, "malformed", "body.amount", true),
		bc("v2 body zero amount", with(good2, "body", with(body2, "amount", 0), "id", nil), 422, "invalid_amount", "amount 0", true),
		bc("v2 with to and amount", with(good2, "to", addr(3).Encode("cairn"), "amount", 5, "id", nil), 400, "malformed", "in its body", true),
		bc("v2 asset not found", noID(signed2(&core.AssetTransfer{Asset: core.AssetID{7}, To: addr(3), Amount: 5})), 422, "asset_not_found", "no asset", true),
	}
}

// signed2 returns a signed version-2 tx of body from key 2, nonce 0.
func signed2(body core.Body) *core.Tx {
	k := key(2)
	return k.Tx2(testChain, body, testMinFee, 0)
}

// TestBadTxs sends every bad tx body to POST /api/v1/txs and to the
// brief's POST /transactions/new, and the JSON objects among them as one
// batch: each gets its status, code and a detail naming the problem, and
// nothing changes.
func TestBadTxs(t *testing.T) {
	f := newBadFixture(t)
	before := f.snapshot()
	cases := f.txCases()
	for _, path := range []string{"/api/v1/txs", "/transactions/new"} {
		for _, c := range cases {
			c.method, c.path = http.MethodPost, path
			t.Run(path+"/"+c.name, func(t *testing.T) { f.expect(t, c.badCase, before) })
		}
	}
	t.Run("batch items", func(t *testing.T) {
		var items []any
		var want []badCase
		for _, c := range cases {
			if c.item {
				items = append(items, c.body)
				want = append(want, c.badCase)
			}
		}
		code, _, body := f.do(http.MethodPost, "/api/v1/txs/batch", items)
		if code != http.StatusOK {
			t.Fatalf("batch: %d %s", code, body)
		}
		var res []wire.BatchResult
		if err := json.Unmarshal(body, &res); err != nil || len(res) != len(want) {
			t.Fatalf("batch: %d results for %d items: %v", len(res), len(want), err)
		}
		for i, r := range res {
			w := want[i]
			if r.ID != "" || r.Error == nil || r.Error.Code != w.code || r.Error.Status != w.status || !strings.Contains(r.Error.Detail, w.detail) {
				t.Errorf("item %d (%s): %+v %+v, want %d %s %q", i, w.name, r.ID, r.Error, w.status, w.code, w.detail)
			}
		}
		f.unchanged(t, before)
	})
}

// TestBadRequests covers every other endpoint's bad input: parameters,
// cursors, unknown objects, admin tokens, batch bodies and routes.
func TestBadRequests(t *testing.T) {
	f := newBadFixture(t)
	before := f.snapshot()
	p := core.DefaultAddressPrefix
	unknown := strings.Repeat("ab", 32)
	zz := strings.Repeat("z", 64)
	a0 := addr(0).Encode(p)
	tok := admin
	many := "[" + strings.Repeat("{},", 10_000) + "{}]"
	cases := []badCase{
		{name: "tx id not hex", path: "/api/v1/txs/" + zz, status: 400, code: "malformed", detail: "tx id"},
		{name: "tx id short", path: "/api/v1/txs/abc", status: 400, code: "malformed", detail: "want 64 hex characters"},
		{name: "unknown tx", path: "/api/v1/txs/" + unknown, status: 404, code: "not_found", detail: "tx " + unknown + " not found"},
		{name: "proof id not hex", path: "/api/v1/txs/" + zz + "/proof", status: 400, code: "malformed", detail: "tx id"},
		{name: "proof of unknown tx", path: "/api/v1/txs/" + unknown + "/proof", status: 404, code: "not_found", detail: "no confirmed tx"},
		{name: "proof of pending tx", path: "/api/v1/txs/" + f.dup.ID().String() + "/proof", status: 404, code: "not_found", detail: "pending"},
		{name: "block id not a number", path: "/api/v1/blocks/abc", status: 400, code: "malformed", detail: `block id "abc"`},
		{name: "negative block height", path: "/api/v1/blocks/-1", status: 400, code: "malformed", detail: "height"},
		{name: "block hash not hex", path: "/api/v1/blocks/" + zz, status: 400, code: "malformed", detail: "not hex"},
		{name: "unknown block height", path: "/api/v1/blocks/99", status: 404, code: "not_found", detail: "no block at height 99"},
		{name: "unknown block hash", path: "/api/v1/blocks/" + unknown, status: 404, code: "not_found", detail: "block " + unknown},
		{name: "txids: block id not a number", path: "/api/v1/blocks/abc/txids", status: 400, code: "malformed", detail: `block id "abc"`},
		{name: "txids: unknown block height", path: "/api/v1/blocks/99/txids", status: 404, code: "not_found", detail: "no block at height 99"},
		{name: "txids: unknown block hash", path: "/api/v1/blocks/" + unknown + "/txids", status: 404, code: "not_found", detail: "block " + unknown},
		{name: "blocks limit not a number", path: "/api/v1/blocks?limit=abc", status: 400, code: "malformed", detail: "limit"},
		{name: "blocks limit too big", path: "/api/v1/blocks?limit=1000", status: 400, code: "malformed", detail: "limit"},
		{name: "blocks from negative", path: "/api/v1/blocks?from=-1", status: 400, code: "malformed", detail: "from"},
		{name: "account bad checksum", path: "/api/v1/accounts/" + badAddress(), status: 400, code: "malformed", detail: "invalid checksum"},
		{name: "account wrong prefix", path: "/api/v1/accounts/" + addr(0).Encode("other"), status: 400, code: "malformed", detail: "prefix"},
		{name: "unknown account", path: "/api/v1/accounts/" + addr(9).Encode(p), status: 404, code: "not_found", detail: "account"},
		{name: "history bad address", path: "/api/v1/accounts/" + badAddress() + "/txs", status: 400, code: "malformed", detail: "checksum"},
		{name: "history cursor not hex", path: "/api/v1/accounts/" + a0 + "/txs?before=zz", status: 400, code: "malformed", detail: "before"},
		{name: "history unknown cursor", path: "/api/v1/accounts/" + a0 + "/txs?before=" + unknown, status: 404, code: "not_found", detail: "before"},
		{name: "history limit 0", path: "/api/v1/accounts/" + a0 + "/txs?limit=0", status: 400, code: "malformed", detail: "limit"},
		{name: "mempool limit negative", path: "/api/v1/mempool?limit=-5", status: 400, code: "malformed", detail: "limit"},
		{name: "chain limit not a number", path: "/chain?limit=abc", status: 400, code: "malformed", detail: "limit"},
		{name: "chain from not a number", path: "/chain?from=x", status: 400, code: "malformed", detail: "from"},
		{name: "events bad Last-Event-ID", path: "/api/v1/events", header: []string{"Last-Event-ID", "abc"}, status: 400, code: "malformed", detail: "Last-Event-ID"},
		{name: "events bad last_event_id", path: "/api/v1/events?last_event_id=-3", status: 400, code: "malformed", detail: "last_event_id"},

		{name: "mining without token", method: "POST", path: "/api/v1/mining", body: `{"threads":1}`, status: 401, code: "unauthorized", detail: "missing admin token"},
		{name: "mining wrong token", method: "POST", path: "/api/v1/mining", body: `{"threads":1}`, header: []string{"Authorization", "Bearer nope"}, status: 401, code: "unauthorized", detail: "wrong admin token"},
		{name: "mining basic auth", method: "POST", path: "/api/v1/mining", body: `{"threads":1}`, header: []string{"Authorization", "Basic " + testToken}, status: 401, code: "unauthorized", detail: "not a bearer token"},
		{name: "mining unknown field", method: "POST", path: "/api/v1/mining", body: `{"thread":1}`, header: tok, status: 400, code: "malformed", detail: `unknown field "thread"`},
		{name: "mining wrong type", method: "POST", path: "/api/v1/mining", body: `{"threads":"2"}`, header: tok, status: 400, code: "malformed", detail: "threads: want an integer"},
		{name: "mining threads too many", method: "POST", path: "/api/v1/mining", body: `{"threads":100000}`, header: tok, status: 400, code: "malformed", detail: "threads 100000"},
		{name: "mining bad address", method: "POST", path: "/api/v1/mining", body: `{"address":"` + badAddress() + `"}`, header: tok, status: 400, code: "malformed", detail: "invalid checksum"},
		{name: "mining enabled without address", method: "POST", path: "/api/v1/mining", body: `{"enabled":true}`, header: tok, status: 400, code: "malformed", detail: "address"},
		{name: "mining malformed JSON", method: "POST", path: "/api/v1/mining", body: `{"enabled":tru}`, header: tok, status: 400, code: "malformed", detail: "invalid JSON"},
		{name: "mining oversized body", method: "POST", path: "/api/v1/mining", body: bytes.Repeat([]byte(" "), 1<<20+1), header: tok, status: 413, code: "too_large", detail: "limit"},
		{name: "mine without token", path: "/mine", status: 401, code: "unauthorized", detail: "missing admin token"},
		{name: "mine wrong token", path: "/mine", header: []string{"Authorization", "Bearer " + testToken + "x"}, status: 401, code: "unauthorized", detail: "wrong admin token"},
		{name: "mine bad address", path: "/mine?address=" + addr(0).Encode("other"), header: tok, status: 400, code: "malformed", detail: "prefix"},

		{name: "batch not an array", method: "POST", path: "/api/v1/txs/batch", body: `{}`, status: 400, code: "malformed", detail: "want a JSON array"},
		{name: "batch malformed JSON", method: "POST", path: "/api/v1/txs/batch", body: `[{"version":1}`, status: 400, code: "malformed", detail: "invalid JSON"},
		{name: "batch null", method: "POST", path: "/api/v1/txs/batch", body: `null`, status: 400, code: "malformed", detail: "null"},
		{name: "batch empty body", method: "POST", path: "/api/v1/txs/batch", body: ``, status: 400, code: "malformed", detail: "empty"},
		{name: "batch too many txs", method: "POST", path: "/api/v1/txs/batch", body: many, status: 413, code: "too_large", detail: "batch of 10001 txs"},
		{name: "batch oversized body", method: "POST", path: "/api/v1/txs/batch", body: bytes.Repeat([]byte(" "), 8<<20+1), status: 413, code: "too_large", detail: "limit"},

		{name: "unknown route", path: "/api/v1/nope", status: 404, code: "not_found", detail: "no such endpoint"},
		{name: "unknown root route", path: "/nope", status: 404, code: "not_found", detail: "no such endpoint"},
		{name: "wrong method", method: "DELETE", path: "/api/v1/txs", status: 405, code: "method_not_allowed", detail: "DELETE"},
		{name: "GET a POST route", path: "/transactions/new", status: 405, code: "method_not_allowed", detail: "POST"},
		{name: "POST a GET route", method: "POST", path: "/api/v1/status", body: `{}`, status: 405, code: "method_not_allowed", detail: "GET"},
	}
	mining := f.n.Miner.Stats()
	for _, c := range cases {
		if c.method == "" {
			c.method = http.MethodGet
		}
		t.Run(c.name, func(t *testing.T) { f.expect(t, c, before) })
	}
	if got := f.n.Miner.Stats(); got.Threads != mining.Threads || got.Enabled != mining.Enabled || got.Address != mining.Address {
		t.Errorf("rejected POST /mining changed the miner: %+v -> %+v", mining, got)
	}
}

// expect sends c and checks its problem and that nothing changed.
func (f *badFixture) expect(t *testing.T, c badCase, before snapshot) {
	t.Helper()
	e := *f.env
	e.t = t
	code, h, body := e.do(c.method, c.path, c.body, c.header...)
	if code != c.status {
		t.Errorf("status %d, want %d: %s", code, c.status, body)
	}
	if ct := h.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q", ct)
	}
	p := problemOf(t, body)
	t.Logf("%d %s: %s", p.Status, p.Code, p.Detail)
	if p.Code != c.code || p.Status != c.status || p.Title != http.StatusText(c.status) {
		t.Errorf("problem %+v, want code %s status %d", p, c.code, c.status)
	}
	if !strings.Contains(p.Detail, c.detail) {
		t.Errorf("detail %q does not mention %q", p.Detail, c.detail)
	}
	if c.status == 401 && h.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	if c.status == 405 && h.Get("Allow") == "" {
		t.Error("405 without Allow")
	}
	f.unchanged(t, before)
}

// unchanged checks the tip, the state digest and the mempool.
func (f *badFixture) unchanged(t *testing.T, before snapshot) {
	t.Helper()
	if after := f.snapshot(); after != before {
		t.Errorf("state changed: %+v -> %+v", before, after)
	}
}
