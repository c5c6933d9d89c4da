package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/events"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

const (
	sseBuffer   = 1024     // events a stream may lag behind before it is dropped (the client resumes)
	sseMaxWrite = 64 << 10 // bytes of events written before a flush
)

type eventsIn struct {
	LastEventID string `header:"Last-Event-ID" doc:"Resume after this event ID (sent by EventSource on reconnect)"`
	Query       string `query:"last_event_id" doc:"Resume after this event ID (for clients that cannot set headers); the header wins"`
}

func (s *Server) registerEvents() {
	reg := s.api.OpenAPI().Components.Schemas
	var kinds []*huma.Schema
	for _, k := range []struct {
		name string
		t    reflect.Type
		id   bool
	}{
		{wire.EventBlock, reflect.TypeFor[wire.BlockEvent](), true},
		{wire.EventTx, reflect.TypeFor[wire.TxEvent](), true},
		{wire.EventReorg, reflect.TypeFor[wire.ReorgEvent](), true},
		{wire.EventContract, reflect.TypeFor[wire.ContractEvent](), true},
		{wire.EventGap, reflect.TypeFor[wire.GapEvent](), false},
	} {
		props := map[string]*huma.Schema{
			"event": {Type: huma.TypeString, Enum: []any{k.name}},
			"data":  reg.Schema(k.t, true, k.t.Name()),
		}
		req := []string{"event", "data"}
		if k.id {
			props["id"] = &huma.Schema{Type: huma.TypeInteger, Description: "The event ID, increasing; resume after it with Last-Event-ID"}
			req = append(req, "id")
		}
		kinds = append(kinds, &huma.Schema{Title: "Event " + k.name, Type: huma.TypeObject, Properties: props, Required: req})
	}
	register(s, route{
		id: "events", method: http.MethodGet, path: "/api/v1/events", tag: tagChain,
		summary: "Server-Sent Events: new tips, admitted txs, reorgs",
		desc: "A text/event-stream of `block` (new tip), `tx` (admitted to the mempool) and `reorg` events, each with an `id`. " +
			"A client that reconnects with Last-Event-ID (or ?last_event_id=) first gets the events it missed, " +
			"within the node's window of recent events; if some are gone (or the ID is from before a node restart), a `gap` event (no id) says so. " +
			"Comments (`: ping`) keep the stream alive. A client that reads too slowly is disconnected and resumes.",
		errs: []int{http.StatusBadRequest},
		ok: &huma.Response{Description: "The event stream", Content: map[string]*huma.MediaType{
			"text/event-stream": {Schema: &huma.Schema{Type: huma.TypeArray, Items: &huma.Schema{OneOf: kinds}}},
		}},
	}, s.getEvents)
}

func (s *Server) getEvents(_ context.Context, in *eventsIn) (*huma.StreamResponse, error) {
	raw, field := in.LastEventID, "Last-Event-ID"
	if raw == "" {
		raw, field = in.Query, "last_event_id"
	}
	var after uint64
	if raw != "" {
		v, err := strconv.ParseUint(raw, 10, 64)
		if err != nil {
			return nil, malformed("%s %q: want an event ID (a decimal integer)", field, clip(raw))
		}
		after = v
	}
	return &huma.StreamResponse{Body: func(ctx huma.Context) { s.stream(ctx, after) }}, nil
}

// stream writes events until the client goes, the server shuts down, or
// the client falls too far behind.
func (s *Server) stream(ctx huma.Context, after uint64) {
	r, w := humago.Unwrap(ctx)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		// The headers only: a stream whose body is discarded would run
		// (and hold the client's connection) until the client hung up.
		return
	}
	// An ID beyond the last event is from before a node restart (IDs start
	// again at 1): the client missed an unknown number of events.
	restarted := after > s.cfg.Events.LastID()
	sub, missed, gap := s.cfg.Events.Subscribe(after, sseBuffer)
	gap = gap || restarted
	defer sub.Close()
	s.metrics.sse.Inc()
	defer s.metrics.sse.Dec()

	var buf bytes.Buffer
	flush := func() bool {
		_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
		_, err := w.Write(buf.Bytes())
		buf.Reset()
		return err == nil && rc.Flush() == nil
	}
	buf.WriteString(": cairn events\n\n")
	if gap {
		data, _ := json.Marshal(wire.GapEvent{LastEventID: after})
		buf.WriteString("event: " + wire.EventGap + "\ndata: ")
		buf.Write(data)
		buf.WriteString("\n\n")
	}
	for _, ev := range missed {
		writeEvent(&buf, ev)
	}
	if !flush() {
		return
	}
	tick := time.NewTicker(s.cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			buf.WriteString(": ping\n\n")
		case ev, ok := <-sub.C:
			if !ok {
				return // fell behind: the client resumes with Last-Event-ID
			}
			writeEvent(&buf, ev)
			for more := true; more && buf.Len() < sseMaxWrite; {
				select {
				case ev, ok = <-sub.C:
					if !ok {
						flush()
						return
					}
					writeEvent(&buf, ev)
				default:
					more = false
				}
			}
		}
		if !flush() {
			return
		}
	}
}

// writeEvent appends one event in the text/event-stream format. Its data
// is compact JSON, so it fits on one data line.
func writeEvent(b *bytes.Buffer, ev events.Event) {
	b.WriteString("id: ")
	b.WriteString(strconv.FormatUint(ev.ID, 10))
	b.WriteString("\nevent: ")
	b.WriteString(ev.Kind)
	b.WriteString("\ndata: ")
	b.Write(ev.Data())
	b.WriteString("\n\n")
}
