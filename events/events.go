// Package events is the node's event bus: new tips, admitted txs and
// reorgs, each with a increasing ID, kept in a bounded ring so a client
// that reconnects with the last ID it saw (SSE's Last-Event-ID) gets what
// it missed. Safe for concurrent use; publishing never blocks on a slow
// subscriber (a subscriber that falls behind by more than its buffer is
// dropped and must reconnect).
//
// An event's JSON body is encoded when it is first read (Event.Data), once
// for all its readers: events nobody reads (txs admitted while no client
// follows the stream) cost no encoding.
package events

import (
	"encoding/json"
	"sync"
)

// Event is one published event: an ID, a kind and a JSON body (Data).
type Event struct {
	ID   uint64
	Kind string
	body *body
}

// body is an event's JSON body, encoded at most once, when first read.
type body struct {
	once sync.Once
	make func() any // the value to encode (nil: v)
	v    any
	raw  json.RawMessage
}

// Data returns the event's JSON body (null if it cannot be encoded).
// Safe for concurrent use: the first call encodes it.
func (e Event) Data() json.RawMessage {
	if e.body == nil {
		return json.RawMessage(`null`)
	}
	b := e.body
	b.once.Do(func() {
		if b.make != nil {
			b.v, b.make = b.make(), nil
		}
		raw, err := json.Marshal(b.v)
		if err != nil {
			raw = json.RawMessage(`null`)
		}
		b.raw, b.v = raw, nil
	})
	return b.raw
}

// Bus fans events out to subscribers and remembers the last Window ones.
type Bus struct {
	mu     sync.Mutex
	next   uint64
	ring   []Event // circular: the last n events, the oldest at ring[head]
	head   int
	n      int
	window int
	subs   map[*Sub]struct{}
}

// DefaultWindow is how many past events a Bus keeps for resumption.
const DefaultWindow = 4096

// NewBus returns a bus remembering the last window events.
func NewBus(window int) *Bus {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Bus{next: 1, window: window, ring: make([]Event, window), subs: map[*Sub]struct{}{}}
}

// Sub is a subscription. C delivers events in ID order; it is closed when
// the subscriber fell too far behind or Close was called.
type Sub struct {
	C    chan Event
	bus  *Bus
	once sync.Once
}

// Close ends the subscription.
func (s *Sub) Close() {
	s.bus.mu.Lock()
	delete(s.bus.subs, s)
	s.bus.mu.Unlock()
	s.once.Do(func() { close(s.C) })
}

// Publish records an event and delivers it. data is marshalled to JSON
// when the event is first read; it must not change after Publish.
func (b *Bus) Publish(kind string, data any) uint64 {
	return b.publish(kind, &body{v: data})
}

// PublishFunc is Publish with the body made by fn, called at most once,
// when the event is first read (never if nobody reads it). fn must not
// call the Bus.
func (b *Bus) PublishFunc(kind string, fn func() any) uint64 {
	return b.publish(kind, &body{make: fn})
}

func (b *Bus) publish(kind string, data *body) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	ev := Event{ID: b.next, Kind: kind, body: data}
	b.next++
	// A circular buffer: publishing costs the same with a full window.
	if b.n == b.window {
		b.ring[b.head] = ev
		b.head = (b.head + 1) % b.window
	} else {
		b.ring[(b.head+b.n)%b.window] = ev
		b.n++
	}
	for s := range b.subs {
		select {
		case s.C <- ev:
		default: // too slow: drop the subscriber; it reconnects with Last-Event-ID
			delete(b.subs, s)
			s.once.Do(func() { close(s.C) })
		}
	}
	return ev.ID
}

// Subscribe starts a subscription. If after > 0, the events with IDs above
// it that are still in the window are returned first (missed), and gap
// reports whether some were already forgotten. buffer is the channel size.
func (b *Bus) Subscribe(after uint64, buffer int) (s *Sub, missed []Event, gap bool) {
	if buffer <= 0 {
		buffer = 256
	}
	s = &Sub{C: make(chan Event, buffer), bus: b}
	b.mu.Lock()
	defer b.mu.Unlock()
	if after > 0 {
		if b.n > 0 && b.ring[b.head].ID > after+1 || b.n == 0 && b.next > after+1 {
			gap = true
		}
		for i := range b.n {
			if ev := b.ring[(b.head+i)%b.window]; ev.ID > after {
				missed = append(missed, ev)
			}
		}
	}
	b.subs[s] = struct{}{}
	return s, missed, gap
}

// LastID returns the ID of the last published event (0 if none).
func (b *Bus) LastID() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.next - 1
}
