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
	"golang.org/x/time/rate"
)

// Defaults of the Config's limits.
const (
	DefaultMaxBody      = 1 << 20 // bytes of a request body
	DefaultMaxBatchBody = 8 << 20 // bytes of a POST /txs/batch body
	DefaultMaxBatchTxs  = 10_000  // txs in one batch
	// DefaultRateLimit is the txs (and other POSTs) per second allowed per
	// client IP; a client may send RateBurstSeconds' worth at once (a
	// larger batch is refused: split it). Loopback clients are not limited
	// by default.
	DefaultRateLimit = 1000
	RateBurstSeconds = 2
	// maxClients bounds the rate limiter's memory: past it, clients whose
	// buckets are full again are forgotten.
	maxClients = 10_000
)

// limiter is a token bucket per client key (golang.org/x/time/rate),
// refilled at rate per second up to burst. A POST takes one token; a
// batch one per tx. Safe for concurrent use.
type limiter struct {
	rate  rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex
	clients map[string]*rate.Limiter
}

func newLimiter(r float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate.Limit(r), burst: burst, now: now, clients: map[string]*rate.Limiter{}}
}

// client returns key's bucket, making it (full) if new.
func (l *limiter) client(key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[key]
	if b == nil {
		if len(l.clients) >= maxClients {
			l.sweep(l.now())
		}
		b = rate.NewLimiter(l.rate, l.burst)
		l.clients[key] = b
	}
	return b
}

// allow takes n tokens from key's bucket. When there are not enough it
// takes none and returns false and how long until there will be (0 if n
// is more than the burst: never).
func (l *limiter) allow(key string, n int) (bool, time.Duration) {
	return l.take(l.client(key), n)
}

func (l *limiter) take(b *rate.Limiter, n int) (bool, time.Duration) {
	ok, wait, _ := l.reserve(b, n)
	return ok, wait
}

// reserve is take that also returns the reservation of the tokens taken
// (to give them back).
func (l *limiter) reserve(b *rate.Limiter, n int) (bool, time.Duration, *rate.Reservation) {
	now := l.now()
	r := b.ReserveN(now, n)
	if !r.OK() {
		return false, 0, nil
	}
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now)
		return false, max(wait, time.Millisecond), nil
	}
	return true, 0, r
}

// sweep forgets clients whose buckets have refilled (they lose nothing),
// and if that frees nothing, half of all clients.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.clients {
		if b.TokensAt(now) >= float64(l.burst) {
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

// rateKey is the request-context key of the client's bucket (a
// *rateClient), set by the adapter on a rate-limited POST: a batch takes
// its other tokens from it.
type rateKey struct{}

type rateClient struct {
	b     *rate.Limiter
	key   string
	first *rate.Reservation // the POST's token
}

// limitPost takes a POST's token from its client's bucket, unless the
// request is not limited (admin token, loopback by default, no limit). It
// returns the request to serve, carrying the bucket for takeMore.
func (s *Server) limitPost(r *http.Request, admin bool) (*http.Request, *apiError) {
	if r.Method != http.MethodPost || admin || s.limiter == nil {
		return r, nil
	}
	key := clientKey(r)
	if !s.cfg.RateLimitLoopback {
		if ip := net.ParseIP(key); ip != nil && ip.IsLoopback() {
			return r, nil
		}
	}
	b := s.limiter.client(key)
	ok, wait, first := s.limiter.reserve(b, 1)
	if !ok {
		return r, rateLimited(key, 1, s.limiter, wait)
	}
	return r.WithContext(context.WithValue(r.Context(), rateKey{}, &rateClient{b: b, key: key, first: first})), nil
}

// takeMore takes n more tokens for the request's client: a batch of n+1
// txs, whose first token the adapter took. Nil when the request is not
// limited. A refused batch takes nothing (the first token is given back).
func (s *Server) takeMore(ctx context.Context, n int) *apiError {
	c, _ := ctx.Value(rateKey{}).(*rateClient)
	if c == nil || n <= 0 {
		return nil
	}
	if n+1 > s.limiter.burst {
		c.first.CancelAt(s.limiter.now())
		return rateLimited(c.key, n+1, s.limiter, 0)
	}
	if ok, wait := s.limiter.take(c.b, n); !ok {
		c.first.CancelAt(s.limiter.now())
		return rateLimited(c.key, n+1, s.limiter, wait)
	}
	return nil
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

// rateLimited answers a POST of n txs over the client's rate.
func rateLimited(key string, n int, l *limiter, wait time.Duration) *apiError {
	if wait <= 0 {
		return problem(wire.CodeRateLimited, "a batch of %d txs is more than the %d a client may send at once (the rate limit's burst): split it", n, l.burst)
	}
	p := problem(wire.CodeRateLimited, "too many POST requests (txs) from %s: the limit is %g txs/s per client; retry in %v", key, float64(l.rate), wait.Round(time.Millisecond))
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
