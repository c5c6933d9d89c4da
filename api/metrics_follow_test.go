package api

import (
	"context"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/events"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// counterValue reads a prometheus counter.
func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// TestFollowCountsEventsBeforeItRuns: events published after Serve took
// its starting point but before the follower goroutine ran are counted,
// on a bus that had published nothing before (CI once lost the first
// requests' txs and blocks this way: the follower subscribed late, with
// no event ID to resume from).
func TestFollowCountsEventsBeforeItRuns(t *testing.T) {
	bus := events.NewBus(16)
	tip := uint64(5)
	m := &metrics{
		blocks: prometheus.NewCounter(prometheus.CounterOpts{Name: "b"}),
		txs:    prometheus.NewCounter(prometheus.CounterOpts{Name: "t"}),
		height: func() uint64 { return tip },
	}
	from := m.start(bus)
	bus.Publish(wire.EventTx, wire.TxEvent{ID: "a"})
	bus.Publish(wire.EventTx, wire.TxEvent{ID: "b"})
	bus.Publish(wire.EventBlock, wire.BlockEvent{Height: 7})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); m.follow(ctx, bus, from) }()
	deadline := time.Now().Add(10 * time.Second)
	for counterValue(t, m.txs) != 2 || counterValue(t, m.blocks) != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("txs %v, blocks %v; want 2 and 2", counterValue(t, m.txs), counterValue(t, m.blocks))
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
