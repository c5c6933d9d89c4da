package client

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// canned serves fixed answers: each route is "METHOD /path" (Go 1.22
// ServeMux patterns) with a handler; requests are recorded.
func canned(t *testing.T, routes map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for pattern, h := range routes {
		mux.HandleFunc(pattern, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeProblem(w http.ResponseWriter, p wire.Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func fixed(status int, v any) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, status, v) }
}

func raw(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func testTx(t *testing.T, nonce uint64) *core.Tx {
	t.Helper()
	return testkit.NewKey(0).Transfer("test", core.Address{1, 2, 3}, 150_000_000, 1000, nonce)
}

func TestNormalizeBase(t *testing.T) {
	cases := []struct {
		in, want string
		bad      bool
	}{
		{in: "http://127.0.0.1:8645", want: "http://127.0.0.1:8645"},
		{in: "http://127.0.0.1:8645/", want: "http://127.0.0.1:8645"},
		{in: "http://127.0.0.1:8645/api/v1/", want: "http://127.0.0.1:8645"},
		{in: "127.0.0.1:8645", want: "http://127.0.0.1:8645"},
		{in: "https://node.example/cairn", want: "https://node.example/cairn"},
		{in: " http://h:1 ", want: "http://h:1"},
		{in: "", bad: true},
		{in: "ftp://h", bad: true},
		{in: "http://", bad: true},
		{in: "http://h:1/?x=1", bad: true},
		{in: "http://user:pw@h:1", bad: true},
		{in: "http://h:1/%zz", bad: true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := normalizeBase(c.in)
			if c.bad {
				if err == nil {
					t.Fatalf("normalizeBase(%q) = %q, want an error", c.in, got)
				}
				// Every call reports the bad URL.
				if _, err := New(c.in).Status(context.Background()); err == nil {
					t.Fatal("Status with a bad base URL succeeded")
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("normalizeBase(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}

// TestEndpoints checks each method's request (method, path, query, body,
// token) and the decoding of a canned answer.
func TestEndpoints(t *testing.T) {
	tx := testTx(t, 7)
	id := tx.ID().String()
	block := wire.Block{BlockHeader: wire.BlockHeader{Hash: "ab", Height: 3, TxCount: 1}, Reward: 5, MainChain: true, Txs: []wire.Tx{tx.JSON("cairn")}}
	var seen []string
	record := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			line := r.Method + " " + r.URL.RequestURI()
			if a := r.Header.Get("Authorization"); a != "" {
				line += " [" + a + "]"
			}
			seen = append(seen, line)
			h(w, r)
		}
	}
	srv := canned(t, map[string]http.HandlerFunc{
		"GET /api/v1/status":                record(fixed(200, wire.Status{ChainID: "test", Height: 9, Decimals: 8, MinFee: 1000, AddressPrefix: "cairn"})),
		"GET /api/v1/blocks":                record(fixed(200, wire.Blocks{Blocks: []wire.BlockHeader{{Height: 2}, {Height: 1}}})),
		"GET /api/v1/blocks/{b}":            record(fixed(200, block)),
		"GET /api/v1/blocks/{b}/txids":      record(fixed(200, wire.BlockTxIDs{Hash: "ab", Height: 3, MainChain: true, TxIDs: []string{id}})),
		"GET /api/v1/permissions":           record(fixed(200, wire.Permissions{Height: 3, Enabled: true, Admins: []wire.PermMember{{Address: "cairn1a"}}})),
		"GET /api/v1/permissions/roles/{r}": record(fixed(200, wire.PermMembersPage{Role: "submit", Enabled: true, Restricted: true, Count: 3, Members: []wire.PermMember{{Address: "cairn1b"}}, Next: "cairn1b"})),
		"GET /api/v1/permissions/{a}":       record(fixed(200, wire.AccountPermissions{Address: "cairn1a", Enabled: true, Admin: true, Roles: []wire.AccountRole{{Role: "submit", Permitted: true}}})),
		"GET /api/v1/txs/{id}":              record(fixed(200, wire.TxInfo{Tx: tx.JSON("cairn"), Status: wire.StatusConfirmed, Height: 3, Confirmations: 2})),
		"GET /api/v1/txs/{id}/proof":        record(fixed(200, wire.Proof{TxID: id, Height: 3, Size: 1})),
		"POST /api/v1/txs": record(func(w http.ResponseWriter, r *http.Request) {
			var body map[string]any
			json.NewDecoder(r.Body).Decode(&body)
			if rawHex, ok := body["raw"].(string); ok {
				if len(body) != 1 {
					writeProblem(w, wire.Problem{Status: 400, Code: "malformed", Detail: fmt.Sprintf("raw with other fields: %v", body)})
					return
				}
				b, _ := hex.DecodeString(rawHex)
				got, err := core.DecodeTx(b)
				if err != nil {
					writeProblem(w, wire.Problem{Status: 400, Code: "malformed", Detail: err.Error()})
					return
				}
				writeJSON(w, 202, wire.TxAccepted{ID: got.ID().String()})
				return
			}
			writeJSON(w, 202, wire.TxAccepted{ID: id})
		}),
		"POST /api/v1/txs/batch": record(func(w http.ResponseWriter, r *http.Request) {
			var items []map[string]string
			if err := json.NewDecoder(r.Body).Decode(&items); err != nil || len(items) != 2 || items[0]["raw"] == "" {
				writeProblem(w, wire.Problem{Status: 400, Code: "malformed", Detail: "bad batch"})
				return
			}
			writeJSON(w, 200, []wire.BatchResult{{ID: id}, {Error: &wire.Problem{Status: 409, Code: "duplicate", Detail: "known"}}})
		}),
		"GET /api/v1/accounts/{a}":     record(fixed(200, wire.Account{Address: "cairn1x", Balance: 10, PendingNonce: 4})),
		"GET /api/v1/accounts/{a}/txs": record(fixed(200, wire.AccountTxs{Txs: []wire.TxInfo{{Status: "pending"}}, Next: "n"})),
		"GET /api/v1/mempool":          record(fixed(200, wire.Mempool{Count: 1, Bytes: 200, Txs: []wire.Tx{tx.JSON("cairn")}})),
		"GET /api/v1/mining":           record(fixed(200, wire.Mining{Enabled: false, Threads: 2})),
		"POST /api/v1/mining":          record(fixed(200, wire.Mining{Enabled: true, Threads: 4})),
		"GET /mine":                    record(fixed(200, block)),
		"GET /chain":                   record(fixed(200, wire.Chain{Chain: []wire.Block{block}, Length: 4})),
		"GET /api/v1/peers":            record(fixed(200, map[string]any{"peers": []wire.Peer{{ID: "p1", Addrs: []string{"/ip4/127.0.0.1/tcp/1"}}}})),
		"POST /api/v1/peers":           record(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }),
		"GET /healthz":                 record(raw(200, "text/plain", "ok")),
		"GET /api/v1/openapi.json":     record(fixed(200, map[string]string{"openapi": "3.1.0"})),
	})
	c := New(srv.URL, WithToken("sekret"))
	ctx := context.Background()
	check := func(name string, err error, ok bool, wantReq string) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if !ok {
			t.Errorf("%s: unexpected answer", name)
		}
		if len(seen) == 0 || seen[len(seen)-1] != wantReq {
			t.Errorf("%s: request %q, want %q", name, seen, wantReq)
		}
		seen = nil
	}
	st, err := c.Status(ctx)
	check("Status", err, err == nil && st.ChainID == "test" && st.Height == 9, "GET /api/v1/status")
	bs, err := c.Blocks(ctx, 5, 2)
	check("Blocks", err, len(bs) == 2 && bs[0].Height == 2, "GET /api/v1/blocks?from=5&limit=2")
	bs, err = c.LatestBlocks(ctx, 0)
	check("LatestBlocks", err, len(bs) == 2, "GET /api/v1/blocks")
	b, err := c.Block(ctx, "3")
	check("Block", err, err == nil && b.Height == 3 && b.MainChain && len(b.Txs) == 1, "GET /api/v1/blocks/3")
	bt, err := c.BlockTxIDs(ctx, "ab")
	check("BlockTxIDs", err, err == nil && bt.Height == 3 && len(bt.TxIDs) == 1 && bt.TxIDs[0] == id, "GET /api/v1/blocks/ab/txids")
	pm, err := c.Permissions(ctx)
	check("Permissions", err, err == nil && pm.Enabled && len(pm.Admins) == 1, "GET /api/v1/permissions")
	pp, err := c.PermissionMembers(ctx, "submit", 1, "cairn1a")
	check("PermissionMembers", err, err == nil && pp.Count == 3 && len(pp.Members) == 1 && pp.Next == "cairn1b", "GET /api/v1/permissions/roles/submit?after=cairn1a&limit=1")
	ap, err := c.AccountPermissions(ctx, "cairn1a")
	check("AccountPermissions", err, err == nil && ap.Admin && len(ap.Roles) == 1 && ap.Roles[0].Permitted, "GET /api/v1/permissions/cairn1a")
	ti, err := c.Tx(ctx, id)
	check("Tx", err, err == nil && ti.Status == wire.StatusConfirmed && ti.Tx.ID == id, "GET /api/v1/txs/"+id)
	p, err := c.Proof(ctx, id)
	check("Proof", err, err == nil && p.TxID == id, "GET /api/v1/txs/"+id+"/proof")
	got, err := c.SubmitTx(ctx, tx)
	check("SubmitTx", err, got == id, "POST /api/v1/txs")
	got, err = c.SubmitTxJSON(ctx, tx.JSON("cairn"))
	check("SubmitTxJSON", err, got == id, "POST /api/v1/txs")
	res, err := c.SubmitBatch(ctx, []*core.Tx{tx, testTx(t, 8)})
	check("SubmitBatch", err, len(res) == 2 && res[0].ID == id && res[1].Error.Code == "duplicate", "POST /api/v1/txs/batch")
	dc := New(srv.URL, WithDurable())
	got, err = dc.SubmitTx(ctx, tx)
	check("SubmitTx durable", err, got == id, "POST /api/v1/txs?durable=true")
	got, err = dc.SubmitTxJSON(ctx, tx.JSON("cairn"))
	check("SubmitTxJSON durable", err, got == id, "POST /api/v1/txs?durable=true")
	res, err = dc.SubmitBatch(ctx, []*core.Tx{tx, testTx(t, 8)})
	check("SubmitBatch durable", err, len(res) == 2 && res[0].ID == id, "POST /api/v1/txs/batch?durable=true")
	a, err := c.Account(ctx, "cairn1x")
	check("Account", err, err == nil && a.PendingNonce == 4, "GET /api/v1/accounts/cairn1x")
	at, err := c.AccountTxs(ctx, "cairn1x", 10, "abc")
	check("AccountTxs", err, err == nil && at.Next == "n" && len(at.Txs) == 1, "GET /api/v1/accounts/cairn1x/txs?before=abc&limit=10")
	mp, err := c.Mempool(ctx, 5)
	check("Mempool", err, err == nil && mp.Count == 1, "GET /api/v1/mempool?limit=5")
	m, err := c.Mining(ctx)
	check("Mining", err, err == nil && m.Threads == 2, "GET /api/v1/mining")
	on, threads := true, 4
	m, err = c.SetMining(ctx, wire.MiningUpdate{Enabled: &on, Threads: &threads})
	check("SetMining", err, err == nil && m.Enabled, "POST /api/v1/mining [Bearer sekret]")
	b, err = c.MineOne(ctx)
	check("MineOne", err, err == nil && b.Height == 3, "GET /mine [Bearer sekret]")
	ch, err := c.Chain(ctx, 2, 10)
	check("Chain", err, err == nil && ch.Length == 4 && len(ch.Chain) == 1, "GET /chain?from=2&limit=10")
	ps, err := c.Peers(ctx)
	check("Peers", err, len(ps) == 1 && ps[0].ID == "p1", "GET /api/v1/peers")
	err = c.AddPeer(ctx, "/ip4/127.0.0.1/tcp/1")
	check("AddPeer", err, true, "POST /api/v1/peers [Bearer sekret]")
	err = c.Healthz(ctx)
	check("Healthz", err, true, "GET /healthz")
	doc, err := c.OpenAPI(ctx)
	check("OpenAPI", err, strings.Contains(string(doc), "3.1.0"), "GET /api/v1/openapi.json")

	for name, call := range map[string]func() error{
		"Block":      func() error { _, err := c.Block(ctx, ""); return err },
		"Tx":         func() error { _, err := c.Tx(ctx, ""); return err },
		"Proof":      func() error { _, err := c.Proof(ctx, ""); return err },
		"Account":    func() error { _, err := c.Account(ctx, ""); return err },
		"AccountTxs": func() error { _, err := c.AccountTxs(ctx, "", 0, ""); return err },
		"SubmitTx":   func() error { _, err := c.SubmitTx(ctx, nil); return err },
		"Batch":      func() error { _, err := c.SubmitBatch(ctx, []*core.Tx{nil}); return err },
	} {
		if err := call(); err == nil {
			t.Errorf("%s with an empty argument succeeded", name)
		}
	}
	if len(seen) != 0 {
		t.Errorf("calls with empty arguments reached the server: %q", seen)
	}
}

// TestErrors checks how failed answers become errors.
func TestErrors(t *testing.T) {
	srv := canned(t, map[string]http.HandlerFunc{
		"GET /api/v1/accounts/{a}": func(w http.ResponseWriter, _ *http.Request) {
			writeProblem(w, wire.Problem{Title: "Not Found", Status: 404, Code: "not_found", Detail: "no account cairn1x"})
		},
		"POST /api/v1/txs": func(w http.ResponseWriter, _ *http.Request) {
			writeProblem(w, wire.Problem{Title: "Unprocessable", Status: 422, Code: "insufficient_funds", Detail: "balance 5, needs 7"})
		},
		"GET /api/v1/status":       raw(502, "text/html", "<html>bad gateway</html>"),
		"GET /api/v1/mempool":      raw(200, "application/json", "{not json"),
		"GET /api/v1/mining":       raw(200, "application/json", ""),
		"GET /api/v1/blocks/{b}":   raw(200, "application/json", `{"hash": "`+strings.Repeat("a", 5000)+`"}`),
		"GET /api/v1/txs/{id}":     raw(500, "application/problem+json", "garbage"),
		"GET /mine":                raw(401, "application/problem+json", `{"status":401,"code":"unauthorized","detail":"missing token"}`),
		"GET /api/v1/peers":        raw(200, "application/json", `{"other": []}`),
		"POST /api/v1/txs/batch":   fixed(200, []wire.BatchResult{{ID: "x"}}),
		"GET /api/v1/openapi.json": raw(200, "application/json", "[1, 2"),
	})
	c := New(srv.URL, WithMaxBodyBytes(1000))
	ctx := context.Background()

	problem := func(t *testing.T, err error, code string, status int) {
		t.Helper()
		var p *wire.Problem
		if !errors.As(err, &p) {
			t.Fatalf("error %v (%T), want *wire.Problem", err, err)
		}
		if p.Code != code || p.Status != status {
			t.Fatalf("problem %+v, want code %s status %d", p, code, status)
		}
	}
	t.Run("problem 404", func(t *testing.T) {
		_, err := c.Account(ctx, "cairn1x")
		problem(t, err, "not_found", 404)
		if err.Error() != "no account cairn1x" {
			t.Fatalf("message %q", err)
		}
	})
	t.Run("problem 422", func(t *testing.T) {
		_, err := c.SubmitTx(ctx, testTx(t, 0))
		problem(t, err, "insufficient_funds", 422)
	})
	t.Run("problem without title", func(t *testing.T) {
		_, err := c.MineOne(ctx)
		problem(t, err, "unauthorized", 401)
	})
	responseErr := func(t *testing.T, err error, want string) {
		t.Helper()
		var re *ResponseError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v (%T), want *ResponseError containing %q", err, err, want)
		}
	}
	statusErr := func(t *testing.T, err error, code int, want string) {
		t.Helper()
		var se *StatusError
		if !errors.As(err, &se) || se.StatusCode != code || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v (%T), want *StatusError %d containing %q", err, err, code, want)
		}
	}
	t.Run("html 502", func(t *testing.T) {
		_, err := c.Status(ctx)
		statusErr(t, err, 502, "bad gateway")
	})
	t.Run("garbage problem", func(t *testing.T) {
		_, err := c.Tx(ctx, "ab")
		statusErr(t, err, 500, "garbage")
	})
	t.Run("unknown route", func(t *testing.T) {
		_, err := c.Chain(ctx, 0, 0)
		statusErr(t, err, 404, "/chain")
	})
	t.Run("garbage 200", func(t *testing.T) {
		_, err := c.Mempool(ctx, 0)
		responseErr(t, err, "{not json")
	})
	t.Run("empty 200", func(t *testing.T) {
		_, err := c.Mining(ctx)
		responseErr(t, err, "empty body")
	})
	t.Run("too large", func(t *testing.T) {
		_, err := c.Block(ctx, "1")
		responseErr(t, err, "larger than 1000 bytes")
	})
	t.Run("truncated raw", func(t *testing.T) {
		_, err := c.OpenAPI(ctx)
		responseErr(t, err, "JSON")
	})
	t.Run("list missing", func(t *testing.T) {
		_, err := c.Peers(ctx)
		responseErr(t, err, `no "peers"`)
	})
	t.Run("batch count", func(t *testing.T) {
		_, err := c.SubmitBatch(ctx, []*core.Tx{testTx(t, 0), testTx(t, 1)})
		responseErr(t, err, "1 results for 2 txs")
	})
	t.Run("wrong id", func(t *testing.T) {
		srv := canned(t, map[string]http.HandlerFunc{"POST /api/v1/txs": fixed(202, wire.TxAccepted{ID: "beef"})})
		_, err := New(srv.URL).SubmitTx(ctx, testTx(t, 0))
		responseErr(t, err, `accepted tx "beef"`)
	})
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	_, err = New(base).Status(context.Background())
	var ce *ConnError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T), want *ConnError", err, err)
	}
	if want := "cannot reach the node at " + base + ": connection refused"; err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
	if _, err := New(base).Events(context.Background(), ""); !errors.As(err, &ce) {
		t.Fatalf("Events: %v, want *ConnError", err)
	}
}

func TestTimeout(t *testing.T) {
	srv := canned(t, map[string]http.HandlerFunc{
		"GET /api/v1/status": func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	})
	_, err := New(srv.URL, WithTimeout(50*time.Millisecond)).Status(context.Background())
	var ce *ConnError
	if !errors.As(err, &ce) || ce.Timeout != 50*time.Millisecond {
		t.Fatalf("error %v (%T), want a *ConnError with the timeout", err, err)
	}
	if !strings.Contains(err.Error(), "did not answer within 50ms") || !strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("message %q", err)
	}

	// The caller's own cancellation is the context's error, not a ConnError.
	ctx, cancel := context.WithCancel(context.Background())
	srv2 := canned(t, map[string]http.HandlerFunc{
		"GET /api/v1/status": func(_ http.ResponseWriter, r *http.Request) { cancel(); <-r.Context().Done() },
	})
	_, err = New(srv2.URL).Status(ctx)
	if !errors.Is(err, context.Canceled) || errors.As(err, &ce) {
		t.Fatalf("error %v (%T), want context.Canceled", err, err)
	}
}

func TestSetMiningWithoutBody(t *testing.T) {
	srv := canned(t, map[string]http.HandlerFunc{
		"POST /api/v1/mining": func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer tok" {
				writeProblem(w, wire.Problem{Status: 401, Code: "unauthorized", Detail: "missing or wrong admin token"})
				return
			}
			w.WriteHeader(http.StatusNoContent)
		},
		"GET /api/v1/mining": fixed(200, wire.Mining{Enabled: true, Threads: 1}),
	})
	off := false
	if _, err := New(srv.URL).SetMining(context.Background(), wire.MiningUpdate{Enabled: &off}); err == nil || !strings.Contains(err.Error(), "admin token") {
		t.Fatalf("SetMining without a token: %v", err)
	}
	m, err := New(srv.URL, WithToken("tok")).SetMining(context.Background(), wire.MiningUpdate{Enabled: &off})
	if err != nil || !m.Enabled {
		t.Fatalf("SetMining: %+v, %v", m, err)
	}
}

func TestHealthzFallback(t *testing.T) {
	srv := canned(t, map[string]http.HandlerFunc{"GET /api/v1/healthz": raw(200, "text/plain", "ok")})
	if err := New(srv.URL).Healthz(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv = canned(t, map[string]http.HandlerFunc{"GET /healthz": raw(503, "text/plain", "syncing")})
	if err := New(srv.URL).Healthz(context.Background()); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("unhealthy node: %v", err)
	}
}
