package api

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// Defaults of the Config's limits.
const (
	DefaultMaxBody      = 1 << 20 // bytes of a request body
	DefaultMaxBatchBody = 8 << 20 // bytes of a POST /txs/batch body
	DefaultMaxBatchTxs  = 10_000  // txs in one batch
	DefaultRateLimit    = 50      // POSTs per second per client IP
	DefaultRateBurst    = 200     // POSTs a client may send at once
	// maxClients bounds the rate limiter's memory: past it, clients whose
	// buckets are full again are forgotten.
	maxClients = 10_000
)

// limiter is a token bucket per client key, refilled at rate per second up
// to burst. Safe for concurrent use.
type limiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	clients map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: float64(burst), now: now, clients: map[string]*bucket{}}
}

// allow takes a token from key's bucket. When it is empty it returns false
// and how long until the next token.
func (l *limiter) allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[key]
	if b == nil {
		if len(l.clients) >= maxClients {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.clients[key] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, max(wait, time.Millisecond)
}

// sweep forgets clients whose buckets have refilled (they lose nothing),
// and if that frees nothing, half of all clients.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.clients {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.clients, k)
		}
	}
	if len(l.clients) < maxClients {
		return
	}
	n := len(l.clients) / 2
	for k := range l.clients {
		delete(l.clients, k)
		if n--; n == 0 {
			return
		}
	}
}

// clientKey is the rate limit's key: the client's IP. Headers such as
// X-Forwarded-For are not trusted (the API is not meant to sit behind a
// proxy that would hide its clients).
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// rateLimited answers a POST over the client's rate.
func rateLimited(key string, wait time.Duration) *apiError {
	p := problem(wire.CodeRateLimited, "too many POST requests from %s: retry in %v", key, wait.Round(time.Millisecond))
	p.GetHeaders().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return p
}

// bodyKey is the request-context key of the request body read by the
// adapter (see readBody).
type bodyKey struct{}

// bodyOf returns the body the adapter read for this request.
func bodyOf(ctx context.Context) []byte {
	b, _ := ctx.Value(bodyKey{}).([]byte)
	return b
}

// drainFactor bounds how much of an oversized body is read and discarded
// before the 413 is sent: bodies up to drainFactor x the limit.
const drainFactor = 4

// readBody reads a request body of at most limit bytes.
func readBody(r *http.Request, limit int64) ([]byte, *apiError) {
	if r.ContentLength > limit {
		drainOversized(r, limit, 0)
		return nil, problem(string(core.CodeTooLarge), "request body of %d bytes: the limit is %d", r.ContentLength, limit)
	}
	if r.Body == nil {
		return nil, nil
	}
	size := int64(512)
	if r.ContentLength > 0 {
		size = r.ContentLength + 1
	}
	buf := make([]byte, 0, size)
	lr := io.LimitReader(r.Body, limit+1)
	for {
		if len(buf) == cap(buf) {
			// Double, up to the cap: append grows large slices by 1.25x,
			// which allocates about 5x a body of unknown length.
			buf = slices.Grow(buf, int(min(int64(len(buf)), limit+1-int64(len(buf)))))
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return nil, problem(wire.CodeTimeout, "request body not received in time")
			}
			return nil, malformed("reading the request body: %v", err)
		}
	}
	if int64(len(buf)) > limit {
		drainOversized(r, limit, int64(len(buf)))
		return nil, problem(string(core.CodeTooLarge), "request body larger than the limit of %d bytes", limit)
	}
	return buf, nil
}

// drainOversized reads and discards the rest of a body over limit (read
// bytes of it already consumed), up to drainFactor x limit in all, so that
// the client can read the 413. Most HTTP clients (Python's urllib, Go's
// net/http without Expect) write the whole body before reading the answer:
// were the connection closed with their body unread, the kernel would
// reset it and they would see a reset, not the problem. A client that
// sent "Expect: 100-continue" has sent no body yet and is not asked for it.
// Beyond the bound the server closes the connection; the server's
// ReadTimeout bounds a slow sender.
func drainOversized(r *http.Request, limit, read int64) {
	if r.Body == nil || strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return
	}
	bound := drainFactor * limit
	if r.ContentLength > bound || read >= bound {
		return
	}
	_, _ = io.CopyN(io.Discard, r.Body, bound-read)
}
