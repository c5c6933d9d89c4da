package api_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
)

// TestRateLimit checks the per-client limit on POSTs: a burst, then 429
// with Retry-After until the bucket refills; a batch counts its txs; GETs
// and admin requests are not limited. (The test's client is on loopback,
// which is limited only with RateLimitLoopback.)
func TestRateLimit(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	e := newEnv(t, 1, func(c *api.Config) {
		c.RateLimit, c.RateBurst, c.RateLimitLoopback = 1, 2, true
		c.Now = func() time.Time { return now }
	})
	before := (&badFixture{env: e}).snapshot()
	post := func(h ...string) (int, http.Header, []byte) {
		return e.do(http.MethodPost, "/api/v1/txs", `{}`, h...)
	}
	for i := range 2 {
		if code, _, body := post(); code != http.StatusBadRequest {
			t.Fatalf("POST %d within the burst: %d %s", i, code, body)
		}
	}
	code, h, body := post()
	p := problemOf(t, body)
	if code != http.StatusTooManyRequests || p.Code != "rate_limited" || h.Get("Retry-After") != "1" || !strings.Contains(p.Detail, "too many POST") {
		t.Fatalf("POST over the limit: %d %s %+v", code, h.Get("Retry-After"), p)
	}
	if code, _, _ := e.do(http.MethodGet, "/api/v1/status", nil); code != http.StatusOK {
		t.Fatalf("GET was limited: %d", code)
	}
	for range 5 {
		if code, _, body := e.do(http.MethodPost, "/api/v1/mining", `{}`, admin...); code != http.StatusOK {
			t.Fatalf("admin POST was limited: %d %s", code, body)
		}
	}
	now = now.Add(time.Second)
	if code, _, _ := post(); code != http.StatusBadRequest {
		t.Fatalf("POST after a refill: %d", code)
	}
	// A batch takes a token per tx: two fit a full bucket, then not even
	// one POST is left; a refused batch takes nothing.
	batch := func(n int) (int, http.Header, *wire.Problem) {
		body := "[" + strings.TrimSuffix(strings.Repeat("{},", n), ",") + "]"
		code, h, out := e.do(http.MethodPost, "/api/v1/txs/batch", body)
		if code == http.StatusOK {
			return code, h, nil
		}
		p := problemOf(t, out)
		return code, h, &p
	}
	now = now.Add(2 * time.Second)
	if code, _, p := batch(2); code != http.StatusOK {
		t.Fatalf("batch of 2 with 2 tokens: %d %+v", code, p)
	}
	if code, _, _ := post(); code != http.StatusTooManyRequests {
		t.Fatalf("POST after a batch emptied the bucket: %d", code)
	}
	now = now.Add(time.Second)
	if code, h, p := batch(2); code != http.StatusTooManyRequests || h.Get("Retry-After") != "1" || !strings.Contains(p.Detail, "txs/s per client") {
		t.Fatalf("batch of 2 with 1 token: %d %s %+v", code, h.Get("Retry-After"), p)
	}
	if code, _, p := batch(3); code != http.StatusTooManyRequests || !strings.Contains(p.Detail, "split it") {
		t.Fatalf("batch larger than the burst: %d %+v", code, p)
	}
	if code, _, _ := post(); code != http.StatusBadRequest {
		t.Fatalf("the refused batches took the token: POST %d", code)
	}
	if after := (&badFixture{env: e}).snapshot(); after != before {
		t.Fatalf("state changed: %+v -> %+v", before, after)
	}
}

// TestAdminDisabledWithoutToken: with no token configured, admin routes
// always answer 401, whatever the client sends.
func TestAdminDisabledWithoutToken(t *testing.T) {
	e := newEnv(t, 1, func(c *api.Config) { c.Token = "" })
	for _, h := range [][]string{nil, {"Authorization", "Bearer "}, {"Authorization", "Bearer " + testToken}} {
		code, _, body := e.do(http.MethodGet, "/mine", nil, h...)
		if p := problemOf(t, body); code != http.StatusUnauthorized || !strings.Contains(p.Detail, "disabled") {
			t.Fatalf("GET /mine with %v: %d %+v", h, code, p)
		}
	}
}

// TestChunkedBodyCap: a body without Content-Length is cut at the cap too.
func TestChunkedBodyCap(t *testing.T) {
	e := newEnv(t, 1, func(c *api.Config) { c.MaxBody = 1000 })
	body := io.MultiReader(strings.NewReader(`{"memo":"`), bytes.NewReader(bytes.Repeat([]byte("a"), 2000)), strings.NewReader(`"}`))
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/txs", body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if p := problemOf(t, out); resp.StatusCode != http.StatusRequestEntityTooLarge || req.ContentLength != 0 ||
		p.Code != "too_large" || !strings.Contains(p.Detail, "1000") {
		t.Fatalf("chunked oversized body: %d %+v", resp.StatusCode, p)
	}
}
