package p2p_test

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
)

// TestAbuseAllowlistFlood: a flood of connections from peer IDs outside
// a private node's allowlist costs it one secured handshake each: every
// attempt is refused right there (the gater's count), none is listed as
// a peer, opens a stream, or leaves anything behind (peerstore, peer
// store, ban list), goroutines and heap return to their baseline, and the
// allowed peer keeps exchanging blocks.
func TestAbuseAllowlistFlood(t *testing.T) {
	dirs, ids := privateDirs(t, 2)
	b := scenarios.NewBuilder()
	list := allowOf(ids[0], ids[1])
	opts := func(c *p2p.Config) { c.Allowlist, c.DisablePEX = list, true }
	victim := startNode(t, 0, b.Genesis, dirs[0], opts)
	honest := startNode(t, 1, b.Genesis, dirs[1], opts)
	connect(t, honest, victim)
	vh := victim.Net.Host()
	base := measure()
	known, bans, refused0 := victim.Net.KnownPeers(), len(victim.Net.Bans()), victim.Net.RefusedInbound()
	var maxPeers, past atomic.Int64
	p := samplePeaks(func() {
		maxPeers.Store(max(maxPeers.Load(), int64(victim.Net.PeerCount())))
	})
	vh.Network().Notify(&network.NotifyBundle{ConnectedF: func(_ network.Network, c network.Conn) {
		if c.RemotePeer() != honest.Net.Host().ID() {
			past.Add(1) // a connection that got past the gater
		}
	}})

	const attempts = 200
	var failed atomic.Int64
	var mu sync.Mutex
	var attackers []peer.ID
	work := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				h, err := bareHost() // a fresh peer ID each time
				if err != nil {
					t.Error(err)
					continue
				}
				mu.Lock()
				attackers = append(attackers, h.ID())
				mu.Unlock()
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				// The dialler's side of Noise ends with its last message, so
				// its Connect may return before the victim refuses: then
				// the connection must be dead to a stream.
				if err := h.Connect(ctx, peer.AddrInfo{ID: vh.ID(), Addrs: vh.Addrs()}); err != nil && ctx.Err() == nil {
					failed.Add(1)
				} else if s, err := h.NewStream(network.WithNoDial(ctx, "probe"), vh.ID(), statusProto); err != nil && ctx.Err() == nil {
					failed.Add(1)
				} else if err == nil {
					s.Reset()
				}
				cancel()
				h.Close()
			}
		}()
	}
	for i := range attempts {
		work <- i
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	gs, heap := p.end()
	refused := victim.Net.RefusedInbound() - refused0
	t.Logf("%d connections from outside the allowlist in %v (%v each, 8 at a time): %d refused after the secured handshake; peak goroutines %d (baseline %d), peak heap %d MiB",
		attempts, elapsed.Round(time.Millisecond), (elapsed / attempts).Round(time.Microsecond), refused, gs, base.goroutines, heap>>20)
	if failed.Load() != attempts {
		t.Fatalf("%d of %d attempts were cut off before a stream, want all", failed.Load(), attempts)
	}
	if refused != attempts {
		t.Fatalf("the gater refused %d connections after the secured handshake, want %d (one per attempt)", refused, attempts)
	}
	if n := past.Load(); n != 0 || maxPeers.Load() > 1 {
		t.Fatalf("%d outside connections got past the gater; max peers listed %d", n, maxPeers.Load())
	}
	kept := slices.Concat(vh.Peerstore().Peers(), vh.Peerstore().PeersWithKeys(), vh.Peerstore().PeersWithAddrs())
	for _, id := range attackers {
		if slices.Contains(kept, id) {
			t.Fatalf("the victim's peerstore kept refused peer %s", id)
		}
	}
	if victim.Net.KnownPeers() != known || len(victim.Net.Bans()) != bans {
		t.Fatalf("the flood changed the peer store (%d -> %d) or the ban list (%d -> %d)", known, victim.Net.KnownPeers(), bans, len(victim.Net.Bans()))
	}
	for _, n := range []*tnode{honest, victim} {
		h := n.tip().Height
		n.mine()
		waitSameTip(t, []*tnode{victim, honest}, h+1, 10*time.Second)
	}
	settle(t, base, "allowlist flood")
}

// BenchmarkAllowlistRefusal: the cost of one connection attempt from a
// peer outside a private node's allowlist (TCP, Noise, refused by the
// gater) against one allowed connection (TCP, Noise, yamux; the node's
// identify and status handshake then start), both from the same bare
// host in the same run. refused/allowed is the ratio.
func BenchmarkAllowlistRefusal(b *testing.B) {
	outsider, err := bareHost()
	if err != nil {
		b.Fatal(err)
	}
	defer outsider.Close()
	member, err := bareHost()
	if err != nil {
		b.Fatal(err)
	}
	defer member.Close()
	dir := b.TempDir()
	sb := scenarios.NewBuilder()
	victim := startNode(b, 0, sb.Genesis, dir, func(c *p2p.Config) {
		c.DisablePEX = true
		c.Allowlist = []p2p.AllowEntry{{PeerID: member.ID().String()}}
	})
	vai := peer.AddrInfo{ID: victim.Net.Host().ID(), Addrs: victim.Net.Host().Addrs()}
	vnet := victim.Net.Host().Network()
	dial := func(h host.Host) {
		h.Network().(*swarm.Swarm).Backoff().Clear(vai.ID)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Connect(ctx, vai); err != nil && h == member {
			b.Fatal(err)
		}
	}
	// waitUntil spins until cond holds: each attempt ends when the victim
	// is done with it, not when the dialler's side returns.
	waitUntil := func(what string, cond func() bool) {
		deadline := time.Now().Add(5 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				b.Fatalf("timed out waiting for %s", what)
			}
			runtime.Gosched()
		}
	}
	// The victim drops the bare member after its status handshake fails,
	// perhaps before a poll could see it: count its connections instead.
	var ups, downs atomic.Int64
	vnet.Notify(&network.NotifyBundle{
		ConnectedF: func(_ network.Network, c network.Conn) {
			if c.RemotePeer() == member.ID() {
				ups.Add(1)
			}
		},
		DisconnectedF: func(_ network.Network, c network.Conn) {
			if c.RemotePeer() == member.ID() {
				downs.Add(1)
			}
		},
	})
	allowedOnce := func() {
		want := ups.Load() + 1
		dial(member)
		waitUntil("the allowed connection", func() bool { return ups.Load() >= want })
		_ = member.Network().ClosePeer(vai.ID)
		waitUntil("the allowed peer gone", func() bool { return downs.Load() >= want })
	}
	const calib = 50
	allowedOnce() // warm up
	start := time.Now()
	for range calib {
		allowedOnce()
	}
	perAllowed := time.Since(start) / calib
	b.ResetTimer()
	for i := range b.N {
		want := victim.Net.RefusedInbound() + 1
		dial(outsider)
		waitUntil("the refusal", func() bool { return victim.Net.RefusedInbound() >= want })
		if i == 0 && vnet.Connectedness(outsider.ID()) == network.Connected {
			b.Fatal("the outsider is connected")
		}
	}
	b.StopTimer()
	perRefused := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(perAllowed.Nanoseconds()), "allowed-ns/op")
	b.ReportMetric(float64(perRefused)/float64(perAllowed), "refused/allowed")
}
