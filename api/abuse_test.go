package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/core"
)

// The API half of the abuse suite (issue 6): slow clients, huge bodies
// and a storm of fuzzed requests against a real api.Server (Serve, with
// its http.Server timeouts) in front of a real node. Each case checks
// that the attacker is cut off or refused, that an honest client keeps
// getting GET /api/v1/status within 2 s, that nothing answers 5xx, and
// that goroutines and memory come back to their baseline.

const (
	// honestDeadline is how long an honest request may take under attack.
	honestDeadline = 2 * time.Second
	// apiGoroutineSlack is how far above its baseline the goroutine count
	// may stay after an attack.
	apiGoroutineSlack = 10
)

// hostport is the server's address, for raw connections.
func (e *env) hostport() string { return strings.TrimPrefix(e.url(), "http://") }

// baseline waits for the goroutines of earlier requests to end and
// returns the goroutine count and live heap.
func baseline(t testing.TB) (goroutines int, heap uint64) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	prev := -1
	for i := 0; i < 100; i++ { // at most 2 s for the count to stop moving
		runtime.GC()
		n := runtime.NumGoroutine()
		if n == prev {
			break
		}
		prev = n
		<-tick.C
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return prev, ms.HeapInuse
}

// settled waits until the goroutine count is back near base and checks
// that the live heap grew by less than 64 MiB.
func settled(t testing.TB, what string, goroutines int, heap uint64) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for calm := 0; calm < 5; <-tick.C { // back for 5 ticks in a row
		n := runtime.NumGoroutine()
		if n > goroutines+apiGoroutineSlack {
			calm = 0
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Fatalf("%s: %d goroutines 15 s after the attack, baseline %d\n%s", what, n, goroutines, buf)
			}
			continue
		}
		calm++
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapInuse > heap+64<<20 {
		t.Fatalf("%s: live heap grew from %d to %d MiB", what, heap>>20, ms.HeapInuse>>20)
	}
	t.Logf("%s: goroutines %d -> %d, live heap %d -> %d MiB", what, goroutines, runtime.NumGoroutine(), heap>>20, ms.HeapInuse>>20)
}

// prober is the honest client: GET /api/v1/status on a new connection
// every 20 ms while an attack runs, each answer required within
// honestDeadline.
type prober struct {
	stop, done chan struct{}
	n          int
	worst      time.Duration
	failures   []string
}

func probe(e *env) *prober {
	p := &prober{stop: make(chan struct{}), done: make(chan struct{})}
	tr := &http.Transport{DisableKeepAlives: true}
	client := &http.Client{Timeout: 2 * honestDeadline, Transport: tr}
	go func() {
		defer close(p.done)
		defer tr.CloseIdleConnections()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			start := time.Now()
			resp, err := client.Get(e.url() + "/api/v1/status")
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			d := time.Since(start)
			p.n++
			p.worst = max(p.worst, d)
			if err != nil {
				p.failures = append(p.failures, err.Error())
			} else if d > honestDeadline {
				p.failures = append(p.failures, fmt.Sprintf("answered in %v", d))
			}
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// end stops the prober and fails the test if the honest client was not
// served in time.
func (p *prober) end(t testing.TB) {
	t.Helper()
	close(p.stop)
	<-p.done
	t.Logf("honest client: %d requests, slowest %v", p.n, p.worst.Round(time.Millisecond))
	if p.n < 2 {
		t.Fatalf("the honest client got %d answers", p.n)
	}
	if len(p.failures) > 0 {
		t.Fatalf("the honest client was not served within %v: %d failures, first %q", honestDeadline, len(p.failures), p.failures[0])
	}
}

// TestAbuseSlowClients: 150 clients that send their request headers one
// byte every 50 ms (and 50 that send a POST body that way) never finish:
// the server cuts each off at ReadHeaderTimeout (ReadTimeout for bodies),
// answering at most a 4xx, while an honest client gets /api/v1/status
// within 2 s throughout; afterwards the server's goroutines are gone.
func TestAbuseSlowClients(t *testing.T) {
	const headerTimeout, readTimeout = 300 * time.Millisecond, time.Second
	e := newEnv(t, 1, func(c *api.Config) {
		c.ReadHeaderTimeout, c.ReadTimeout = headerTimeout, readTimeout
		c.RateLimit = -1
	})
	e.serve()
	var st struct{}
	e.get("/api/v1/status", &st)
	goroutines, heap := baseline(t)
	honest := probe(e)

	const slowHeaders, slowBodies = 150, 50
	type result struct {
		body    bool
		elapsed time.Duration
		reply   string // what the server wrote before closing, if anything
		err     error
	}
	results := make(chan result, slowHeaders+slowBodies)
	var wg sync.WaitGroup
	for i := range slowHeaders + slowBodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := i >= slowHeaders
			res := result{body: body}
			defer func() { results <- res }()
			conn, err := net.Dial("tcp", e.hostport())
			if err != nil {
				res.err = err
				return
			}
			defer conn.Close()
			start := time.Now()
			var head, drip string
			if body {
				head = "POST /api/v1/txs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
				drip = strings.Repeat(" ", 999)
			} else {
				head = "GET /api/v1/status HTTP/1.1\r\nHost: x\r\n"
				drip = fmt.Sprintf("X-Slow-%d: %s\r\n", i, strings.Repeat("a", 200))
			}
			// The reader waits for the server to answer or hang up.
			cut := make(chan struct{})
			go func() {
				defer close(cut)
				_ = conn.SetReadDeadline(time.Now().Add(readTimeout + 10*time.Second))
				b, err := io.ReadAll(io.LimitReader(conn, 4096))
				res.elapsed, res.reply = time.Since(start), string(b)
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					res.err = errors.New("the server never cut the slow client off")
				}
			}()
			if _, err := conn.Write([]byte(head)); err != nil {
				<-cut
				res.err = err
				return
			}
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for j := 0; j < len(drip); j++ { // bounded: the drip runs out after ~10-50 s
				select {
				case <-cut:
					return
				case <-tick.C:
				}
				if _, err := conn.Write([]byte{drip[j]}); err != nil {
					<-cut
					return
				}
			}
			<-cut
		}()
	}
	wg.Wait()
	close(results)
	honest.end(t)
	worst := map[bool]time.Duration{}
	replies := map[int]int{}
	for r := range results {
		limit := headerTimeout
		if r.body {
			limit = readTimeout
		}
		if r.err != nil {
			t.Fatalf("slow client (body %v): %v", r.body, r.err)
		}
		if r.elapsed > limit+2*time.Second {
			t.Fatalf("slow client (body %v) cut off after %v, the timeout is %v", r.body, r.elapsed, limit)
		}
		if r.reply != "" {
			code := 0
			if f := strings.Fields(r.reply); len(f) > 1 {
				code, _ = strconv.Atoi(f[1])
			}
			if code < 400 || code >= 500 {
				t.Fatalf("slow client (body %v) got %q, want a 4xx (408, or 400 for a header cut mid-line) or nothing", r.body, firstLine(r.reply))
			}
			replies[code]++
		}
		worst[r.body] = max(worst[r.body], r.elapsed)
	}
	t.Logf("slow headers cut off within %v (timeout %v), slow bodies within %v (timeout %v); replies before hanging up %v",
		worst[false].Round(time.Millisecond), headerTimeout, worst[true].Round(time.Millisecond), readTimeout, replies)
	settled(t, "slow clients", goroutines, heap)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// bodyStream writes a 50 MiB request body (a JSON array opening, then
// spaces) from one reused buffer, counting what the server let through.
func bodyStream(conn net.Conn, size int, chunked bool) (written int, err error) {
	buf := bytes.Repeat([]byte(" "), 64<<10)
	buf[0] = '['
	for written < size {
		n := min(len(buf), size-written)
		if chunked {
			if _, err = fmt.Fprintf(conn, "%x\r\n", n); err != nil {
				return written, err
			}
		}
		if _, err = conn.Write(buf[:n]); err != nil {
			return written, err
		}
		if chunked {
			if _, err = conn.Write([]byte("\r\n")); err != nil {
				return written, err
			}
		}
		written += n
		buf[0] = ' '
	}
	if chunked {
		_, err = conn.Write([]byte("0\r\n\r\n"))
	}
	return written, err
}

// TestAbuseHugeBodies: 50 MiB bodies POSTed to /api/v1/txs,
// /api/v1/txs/batch and /transactions/new, with a Content-Length and
// chunked: each gets 413 too_large within 2 s, the server reads at most
// its cap (allocating at most 4x the 8 MiB batch cap, far less than the
// 50 MiB) and hangs up on the rest, and an honest client keeps being
// served.
func TestAbuseHugeBodies(t *testing.T) {
	const size, maxAlloc = 50 << 20, 4 * api.DefaultMaxBatchBody
	e := newEnv(t, 1, func(c *api.Config) { c.RateLimit = -1 })
	e.serve()
	var st struct{}
	e.get("/api/v1/status", &st)
	goroutines, heap := baseline(t)
	for _, path := range []string{"/api/v1/txs", "/api/v1/txs/batch", "/transactions/new"} {
		for _, chunked := range []bool{false, true} {
			name := path + " with Content-Length"
			if chunked {
				name = path + " chunked"
			}
			t.Run(name, func(t *testing.T) {
				honest := probe(e)
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				conn, err := net.Dial("tcp", e.hostport())
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				head := "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
				if chunked {
					head += "Transfer-Encoding: chunked\r\n\r\n"
				} else {
					head += "Content-Length: " + strconv.Itoa(size) + "\r\n\r\n"
				}
				start := time.Now()
				if _, err := conn.Write([]byte(head)); err != nil {
					t.Fatal(err)
				}
				type sent struct {
					n   int
					err error
				}
				wrote := make(chan sent, 1)
				go func() {
					n, err := bodyStream(conn, size, chunked)
					wrote <- sent{n, err}
				}()
				_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					t.Fatalf("no response: %v", err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				took := time.Since(start)
				var w sent
				select {
				case w = <-wrote:
				case <-time.After(10 * time.Second):
					t.Fatal("the server kept reading the body 10 s after answering")
				}
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				honest.end(t)
				alloc := after.TotalAlloc - before.TotalAlloc
				t.Logf("%d in %v; the client got %d MiB through (%v); %d MiB allocated", resp.StatusCode, took.Round(time.Millisecond), w.n>>20, w.err, alloc>>20)
				if resp.StatusCode != http.StatusRequestEntityTooLarge {
					t.Fatalf("status %d, want 413: %s", resp.StatusCode, body)
				}
				if p := problemOf(t, body); p.Code != string(core.CodeTooLarge) {
					t.Fatalf("problem %+v, want code too_large", p)
				}
				if took > honestDeadline {
					t.Fatalf("the 413 took %v", took)
				}
				if w.err == nil || w.n >= size {
					t.Fatalf("the server read the whole 50 MiB body (%d bytes written, %v)", w.n, w.err)
				}
				// The server reads at most the 8 MiB batch cap: allocating
				// up to twice that as the buffer grows is fine, the body's
				// 50 MiB (or 5x the cap) is not.
				if alloc > maxAlloc {
					t.Fatalf("%d MiB allocated while refusing a 50 MiB body, want at most %d", alloc>>20, maxAlloc>>20)
				}
			})
		}
	}
	settled(t, "huge bodies", goroutines, heap)
}

// ---- the fuzzer ----

// fuzzRoute is an operation of the OpenAPI document.
type fuzzRoute struct {
	method, path string
	query        []string // query parameter names
	headers      []string // header parameter names
}

// fuzzRoutes reads the operations from the server's OpenAPI document.
func fuzzRoutes(t testing.TB, doc []byte) []fuzzRoute {
	t.Helper()
	var d struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, In string }
		}
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	var out []fuzzRoute
	for path, ops := range d.Paths {
		for method, op := range ops {
			r := fuzzRoute{method: strings.ToUpper(method), path: path}
			for _, p := range op.Parameters {
				switch p.In {
				case "query":
					r.query = append(r.query, p.Name)
				case "header":
					r.headers = append(r.headers, p.Name)
				}
			}
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].method+out[i].path < out[j].method+out[j].path })
	return out
}

// fuzzer generates requests from the routes, the fixture's real values
// and a deterministic random source.
type fuzzer struct {
	rng    *rand.Rand
	routes []fuzzRoute
	values []string // real ids, heights, addresses
	bodies [][]byte // real-looking tx bodies to mutate (none of them admissible)
}

func (f *fuzzer) pick(xs []string) string { return xs[f.rng.IntN(len(xs))] }

// junk returns a random string: hex, digits, unicode, escapes, or long.
func (f *fuzzer) junk() string {
	switch f.rng.IntN(12) {
	case 0:
		return ""
	case 1:
		return strconv.FormatInt(f.rng.Int64()-f.rng.Int64(), 10)
	case 2:
		return "99999999999999999999999999"
	case 3:
		b := make([]byte, f.rng.IntN(80))
		for i := range b {
			b[i] = "0123456789abcdef"[f.rng.IntN(16)]
		}
		return string(b)
	case 4:
		return strings.Repeat("a", 1+f.rng.IntN(5000))
	case 5:
		return "%00%ff%zz"
	case 6:
		return "..%2f..%2fetc%2fpasswd"
	case 7:
		return "ünïcödé-☃-\u202e"
	case 8:
		return "-1"
	case 9:
		return "1e309"
	case 10:
		return "cairn1" + strings.Repeat("q", f.rng.IntN(70))
	}
	b := make([]byte, 1+f.rng.IntN(40))
	for i := range b {
		b[i] = byte(f.rng.IntN(256))
	}
	return string(b)
}

// value returns a real value, a mutated one or junk.
func (f *fuzzer) value() string {
	switch f.rng.IntN(4) {
	case 0:
		return f.junk()
	case 1:
		v := []byte(f.pick(f.values))
		if len(v) > 0 {
			v[f.rng.IntN(len(v))] ^= byte(1 + f.rng.IntN(255))
		}
		return string(v)
	}
	return f.pick(f.values)
}

// jsonValue returns a random JSON value of at most depth levels.
func (f *fuzzer) jsonValue(depth int) any {
	k := f.rng.IntN(9)
	if depth <= 0 {
		k %= 6
	}
	switch k {
	case 0:
		return nil
	case 1:
		return f.rng.IntN(2) == 0
	case 2:
		return json.Number(strconv.FormatInt(f.rng.Int64()-f.rng.Int64(), 10))
	case 3:
		return json.Number([]string{"1.5", "-0", "1e400", "18446744073709551616", "0.0000001"}[f.rng.IntN(5)])
	case 4, 5:
		return f.value()
	case 6, 7:
		m := map[string]any{}
		keys := []string{"version", "chain_id", "from", "to", "amount", "fee", "nonce", "memo", "signature", "id", "raw", "threads", "enabled", "address"}
		for range f.rng.IntN(6) {
			key := f.pick(keys)
			if f.rng.IntN(5) == 0 {
				key = f.junk()
			}
			m[key] = f.jsonValue(depth - 1)
		}
		return m
	}
	a := make([]any, f.rng.IntN(5))
	for i := range a {
		a[i] = f.jsonValue(depth - 1)
	}
	return a
}

// body returns a random request body.
func (f *fuzzer) body() []byte {
	switch f.rng.IntN(8) {
	case 0:
		return nil
	case 1:
		return []byte(f.junk())
	case 2: // a real-looking tx with one field replaced
		var m map[string]any
		_ = json.Unmarshal(f.bodies[f.rng.IntN(len(f.bodies))], &m)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m[f.pick(keys)] = f.jsonValue(1)
		b, _ := json.Marshal(m)
		return b
	case 3: // a real-looking tx, truncated
		b := f.bodies[f.rng.IntN(len(f.bodies))]
		return b[:f.rng.IntN(len(b))]
	case 4: // a batch
		items := make([]json.RawMessage, f.rng.IntN(20))
		for i := range items {
			items[i] = f.bodies[f.rng.IntN(len(f.bodies))]
			if f.rng.IntN(2) == 0 {
				b, _ := json.Marshal(f.jsonValue(2))
				items[i] = b
			}
		}
		b, _ := json.Marshal(items)
		return b
	case 5: // deep nesting
		d := 1 + f.rng.IntN(20000)
		return []byte(strings.Repeat("[", d) + strings.Repeat("]", d))
	}
	b, _ := json.Marshal(f.jsonValue(3))
	return b
}

// headerSafe replaces the bytes net/http refuses to send in a header
// value (controls), keeping the rest of the junk.
func headerSafe(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			b[i] = '?'
		}
	}
	return string(b)
}

// request returns a random request to base.
func (f *fuzzer) request(base string) (*http.Request, error) {
	r := f.routes[f.rng.IntN(len(f.routes))]
	method := r.method
	if f.rng.IntN(5) == 0 {
		method = f.pick([]string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "BREW"})
	}
	segs := strings.Split(r.path, "/")
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, "{"):
			segs[i] = url.PathEscape(f.value())
		case s != "" && f.rng.IntN(20) == 0:
			segs[i] = url.PathEscape(f.junk())
		}
	}
	path := strings.Join(segs, "/")
	switch f.rng.IntN(20) {
	case 0:
		path += "/"
	case 1:
		path += "/" + url.PathEscape(f.junk())
	case 2:
		path = strings.ToUpper(path)
	}
	q := url.Values{}
	for _, name := range r.query {
		if f.rng.IntN(2) == 0 {
			q.Add(name, f.value())
		}
	}
	if f.rng.IntN(4) == 0 {
		q.Add(f.junk(), f.junk())
	}
	raw := q.Encode()
	if f.rng.IntN(10) == 0 {
		raw += "&%zz=%&;&&==" + url.QueryEscape(f.junk())
	}
	var body io.Reader
	if method == http.MethodPost || f.rng.IntN(10) == 0 {
		body = bytes.NewReader(f.body())
	}
	req, err := http.NewRequest(method, base+path+"?"+raw, body)
	if err != nil {
		return nil, err
	}
	for _, h := range r.headers {
		if f.rng.IntN(2) == 0 {
			req.Header.Set(h, headerSafe(f.value()))
		}
	}
	switch f.rng.IntN(6) {
	case 0:
		req.Header.Set("Authorization", "Bearer "+headerSafe(f.junk()))
	case 1:
		req.Header.Set("Content-Type", f.pick([]string{"text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=utf-16"}))
	case 2:
		req.Header.Set("Accept", f.pick([]string{"application/cbor", "text/event-stream", "*/*;q=0", "application/json"}))
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// TestAbuseFuzzREST: 20,000 fuzzed requests (routes of the OpenAPI
// document with mutated path segments, random methods, query strings,
// headers and JSON or garbage bodies; a fixed seed per worker) from 8
// concurrent clients: never a 5xx, every error a problem document, the
// tip, state digest and mempool unchanged, the request metrics' series
// bounded, an honest client served within 2 s throughout, and the
// goroutines back to their baseline at the end. The rate limit is off so
// that every POST reaches its handler (auth_test.go covers the limit).
func TestAbuseFuzzREST(t *testing.T) {
	const total, workers = 20_000, 8
	fx := newBadFixture(t) // rate limit off; a mined tx and a pending one
	e := fx.env
	e.serve()
	var st struct{}
	e.get("/api/v1/status", &st)
	before := fx.snapshot()
	tip := e.n.Chain.Tip()
	mined := transfer(0, addr(1), 100, 10, 0)
	p := core.DefaultAddressPrefix
	values := []string{"0", "1", "2", tip.Hash.String(), e.n.Genesis.Hash().String(), mined.ID().String(), fx.dup.ID().String(),
		addr(0).Encode(p), addr(1).Encode(p), addr(9).Encode(p), "10", "100", "500", "true"}
	var bodies [][]byte
	for _, tx := range []*core.Tx{mined, fx.dup} { // already mined or pending: never admitted again
		b, _ := json.Marshal(tx.JSON(p))
		bodies = append(bodies, b, []byte(`{"raw":"`+hexOf(tx.Encode())+`"}`))
	}
	routes := fuzzRoutes(t, e.srv.OpenAPI())
	if len(routes) < 15 {
		t.Fatalf("only %d routes in the OpenAPI document", len(routes))
	}
	goroutines, heap := baseline(t)
	honest := probe(e)

	type outcome struct {
		codes      map[int]int
		failed     []string
		slowest    time.Duration
		slowestReq string
	}
	outcomes := make([]outcome, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := &outcomes[w]
			o.codes = map[int]int{}
			f := &fuzzer{rng: rand.New(rand.NewPCG(6, uint64(w))), routes: routes, values: values, bodies: bodies}
			tr := &http.Transport{MaxIdleConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			client := &http.Client{Timeout: 10 * time.Second, Transport: tr,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for range total / workers {
				req, err := f.request(e.url())
				if err != nil {
					continue // not a request net/http can send (the fuzzer made a bad URL)
				}
				desc := req.Method + " " + req.URL.String()
				if len(desc) > 200 {
					desc = desc[:200] + "..."
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if d := time.Since(t0); d > o.slowest {
					o.slowest, o.slowestReq = d, desc
				}
				if err != nil {
					o.failed = append(o.failed, fmt.Sprintf("%s: %v", desc, err))
					continue
				}
				o.codes[resp.StatusCode]++
				ct := resp.Header.Get("Content-Type")
				var body []byte
				if ct == "text/event-stream" {
					resp.Body.Close() // an open event stream: hang up
				} else {
					body, err = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
					resp.Body.Close()
					if err != nil {
						o.failed = append(o.failed, fmt.Sprintf("%s: reading the body: %v", desc, err))
						continue
					}
				}
				switch {
				case resp.StatusCode >= 500:
					o.failed = append(o.failed, fmt.Sprintf("%s: %d %s", desc, resp.StatusCode, body))
				case resp.StatusCode >= 400 && req.Method != http.MethodHead && ct != "application/problem+json":
					o.failed = append(o.failed, fmt.Sprintf("%s: %d with Content-Type %q: %s", desc, resp.StatusCode, ct, body))
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	honest.end(t)
	codes := map[int]int{}
	var failed []string
	var slowest outcome
	for _, o := range outcomes {
		for c, n := range o.codes {
			codes[c] += n
		}
		failed = append(failed, o.failed...)
		if o.slowest > slowest.slowest {
			slowest = o
		}
	}
	sent := 0
	for _, n := range codes {
		sent += n
	}
	t.Logf("%d requests in %v (%.0f/s); statuses %v; slowest %v (%s)", sent, took.Round(time.Millisecond), float64(sent)/took.Seconds(), codes,
		slowest.slowest.Round(time.Millisecond), slowest.slowestReq)
	if len(failed) > 0 {
		t.Fatalf("%d bad answers, first: %s", len(failed), failed[0])
	}
	if sent < total*9/10 {
		t.Fatalf("only %d of %d requests were sent", sent, total)
	}
	if codes[http.StatusOK] == 0 || codes[http.StatusNotFound] == 0 || codes[http.StatusBadRequest] == 0 {
		t.Fatalf("the fuzzer missed whole classes of answers: %v", codes)
	}
	if after := fx.snapshot(); after != before {
		t.Fatalf("state changed: %+v -> %+v", before, after)
	}
	// Fuzzed paths must not become metric labels (unbounded memory).
	code, _, metrics := e.do(http.MethodGet, "/metrics", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", code)
	}
	series := 0
	for _, line := range strings.Split(string(metrics), "\n") {
		if strings.HasPrefix(line, api.MetricRequests+"{") {
			series++
		}
	}
	if limit := (len(routes) + 1) * len(codes); series == 0 || series > limit {
		t.Fatalf("%d request-metric series after the fuzz, want 1..%d", series, limit)
	}
	t.Logf("%d request-metric series", series)
	settled(t, "fuzzed requests", goroutines, heap)
}

// TestAbuseHeadEventStream: HEAD /api/v1/events (which the fuzzer found
// holding keep-alive connections forever: the stream ran with its body
// discarded) gets the stream's headers and ends, so the next request
// pipelined on the same connection is answered within 2 s, and no stream
// is left running.
func TestAbuseHeadEventStream(t *testing.T) {
	e := newEnv(t, 1, nil)
	e.serve()
	var st struct{}
	e.get("/api/v1/status", &st)
	goroutines, heap := baseline(t)
	for i := range 50 {
		conn, err := net.Dial("tcp", e.hostport())
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(honestDeadline))
		if _, err := conn.Write([]byte("HEAD /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(conn)
		head, err := http.ReadResponse(br, &http.Request{Method: http.MethodHead})
		if err != nil {
			t.Fatalf("HEAD %d: %v", i, err)
		}
		head.Body.Close()
		if head.StatusCode != http.StatusOK || head.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("HEAD %d: %d %q", i, head.StatusCode, head.Header.Get("Content-Type"))
		}
		next, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("the request after HEAD /api/v1/events on the same connection: %v", err)
		}
		_, _ = io.Copy(io.Discard, next.Body)
		next.Body.Close()
		if next.StatusCode != http.StatusOK {
			t.Fatalf("the request after HEAD /api/v1/events: %d", next.StatusCode)
		}
		conn.Close()
	}
	_, _, metrics := e.do(http.MethodGet, "/metrics", nil)
	if v := metricValue(string(metrics), api.MetricSSEClients, ""); v != "0" {
		t.Fatalf("%s = %q after the HEAD requests, want 0", api.MetricSSEClients, v)
	}
	settled(t, "HEAD event streams", goroutines, heap)
}
