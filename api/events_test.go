package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/events"
)

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	id, kind, data string
}

// sseStream reads events from GET /api/v1/events in the background.
type sseStream struct {
	t      testing.TB
	resp   *http.Response
	events chan sseEvent
	cancel context.CancelFunc
}

// stream opens GET /api/v1/events with the given query and headers.
func (e *env) stream(query string, header ...string) *sseStream {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.url()+"/api/v1/events"+query, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		e.t.Fatalf("GET /events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sseStream{t: e.t, resp: resp, events: make(chan sseEvent, 64), cancel: cancel}
	go s.read()
	e.t.Cleanup(s.close)
	return s
}

func (s *sseStream) read() {
	defer close(s.events)
	sc := bufio.NewScanner(s.resp.Body)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.kind != "" {
				s.events <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, ":"): // comment
		case strings.HasPrefix(line, "id: "):
			ev.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			ev.kind = line[7:]
		case strings.HasPrefix(line, "data: "):
			ev.data = line[6:]
		default:
			s.events <- sseEvent{kind: "bad line", data: line}
		}
	}
}

// next waits for the next event.
func (s *sseStream) next() sseEvent {
	s.t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			s.t.Fatal("event stream ended")
		}
		return ev
	case <-time.After(10 * time.Second):
		s.t.Fatal("no event within 10 s")
	}
	return sseEvent{}
}

func (s *sseStream) close() {
	s.cancel()
	s.resp.Body.Close()
}

// expect reads the next event and checks its kind and that its data has
// want (a JSON fragment).
func (s *sseStream) expect(kind, want string) sseEvent {
	s.t.Helper()
	ev := s.next()
	if ev.kind != kind || !strings.Contains(ev.data, want) || !json.Valid([]byte(ev.data)) {
		s.t.Fatalf("event %+v, want %s with %s", ev, kind, want)
	}
	return ev
}

// TestEvents follows txs and blocks over SSE, then reconnects with
// Last-Event-ID (and ?last_event_id=) and gets what it missed, in order.
func TestEvents(t *testing.T) {
	e := newEnv(t, 2, nil)
	s := e.stream("")
	tx := transfer(0, addr(1), 10, 10, 0)
	e.submit(tx)
	evTx := s.expect(wire.EventTx, `"id":"`+tx.ID().String()+`"`)
	blk := e.mine()
	evBlock := s.expect(wire.EventBlock, `"hash":"`+blk.Hash+`"`)
	if id1, _ := strconv.Atoi(evTx.id); id1 == 0 || evBlock.id != strconv.Itoa(id1+1) {
		t.Fatalf("event ids %q then %q", evTx.id, evBlock.id)
	}
	s.close()

	// Missed while disconnected, by Last-Event-ID and by the query.
	resume := evBlock.id
	for i, byHeader := range []bool{true, false} {
		tx2 := transfer(0, addr(1), 11, 10, uint64(1+i))
		e.submit(tx2)
		blk2 := e.mine()
		var r *sseStream
		if byHeader {
			r = e.stream("", "Last-Event-ID", resume)
		} else {
			r = e.stream("?last_event_id=" + resume)
		}
		r.expect(wire.EventTx, tx2.ID().String())
		last := r.expect(wire.EventBlock, blk2.Hash)
		// Then live events.
		tx3 := transfer(1, addr(0), 12, 10, uint64(i))
		e.submit(tx3)
		live := r.expect(wire.EventTx, tx3.ID().String())
		if a, _ := strconv.Atoi(last.id); live.id != strconv.Itoa(a+1) {
			t.Fatalf("live event id %s after %s", live.id, last.id)
		}
		resume = r.expect(wire.EventBlock, e.mine().Hash).id
		r.close()
	}
}

// TestEventsGap resumes from an ID older than the bus remembers: a gap
// event, then what is left, including a reorg.
func TestEventsGap(t *testing.T) {
	bus := events.NewBus(2)
	e := newEnv(t, 1, func(c *api.Config) { c.Events = bus })
	for i := range 4 {
		bus.Publish(wire.EventTx, wire.TxEvent{ID: strconv.Itoa(i)})
	}
	bus.Publish(wire.EventReorg, wire.ReorgEvent{OldTip: "a", NewTip: "b", Depth: 2})
	s := e.stream("", "Last-Event-ID", "1")
	gap := s.expect(wire.EventGap, `{"last_event_id":1}`)
	if gap.id != "" {
		t.Fatalf("gap event with an id: %+v", gap)
	}
	if ev := s.expect(wire.EventTx, `"id":"3"`); ev.id != "4" {
		t.Fatalf("event %+v", ev)
	}
	if ev := s.expect(wire.EventReorg, `"depth":2`); ev.id != "5" {
		t.Fatalf("event %+v", ev)
	}
	// An ID from before a restart: a gap, then live events.
	r := e.stream("", "Last-Event-ID", "99")
	r.expect(wire.EventGap, `{"last_event_id":99}`)
	bus.Publish(wire.EventTx, wire.TxEvent{ID: "live"})
	if ev := r.expect(wire.EventTx, `"id":"live"`); ev.id != "6" {
		t.Fatalf("event %+v", ev)
	}
}
