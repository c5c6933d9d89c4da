package p2p

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/fsutil"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Peer store and dialling.
const (
	maxBookEntries = 1024
	minBackoff     = time.Second
	maxBackoff     = 5 * time.Minute
	dialTimeout    = 10 * time.Second
	// forgetAfter: an entry that failed this many dials in a row and has
	// not been seen for forgetAge is dropped (bootstrap peers never are).
	forgetAfter = 16
	forgetAge   = 7 * 24 * time.Hour
)

// Where a peer-store entry came from.
const (
	sourceBootstrap = "bootstrap"
	sourceManual    = "manual"
	sourceConnected = "connected"
	sourcePEX       = "pex"
)

// bookEntry is a known peer.
type bookEntry struct {
	ID       string    `json:"id"`
	Addrs    []string  `json:"addrs"`
	Source   string    `json:"source"`
	LastSeen time.Time `json:"last_seen,omitzero"`
	Failures int       `json:"failures,omitempty"`

	id       peer.ID
	maddrs   []ma.Multiaddr
	nextDial time.Time
}

// peerBook is the persisted peer store. Safe for concurrent use.
type peerBook struct {
	path   string
	now    func() time.Time
	saveMu sync.Mutex

	mu    sync.Mutex
	m     map[peer.ID]*bookEntry
	dirty bool
}

func newPeerBook(path string, now func() time.Time) (*peerBook, error) {
	b := &peerBook{path: path, now: now, m: map[peer.ID]*bookEntry{}}
	if path == "" {
		return b, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("p2p: read peer store: %w", err)
	}
	var list []*bookEntry
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("p2p: peer store %s: %w", path, err)
	}
	for _, e := range list {
		id, err := peer.Decode(e.ID)
		if err != nil {
			continue // skip a bad entry rather than refuse to start
		}
		e.id = id
		for _, s := range e.Addrs {
			if a, err := ma.NewMultiaddr(s); err == nil {
				e.maddrs = append(e.maddrs, a)
			}
		}
		if len(e.maddrs) > 0 {
			b.m[id] = e
		}
	}
	return b, nil
}

// add records addresses of a peer (from a bootstrap list, the API or
// peer exchange).
func (b *peerBook) add(ai peer.AddrInfo, source string) {
	if len(ai.Addrs) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.m[ai.ID]
	if !ok {
		if len(b.m) >= maxBookEntries && !b.evictLocked() {
			return
		}
		e = &bookEntry{ID: ai.ID.String(), id: ai.ID, Source: source}
		b.m[ai.ID] = e
	} else if source == sourceBootstrap || source == sourceManual {
		e.Source = source
		e.nextDial = time.Time{}
	}
	b.mergeLocked(e, ai.Addrs)
	b.dirty = true
}

// mergeLocked puts addrs first (newest information first), keeps the
// entry's other addresses after them, and caps the list at MaxPeerAddrs.
func (b *peerBook) mergeLocked(e *bookEntry, addrs []ma.Multiaddr) {
	out := make([]ma.Multiaddr, 0, MaxPeerAddrs)
	add := func(a ma.Multiaddr) {
		if len(out) == MaxPeerAddrs {
			return
		}
		for _, have := range out {
			if have.Equal(a) {
				return
			}
		}
		out = append(out, a)
	}
	for _, a := range addrs {
		add(a)
	}
	for _, a := range e.maddrs {
		add(a)
	}
	e.maddrs = out
	e.Addrs = e.Addrs[:0]
	for _, a := range out {
		e.Addrs = append(e.Addrs, a.String())
	}
}

// evictLocked drops the entry that failed most (never a bootstrap or
// manual one); it reports whether room was made.
func (b *peerBook) evictLocked() bool {
	var worst *bookEntry
	for _, e := range b.m {
		if e.Source == sourceBootstrap || e.Source == sourceManual {
			continue
		}
		if worst == nil || e.Failures > worst.Failures || e.Failures == worst.Failures && e.LastSeen.Before(worst.LastSeen) {
			worst = e
		}
	}
	if worst == nil {
		return false
	}
	delete(b.m, worst.id)
	return true
}

// seen records a peer that passed the handshake, with the addresses it
// listens on (the dialled one, identify's; for an inbound peer they may
// come after the handshake).
func (b *peerBook) seen(ai peer.AddrInfo) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.m[ai.ID]
	if !ok {
		if len(ai.Addrs) == 0 || len(b.m) >= maxBookEntries && !b.evictLocked() {
			return
		}
		e = &bookEntry{ID: ai.ID.String(), id: ai.ID, Source: sourceConnected}
		b.m[ai.ID] = e
	}
	b.mergeLocked(e, ai.Addrs)
	e.LastSeen, e.Failures, e.nextDial = b.now(), 0, time.Time{}
	b.dirty = true
}

func (b *peerBook) remove(p peer.ID) {
	b.mu.Lock()
	if _, ok := b.m[p]; ok {
		delete(b.m, p)
		b.dirty = true
	}
	b.mu.Unlock()
}

// failed records a failed dial and schedules the next one with
// exponential backoff.
func (b *peerBook) failed(p peer.ID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.m[p]
	if !ok {
		return
	}
	e.Failures++
	back := minBackoff << min(e.Failures-1, 20)
	if back > maxBackoff {
		back = maxBackoff
	}
	back += time.Duration(rand.Int64N(int64(back)/4 + 1)) // jitter
	e.nextDial = time.Now().Add(back)
	if e.Failures >= forgetAfter && e.Source != sourceBootstrap && e.Source != sourceManual && b.now().Sub(e.LastSeen) > forgetAge {
		delete(b.m, p)
	}
	b.dirty = true
}

// resetBackoff makes every entry dialable now.
func (b *peerBook) resetBackoff() {
	b.mu.Lock()
	for _, e := range b.m {
		e.nextDial = time.Time{}
	}
	b.mu.Unlock()
}

// candidates returns entries due for a dial, fewest failures first.
func (b *peerBook) candidates(skip func(peer.ID) bool) []peer.AddrInfo {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	var es []*bookEntry
	for id, e := range b.m {
		if now.Before(e.nextDial) || skip(id) {
			continue
		}
		es = append(es, e)
	}
	rand.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
	sort.SliceStable(es, func(i, j int) bool { return es[i].Failures < es[j].Failures })
	out := make([]peer.AddrInfo, len(es))
	for i, e := range es {
		out[i] = peer.AddrInfo{ID: e.id, Addrs: append([]ma.Multiaddr(nil), e.maddrs...)}
	}
	return out
}

func (b *peerBook) get(p peer.ID) (peer.AddrInfo, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.m[p]
	if !ok {
		return peer.AddrInfo{}, false
	}
	return peer.AddrInfo{ID: e.id, Addrs: append([]ma.Multiaddr(nil), e.maddrs...)}, true
}

func (b *peerBook) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m)
}

// save writes the store if it changed.
func (b *peerBook) save() error {
	if b.path == "" {
		return nil
	}
	b.saveMu.Lock()
	defer b.saveMu.Unlock()
	b.mu.Lock()
	if !b.dirty {
		b.mu.Unlock()
		return nil
	}
	list := make([]*bookEntry, 0, len(b.m))
	for _, e := range b.m {
		c := *e
		c.Addrs = append([]string(nil), e.Addrs...)
		list = append(list, &c)
	}
	b.dirty = false
	b.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(b.path, data, 0o600); err != nil {
		return fmt.Errorf("p2p: save peer store: %w", err)
	}
	return nil
}

func (n *Network) triggerDial() {
	select {
	case n.dialC <- struct{}{}:
	default:
	}
}

// dialLoop keeps up to MaxOutbound outbound peers, dialling known peers
// with backoff.
func (n *Network) dialLoop(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	inflight := map[peer.ID]bool{}
	var mu sync.Mutex
	for {
		want := n.cfg.MaxOutbound - n.outboundCount()
		mu.Lock()
		want -= len(inflight)
		mu.Unlock()
		if want > 0 {
			for _, ai := range n.book.candidates(func(p peer.ID) bool {
				mu.Lock()
				defer mu.Unlock()
				return inflight[p] || p == n.host.ID() || n.host.Network().Connectedness(p) == network.Connected || !n.gater.allowed(p)
			}) {
				if want == 0 {
					break
				}
				want--
				mu.Lock()
				inflight[ai.ID] = true
				mu.Unlock()
				n.goFn(func(ctx context.Context) {
					defer func() { mu.Lock(); delete(inflight, ai.ID); mu.Unlock() }()
					if err := n.dial(ctx, ai); err != nil && ctx.Err() == nil {
						n.log.Debug("dial failed", "peer", ai.ID, "err", err)
					}
				})
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-n.dialC:
		}
	}
}

// dial connects to a peer and waits for the handshake.
func (n *Network) dial(ctx context.Context, ai peer.AddrInfo) error {
	ctx, cancel := context.WithTimeout(ctx, dialTimeout+handshakeTimeout)
	defer cancel()
	dctx, dcancel := context.WithTimeout(ctx, dialTimeout)
	err := n.host.Connect(dctx, ai)
	dcancel()
	if err != nil {
		if n.gater.allowed(ai.ID) {
			n.book.failed(ai.ID)
		}
		return err
	}
	return n.waitHandshake(ctx, ai.ID)
}

// waitHandshake waits for the handshake with a connected peer.
func (n *Network) waitHandshake(ctx context.Context, p peer.ID) error {
	for {
		n.mu.Lock()
		ps, ok := n.peers[p]
		n.mu.Unlock()
		if !ok {
			// Connected but the notification has not run yet, or the
			// peer went away.
			if n.host.Network().Connectedness(p) != network.Connected {
				if n.bans.isRefused(p) {
					return fmt.Errorf("%w: peer %s", ErrWrongChain, p)
				}
				return fmt.Errorf("p2p: peer %s disconnected before the handshake", p)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ps.done:
			return ps.err
		}
	}
}

// Connect dials a peer by multiaddr (ending in /p2p/<peer ID>), adds it
// to the peer store and waits for the handshake. Errors: a malformed
// address, this node's own or a peer outside the peer allowlist is a
// *core.RuleError (CodeMalformed); a peer of another chain is
// ErrWrongChain; a banned peer, a failed dial or handshake wrap
// ErrUnreachable.
func (n *Network) Connect(ctx context.Context, addr string) error {
	ai, err := parsePeerAddr(addr)
	if err != nil {
		return core.Wrap(core.CodeMalformed, err, "p2p: peer address")
	}
	if ai.ID == n.host.ID() {
		return core.Errorf(core.CodeMalformed, "p2p: %s is this node", addr)
	}
	if n.bans.isRefused(ai.ID) {
		return fmt.Errorf("%w: peer %s (refused recently)", ErrWrongChain, ai.ID)
	}
	if n.bans.banned(ai.ID) {
		return fmt.Errorf("%w: peer %s is banned", ErrUnreachable, ai.ID)
	}
	if n.allow != nil && !n.allow.admits(ai.ID) {
		return core.Errorf(core.CodeMalformed, "p2p: peer %s is not on this node's peer allowlist (add it first: cairn peers allow)", ai.ID)
	}
	n.book.add(ai, sourceManual)
	ctx, cancel := context.WithTimeout(ctx, dialTimeout+handshakeTimeout)
	defer cancel()
	if err := n.host.Connect(ctx, ai); err != nil {
		if n.bans.isRefused(ai.ID) {
			return fmt.Errorf("%w: peer %s", ErrWrongChain, ai.ID)
		}
		return fmt.Errorf("%w: connect to %s: %v", ErrUnreachable, addr, err)
	}
	if err := n.waitHandshake(ctx, ai.ID); err != nil {
		if errors.Is(err, ErrWrongChain) {
			return err
		}
		return fmt.Errorf("%w: handshake with %s: %v", ErrUnreachable, addr, err)
	}
	return nil
}

// PeerInfo is a connected peer, as Peers lists it.
type PeerInfo struct {
	ID       peer.ID
	Addrs    []string // remote multiaddrs of its connections
	Outbound bool     // this node dialled it
	Height   uint64   // its tip height, from its last status
	Latency  time.Duration
}

// Peers returns the connected peers that passed the handshake, sorted by ID.
func (n *Network) Peers() []PeerInfo {
	n.mu.Lock()
	var out []PeerInfo
	for id, ps := range n.peers {
		if ps.ready {
			out = append(out, PeerInfo{ID: id, Outbound: ps.outbound, Height: ps.status.Height})
		}
	}
	n.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	for i := range out {
		p := &out[i]
		p.Latency = n.host.Peerstore().LatencyEWMA(p.ID)
		for _, c := range n.host.Network().ConnsToPeer(p.ID) {
			p.Addrs = append(p.Addrs, c.RemoteMultiaddr().String())
		}
	}
	return out
}

// PeerCount returns the number of connected peers that passed the
// handshake.
func (n *Network) PeerCount() int { return len(n.readyPeers()) }

// KnownPeers returns the number of peers in the peer store.
func (n *Network) KnownPeers() int { return n.book.len() }

// maintainLoop: periodic status refresh (and sync when a peer is ahead),
// mempool reconciliation and peer exchange with a random peer, and
// saving the peer store.
func (n *Network) maintainLoop(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for i := 1; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n.refreshStatuses(ctx)
		n.sync.maybeSync()
		peers := n.readyPeers()
		if len(peers) > 0 && i%6 == 0 { // every 30 s
			p := peers[rand.IntN(len(peers))]
			if !n.cfg.DisableReconcile {
				n.reconcileMempool(ctx, p)
			}
			if !n.cfg.DisablePEX {
				n.exchangePeers(ctx, peers[rand.IntN(len(peers))])
			}
		}
		if err := n.book.save(); err != nil {
			n.log.Warn("peer store not saved", "err", err)
		}
	}
}
