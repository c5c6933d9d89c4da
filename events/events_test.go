package events

import (
	"fmt"
	"testing"
	"time"
)

func recv(t *testing.T, s *Sub) Event {
	t.Helper()
	select {
	case ev, ok := <-s.C:
		if !ok {
			t.Fatal("subscription closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return Event{}
}

func TestPublishSubscribeResume(t *testing.T) {
	b := NewBus(3)
	s, missed, gap := b.Subscribe(0, 10)
	if len(missed) != 0 || gap {
		t.Fatal("fresh subscription got history")
	}
	for i := 1; i <= 5; i++ {
		if id := b.Publish("block", map[string]int{"height": i}); id != uint64(i) {
			t.Fatalf("id %d, want %d", id, i)
		}
	}
	for i := 1; i <= 5; i++ {
		if ev := recv(t, s); ev.ID != uint64(i) || ev.Kind != "block" {
			t.Fatalf("event %+v, want id %d", ev, i)
		}
	}
	s.Close()
	// Resume after 3: events 4 and 5 are in the window.
	s2, missed, gap := b.Subscribe(3, 10)
	defer s2.Close()
	if gap || len(missed) != 2 || missed[0].ID != 4 || missed[1].ID != 5 {
		t.Fatalf("resume after 3: gap=%v missed=%v", gap, missed)
	}
	// Resume after 1: event 2 fell out of the 3-event window.
	s3, missed, gap := b.Subscribe(1, 10)
	defer s3.Close()
	if !gap || len(missed) != 3 || missed[0].ID != 3 {
		t.Fatalf("resume after 1: gap=%v missed=%v", gap, missed)
	}
	if b.LastID() != 5 {
		t.Fatal("LastID")
	}
}

func TestSlowSubscriberDropped(t *testing.T) {
	b := NewBus(10)
	s, _, _ := b.Subscribe(0, 1)
	b.Publish("tx", 1)
	b.Publish("tx", 2) // buffer full: dropped, never blocks
	<-s.C
	if _, ok := <-s.C; ok {
		t.Fatal("slow subscriber not closed")
	}
	s.Close() // idempotent
}

// TestWindowMatchesReference: for many window sizes and event counts, a
// resumption returns exactly the events a plain slice of the last window
// events would, in order, and reports a gap exactly when one was lost.
func TestWindowMatchesReference(t *testing.T) {
	for window := 1; window <= 7; window++ {
		for total := 0; total <= 20; total++ {
			b := NewBus(window)
			for i := 1; i <= total; i++ {
				b.Publish("tx", i)
			}
			for after := 1; after <= total+1; after++ {
				s, missed, gap := b.Subscribe(uint64(after), 1)
				s.Close()
				first := max(1, total-window+1) // oldest kept
				var want []uint64
				for id := max(first, after+1); id <= total; id++ {
					want = append(want, uint64(id))
				}
				wantGap := after+1 < first && total > 0
				if gap != wantGap || len(missed) != len(want) {
					t.Fatalf("window %d, %d events, after %d: gap %v (want %v), %d missed (want %d)", window, total, after, gap, wantGap, len(missed), len(want))
				}
				for i, ev := range missed {
					if ev.ID != want[i] || string(ev.Data()) != fmt.Sprint(want[i]) {
						t.Fatalf("window %d, %d events, after %d: missed[%d] = %d %s, want %d", window, total, after, i, ev.ID, ev.Data(), want[i])
					}
				}
			}
		}
	}
}

// BenchmarkPublishFullWindow: publishing into a full default window costs
// the same as into an empty one (no shifting of the window).
func BenchmarkPublishFullWindow(b *testing.B) {
	bus := NewBus(DefaultWindow)
	for i := range DefaultWindow {
		bus.Publish("tx", i)
	}
	b.ResetTimer()
	for i := range b.N {
		bus.Publish("tx", i)
	}
}

// TestPublishFuncLazy: a PublishFunc body is made only when the event is
// read, and once for all its readers (subscribers and resuming clients).
func TestPublishFuncLazy(t *testing.T) {
	b := NewBus(8)
	calls := 0
	mk := func(v int) func() any { return func() any { calls++; return map[string]int{"v": v} } }
	b.PublishFunc("tx", mk(1)) // nobody reads it
	if calls != 0 {
		t.Fatalf("body made %d times for an event nobody read", calls)
	}
	s1, _, _ := b.Subscribe(0, 4)
	s2, _, _ := b.Subscribe(0, 4)
	defer s1.Close()
	defer s2.Close()
	id := b.PublishFunc("tx", mk(2))
	e1, e2 := <-s1.C, <-s2.C
	if string(e1.Data()) != `{"v":2}` || string(e2.Data()) != `{"v":2}` || e1.ID != id {
		t.Fatalf("subscribers read %s and %s", e1.Data(), e2.Data())
	}
	_, missed, _ := b.Subscribe(id-1, 4)
	if len(missed) != 1 || string(missed[0].Data()) != `{"v":2}` {
		t.Fatalf("resumed with %d events", len(missed))
	}
	if calls != 1 {
		t.Fatalf("body made %d times for one event read by 3 readers, want 1", calls)
	}
	if string(Event{}.Data()) != "null" {
		t.Fatal("an event without a body is not null")
	}
}
