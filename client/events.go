package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
)

// MaxEventBytes caps one Server-Sent Event (all its lines together).
const MaxEventBytes = 1 << 20

// Event is one event of GET /events.
type Event struct {
	// Kind is the SSE event type: wire.EventBlock, wire.EventTx,
	// wire.EventReorg or wire.EventGap ("message" if the server named none).
	Kind string
	// ID is the event's ID; give it to Events to resume after it.
	ID string
	// Data is the event's JSON data.
	Data json.RawMessage
}

// Decode decodes the event's data into v.
func (e Event) Decode(v any) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("event %s %q: data: %v", e.ID, e.Kind, err)
	}
	return nil
}

// Block decodes the data of a "block" event (a new tip).
func (e Event) Block() (wire.BlockEvent, error) {
	var b wire.BlockEvent
	return b, e.expect(wire.EventBlock, &b)
}

// Tx decodes the data of a "tx" event (a tx admitted to the mempool).
func (e Event) Tx() (wire.TxEvent, error) {
	var t wire.TxEvent
	return t, e.expect(wire.EventTx, &t)
}

// Reorg decodes the data of a "reorg" event.
func (e Event) Reorg() (wire.ReorgEvent, error) {
	var r wire.ReorgEvent
	return r, e.expect(wire.EventReorg, &r)
}

// Gap decodes the data of a "gap" event: the node no longer had every
// event after the Last-Event-ID the stream resumed from.
func (e Event) Gap() (wire.GapEvent, error) {
	var g wire.GapEvent
	return g, e.expect(wire.EventGap, &g)
}

func (e Event) expect(kind string, v any) error {
	if e.Kind != kind {
		return fmt.Errorf("event %s is a %q event, not %q", e.ID, e.Kind, kind)
	}
	return e.Decode(v)
}

// EventStream reads the node's event stream. It is not safe for
// concurrent use; Close may be called from another goroutine to stop a
// blocked Next.
type EventStream struct {
	body io.ReadCloser
	r    *eventReader
	url  string
}

// Events opens GET /events. If lastID is not empty it is sent as
// Last-Event-ID, and the node replays the events after it (within its
// window). The stream lasts until ctx is done, Close is called or the
// node ends it; the client's request timeout does not apply.
func (c *Client) Events(ctx context.Context, lastID string) (*EventStream, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	u := c.url(api("/events"), nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, http.MethodGet, u, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, errorFromResponse(http.MethodGet, u, resp)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		resp.Body.Close()
		return nil, &ResponseError{Method: http.MethodGet, URL: u, Err: fmt.Errorf("content type %q, want text/event-stream", mt)}
	}
	return &EventStream{body: resp.Body, r: newEventReader(resp.Body, MaxEventBytes), url: u}, nil
}

// Next returns the next event. It returns io.EOF when the node ended the
// stream, and another error if the stream broke or holds an invalid event.
func (s *EventStream) Next() (Event, error) {
	ev, err := s.r.next()
	if err != nil && !errors.Is(err, io.EOF) {
		return Event{}, fmt.Errorf("event stream %s: %w", s.url, err)
	}
	return ev, err
}

// LastID returns the ID of the last event read (to resume after it).
func (s *EventStream) LastID() string { return s.r.lastID }

// Close ends the stream.
func (s *EventStream) Close() error { return s.body.Close() }

// eventReader parses the text/event-stream format (the WHATWG HTML
// standard's "event stream interpretation"): lines end in LF, CRLF or CR;
// a blank line dispatches the event; "data" lines accumulate, "event"
// names the kind, "id" sets the last event ID (kept across events),
// lines starting with ':' are comments; an event without data is not
// dispatched.
type eventReader struct {
	r      *bufio.Reader
	max    int
	lastID string
	cr     bool // the previous line ended with CR: skip a following LF
}

func newEventReader(r io.Reader, max int) *eventReader {
	return &eventReader{r: bufio.NewReaderSize(r, 4096), max: max}
}

// line reads one line without its terminator. At the end of input it
// returns io.EOF (a final unterminated line is discarded, as the standard
// says).
func (er *eventReader) line(budget *int) (string, error) {
	var b []byte
	for {
		c, err := er.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", io.EOF
			}
			return "", err
		}
		if er.cr {
			er.cr = false
			if c == '\n' {
				continue
			}
		}
		switch c {
		case '\n':
			return string(b), nil
		case '\r':
			er.cr = true
			return string(b), nil
		}
		*budget--
		if *budget < 0 {
			return "", fmt.Errorf("event larger than %d bytes", er.max)
		}
		b = append(b, c)
	}
}

// next returns the next dispatched event.
func (er *eventReader) next() (Event, error) {
	budget := er.max
	var data bytes.Buffer
	hasData := false
	kind := ""
	for {
		l, err := er.line(&budget)
		if err != nil {
			return Event{}, err
		}
		if l == "" {
			if !hasData {
				kind = ""
				budget = er.max
				continue
			}
			if kind == "" {
				kind = "message"
			}
			return Event{Kind: kind, ID: er.lastID, Data: json.RawMessage(bytes.TrimSuffix(data.Bytes(), []byte("\n")))}, nil
		}
		if l[0] == ':' {
			continue
		}
		field, value, _ := strings.Cut(l, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			kind = value
		case "data":
			hasData = true
			data.WriteString(value)
			data.WriteByte('\n')
		case "id":
			if !strings.ContainsRune(value, 0) {
				er.lastID = value
			}
		}
	}
}
