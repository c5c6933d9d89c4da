package p2p

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// protoStatus is the handshake protocol. It is the same for every chain,
// so a node of another chain learns why it is refused.
const protoStatus = protocol.ID("/cairn/status/1")

const handshakeTimeout = 10 * time.Second

func protocolID(s string) protocol.ID { return protocol.ID(s) }

// ErrWrongChain is returned by Connect for a peer on another chain (or
// another protocol version). It is a *core.RuleError (CodeWrongChain).
var ErrWrongChain = core.Errorf(core.CodeWrongChain, "p2p: peer is on another chain")

// ErrUnreachable wraps Connect's failures to reach a peer or finish the
// handshake with it (the peer's problem, or the network's, not ours).
var ErrUnreachable = errors.New("p2p: peer unreachable")

// peerState is what the network knows of a connected peer.
type peerState struct {
	id        peer.ID
	outbound  bool
	connected time.Time
	ready     bool          // handshake done
	done      chan struct{} // closed when the handshake ends either way
	err       error         // why the handshake failed
	status    Status        // latest status (from the handshake or a refresh)
	rtt       time.Duration
	// RPC rate limit: a token bucket.
	tokens float64
	refill time.Time
	// Gossip messages that brought nothing new: a token bucket (see
	// noteStale).
	stale       float64
	staleRefill time.Time
	// orphans are blocks with unknown parents the peer relayed, to check
	// after the sync they trigger (see checkOrphans).
	orphans []core.Hash
}

// onConnected runs for every new connection; the first one to a peer
// starts the handshake.
func (n *Network) onConnected(_ network.Network, c network.Conn) {
	p := c.RemotePeer()
	if n.ctx.Err() != nil {
		return // closing
	}
	n.mu.Lock()
	if _, ok := n.peers[p]; ok {
		n.mu.Unlock()
		return
	}
	ps := &peerState{id: p, outbound: c.Stat().Direction == network.DirOutbound, connected: n.cfg.Now(), done: make(chan struct{}),
		tokens: rpcBurst, refill: time.Now(), stale: staleBurst, staleRefill: time.Now()}
	n.peers[p] = ps
	n.mu.Unlock()
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.handshake(ps)
	}()
}

func (n *Network) onDisconnected(nw network.Network, c network.Conn) {
	p := c.RemotePeer()
	if nw.Connectedness(p) == network.Connected {
		return
	}
	n.mu.Lock()
	ps, ok := n.peers[p]
	ready := ok && ps.ready // under the lock: the handshake may be setting it now
	delete(n.peers, p)
	n.mu.Unlock()
	if ready {
		n.log.Debug("peer disconnected", "peer", p)
		n.host.ConnManager().Unprotect(p, "cairn-outbound")
		n.triggerDial()
	}
}

// identifyLoop records the listen addresses identify reports for ready
// peers (for an inbound peer they often arrive after the handshake), so
// the peer store can redial them and share them by peer exchange.
func (n *Network) identifyLoop(ctx context.Context) {
	sub, err := n.host.EventBus().Subscribe(new(event.EvtPeerIdentificationCompleted))
	if err != nil {
		n.log.Warn("no identify events", "err", err)
		return
	}
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub.Out():
			if !ok {
				return
			}
			ev := e.(event.EvtPeerIdentificationCompleted)
			if st, ready := n.peerStatus(ev.Peer); ready && st.Genesis == n.genesis {
				n.book.seen(peer.AddrInfo{ID: ev.Peer, Addrs: n.shareableAddrs(ev.Peer)})
			}
		}
	}
}

// handshake asks the peer for its status (sending ours) and admits it,
// or refuses it if it is on another chain.
func (n *Network) handshake(ps *peerState) {
	ctx, cancel := context.WithTimeout(n.ctx, handshakeTimeout)
	defer cancel()
	st, rtt, err := n.requestStatus(ctx, ps.id)
	if err == nil {
		err = n.checkStatus(ps.id, st)
	}
	n.mu.Lock()
	if err != nil {
		ps.err = err
	} else {
		ps.ready, ps.status, ps.rtt = true, *st, rtt
	}
	close(ps.done)
	n.mu.Unlock()
	if err != nil {
		if !errors.Is(err, ErrWrongChain) && n.ctx.Err() == nil {
			n.log.Debug("handshake failed", "peer", ps.id, "err", err)
			if core.IsRuleError(err) {
				n.misbehave(ps.id, pointsFatal, "undecodable status: "+err.Error())
			}
		}
		if errors.Is(err, ErrWrongChain) {
			// Let the peer finish its own handshake (and learn why).
			time.AfterFunc(time.Second, func() { _ = n.host.Network().ClosePeer(ps.id) })
		} else {
			_ = n.host.Network().ClosePeer(ps.id)
		}
		return
	}
	n.host.Peerstore().RecordLatency(ps.id, rtt)
	n.book.seen(peer.AddrInfo{ID: ps.id, Addrs: n.shareableAddrs(ps.id)})
	if ps.outbound {
		n.host.ConnManager().Protect(ps.id, "cairn-outbound")
	}
	n.log.Info("peer connected", "peer", ps.id, "outbound", ps.outbound, "height", st.Height, "rtt", rtt)
	if n.worthSyncing(st) {
		n.sync.trigger(ps.id)
	}
	n.goFn(func(ctx context.Context) { n.welcome(ctx, ps.id) })
	if !n.cfg.DisablePEX && n.outboundCount() < n.cfg.MaxOutbound {
		n.goFn(func(ctx context.Context) { n.exchangePeers(ctx, ps.id) })
	}
}

// meshWarmup is how long a new peer takes to join the GossipSub meshes
// (a heartbeat or two). Messages a node receives in that window are not
// forwarded to the new peer, so the node reconciles mempools and status
// with it again once the window has passed.
const meshWarmup = 2500 * time.Millisecond

// welcome reconciles mempools with a new peer now and after the mesh
// warm-up, then re-exchanges status (a block missed in the warm-up starts
// a sync).
func (n *Network) welcome(ctx context.Context, p peer.ID) {
	if !n.cfg.DisableReconcile {
		n.reconcileMempool(ctx, p)
	}
	select {
	case <-ctx.Done():
		return
	case <-time.After(meshWarmup):
	}
	if _, ok := n.peerStatus(p); !ok {
		return
	}
	if !n.cfg.DisableReconcile {
		n.reconcileMempool(ctx, p)
	}
	c, cancel := context.WithTimeout(ctx, handshakeTimeout)
	defer cancel()
	if st, _, err := n.requestStatus(c, p); err == nil && n.checkStatus(p, st) == nil {
		n.updateStatus(p, st)
	}
}

// checkStatus refuses a peer on another chain or protocol version.
func (n *Network) checkStatus(p peer.ID, st *Status) error {
	switch {
	case st.Genesis != n.genesis:
		n.refuse(p, fmt.Sprintf("genesis %s, ours is %s", st.Genesis, n.genesis))
		return fmt.Errorf("%w: genesis %s, ours is %s", ErrWrongChain, st.Genesis, n.genesis)
	case st.Version != ProtocolVersion:
		n.refuse(p, fmt.Sprintf("protocol version %d, ours is %d", st.Version, ProtocolVersion))
		return fmt.Errorf("%w: protocol version %d, ours is %d", ErrWrongChain, st.Version, ProtocolVersion)
	}
	return nil
}

func (n *Network) refuse(p peer.ID, why string) {
	n.log.Info("peer refused: another chain", "peer", p, "reason", why)
	n.bans.refuse(p)
	n.book.remove(p)
}

// ourStatus returns this node's status.
func (n *Network) ourStatus() *Status {
	tip := n.cfg.Chain.Tip()
	return &Status{Version: ProtocolVersion, Genesis: n.genesis, Tip: tip.Hash, Height: tip.Height, Work: tip.TotalWork}
}

// worthSyncing reports whether a peer's chain is worth fetching: more work
// than ours, or as much on a tip we have never seen. The second matters
// to engines that break ties (PoA's EIP-3436): two halves of a partition
// that halted at equal weight must see each other's branch for the fork
// choice to pick one (else every signer waits on its own branch for
// ever). A tip we have seen is never fetched again, so equal PoW tips do
// not loop.
func (n *Network) worthSyncing(st *Status) bool {
	if st.Work == nil {
		return false
	}
	switch st.Work.Cmp(n.ourWork()) {
	case 1:
		return true
	case 0:
		return st.Tip != n.cfg.Chain.Tip().Hash && !n.cfg.Chain.HasBlock(st.Tip) && !n.cfg.Chain.IsInvalid(st.Tip)
	}
	return false
}

func (n *Network) ourWork() *big.Int {
	if w := n.cfg.Chain.Tip().TotalWork; w != nil {
		return w
	}
	return new(big.Int)
}

// requestStatus sends our status and reads the peer's.
func (n *Network) requestStatus(ctx context.Context, p peer.ID) (*Status, time.Duration, error) {
	s, err := n.host.NewStream(network.WithNoDial(ctx, "status"), p, protoStatus)
	if err != nil {
		return nil, 0, fmt.Errorf("open status stream: %w", err)
	}
	defer s.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = s.SetDeadline(d)
	}
	start := time.Now()
	if err := writeFrame(s, n.ourStatus().Encode()); err != nil {
		s.Reset()
		return nil, 0, fmt.Errorf("send status: %w", err)
	}
	_ = s.CloseWrite()
	body, err := readFrame(bufio.NewReader(s), maxStatusBytes)
	if err != nil {
		s.Reset()
		return nil, 0, fmt.Errorf("read status: %w", err)
	}
	rtt := time.Since(start)
	st, err := DecodeStatus(body)
	if err != nil {
		return nil, 0, err
	}
	return st, rtt, nil
}

// handleStatus answers a status request: it reads the peer's status,
// replies with ours, and records theirs (refusing another chain).
func (n *Network) handleStatus(s network.Stream) {
	defer s.Close()
	p := s.Conn().RemotePeer()
	_ = s.SetDeadline(time.Now().Add(handshakeTimeout))
	body, err := readFrame(bufio.NewReader(s), maxStatusBytes)
	if err != nil {
		s.Reset()
		if core.IsRuleError(err) {
			n.misbehave(p, pointsFatal, "oversized status: "+err.Error())
		}
		return
	}
	st, err := DecodeStatus(body)
	if err != nil {
		s.Reset()
		n.misbehave(p, pointsFatal, "undecodable status: "+err.Error())
		return
	}
	if err := writeFrame(s, n.ourStatus().Encode()); err != nil {
		s.Reset()
		return
	}
	if n.checkStatus(p, st) != nil {
		_ = s.CloseWrite()
		// Give the peer a moment to read our status, then drop it.
		time.AfterFunc(time.Second, func() { _ = n.host.Network().ClosePeer(p) })
		return
	}
	n.updateStatus(p, st)
}

// updateStatus records a newer status of a ready peer and starts a sync
// if it has more work than this node.
func (n *Network) updateStatus(p peer.ID, st *Status) {
	n.mu.Lock()
	ps, ok := n.peers[p]
	ok = ok && ps.ready
	if ok {
		ps.status = *st
	}
	n.mu.Unlock()
	if ok && n.worthSyncing(st) {
		n.sync.trigger(p)
	}
}

// noteHeight raises a peer's known height (after it relayed a block).
func (n *Network) noteHeight(p peer.ID, h uint64) {
	n.mu.Lock()
	if ps, ok := n.peers[p]; ok && ps.ready && h > ps.status.Height {
		ps.status.Height = h
	}
	n.mu.Unlock()
}

// refreshStatuses re-exchanges status with every ready peer in parallel.
func (n *Network) refreshStatuses(ctx context.Context) {
	ids := n.readyPeers()
	done := make(chan struct{}, len(ids))
	for _, p := range ids {
		go func() {
			defer func() { done <- struct{}{} }()
			c, cancel := context.WithTimeout(ctx, handshakeTimeout)
			defer cancel()
			st, rtt, err := n.requestStatus(c, p)
			if err != nil {
				if core.IsRuleError(err) {
					n.misbehave(p, pointsFatal, "undecodable status: "+err.Error())
				}
				return
			}
			n.host.Peerstore().RecordLatency(p, rtt)
			if n.checkStatus(p, st) != nil {
				_ = n.host.Network().ClosePeer(p)
				return
			}
			n.mu.Lock()
			if ps, ok := n.peers[p]; ok && ps.ready {
				ps.status, ps.rtt = *st, rtt
			}
			n.mu.Unlock()
		}()
	}
	for range ids {
		<-done
	}
}

// readyPeers returns the peers that passed the handshake.
func (n *Network) readyPeers() []peer.ID {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]peer.ID, 0, len(n.peers))
	for id, ps := range n.peers {
		if ps.ready {
			out = append(out, id)
		}
	}
	return out
}

// peerStatus returns a ready peer's latest status.
func (n *Network) peerStatus(p peer.ID) (Status, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	ps, ok := n.peers[p]
	if !ok || !ps.ready {
		return Status{}, false
	}
	return ps.status, true
}

func (n *Network) outboundCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, ps := range n.peers {
		if ps.outbound && ps.err == nil {
			c++
		}
	}
	return c
}
