package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/events"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metric names, for dashboards and tests.
const (
	MetricHeight       = "cairn_chain_height"
	MetricReorgs       = "cairn_chain_reorgs_total"
	MetricBlocks       = "cairn_blocks_processed_total"
	MetricTxs          = "cairn_txs_processed_total"
	MetricPeers        = "cairn_peers"
	MetricRefused      = "cairn_p2p_refused_connections_total"
	MetricMempoolTxs   = "cairn_mempool_txs"
	MetricMempoolBytes = "cairn_mempool_bytes"
	MetricHashrate     = "cairn_miner_hashrate"
	MetricBlocksMined  = "cairn_miner_blocks_mined_total"
	MetricRequests     = "cairn_api_requests_total"
	MetricRequestTime  = "cairn_api_request_duration_seconds"
	MetricSSEClients   = "cairn_api_sse_clients"
	followBuffer       = 1 << 14 // events the metrics subscription may lag by
)

// metrics holds the API's collectors on the configured registry.
type metrics struct {
	reg      *prometheus.Registry
	handler  http.Handler
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	blocks   prometheus.Counter
	txs      prometheus.Counter
	sse      prometheus.Gauge
	height   func() uint64
}

func newMetrics(reg *prometheus.Registry, b *Backend) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: MetricRequests,
			Help: "API requests by route pattern and HTTP status."}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: MetricRequestTime,
			Help: "API request latency by route pattern.", Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10)}, []string{"route"}),
		blocks: prometheus.NewCounter(prometheus.CounterOpts{Name: MetricBlocks,
			Help: "Blocks connected to the main chain since the API started (a reorg counts the new branch's blocks)."}),
		txs: prometheus.NewCounter(prometheus.CounterOpts{Name: MetricTxs,
			Help: "Txs admitted to the mempool since the API started (from the API and from peers)."}),
		sse:    prometheus.NewGauge(prometheus.GaugeOpts{Name: MetricSSEClients, Help: "Open GET /api/v1/events streams."}),
		height: func() uint64 { return b.Chain.Tip().Height },
	}
	cs := []prometheus.Collector{
		m.requests, m.duration, m.blocks, m.txs, m.sse,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: MetricHeight, Help: "Height of the main chain's tip."},
			func() float64 { return float64(m.height()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: MetricReorgs, Help: "Reorgs since the node started."},
			func() float64 { return float64(b.Chain.Reorgs()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: MetricPeers, Help: "Connected peers."},
			func() float64 {
				if b.Peers == nil {
					return 0
				}
				return float64(len(b.Peers()))
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: MetricRefused,
			Help: "Inbound peer connections refused after the secured handshake since the node started: peers outside the allowlist, banned peers."},
			func() float64 {
				if b.RefusedConnections == nil {
					return 0
				}
				return float64(b.RefusedConnections())
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: MetricMempoolTxs, Help: "Txs in the mempool."},
			func() float64 { return float64(b.Pool.Count()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: MetricMempoolBytes, Help: "Encoded bytes of the txs in the mempool."},
			func() float64 { return float64(b.Pool.Bytes()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: MetricHashrate, Help: "The miner's hash rate (hashes per second, smoothed)."},
			func() float64 { return b.Miner.Stats().HashRate }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: MetricBlocksMined, Help: "Blocks this node's miner found since the node started."},
			func() float64 { return float64(b.Miner.Stats().BlocksMined) }),
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m, nil
}

// request counts one API request.
func (m *metrics) request(route string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// followStart is where follow starts counting: a subscription taken
// before the first request is served, and the tip height at that moment.
type followStart struct {
	sub    *events.Sub
	height uint64
}

// start subscribes to bus for follow. It is taken synchronously, before
// the server accepts requests: a subscription taken later by follow's
// goroutine would miss the events of requests served in between (with
// nothing published yet there is no event ID to resume from).
func (m *metrics) start(bus *events.Bus) followStart {
	height := m.height() // first: a block connected in between is counted at its event
	sub, _, _ := bus.Subscribe(0, followBuffer)
	return followStart{sub: sub, height: height}
}

// follow counts blocks and txs from the node's events after from until
// ctx is done, resubscribing (from the last event seen) if it falls behind.
func (m *metrics) follow(ctx context.Context, bus *events.Bus, from followStart) {
	last, height := uint64(0), from.height
	depth := uint64(0) // blocks disconnected by a reorg whose block event is next
	handle := func(ev events.Event) {
		last = ev.ID
		switch ev.Kind {
		case wire.EventTx:
			m.txs.Inc()
		case wire.EventReorg:
			var r wire.ReorgEvent
			if json.Unmarshal(ev.Data(), &r) == nil && r.Depth > 0 {
				depth += uint64(r.Depth)
			}
		case wire.EventBlock:
			var b wire.BlockEvent
			if json.Unmarshal(ev.Data(), &b) != nil {
				return
			}
			if b.Height+depth > height {
				m.blocks.Add(float64(b.Height + depth - height))
			}
			height, depth = b.Height, 0
		}
	}
	sub := from.sub
	for {
	loop:
		for {
			select {
			case <-ctx.Done():
				break loop
			case ev, ok := <-sub.C:
				if !ok {
					break loop
				}
				handle(ev)
			}
		}
		sub.Close()
		if ctx.Err() != nil {
			return
		}
		// Fell behind: resume after the last event handled.
		var missed []events.Event
		sub, missed, _ = bus.Subscribe(last, followBuffer)
		for _, ev := range missed {
			handle(ev)
		}
	}
}
