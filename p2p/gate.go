package p2p

import (
	"sync/atomic"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// policy is one rule of the connection gater: which peers it admits.
type policy interface {
	admits(peer.ID) bool
}

// gater is the host's one libp2p ConnectionGater. A peer connects only if
// every policy admits it: the ban list, the devnet partition filter and
// the peer allowlist are independent policies, so setting or clearing one
// (a partition healed) never changes another (the allowlist).
//
// It refuses a peer before dialling it (InterceptPeerDial,
// InterceptAddrDial) and, for inbound connections, right after the
// secured handshake, when its peer ID is first known (InterceptSecured):
// a refused peer costs one Noise handshake and never reaches the muxer,
// the identify protocol or the node.
type gater struct {
	policies []policy
	// refused counts inbound connections refused after the secured
	// handshake (tests and the abuse suite read it).
	refused atomic.Uint64
}

func newGater(ps ...policy) *gater { return &gater{policies: ps} }

// RefusedInbound returns how many inbound connections the gater refused
// after the secured handshake since the node started (peers outside the
// allowlist, banned peers, the other side of a devnet partition): the
// cairn_p2p_refused_connections_total metric.
func (n *Network) RefusedInbound() uint64 { return n.gater.refused.Load() }

func (g *gater) allowed(p peer.ID) bool {
	for _, pol := range g.policies {
		if !pol.admits(p) {
			return false
		}
	}
	return true
}

func (g *gater) InterceptPeerDial(p peer.ID) bool                 { return g.allowed(p) }
func (g *gater) InterceptAddrDial(p peer.ID, _ ma.Multiaddr) bool { return g.allowed(p) }
func (g *gater) InterceptAccept(network.ConnMultiaddrs) bool      { return true }
func (g *gater) InterceptSecured(dir network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	if g.allowed(p) {
		return true
	}
	if dir == network.DirInbound {
		g.refused.Add(1)
	}
	return false
}

// InterceptUpgraded checks again once the muxer is up: a peer revoked while
// its connection was being upgraded is not let in.
func (g *gater) InterceptUpgraded(c network.Conn) (bool, control.DisconnectReason) {
	return g.allowed(c.RemotePeer()), 0
}

// admits makes the ban list a policy: banned and refused peers are out.
func (b *banList) admits(p peer.ID) bool { return !b.banned(p) }

// filterPolicy admits the peers a replaceable function admits (the devnet
// partition); with no function it admits everyone.
type filterPolicy struct {
	f atomic.Pointer[func(peer.ID) bool]
}

func (fp *filterPolicy) admits(p peer.ID) bool {
	f := fp.f.Load()
	return f == nil || (*f)(p)
}

// SetAllow installs a filter on which peers may be connected (a devnet
// partition); nil allows every peer again. Connections to peers it
// refuses are closed at once, and newly allowed known peers are dialled
// without waiting for their backoff. The filter is one policy of the
// connection gater: the ban list and the peer allowlist still apply, and
// clearing the filter does not lift them.
func (n *Network) SetAllow(allow func(peer.ID) bool) {
	if allow == nil {
		n.partition.f.Store(nil)
	} else {
		n.partition.f.Store(&allow)
	}
	n.closeRefused()
	n.book.resetBackoff()
	n.triggerDial()
}

// SetPartition allows only the peers with these IDs (a devnet partition:
// give each side the IDs of its own members); nil heals it.
func (n *Network) SetPartition(allowed []string) {
	if allowed == nil {
		n.SetAllow(nil)
		return
	}
	set := make(map[peer.ID]bool, len(allowed))
	for _, s := range allowed {
		if p, err := peer.Decode(s); err == nil {
			set[p] = true
		}
	}
	n.SetAllow(func(p peer.ID) bool { return set[p] })
}

// closeRefused closes the connections of every peer the gater now refuses.
func (n *Network) closeRefused() {
	for _, p := range n.host.Network().Peers() {
		if !n.gater.allowed(p) {
			_ = n.host.Network().ClosePeer(p)
		}
	}
}
