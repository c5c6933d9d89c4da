package p2p_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"math/rand/v2"
	"net"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	yamux "github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
)

// The abuse suite (issue 6): hostile peers on loopback, every loop
// bounded. The attackers are bare libp2p hosts that speak the wire
// protocol by hand (rawPeer), so they can send what no cairn node would:
// garbage handshakes, huge length prefixes, floods of gossip messages
// bypassing their own seen-cache. Each case checks that the limits hold,
// the attacker is cut off or banned, an honest peer still gets blocks,
// and goroutines and memory come back to their baseline.

// statusProto is the handshake protocol ID (p2p's protoStatus).
const statusProto = protocol.ID("/cairn/status/1")

const (
	// goroutineSlack is how far above its baseline the goroutine count
	// may stay once an attack is over (libp2p's background loops come
	// and go).
	goroutineSlack = 40
	// heapSlack bounds the live heap's growth over an attack.
	heapSlack = 64 << 20
	// peakGoroutines bounds the goroutines a gossip flood may add while
	// it runs: GossipSub runs at most 8,192 validations at once (and
	// 1,024 per topic), each in a goroutine.
	peakGoroutines = 10_000
)

// ---- resource accounting ----

type usage struct {
	goroutines int
	heapInuse  uint64
	totalAlloc uint64
}

func measure() usage {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return usage{goroutines: runtime.NumGoroutine(), heapInuse: ms.HeapInuse, totalAlloc: ms.TotalAlloc}
}

// peaks samples the goroutine count and the heap while an attack runs.
type peaks struct {
	stop, done chan struct{}
	goroutines int
	heap       uint64
	extra      func() // an extra check run at every sample
}

func samplePeaks(extra func()) *peaks {
	p := &peaks{stop: make(chan struct{}), done: make(chan struct{}), extra: extra}
	go func() {
		defer close(p.done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			p.goroutines = max(p.goroutines, runtime.NumGoroutine())
			runtime.ReadMemStats(&ms)
			p.heap = max(p.heap, ms.HeapInuse)
			if p.extra != nil {
				p.extra()
			}
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// end stops the sampler and returns the peaks.
func (p *peaks) end() (goroutines int, heap uint64) {
	close(p.stop)
	<-p.done
	return p.goroutines, p.heap
}

// settle waits until the goroutine count is back near base, then checks
// that the live heap did not grow by more than heapSlack.
func settle(t testing.TB, base usage, what string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	// Back for 5 ticks in a row: a backlog can spawn validators in waves.
	for calm := 0; calm < 5; <-tick.C {
		n := runtime.NumGoroutine()
		if n > base.goroutines+goroutineSlack {
			calm = 0
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d goroutines 30 s after the attack, baseline %d", what, n, base.goroutines)
			}
			continue
		}
		calm++
	}
	after := measure()
	if after.heapInuse > base.heapInuse+heapSlack {
		t.Fatalf("%s: live heap grew from %d to %d MiB", what, base.heapInuse>>20, after.heapInuse>>20)
	}
	t.Logf("%s: goroutines %d -> %d, live heap %d -> %d MiB", what, base.goroutines, after.goroutines, base.heapInuse>>20, after.heapInuse>>20)
}

// ---- the victim ----

// hashCount counts calls per hash.
type hashCount struct {
	mu sync.Mutex
	m  map[core.Hash]int
}

func (c *hashCount) add(h core.Hash) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[core.Hash]int{}
	}
	c.m[h]++
	c.mu.Unlock()
}

func (c *hashCount) get(h core.Hash) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[h]
}

// sum returns the calls for all of hs and how many of hs were seen.
func (c *hashCount) sum(hs []core.Hash) (calls, distinct int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range hs {
		if n := c.m[h]; n > 0 {
			calls += n
			distinct++
		}
	}
	return calls, distinct
}

// countingChain counts CheckHeaders calls (headers from a sync source).
type countingChain struct {
	p2p.Chain
	checks atomic.Int64
}

func (c *countingChain) CheckHeaders(hs []core.Header) (int, error) {
	c.checks.Add(1)
	return c.Chain.CheckHeaders(hs)
}

// penaltyLog is a log handler that keeps the victim's "peer misbehaved"
// records: who was penalised, and why.
type penaltyLog struct {
	mu      sync.Mutex
	reasons map[string][]string // by peer ID
}

func (l *penaltyLog) Enabled(_ context.Context, lvl slog.Level) bool { return lvl >= slog.LevelWarn }
func (l *penaltyLog) WithAttrs([]slog.Attr) slog.Handler             { return l }
func (l *penaltyLog) WithGroup(string) slog.Handler                  { return l }

func (l *penaltyLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "peer misbehaved" {
		return nil
	}
	var p, reason string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "peer":
			p = a.Value.String()
		case "reason":
			reason = a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	if l.reasons == nil {
		l.reasons = map[string][]string{}
	}
	l.reasons[p] = append(l.reasons[p], reason)
	l.mu.Unlock()
	return nil
}

func (l *penaltyLog) of(p peer.ID) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.reasons[p.String()])
}

// abuseEnv is a victim node whose calls into the node are counted, with
// an honest peer connected to it.
type abuseEnv struct {
	t              *testing.T
	b              *scenarios.Builder
	victim, honest *tnode
	blocks, txs    hashCount // SubmitBlock and SubmitTxs calls, by block hash and tx ID
	orphans        atomic.Int64
	chain          *countingChain
	penalties      penaltyLog
}

func newAbuseEnv(t *testing.T, opts func(*p2p.Config)) *abuseEnv {
	t.Helper()
	e := &abuseEnv{t: t, b: scenarios.NewBuilder()}
	e.victim = startNode(t, 0, e.b.Genesis, t.TempDir(), func(c *p2p.Config) {
		c.DisablePEX = true
		c.Logger = slog.New(&e.penalties)
		e.chain = &countingChain{Chain: c.Chain}
		c.Chain = e.chain
		submitBlock, submitTxs := c.SubmitBlock, c.SubmitTxs
		c.SubmitBlock = func(blk *core.Block) (*chain.Result, error) {
			e.blocks.add(blk.Hash())
			res, err := submitBlock(blk)
			if err == nil && res.Status == chain.StatusOrphan {
				e.orphans.Add(1)
			}
			return res, err
		}
		c.SubmitTxs = func(txs []*core.Tx) []error {
			for _, tx := range txs {
				e.txs.add(tx.ID())
			}
			return submitTxs(txs)
		}
		if opts != nil {
			opts(c)
		}
	})
	e.honest = startNode(t, 1, e.b.Genesis, t.TempDir(), func(c *p2p.Config) { c.DisablePEX = true })
	connect(t, e.honest, e.victim)
	return e
}

// honestBlocksFlow checks that a block mined by the honest peer reaches
// the victim and one mined by the victim reaches the honest peer.
func (e *abuseEnv) honestBlocksFlow(what string) {
	e.t.Helper()
	ns := []*tnode{e.victim, e.honest}
	waitSameTip(e.t, ns, e.victim.tip().Height, 20*time.Second)
	for _, n := range []*tnode{e.honest, e.victim} {
		h := n.tip().Height
		start := time.Now()
		n.mine()
		waitSameTip(e.t, ns, h+1, 10*time.Second)
		e.t.Logf("%s: block from node %d everywhere in %v", what, n.i, time.Since(start).Round(time.Millisecond))
	}
}

// honestUnpunished checks that the victim never penalised the honest
// peer.
func (e *abuseEnv) honestUnpunished() {
	e.t.Helper()
	if rs := e.penalties.of(e.honest.Net.Host().ID()); len(rs) > 0 {
		e.t.Fatalf("the honest peer was penalised: %q", rs)
	}
	if banned(e.victim, e.honest.Net.Host().ID()) {
		e.t.Fatal("the honest peer was banned")
	}
}

// ---- raw peers ----

// newBareHost returns a libp2p host with the node's transport stack and
// no limits of its own, closed when the test ends.
func newBareHost(t testing.TB) host.Host {
	t.Helper()
	h, err := bareHost()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// bareHost returns a host that dials out only; the caller closes it.
func bareHost() (host.Host, error) {
	return libp2p.New(
		libp2p.NoListenAddrs,
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.ResourceManager(&network.NullResourceManager{}),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
		libp2p.Ping(false),
	)
}

// frame returns body as a wire frame: a uvarint length, then the body.
func frame(body []byte) []byte { return append(binary.AppendUvarint(nil, uint64(len(body))), body...) }

// readRawFrame reads one frame of at most max bytes.
func readRawFrame(r *bufio.Reader, max uint64) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, fmt.Errorf("frame of %d bytes", n)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(r, b)
	return b, err
}

// statusOf returns a status message of the victim's chain at genesis with
// the given work.
func statusOf(g core.Hash, work *big.Int) []byte {
	return (&p2p.Status{Version: p2p.ProtocolVersion, Genesis: g, Tip: g, Work: work}).Encode()
}

// rawPeer is a bare host that answers the status handshake (and, if
// set, requests on the RPC protocol) with whatever the test says.
type rawPeer struct {
	t      testing.TB
	h      host.Host
	victim *tnode
	// reply is what the peer writes back to the victim's status request.
	reply atomic.Pointer[[]byte]
}

func newRawPeer(t testing.TB, victim *tnode) *rawPeer {
	t.Helper()
	r := &rawPeer{t: t, h: newBareHost(t), victim: victim}
	good := frame(statusOf(victim.Node.Chain.GenesisHash(), new(big.Int)))
	r.reply.Store(&good)
	r.h.SetStreamHandler(statusProto, func(s network.Stream) {
		defer s.Close()
		_ = s.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := readRawFrame(bufio.NewReader(s), 1024); err != nil {
			s.Reset()
			return
		}
		_, _ = s.Write(*r.reply.Load())
	})
	return r
}

// setReply changes the answer to the victim's status requests.
func (r *rawPeer) setReply(b []byte) { r.reply.Store(&b) }

// serveRPC answers every request on the victim's RPC protocol with
// reply(request body).
func (r *rawPeer) serveRPC(reply func(req []byte) []byte) {
	r.h.SetStreamHandler(protocol.ID(p2p.RPCProtocol(r.victim.Node.Chain.GenesisHash())), func(s network.Stream) {
		defer s.Close()
		_ = s.SetDeadline(time.Now().Add(10 * time.Second))
		req, err := readRawFrame(bufio.NewReader(s), 1<<20)
		if err != nil {
			s.Reset()
			return
		}
		_, _ = s.Write(reply(req))
	})
}

func (r *rawPeer) id() peer.ID { return r.h.ID() }

func (r *rawPeer) victimInfo() peer.AddrInfo {
	vh := r.victim.Net.Host()
	return peer.AddrInfo{ID: vh.ID(), Addrs: vh.Addrs()}
}

// dial connects to the victim (the victim then runs its handshake).
func (r *rawPeer) dial() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return r.h.Connect(ctx, r.victimInfo())
}

// ready reports whether the victim lists the peer as passed the handshake.
func (r *rawPeer) ready() bool {
	return slices.ContainsFunc(r.victim.Net.Peers(), func(p p2p.PeerInfo) bool { return p.ID == r.id() })
}

// connectReady dials the victim and waits for the handshake.
func (r *rawPeer) connectReady() {
	r.t.Helper()
	if err := r.dial(); err != nil {
		r.t.Fatalf("raw peer: connect: %v", err)
	}
	waitFor(r.t, 10*time.Second, "the victim to accept the raw peer", r.ready)
}

// connected reports whether the victim holds a connection to the peer.
func (r *rawPeer) connected() bool {
	return r.victim.Net.Host().Network().Connectedness(r.id()) == network.Connected
}

// stream opens a stream to the victim.
func (r *rawPeer) stream(proto protocol.ID) network.Stream {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := r.h.NewStream(ctx, r.victim.Net.Host().ID(), proto)
	if err != nil {
		r.t.Fatalf("raw peer: open %s: %v", proto, err)
	}
	_ = s.SetDeadline(time.Now().Add(20 * time.Second))
	return s
}

// send opens a stream, writes b and closes its side; it returns the
// stream (to read what comes back) and the write error, if any.
func (r *rawPeer) send(proto protocol.ID, b []byte) (network.Stream, error) {
	s := r.stream(proto)
	_, err := s.Write(b)
	_ = s.CloseWrite()
	return s, err
}

// publish writes gossip messages to the victim on a GossipSub stream,
// perRPC messages per RPC, bypassing any seen-cache of the sender. It
// stops at the first write error (the victim cut the peer off).
func (r *rawPeer) publish(topic string, msgs [][]byte, perRPC int) (sent int, err error) {
	s := r.stream(pubsub.GossipSubID_v12)
	defer s.Close()
	w := bufio.NewWriterSize(s, 256<<10)
	for i := 0; i < len(msgs); i += perRPC {
		var data []byte // a GossipSub RPC: publish (2) Message{data (2), topic (4)}
		for _, m := range msgs[i:min(i+perRPC, len(msgs))] {
			data = protoBytes(data, 2, protoBytes(protoBytes(nil, 2, m), 4, []byte(topic)))
		}
		if _, err := w.Write(binary.AppendUvarint(nil, uint64(len(data)))); err != nil {
			return sent, err
		}
		if _, err := w.Write(data); err != nil {
			return sent, err
		}
		sent = min(i+perRPC, len(msgs))
	}
	return sent, w.Flush()
}

// protoBytes appends a protobuf length-delimited field.
func protoBytes(b []byte, field int, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(field)<<3|2)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// banned reports whether the victim banned the raw peer.
func (r *rawPeer) banned() bool { return banned(r.victim, r.id()) }

// expectBanned waits for the ban and the disconnection, then checks that
// the peer cannot connect again.
func (r *rawPeer) expectBanned(what string) {
	r.t.Helper()
	waitFor(r.t, 10*time.Second, what+": the ban", r.banned)
	waitFor(r.t, 10*time.Second, what+": the disconnection", func() bool { return !r.connected() })
	r.expectRefused(what)
}

// expectRefused checks that the victim does not let the peer in again
// (it may accept the TCP connection, but never keeps it) and drops it
// from its peer list.
func (r *rawPeer) expectRefused(what string) {
	r.t.Helper()
	if err := r.dial(); err == nil {
		waitFor(r.t, 10*time.Second, what+": a refused peer's new connection closed", func() bool { return !r.connected() })
	}
	waitFor(r.t, 10*time.Second, what+": the refused peer gone from the victim's peer list", func() bool { return !r.ready() })
}

// ---- the cases ----

// TestAbuseHandshake: garbage and wrong-chain status messages, in either
// direction of the handshake, get the peer banned (garbage: data no
// honest node sends) or refused (another chain), the connection cut and
// a reconnection refused; honest blocks keep flowing.
func TestAbuseHandshake(t *testing.T) {
	e := newAbuseEnv(t, nil)
	base := measure()
	g := e.victim.Node.Chain.GenesisHash()
	rng := rand.New(rand.NewPCG(6, 1))
	noise64 := make([]byte, 64)
	for i := range noise64 {
		noise64[i] = byte(rng.Uint32())
	}
	httpGET := []byte("GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: abuse\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n")
	other := g
	other[0] ^= 1
	badVersion := (&p2p.Status{Version: p2p.ProtocolVersion + 1, Genesis: g, Tip: g, Work: new(big.Int)}).Encode()
	cases := []struct {
		name string
		// reply is the peer's answer to the victim's status request
		// (nil: a good status); request, if set, is sent on a status
		// stream of the peer's own after the handshake.
		reply, request []byte
		ban            bool // banned (else refused as another chain)
	}{
		{name: "garbage status request", request: frame(noise64), ban: true},
		{name: "HTTP request on the status stream", request: httpGET, ban: true},
		{name: "status request with trailing bytes", request: frame(append(statusOf(g, new(big.Int)), 0)), ban: true},
		{name: "garbage status reply", reply: frame(noise64), ban: true},
		{name: "HTTP request as the status reply", reply: httpGET, ban: true},
		{name: "wrong-genesis status reply", reply: frame(statusOf(other, new(big.Int)))},
		{name: "wrong-version status reply", reply: frame(badVersion)},
		{name: "wrong-genesis status request after the handshake", request: frame(statusOf(other, new(big.Int)))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRawPeer(t, e.victim)
			if c.reply != nil {
				r.setReply(c.reply)
				_ = r.dial() // the victim runs the handshake
			} else {
				r.connectReady()
			}
			if c.request != nil {
				s, _ := r.send(statusProto, c.request)
				_, _ = io.Copy(io.Discard, s) // whatever the victim answers
				s.Close()
			}
			if c.ban {
				r.expectBanned(c.name)
			} else {
				waitFor(t, 10*time.Second, "the disconnection", func() bool { return !r.connected() })
				r.expectRefused(c.name)
				if r.banned() {
					t.Fatal("a peer of another chain was banned: it should only be refused")
				}
			}
			e.honestBlocksFlow(c.name)
		})
	}
	e.honestUnpunished()
	settle(t, base, "handshake abuse")
}

// TestAbuseLengthPrefix: frames whose length prefix claims ~4 GiB, on
// every stream a peer can write to (its own status and RPC requests, its
// replies to the victim's status and headers requests, and a GossipSub
// RPC), are refused before anything is allocated for them: the heap does
// not grow by anywhere near that, the sender is banned (the gossip
// stream is reset by GossipSub's own cap), and honest blocks keep flowing.
func TestAbuseLengthPrefix(t *testing.T) {
	e := newAbuseEnv(t, nil)
	base := measure()
	g := e.victim.Node.Chain.GenesisHash()
	huge := binary.AppendUvarint(nil, 4<<30-1)
	filler := make([]byte, 1<<20)
	bigWork := new(big.Int).Lsh(big.NewInt(1), 200) // more than the victim: it syncs from the peer
	cases := []struct {
		name    string
		rpc     bool // the peer claims more work (the victim syncs) and answers every RPC with the huge frame
		reply   bool // the peer answers the victim's status request with the huge frame
		request protocol.ID
		ban     bool
	}{
		{name: "status request", request: statusProto, ban: true},
		{name: "RPC request", request: protocol.ID(p2p.RPCProtocol(g)), ban: true},
		{name: "status reply", reply: true, ban: true},
		{name: "RPC replies (headers, mempool IDs)", rpc: true, ban: true},
		{name: "gossip RPC", request: pubsub.GossipSubID_v12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRawPeer(t, e.victim)
			before := measure()
			switch {
			case c.reply:
				r.setReply(append(slices.Clone(huge), filler...))
				_ = r.dial()
			case c.rpc:
				r.setReply(frame(statusOf(g, bigWork)))
				r.serveRPC(func([]byte) []byte { return append(slices.Clone(huge), filler...) })
				_ = r.dial()
			default:
				r.connectReady()
				s := r.stream(c.request)
				_, _ = s.Write(huge)
				_, _ = s.Write(filler) // may fail: the victim resets the stream
				// The victim must reset the stream (not wait for 4 GiB).
				_ = s.SetReadDeadline(time.Now().Add(10 * time.Second))
				_, err := s.Read(make([]byte, 1))
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatal("the victim kept reading a stream whose frame claims 4 GiB")
				}
				s.Close()
			}
			if c.ban {
				r.expectBanned(c.name)
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if alloc := ms.TotalAlloc - before.totalAlloc; alloc > 64<<20 {
				t.Fatalf("%d MiB allocated while refusing a 4 GiB frame", alloc>>20)
			}
			if heap := measure().heapInuse; heap > before.heapInuse+64<<20 {
				t.Fatalf("live heap grew from %d to %d MiB", before.heapInuse>>20, heap>>20)
			}
			e.honestBlocksFlow(c.name)
		})
	}
	e.honestUnpunished()
	settle(t, base, "length prefixes")
}

// linkedBadPoW returns n headers extending parent, each linked to the one
// before, all with a nonce whose hash misses the target.
func linkedBadPoW(b *scenarios.Builder, parent *core.Block, n int) []core.Header {
	hs := make([]core.Header, 0, n)
	prev := parent.Header
	for range n {
		h := core.Header{Version: core.BlockVersion, Height: prev.Height + 1, PrevHash: prev.Hash(),
			Timestamp: prev.Timestamp + scenarios.BlockTime, TxRoot: core.MerkleRoot(nil), Miner: b.Keys[0].Addr, Bits: prev.Bits}
		for h.Nonce = 0; b.Engine.VerifySeal(&h) == nil; h.Nonce++ {
		}
		hs = append(hs, h)
		prev = h
	}
	return hs
}

// variants returns n distinct blocks made from base by changing the
// timestamp, with good or bad PoW as asked.
func variants(b *scenarios.Builder, base *core.Block, n int, goodPoW bool) []*core.Block {
	out := make([]*core.Block, n)
	for i := range out {
		blk := &core.Block{Header: base.Header, Txs: base.Txs}
		blk.Header.Timestamp += uint64(i) + 1
		for blk.Header.Nonce = 0; (b.Engine.VerifySeal(&blk.Header) == nil) != goodPoW; blk.Header.Nonce++ {
		}
		out[i] = blk
	}
	return out
}

func encodeAll(blks []*core.Block) (msgs [][]byte, hashes []core.Hash) {
	for _, blk := range blks {
		msgs = append(msgs, blk.Encode())
		hashes = append(hashes, blk.Hash())
	}
	return msgs, hashes
}

// TestAbuseFloods: a sync reply of 2,000 bad-PoW headers, 2,000 gossiped
// bad-PoW blocks and 500 gossiped orphans (valid PoW, a parent no one
// has) from one attacker each: the attacker is banned and cut off, the
// victim stops processing its messages, the orphan pool stays within its
// cap, and honest blocks keep flowing. An honest peer mining 300 blocks
// as fast as it can (its blocks often validated out of order, so many
// are orphans for a moment) is not penalised.
func TestAbuseFloods(t *testing.T) {
	e := newAbuseEnv(t, nil)
	base := measure()
	g := e.victim.Node.Chain.GenesisHash()
	blockTopic := p2p.BlockTopic(g)

	t.Run("2000 bad-PoW headers", func(t *testing.T) {
		hs := linkedBadPoW(e.b, e.b.Block(scenarios.GenesisLabel), p2p.MaxHeadersPerMsg)
		reply := frame(p2p.EncodeHeaders(hs))
		r := newRawPeer(t, e.victim)
		r.setReply(frame(statusOf(g, new(big.Int).Lsh(big.NewInt(1), 200)))) // more work: the victim syncs
		var served atomic.Int64
		r.serveRPC(func([]byte) []byte { served.Add(1); return reply })
		checks := e.chain.checks.Load()
		_ = r.dial()
		r.expectBanned("bad-PoW headers")
		// At most one reply is checked: the peer is banned after the first.
		// (Once, under CI's load, it was banned before any was: the reason
		// is logged to find out why.)
		n := e.chain.checks.Load() - checks
		switch {
		case n > 1:
			t.Fatalf("%d header replies checked, want at most 1 (the peer is banned after the first)", n)
		case n == 0:
			t.Logf("banned before a header reply was checked (served %d); penalties: %q", served.Load(), e.penalties.of(r.id()))
		case served.Load() == 0:
			t.Fatal("a header reply was checked, but the victim never asked the peer for headers")
		}
		if e.victim.Node.Chain.HasBlock(hs[0].Hash()) {
			t.Fatal("the victim kept a bad-PoW header")
		}
		e.honestBlocksFlow("after the header flood")
	})

	t.Run("2000 bad-PoW blocks", func(t *testing.T) {
		blks := variants(e.b, e.b.NextBadPoW("bad-pow-base", scenarios.GenesisLabel, nil), 2000, false)
		msgs, hashes := encodeAll(blks)
		r := newRawPeer(t, e.victim)
		r.connectReady()
		p := samplePeaks(nil)
		sent, err := r.publish(blockTopic, msgs, 50)
		t.Logf("sent %d of %d bad-PoW blocks (%v)", sent, len(msgs), err)
		r.expectBanned("bad-PoW blocks")
		e.honestBlocksFlow("bad-PoW flood")
		settle(t, base, "bad-PoW flood")
		gs, heap := p.end()
		calls, _ := e.blocks.sum(hashes)
		t.Logf("bad-PoW blocks processed: %d; peak goroutines %d (baseline %d), peak heap %d MiB", calls, gs, base.goroutines, heap>>20)
		if calls > 50 {
			t.Fatalf("the victim processed %d of the bad-PoW blocks: it kept processing a banned peer's messages", calls)
		}
		if gs > base.goroutines+peakGoroutines {
			t.Fatalf("%d goroutines at the peak, baseline %d", gs, base.goroutines)
		}
	})

	t.Run("500 orphans", func(t *testing.T) {
		e.b.Next("phantom", scenarios.GenesisLabel, nil, nil) // never sent
		blks := variants(e.b, e.b.Next("orphan-base", "phantom", nil, nil), 500, true)
		msgs, hashes := encodeAll(blks)
		r := newRawPeer(t, e.victim)
		r.connectReady()
		var maxPool atomic.Int64
		p := samplePeaks(func() {
			if o, _ := e.victim.Node.Chain.PoolSizes(); int64(o) > maxPool.Load() {
				maxPool.Store(int64(o))
			}
		})
		sent, err := r.publish(blockTopic, msgs, 50)
		t.Logf("sent %d of %d orphans (%v)", sent, len(msgs), err)
		r.expectBanned("orphan flood")
		e.honestBlocksFlow("orphan flood")
		settle(t, base, "orphan flood")
		gs, heap := p.end()
		calls, distinct := e.blocks.sum(hashes)
		t.Logf("orphans processed: %d (%d distinct); orphan pool at most %d; peak goroutines %d, heap %d MiB", calls, distinct, maxPool.Load(), gs, heap>>20)
		if m := maxPool.Load(); m > chain.DefaultMaxOrphans {
			t.Fatalf("the orphan pool reached %d blocks, the cap is %d", m, chain.DefaultMaxOrphans)
		}
		if calls != distinct {
			t.Fatalf("%d calls for %d distinct orphans: one was processed twice", calls, distinct)
		}
		if gs > base.goroutines+peakGoroutines {
			t.Fatalf("%d goroutines at the peak, baseline %d", gs, base.goroutines)
		}
	})

	t.Run("honest orphans", func(t *testing.T) {
		before := e.orphans.Load()
		h := e.honest.tip().Height
		for range 300 {
			e.honest.mine()
		}
		waitSameTip(t, []*tnode{e.victim, e.honest}, h+300, 20*time.Second)
		// Let the syncs the orphans triggered end, then look for penalties.
		waitFor(t, 10*time.Second, "the victim's syncs to end", func() bool {
			syncing, _, _ := e.victim.Net.SyncStatus()
			return !syncing
		})
		t.Logf("%d orphan results while the honest peer's 300 blocks arrived", e.orphans.Load()-before)
		e.honestUnpunished()
	})
	e.honestUnpunished()
	settle(t, base, "floods")
}

// TestAbuseRepeats: the same block in 10,000 gossip messages and the
// same valid tx in 10,000 gossip messages (each in a batch of its own, so
// each is a new message to GossipSub), from one attacker: each is
// validated once, admitted once and relayed to the honest peer; the
// identical block messages die in GossipSub's seen-cache, and the tx
// copies cost the attacker a ban for flooding; honest txs and blocks
// keep flowing.
func TestAbuseRepeats(t *testing.T) {
	e := newAbuseEnv(t, nil)
	base := measure()
	g := e.victim.Node.Chain.GenesisHash()

	t.Run("block", func(t *testing.T) {
		// A valid block on the victim's tip (genesis: nothing was mined yet).
		if h := e.victim.tip().Height; h != 0 {
			t.Fatalf("victim at height %d, want 0", h)
		}
		blk := e.b.Next("repeated", scenarios.GenesisLabel, nil, nil)
		data := blk.Encode()
		msgs := make([][]byte, 10_000)
		for i := range msgs {
			msgs[i] = data
		}
		r := newRawPeer(t, e.victim)
		r.connectReady()
		p := samplePeaks(nil)
		if sent, err := r.publish(p2p.BlockTopic(g), msgs, 100); err != nil {
			t.Fatalf("sent %d: %v", sent, err)
		}
		waitSameTip(t, []*tnode{e.victim, e.honest}, blk.Header.Height, 10*time.Second)
		if e.victim.tip().Hash != blk.Hash() {
			t.Fatal("the repeated block is not the victim's tip")
		}
		settle(t, base, "10,000 copies of a block")
		gs, heap := p.end()
		t.Logf("peak goroutines %d, heap %d MiB", gs, heap>>20)
		if n := e.blocks.get(blk.Hash()); n != 1 {
			t.Fatalf("the block was processed %d times, want once", n)
		}
		if gs > base.goroutines+peakGoroutines {
			t.Fatalf("%d goroutines at the peak, baseline %d", gs, base.goroutines)
		}
	})

	t.Run("tx", func(t *testing.T) {
		tx := e.b.Tx(0, scenarios.NewKey(9).Addr, 1000, scenarios.MinFee, 0)
		pool := e.victim.Node.Pool.Count()
		msgs := make([][]byte, 10_000)
		for i := range msgs {
			msgs[i] = p2p.EncodeTxBatch(uint64(i), []*core.Tx{tx})
		}
		r := newRawPeer(t, e.victim)
		r.connectReady()
		p := samplePeaks(nil)
		start := time.Now()
		sent, err := r.publish(p2p.TxTopic(g), msgs, 100)
		t.Logf("sent %d copies in %v (%v)", sent, time.Since(start).Round(time.Millisecond), err)
		r.expectBanned("10,000 copies of a tx")
		settle(t, base, "10,000 copies of a tx")
		gs, heap := p.end()
		t.Logf("peak goroutines %d, heap %d MiB", gs, heap>>20)
		if n := e.txs.get(tx.ID()); n != 1 {
			t.Fatalf("the tx was validated %d times, want once", n)
		}
		if n := e.victim.Node.Pool.Count(); n != pool+1 {
			t.Fatalf("mempool holds %d txs, want %d", n, pool+1)
		}
		if gs > base.goroutines+peakGoroutines {
			t.Fatalf("%d goroutines at the peak, baseline %d", gs, base.goroutines)
		}
		waitFor(t, 10*time.Second, "the tx at the honest peer", func() bool { return e.honest.Node.Pool.Has(tx.ID()) })
		// An honest tx still gets through.
		honest := e.b.Tx(1, scenarios.NewKey(9).Addr, 1000, scenarios.MinFee, 0)
		e.honest.submitTx(honest)
		waitFor(t, 10*time.Second, "an honest tx at the victim", func() bool { return e.victim.Node.Pool.Has(honest.ID()) })
	})
	e.honestBlocksFlow("after the repeats")
	e.honestUnpunished()
	settle(t, base, "repeats")
}

// TestAbuseInboundFlood: 300 inbound connections at once (libp2p peers
// that pass the handshake, and raw TCP connections that never finish the
// libp2p upgrade) against a victim with MaxInbound 16: the resource
// manager never holds more than 16 inbound connections, the victim never
// lists more than 16 peers, the honest peer keeps exchanging blocks, and
// once the attackers leave the goroutines come back to the baseline and
// a new peer can connect.
func TestAbuseInboundFlood(t *testing.T) {
	const maxIn = 16
	e := newAbuseEnv(t, func(c *p2p.Config) { c.MaxInbound = maxIn })
	base := measure()
	vh := e.victim.Net.Host()
	g := e.victim.Node.Chain.GenesisHash()
	good := frame(statusOf(g, new(big.Int)))
	var maxConns, maxPeers atomic.Int64
	check := func() {
		_ = vh.Network().ResourceManager().ViewSystem(func(s network.ResourceScope) error {
			if n := int64(s.Stat().NumConnsInbound); n > maxConns.Load() {
				maxConns.Store(n)
			}
			return nil
		})
		if n := int64(e.victim.Net.PeerCount()); n > maxPeers.Load() {
			maxPeers.Store(n)
		}
	}
	p := samplePeaks(check)

	const hosts, raws = 240, 60
	var ok, refused atomic.Int64
	var wg sync.WaitGroup
	work := make(chan int)
	var mu sync.Mutex
	var bare []host.Host
	var conns []net.Conn
	closeAll := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
		for _, h := range bare {
			h.Close()
		}
		conns, bare = nil, nil
	}
	defer closeAll()
	tcpAddr := ""
	for _, a := range vh.Addrs() {
		if ip, err := a.ValueForProtocol(4); err == nil {
			port, _ := a.ValueForProtocol(6)
			tcpAddr = net.JoinHostPort(ip, port)
		}
	}
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if i >= hosts { // a raw TCP connection: idle or garbage
					c, err := net.DialTimeout("tcp", tcpAddr, 5*time.Second)
					if err != nil {
						refused.Add(1)
						continue
					}
					if i%2 == 0 {
						_, _ = c.Write([]byte("\x13/multistream/1.0.0\n\x07garbage"))
					}
					mu.Lock()
					conns = append(conns, c)
					mu.Unlock()
					continue
				}
				h, err := bareHost()
				if err != nil {
					t.Error(err)
					continue
				}
				h.SetStreamHandler(statusProto, func(s network.Stream) {
					defer s.Close()
					_ = s.SetDeadline(time.Now().Add(10 * time.Second))
					if _, err := readRawFrame(bufio.NewReader(s), 1024); err == nil {
						_, _ = s.Write(good)
					}
				})
				mu.Lock()
				bare = append(bare, h)
				mu.Unlock()
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				err = h.Connect(ctx, peer.AddrInfo{ID: vh.ID(), Addrs: vh.Addrs()})
				cancel()
				if err != nil {
					refused.Add(1)
				} else {
					ok.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	for i := range hosts + raws {
		work <- i
	}
	close(work)
	wg.Wait()
	t.Logf("%d connection attempts in %v: %d libp2p connections made, %d refused", hosts+raws, time.Since(start).Round(time.Millisecond), ok.Load(), refused.Load())
	e.honestBlocksFlow("300 inbound connections")
	if !connected(e.victim, e.honest) {
		t.Fatal("the honest peer was disconnected")
	}
	closeAll()
	gs, heap := p.end()
	t.Logf("max inbound connections %d, max peers %d, peak goroutines %d (baseline %d), peak heap %d MiB", maxConns.Load(), maxPeers.Load(), gs, base.goroutines, heap>>20)
	if m := maxConns.Load(); m > maxIn {
		t.Fatalf("the resource manager held %d inbound connections, the limit is %d", m, maxIn)
	}
	if m := maxPeers.Load(); m > maxIn {
		t.Fatalf("the victim listed %d peers, MaxInbound is %d", m, maxIn)
	}
	if m := maxConns.Load(); m != maxIn {
		t.Fatalf("at most %d inbound connections: the flood never reached the limit of %d", m, maxIn)
	}
	e.honestUnpunished()
	settle(t, base, "300 inbound connections")
	// The slots are free again.
	late := startNode(t, 8, e.b.Genesis, t.TempDir(), func(c *p2p.Config) { c.DisablePEX = true })
	connect(t, late, e.victim)
	waitSameTip(t, []*tnode{e.victim, late}, e.victim.tip().Height, 10*time.Second)
}
