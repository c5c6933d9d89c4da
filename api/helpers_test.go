package api_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/cairn-chain/cairn/node"
	"github.com/prometheus/client_golang/prometheus"
)

const (
	testChain   = "cairn-test"
	testToken   = "secret-admin-token"
	testMinFee  = 10
	testBalance = 1_000_000_000
)

// key returns the i-th deterministic test key (i < 1<<16): testkit's key
// 0xa5<<16|i, of the seed i, i>>8, 0xa5, zeros (the keys these tests have
// always used).
func key(i int) testkit.Key { return testkit.NewKey(0xa5<<16 | i) }

// addr returns the i-th test key's address.
func addr(i int) core.Address { return key(i).Addr }

// testGenesis funds keys 0..n-1 on a chain with trivial proof of work
// whose genesis is now.
func testGenesis(n int) *core.Genesis {
	funded := make(map[core.Address]uint64, n)
	for i := range n {
		funded[addr(i)] = testBalance
	}
	g := testkit.Genesis(testChain, funded)
	g.Timestamp = uint64(time.Now().UnixMilli())
	g.MinFee = testMinFee
	return g
}

// env is a node with the API in front of it.
type env struct {
	t   testing.TB
	n   *node.Node
	srv *api.Server
	ts  *httptest.Server
	reg *prometheus.Registry
	// base, if set, is the URL requests go to instead of ts's (a server
	// started with Serve).
	base string
}

func (e *env) url() string {
	if e.base != "" {
		return e.base
	}
	return e.ts.URL
}

// newEnv starts a node funding keys 0..funded-1 and its API on an
// httptest server. cfg, if given, adjusts the API's Config.
func newEnv(t testing.TB, funded int, cfg func(*api.Config)) *env {
	t.Helper()
	n, err := node.New(node.Config{DataDir: t.TempDir(), Genesis: testGenesis(funded), Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	e := &env{t: t, n: n, reg: prometheus.NewRegistry()}
	c := api.Config{
		Backend:  backend(n),
		Token:    testToken,
		Version:  "test",
		Registry: e.reg,
	}
	if cfg != nil {
		cfg(&c)
	}
	if e.srv, err = api.New(c); err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

// backend is what the node will hand the API.
func backend(n *node.Node) api.Backend {
	b := n.APIBackend()
	b.PeerID = "test-peer"
	return b
}

// do sends a request; body may be nil, a []byte or a value to marshal.
func (e *env) do(method, path string, body any, header ...string) (int, http.Header, []byte) {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.url()+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, out
}

// get fetches path into v, requiring 200.
func (e *env) get(path string, v any) {
	e.t.Helper()
	code, _, body := e.do(http.MethodGet, path, nil)
	if code != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, code, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		e.t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// admin is the Authorization header with the admin token.
var admin = []string{"Authorization", "Bearer " + testToken}

// mine mines one block through GET /mine.
func (e *env) mine() wire.Block {
	e.t.Helper()
	code, _, body := e.do(http.MethodGet, "/mine", nil, admin...)
	if code != http.StatusOK {
		e.t.Fatalf("GET /mine: %d %s", code, body)
	}
	var b wire.Block
	if err := json.Unmarshal(body, &b); err != nil {
		e.t.Fatal(err)
	}
	return b
}

// submit posts a tx to POST /api/v1/txs, requiring 202.
func (e *env) submit(tx *core.Tx) string {
	e.t.Helper()
	code, _, body := e.do(http.MethodPost, "/api/v1/txs", tx.JSON(e.n.Genesis.AddressPrefix))
	if code != http.StatusAccepted {
		e.t.Fatalf("POST /txs: %d %s", code, body)
	}
	var a wire.TxAccepted
	if err := json.Unmarshal(body, &a); err != nil {
		e.t.Fatal(err)
	}
	return a.ID
}

// snapshot is what a bad request must not change.
type snapshot struct {
	tip, digest core.Hash
	height      uint64
	pool, bytes int
}

func (e *env) snapshot() snapshot {
	tip := e.n.Chain.Tip()
	return snapshot{tip: tip.Hash, digest: tip.StateDigest, height: tip.Height, pool: e.n.Pool.Count(), bytes: e.n.Pool.Bytes()}
}

// transfer returns a signed tx from key i.
func transfer(i int, to core.Address, amount, fee, nonce uint64) *core.Tx {
	return key(i).Transfer(testChain, to, amount, fee, nonce)
}

// fields returns tx's JSON as a map, to break.
func fields(tx *core.Tx) map[string]any {
	data, _ := json.Marshal(tx.JSON(core.DefaultAddressPrefix))
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		panic(err)
	}
	return m
}

// with returns a copy of m with k set to v (or removed if v is nil).
func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// problemOf decodes a problem body.
func problemOf(t testing.TB, body []byte) wire.Problem {
	t.Helper()
	var p wire.Problem
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("not a problem: %v: %s", err, body)
	}
	return p
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

// disableRateLimit lets a test send as many POSTs as it likes.
func disableRateLimit(c *api.Config) { c.RateLimit = -1 }
