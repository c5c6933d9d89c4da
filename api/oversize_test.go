package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/core"
)

// TestOversizedBodyGets413 sends bodies over the 1 MiB cap of POST
// /api/v1/txs the way most HTTP clients do (Python's urllib, for one):
// the whole body written before the answer is read, no Expect:
// 100-continue. Up to 4x the cap, every try must read the 413 problem
// document; a server that closes with the body unread makes the kernel
// reset the connection, and the client sees a reset instead.
func TestOversizedBodyGets413(t *testing.T) {
	e := newEnv(t, 1, func(c *api.Config) { c.RateLimit = -1 })
	e.serve()
	const limit = api.DefaultMaxBody
	cases := []struct {
		name    string
		size    int
		chunked bool
	}{
		{"cap+1 with Content-Length", limit + 1, false},
		{"3 MiB with Content-Length", 3 << 20, false},
		{"4x cap with Content-Length", 4 * limit, false},
		{"3 MiB chunked", 3 << 20, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for try := range 5 {
				status, body, err := writeThenRead(e.hostport(), "/api/v1/txs", tc.size, tc.chunked)
				if err != nil {
					t.Fatalf("try %d: %v", try, err)
				}
				if status != http.StatusRequestEntityTooLarge {
					t.Fatalf("try %d: status %d, want 413: %s", try, status, body)
				}
				if p := problemOf(t, body); p.Code != string(core.CodeTooLarge) {
					t.Fatalf("try %d: problem %+v, want code too_large", try, p)
				}
			}
		})
	}
}

// writeThenRead writes a whole POST of size body bytes on a new
// connection, then reads the response.
func writeThenRead(hostport, path string, size int, chunked bool) (int, []byte, error) {
	conn, err := net.Dial("tcp", hostport)
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var req bytes.Buffer
	fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n", path)
	body := bytes.Repeat([]byte(" "), size)
	body[0] = '{'
	if chunked {
		req.WriteString("Transfer-Encoding: chunked\r\n\r\n")
		for off := 0; off < size; off += 64 << 10 {
			chunk := body[off:min(off+64<<10, size)]
			fmt.Fprintf(&req, "%x\r\n%s\r\n", len(chunk), chunk)
		}
		req.WriteString("0\r\n\r\n")
	} else {
		req.WriteString("Content-Length: " + strconv.Itoa(size) + "\r\n\r\n")
		req.Write(body)
	}
	if _, err := conn.Write(req.Bytes()); err != nil {
		return 0, nil, fmt.Errorf("writing the %d-byte body: %w", size, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, nil, fmt.Errorf("reading the response: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
