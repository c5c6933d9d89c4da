package browsertest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cairn-chain/cairn/explorer"
)

// fakeAPI serves the explorer and the few API routes the tx page reads,
// with txs of today's shape (no kind) and of protocol v2's (kind, body).
func fakeAPI(t *testing.T, txs map[string]map[string]any) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle("/", explorer.Handler())
	writeJSON := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("/api/v1/status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"chain_id": "cairn-test", "decimals": 8, "height": 7, "version": "test"})
	})
	mux.HandleFunc("/api/v1/txs/", func(w http.ResponseWriter, r *http.Request) {
		tx, ok := txs[strings.TrimPrefix(r.URL.Path, "/api/v1/txs/")]
		if !ok {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			writeJSON(w, map[string]any{"title": "Not Found", "status": 404, "detail": "no such tx", "code": "not_found"})
			return
		}
		writeJSON(w, map[string]any{"tx": tx, "status": "pending", "confirmations": 0})
	})
	mux.HandleFunc("/api/v1/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// txView is the tx page's definition list as the browser shows it.
type txView struct {
	Labels []string          `json:"labels"`
	Values map[string]string `json:"values"`
	Kind   string            `json:"kind"`
	Body   []string          `json:"body"` // "label=value" of the body's top-level fields
	Pwned  bool              `json:"pwned"`
}

const readTxJS = `(() => {
	const dl = document.querySelector('main dl.kv');
	const labels = [], values = {};
	for (const dt of dl.querySelectorAll(':scope > dt')) { labels.push(dt.textContent); values[dt.textContent] = dt.nextElementSibling.textContent; }
	const body = document.querySelector('#tx-body > dl');
	return {
		labels, values,
		kind: (document.getElementById('tx-kind') || {}).textContent || '',
		body: body ? Array.from(body.querySelectorAll(':scope > dt')).map((dt) => dt.textContent + '=' + dt.nextElementSibling.textContent) : [],
		pwned: window.pwned === 1,
	};
})()`

// TestTxKindsInBrowser opens the tx page for each kind of tx: a transfer
// and a data tx as the API serves them, a kind the explorer has no
// renderer for, shown by name with its body's fields as text, an asset
// transfer whose asset the node does not know (base units), and a pending
// contract call (no receipt yet). The asset and item kinds against a real
// node: TestAssetsInBrowser; the contract kinds: TestContractsInBrowser.
func TestTxKindsInBrowser(t *testing.T) {
	chromiumPath(t)
	hash := strings.Repeat("ab", 32)
	base := map[string]any{"version": 1, "chain_id": "cairn-test", "from": strings.Repeat("0c", 32), "from_address": "cairn1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn",
		"fee": 1000, "nonce": 3, "signature": strings.Repeat("5a", 64)}
	with := func(id string, kv map[string]any) map[string]any {
		m := map[string]any{"id": id}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range kv {
			m[k] = v
		}
		return m
	}
	transferID, dataID, unknownID, assetID := strings.Repeat("1", 64), strings.Repeat("2", 64), strings.Repeat("3", 64), strings.Repeat("4", 64)
	callID := strings.Repeat("5", 64)
	const script = `<script>window.pwned=1</script><img src=x onerror="window.pwned=1">`
	srv := fakeAPI(t, map[string]map[string]any{
		transferID: with(transferID, map[string]any{"to": "cairn1zqqsyqcyq5rqwzqfpg9scrgwpugpzysn", "amount": 150000000, "memo": "6869"}),
		dataID:     with(dataID, map[string]any{"to": "cairn1zqqsyqcyq5rqwzqfpg9scrgwpugpzysn", "amount": 0, "memo": hash}),
		// A kind of a later protocol version.
		unknownID: with(unknownID, map[string]any{"kind": "stake_lock", "memo": "", "body": map[string]any{
			"asset": "00112233445566778899aabbccddeeff00112233", "to": script, "amount": 5,
			"roles": map[string]any{"minter": "cairn1zqq"}, "tags": []any{"a", "b"}, "none": nil,
		}}),
		// A pending contract call: no receipt yet.
		callID: with(callID, map[string]any{"kind": "contract_call", "memo": "", "body": map[string]any{
			"contract": "cairn1zqqsyqcyq5rqwzqfpg9scrgwpugpzysn", "input": "01ab", "amount": 150000000, "gas_limit": 1000,
		}}),
		// An asset this node cannot describe: base units and its id.
		assetID: with(assetID, map[string]any{"kind": "asset_transfer", "memo": "", "body": map[string]any{
			"asset": strings.Repeat("f", 40), "to": "cairn1zqqsyqcyq5rqwzqfpg9scrgwpugpzysn", "amount": 250,
		}}),
	})
	ctx, errs := browser(t)
	read := func(id string) txView {
		t.Helper()
		var v txView
		if err := chromedp.Run(ctx,
			chromedp.Navigate("about:blank"), // a new page: no #txid of the last one
			chromedp.Navigate(srv.URL+"/#/tx/"+id),
			chromedp.WaitVisible("#txid", chromedp.ByID),
			chromedp.Evaluate(readTxJS, &v),
		); err != nil {
			t.Fatalf("tx page %s: %v", id, err)
		}
		return v
	}
	envelope := func(mid []string, memo ...string) []string {
		l := append([]string{"ID", "Status", "Confirmations", "From", "Public key"}, mid...)
		l = append(l, "Fee", "Nonce", "Memo (hex)")
		return append(append(l, memo...), "Chain", "Signature")
	}

	v := read(transferID)
	if want := envelope([]string{"To", "Amount"}, "Memo (text)"); !reflect.DeepEqual(v.Labels, want) {
		t.Errorf("transfer: rows %v, want %v", v.Labels, want)
	}
	if v.Values["Amount"] != "1.5" || v.Values["Memo (text)"] != "hi" || v.Kind != "" {
		t.Errorf("transfer: %+v", v)
	}

	v = read(dataID)
	if want := envelope([]string{"To", "Amount"}, "Anchored hash"); !reflect.DeepEqual(v.Labels, want) {
		t.Errorf("data tx: rows %v, want %v", v.Labels, want)
	}
	if v.Values["Anchored hash"] != "SHA-256 "+hash || v.Values["Amount"] != "0" {
		t.Errorf("data tx: %+v", v)
	}

	v = read(unknownID)
	if want := envelope([]string{"Kind", "Body"}); !reflect.DeepEqual(v.Labels, want) {
		t.Errorf("unknown kind: rows %v, want %v", v.Labels, want)
	}
	// In the body's order (encoding/json sorts map keys).
	wantBody := []string{"amount=5", "asset=00112233445566778899aabbccddeeff00112233", "none=—",
		"roles=mintercairn1zqq", "tags=ab", "to=" + script}
	if v.Kind != "stake_lock" || !reflect.DeepEqual(v.Body, wantBody) || v.Pwned {
		t.Errorf("unknown kind: kind %q, body %q (pwned %v); want stake_lock, %q", v.Kind, v.Body, v.Pwned, wantBody)
	}
	screenshot(t, ctx, "tx-unknown-kind")

	v = read(callID)
	var receipt string
	if err := chromedp.Run(ctx, chromedp.Evaluate(textJS("#receipt"), &receipt)); err != nil {
		t.Fatal(err)
	}
	if want := envelope([]string{"Kind", "Contract", "Input", "Amount", "Gas limit"}); !reflect.DeepEqual(v.Labels, want) {
		t.Errorf("pending contract call: rows %v, want %v", v.Labels, want)
	}
	if v.Values["Contract"] != "cairn1zqqsyqcyq5rqwzqfpg9scrgwpugpzysn" || v.Values["Input"] != "01ab" || v.Values["Amount"] != "1.5" ||
		v.Values["Gas limit"] != "1,000" || !strings.HasPrefix(receipt, "Pending") {
		t.Errorf("pending contract call: %+v, receipt %q", v.Values, receipt)
	}

	v = read(assetID)
	if want := envelope([]string{"Kind", "Asset", "To", "Amount"}); !reflect.DeepEqual(v.Labels, want) {
		t.Errorf("asset_transfer: rows %v, want %v", v.Labels, want)
	}
	if want := "250 base units of ffffffffff…ffffffff"; v.Values["Amount"] != want || v.Kind != "asset_transfer" {
		t.Errorf("asset_transfer of an unknown asset: amount %q, kind %q; want %q", v.Values["Amount"], v.Kind, want)
	}
	if len(*errs) > 0 {
		t.Fatalf("console errors: %v", *errs)
	}
}
