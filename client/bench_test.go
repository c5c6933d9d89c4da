package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
)

// BenchmarkStatus measures a Status call against a local canned server and
// reports it as a ratio of a bare net/http GET of the same body measured
// in the same run (the machine's limit for one request): the client's
// overhead (URL building, capped read, problem checks, JSON decoding).
func BenchmarkStatus(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/status", fixed(200, wire.Status{ChainID: "bench", Height: 123456, Tip: strings.Repeat("ab", 32), Listen: []string{"/ip4/127.0.0.1/tcp/1"}}))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	hc := &http.Client{}
	raw := func() {
		resp, err := hc.Get(srv.URL + "/api/v1/status")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	const probe = 2000
	start := time.Now()
	for range probe {
		raw()
	}
	rawPer := time.Since(start) / probe
	c := New(srv.URL, WithHTTPClient(hc))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Status(ctx); err != nil {
			b.Fatal(err)
		}
	}
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per)/float64(rawPer), "x_bare_get")
}
