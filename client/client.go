package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
)

// Defaults of a Client.
const (
	// DefaultURL is the API address a node listens on by default.
	DefaultURL = "http://127.0.0.1:8645"
	// DefaultTimeout bounds each request (not the event stream).
	DefaultTimeout = 30 * time.Second
	// DefaultMaxBodyBytes caps a response body.
	DefaultMaxBodyBytes = 32 << 20
	// APIPrefix is the path prefix of the REST API's endpoints.
	APIPrefix = "/api/v1"
	// maxErrorBody caps the body of an error answer.
	maxErrorBody = 64 << 10
)

// Client calls one node's REST API. It is safe for concurrent use.
type Client struct {
	base    string // scheme://host[/path], without a trailing slash or /api/v1
	baseErr error  // set when the base URL given to New is unusable
	token   string
	hc      *http.Client
	timeout time.Duration
	maxBody int64
	durable bool
}

// Option configures a Client.
type Option func(*Client)

// WithToken sets the admin token sent as "Authorization: Bearer <token>"
// on admin requests (POST /mining, POST /peers, GET /mine).
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithHTTPClient sets the HTTP client (default: a client of its own with
// no overall timeout; see WithTimeout).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithTimeout bounds each request (connection, request and the whole
// response body); 0 means no bound beyond the caller's context. The event
// stream is exempt. Default DefaultTimeout.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithDurable makes SubmitTx, SubmitTxJSON and SubmitBatch ask for the
// strict acknowledgement (?durable=true): the node answers only once the
// admitted txs are fsynced, instead of within its sync window (100 ms by
// default), so none is lost if the node is killed right after answering.
func WithDurable() Option { return func(c *Client) { c.durable = true } }

// WithMaxBodyBytes caps the size of a response body (default
// DefaultMaxBodyBytes); a larger body is a *ResponseError.
func WithMaxBodyBytes(n int64) Option { return func(c *Client) { c.maxBody = n } }

// New returns a client of the node at baseURL, e.g.
// "http://127.0.0.1:8645" (a missing scheme means http://; a trailing
// "/api/v1" is accepted). An unusable URL is reported by every call.
func New(baseURL string, opts ...Option) *Client {
	c := &Client{timeout: DefaultTimeout, maxBody: DefaultMaxBodyBytes}
	c.base, c.baseErr = normalizeBase(baseURL)
	for _, o := range opts {
		o(c)
	}
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	return c
}

// BaseURL returns the node's base URL as the client uses it.
func (c *Client) BaseURL() string { return c.base }

func normalizeBase(s string) (string, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return "", errors.New("node URL is empty (want e.g. " + DefaultURL + ")")
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return s, fmt.Errorf("node URL %q: %v", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return s, fmt.Errorf("node URL %q: scheme %q, want http or https", s, u.Scheme)
	}
	if u.Host == "" {
		return s, fmt.Errorf("node URL %q: no host", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return s, fmt.Errorf("node URL %q: want scheme://host[:port][/path] without user, query or fragment", s)
	}
	path := strings.TrimRight(u.Path, "/")
	path = strings.TrimSuffix(path, APIPrefix)
	return u.Scheme + "://" + u.Host + path, nil
}

// request describes one call.
type request struct {
	method string
	path   string     // from the base URL, e.g. "/api/v1/status"
	query  url.Values // optional
	body   any        // JSON-encoded if not nil
	admin  bool       // send the token
	out    any        // JSON-decoded from a 2xx body if not nil
	// gotBody, if not nil, allows an empty 2xx body (out is then left
	// alone) and reports whether there was one.
	gotBody *bool
}

func (c *Client) url(path string, q url.Values) string {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// do runs a request with the client's timeout.
func (c *Client) do(ctx context.Context, r request) error {
	if c.baseErr != nil {
		return c.baseErr
	}
	rctx := ctx
	if c.timeout > 0 {
		var cancel context.CancelFunc
		rctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	resp, err := c.send(rctx, r, "application/json")
	if err != nil {
		return c.transportError(ctx, r.method, c.url(r.path, r.query), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return errorFromResponse(r.method, c.url(r.path, r.query), resp)
	}
	if r.out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return nil
	}
	body, err := readCapped(resp.Body, c.maxBody)
	if err != nil {
		if rctx.Err() != nil {
			return c.transportError(ctx, r.method, c.url(r.path, r.query), err)
		}
		return &ResponseError{Method: r.method, URL: c.url(r.path, r.query), Err: err}
	}
	if len(bytes.TrimSpace(body)) == 0 && r.gotBody != nil {
		return nil
	}
	if r.gotBody != nil {
		*r.gotBody = true
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &ResponseError{Method: r.method, URL: c.url(r.path, r.query), Err: fmt.Errorf("empty body (HTTP %d)", resp.StatusCode)}
	}
	if err := json.Unmarshal(body, r.out); err != nil {
		return &ResponseError{Method: r.method, URL: c.url(r.path, r.query), Err: fmt.Errorf("not the expected JSON: %v (body starts %q)", err, snippet(body))}
	}
	return nil
}

// send builds and sends the HTTP request.
func (c *Client) send(ctx context.Context, r request, accept string) (*http.Response, error) {
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("encode request body: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.url(r.path, r.query), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept+", application/problem+json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.admin && c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return c.hc.Do(req)
}

// transportError turns a failed round trip into a *ConnError, or into the
// caller's context error if the caller gave up.
func (c *Client) transportError(callerCtx context.Context, method, u string, err error) error {
	if cerr := callerCtx.Err(); cerr != nil {
		return fmt.Errorf("%s %s: %w", method, u, cerr)
	}
	ce := &ConnError{URL: c.base, Err: err}
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		ce.Timeout = c.timeout
		if ce.Timeout == 0 {
			ce.Timeout = -1
		}
	}
	return ce
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// errorFromResponse reads a non-2xx answer: a *wire.Problem if the body is
// a problem document, else a *StatusError.
func errorFromResponse(method, u string, resp *http.Response) error {
	body, _ := readCapped(resp.Body, maxErrorBody)
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "application/problem+json" || mt == "application/json" {
		var p wire.Problem
		if err := json.Unmarshal(body, &p); err == nil && (p.Code != "" || p.Title != "" || p.Detail != "") {
			if p.Status == 0 {
				p.Status = resp.StatusCode
			}
			if p.Title == "" {
				p.Title = http.StatusText(resp.StatusCode)
			}
			return &p
		}
	}
	return &StatusError{Method: method, URL: u, StatusCode: resp.StatusCode, Body: snippet(body)}
}

// readCapped reads r to the end, failing if it holds more than max bytes.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("body larger than %d bytes", max)
	}
	return b, nil
}

// snippet returns the start of a body for an error message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
