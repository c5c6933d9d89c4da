package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
)

// eventCases are SSE inputs and the events they hold; they seed the fuzz
// target too.
var eventCases = []struct {
	name string
	in   string
	want []Event
	err  string // the error after the events, "" for io.EOF
}{
	{name: "empty", in: ""},
	{name: "one", in: "event: block\nid: 1\ndata: {\"height\":1}\n\n",
		want: []Event{{Kind: "block", ID: "1", Data: []byte(`{"height":1}`)}}},
	{name: "crlf and cr", in: "event: tx\r\nid: 2\r\ndata: {}\r\n\r\nevent: block\rid: 3\rdata: [1]\r\r",
		want: []Event{{Kind: "tx", ID: "2", Data: []byte(`{}`)}, {Kind: "block", ID: "3", Data: []byte(`[1]`)}}},
	{name: "multi-line data", in: "data: {\"a\":\ndata: 1}\n\n",
		want: []Event{{Kind: "message", Data: []byte("{\"a\":\n1}")}}},
	{name: "comments and keep-alives", in: ": hello\n\n:\n\nevent: reorg\n: mid\ndata:{}\n\n",
		want: []Event{{Kind: "reorg", Data: []byte(`{}`)}}},
	{name: "id persists", in: "id: 7\ndata: 1\n\ndata: 2\n\n",
		want: []Event{{Kind: "message", ID: "7", Data: []byte("1")}, {Kind: "message", ID: "7", Data: []byte("2")}}},
	{name: "no data is not dispatched", in: "event: block\nid: 4\n\ndata: x\n\n",
		want: []Event{{Kind: "message", ID: "4", Data: []byte("x")}}},
	{name: "unterminated last event", in: "data: 1\n\ndata: 2\n",
		want: []Event{{Kind: "message", Data: []byte("1")}}},
	{name: "unknown fields and retry", in: "retry: 100\nfoo: bar\nnocolon\ndata: z\n\n",
		want: []Event{{Kind: "message", Data: []byte("z")}}},
	{name: "id with NUL ignored", in: "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n",
		want: []Event{{Kind: "message", ID: "1", Data: []byte("a")}, {Kind: "message", ID: "1", Data: []byte("b")}}},
	{name: "empty id resets", in: "id:0\ndata:00\n\nid\rdata\r\r",
		want: []Event{{Kind: "message", ID: "0", Data: []byte("00")}, {Kind: "message", Data: []byte("")}}},
	{name: "too large", in: "data: " + strings.Repeat("x", 300) + "\n\n", err: "larger than 256 bytes"},
	{name: "many keep-alives stay within the cap", in: strings.Repeat(": ping\n\n", 100) + "data: 1\n\n",
		want: []Event{{Kind: "message", Data: []byte("1")}}},
}

func TestEventReader(t *testing.T) {
	for _, c := range eventCases {
		t.Run(c.name, func(t *testing.T) {
			er := newEventReader(strings.NewReader(c.in), 256)
			var got []Event
			var err error
			for {
				var ev Event
				if ev, err = er.next(); err != nil {
					break
				}
				got = append(got, ev)
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.want) {
				t.Fatalf("events %q, want %q", got, c.want)
			}
			if c.err == "" && !errors.Is(err, io.EOF) || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("error %v, want %q", err, c.err)
			}
		})
	}
}

func TestEvents(t *testing.T) {
	var lastID string
	srv := canned(t, map[string]http.HandlerFunc{
		"GET /api/v1/events": func(w http.ResponseWriter, r *http.Request) {
			lastID = r.Header.Get("Last-Event-ID")
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, ": connected\n\n")
			fmt.Fprint(w, "event: block\nid: 11\ndata: {\"hash\":\"ab\",\"height\":5,\"tx_count\":2,\"timestamp\":9}\n\n")
			fmt.Fprint(w, "event: tx\nid: 12\ndata: {\"id\":\"cd\",\"amount\":3}\n\n")
			fmt.Fprint(w, "event: reorg\nid: 13\ndata: {\"old_tip\":\"a\",\"new_tip\":\"b\",\"depth\":2}\n\n")
			fmt.Fprint(w, "event: block\nid: 14\ndata: not json\n\n")
			fmt.Fprint(w, "event: gap\ndata: {\"last_event_id\":3}\n\n")
		},
	})
	s, err := New(srv.URL).Events(context.Background(), "10")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if lastID != "10" {
		t.Fatalf("Last-Event-ID %q, want 10", lastID)
	}
	ev, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ev.Block()
	if err != nil || b.Height != 5 || b.Hash != "ab" || b.TxCount != 2 || ev.ID != "11" {
		t.Fatalf("block event %+v %+v, %v", ev, b, err)
	}
	if _, err := ev.Tx(); err == nil {
		t.Fatal("a block event decoded as a tx event")
	}
	ev, _ = s.Next()
	if tx, err := ev.Tx(); err != nil || tx.ID != "cd" || tx.Amount != 3 {
		t.Fatalf("tx event %+v, %v", tx, err)
	}
	ev, _ = s.Next()
	if r, err := ev.Reorg(); err != nil || r.Depth != 2 || r.NewTip != "b" {
		t.Fatalf("reorg event %+v, %v", r, err)
	}
	ev, _ = s.Next()
	if _, err := ev.Block(); err == nil || !strings.Contains(err.Error(), "event 14") {
		t.Fatalf("garbage data: %v", err)
	}
	if s.LastID() != "14" {
		t.Fatalf("LastID %q", s.LastID())
	}
	ev, _ = s.Next()
	if g, err := ev.Gap(); err != nil || g.LastEventID != 3 {
		t.Fatalf("gap event %+v, %v", g, err)
	}
	if _, err := s.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("end of stream: %v, want io.EOF", err)
	}
}

func TestEventsErrors(t *testing.T) {
	srv := canned(t, map[string]http.HandlerFunc{
		"GET /api/v1/events": raw(200, "application/json", "{}"),
	})
	if _, err := New(srv.URL).Events(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "text/event-stream") {
		t.Fatalf("wrong content type: %v", err)
	}
	srv = canned(t, map[string]http.HandlerFunc{
		"GET /api/v1/events": func(w http.ResponseWriter, _ *http.Request) {
			writeProblem(w, wire.Problem{Status: 429, Code: "rate_limited", Detail: "too many streams"})
		},
	})
	var p *wire.Problem
	if _, err := New(srv.URL).Events(context.Background(), ""); !errors.As(err, &p) || p.Code != "rate_limited" {
		t.Fatalf("problem: %v", err)
	}
}

// TestEventsClose checks that Close and the context stop a blocked Next.
func TestEventsClose(t *testing.T) {
	srv := canned(t, map[string]http.HandlerFunc{
		"GET /api/v1/events": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(200)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	s, err := New(srv.URL).Events(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := s.Next(); done <- err }()
	cancel()
	if err := <-done; err == nil {
		t.Fatal("Next after cancel returned no error")
	}
	s.Close()
}
