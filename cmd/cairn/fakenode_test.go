package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// fakeNode is a canned REST API for the client commands: enough of
// docs/api.md to exercise send, tx, block, status, account, mine and
// verify-proof without a real node.
type fakeNode struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	status   wire.Status
	accounts map[string]wire.Account
	blocks   map[string]wire.Block // by hash and by height
	txs      map[string]*core.Tx   // submitted
	// txPolls counts GET /txs/{id}; the tx turns confirmed after
	// confirmAfter polls (never if negative).
	txPolls      int
	confirmAfter int
	forget       bool          // GET /txs/{id} answers not_found
	submitErr    *wire.Problem // POST /txs answers this problem
	token        string        // admin token for GET /mine
}

func newFakeNode(t *testing.T) *fakeNode {
	f := &fakeNode{
		t: t,
		status: wire.Status{ChainID: "test", Genesis: "00", Height: 4, Tip: "aa", Bits: "0x207fffff", AddressPrefix: "cairn",
			Decimals: 8, MinFee: 1000, Version: "fake"},
		accounts:     map[string]wire.Account{},
		blocks:       map[string]wire.Block{},
		txs:          map[string]*core.Tx{},
		confirmAfter: 1,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/status", func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		reply(w, 200, f.status)
	})
	mux.HandleFunc("GET /api/v1/accounts/{a}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		a, ok := f.accounts[r.PathValue("a")]
		if !ok {
			problem(w, 404, "not_found", "no account "+r.PathValue("a"))
			return
		}
		reply(w, 200, a)
	})
	mux.HandleFunc("POST /api/v1/txs", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.submitErr != nil {
			problem(w, f.submitErr.Status, f.submitErr.Code, f.submitErr.Detail)
			return
		}
		var body struct {
			Raw string `json:"raw"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			problem(w, 400, "malformed", err.Error())
			return
		}
		b, err := hex.DecodeString(body.Raw)
		if err != nil {
			problem(w, 400, "malformed", "raw: not hex")
			return
		}
		tx, err := core.DecodeTx(b)
		if err != nil {
			problem(w, 400, "malformed", err.Error())
			return
		}
		if err := tx.CheckSanity(f.status.ChainID, f.status.MinFee, true); err != nil {
			problem(w, 422, string(core.CodeOf(err)), err.Error())
			return
		}
		f.txs[tx.ID().String()] = tx
		reply(w, 202, wire.TxAccepted{ID: tx.ID().String()})
	})
	mux.HandleFunc("GET /api/v1/txs/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		tx, ok := f.txs[r.PathValue("id")]
		if !ok || f.forget {
			problem(w, 404, "not_found", "no tx "+r.PathValue("id"))
			return
		}
		f.txPolls++
		info := wire.TxInfo{Tx: tx.JSON(f.status.AddressPrefix), Status: wire.StatusPending}
		if f.confirmAfter >= 0 && f.txPolls > f.confirmAfter {
			info.Status, info.Height, info.BlockHash, info.Confirmations = wire.StatusConfirmed, 5, "bb", 1
		}
		reply(w, 200, info)
	})
	mux.HandleFunc("GET /api/v1/blocks/{b}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		b, ok := f.blocks[r.PathValue("b")]
		if !ok {
			problem(w, 404, "not_found", "no block "+r.PathValue("b"))
			return
		}
		reply(w, 200, b)
	})
	mux.HandleFunc("GET /api/v1/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: block\nid: 1\ndata: {\"height\":5}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	mux.HandleFunc("GET /mine", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+f.token {
			problem(w, 401, "unauthorized", "missing or wrong admin token")
			return
		}
		reply(w, 200, wire.Block{BlockHeader: wire.BlockHeader{Hash: "cc", Height: 6}})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeNode) url() string { return f.srv.URL }

func (f *fakeNode) setAccount(a wire.Account) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.accounts[a.Address] = a
}

// submitted returns the txs POSTed so far.
func (f *fakeNode) submitted() []*core.Tx {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*core.Tx
	for _, tx := range f.txs {
		out = append(out, tx)
	}
	return out
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func problem(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(wire.Problem{Title: http.StatusText(status), Status: status, Code: code, Detail: detail})
}
