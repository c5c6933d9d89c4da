package api_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api"
)

// serve runs e's server with Serve on a loopback listener until the test
// ends (or stop is called) and points e's requests at it.
func (e *env) serve() (stop func() error) {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, ln) }()
	e.base = "http://" + ln.Addr().String()
	stopped := false
	var result error
	stop = func() error {
		if stopped {
			return result
		}
		stopped = true
		cancel()
		select {
		case result = <-done:
		case <-time.After(10 * time.Second):
			e.t.Fatal("Serve did not return within 10 s of its context ending")
		}
		return result
	}
	e.t.Cleanup(func() { stop() })
	return stop
}

// metricValue returns the value of the first sample line of name with
// the given label fragment, or "" if absent.
func metricValue(text, name, labels string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, name) && strings.Contains(line, labels) {
			f := strings.Fields(line)
			return f[len(f)-1]
		}
	}
	return ""
}

// TestMetrics serves with Serve, moves the node, and reads /metrics.
func TestMetrics(t *testing.T) {
	e := newEnv(t, 2, func(c *api.Config) { c.Registry = nil }) // a new one, with the Go collector
	e.serve()
	e.submit(transfer(0, addr(1), 10, 10, 0))
	e.submit(transfer(0, addr(1), 10, 10, 1))
	e.mine()
	e.mine()
	var st struct{}
	e.get("/api/v1/status", &st)
	e.do(http.MethodGet, "/api/v1/nope", nil)

	var text string
	scrape := func() string {
		code, h, body := e.do(http.MethodGet, "/metrics", nil)
		if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
			t.Fatalf("GET /metrics: %d %s", code, h.Get("Content-Type"))
		}
		text = string(body)
		return text
	}
	waitFor(t, "the event-driven counters", func() bool {
		scrape()
		return metricValue(text, api.MetricTxs, "") == "2" && metricValue(text, api.MetricBlocks, "") == "2"
	})
	for _, c := range []struct{ name, labels, want string }{
		{api.MetricHeight, "", "2"},
		{api.MetricMempoolTxs, "", "0"},
		{api.MetricMempoolBytes, "", "0"},
		{api.MetricPeers, "", "0"},
		{api.MetricHashrate, "", "0"},
		{api.MetricReorgs, "", "0"},
		{api.MetricBlocksMined, "", "0"},
		{api.MetricSSEClients, "", "0"},
		{api.MetricRequests, `code="200",route="GET /api/v1/status"`, "1"},
		{api.MetricRequests, `code="202",route="POST /api/v1/txs"`, "2"},
		{api.MetricRequests, `code="200",route="GET /mine"`, "2"},
		{api.MetricRequests, `code="404",route="unmatched"`, "1"},
		{api.MetricRequestTime + "_count", `route="GET /mine"`, "2"},
		{"go_goroutines", "", ""},
	} {
		got := metricValue(text, c.name, c.labels)
		if got == "" || c.want != "" && got != c.want {
			t.Errorf("%s{%s} = %q, want %q", c.name, c.labels, got, c.want)
		}
	}
}

// TestServeShutdown: cancelling Serve's context ends open event streams
// and Serve returns nil.
func TestServeShutdown(t *testing.T) {
	e := newEnv(t, 1, nil)
	stop := e.serve()
	var h struct{ Status string }
	e.get("/healthz", &h)
	s := e.stream("")
	if err := stop(); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	select {
	case _, ok := <-s.events:
		if ok {
			t.Fatal("an event after shutdown")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the event stream is still open after shutdown")
	}
}

// TestServeTimeouts: a client that sends headers slowly is cut off by
// ReadHeaderTimeout instead of holding a connection forever.
func TestServeTimeouts(t *testing.T) {
	e := newEnv(t, 1, func(c *api.Config) { c.ReadHeaderTimeout = 100 * time.Millisecond })
	e.serve()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1024)
	n, err := conn.Read(buf)
	if err == nil && !strings.Contains(string(buf[:n]), "408") {
		t.Fatalf("read %q from a connection with unfinished headers", buf[:n])
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the server kept a connection with unfinished headers open for 10 s")
	}
}
