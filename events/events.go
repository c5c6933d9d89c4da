// Package events is the node's event bus: new tips, admitted txs and
// reorgs, each with a increasing ID, kept in a bounded ring so a client
// that reconnects with the last ID it saw (SSE's Last-Event-ID) gets what
// it missed. Safe for concurrent use; publishing never blocks on a slow
// subscriber (a subscriber that falls behind by more than its buffer is
// dropped and must reconnect).
package events

import (
	"encoding/json"
	"sync"
)

// Event is one published event. Data is its JSON body.
type Event struct {
	ID   uint64
	Kind string
	Data json.RawMessage
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

// Publish records an event and delivers it. data is marshalled to JSON.
func (b *Bus) Publish(kind string, data any) uint64 {
	raw, err := json.Marshal(data)
	if err != nil {
		raw = json.RawMessage(`null`)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	ev := Event{ID: b.next, Kind: kind, Data: raw}
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
