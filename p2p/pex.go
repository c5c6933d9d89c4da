package p2p

import (
	"bufio"
	"context"
	"math/rand/v2"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"
)

// Peer exchange: a node asks a peer for up to MaxPeerRecords of the peers
// it is connected to (their listen addresses, from identify), adds them to
// its peer store, and the dial loop connects to them while it has fewer
// than MaxOutbound peers.

// peerRecords returns records of ready peers other than the asker, in
// random order.
func (n *Network) peerRecords(asker peer.ID) []PeerRecord {
	ids := n.readyPeers()
	rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	var out []PeerRecord
	for _, id := range ids {
		if len(out) == MaxPeerRecords {
			break
		}
		if id == asker {
			continue
		}
		rec := PeerRecord{ID: []byte(id)}
		for _, a := range n.shareableAddrs(id) {
			if len(rec.Addrs) == MaxPeerAddrs {
				break
			}
			if b := a.Bytes(); len(b) <= maxAddrLen {
				rec.Addrs = append(rec.Addrs, b)
			}
		}
		if len(rec.Addrs) > 0 {
			out = append(out, rec)
		}
	}
	return out
}

// shareableAddrs returns the addresses a peer listens on as far as this
// node knows: those in the peer store (the dialled address for outbound
// peers, identify's listen addresses) that are TCP and not unspecified.
func (n *Network) shareableAddrs(p peer.ID) []ma.Multiaddr {
	var out []ma.Multiaddr
	for _, a := range n.host.Peerstore().Addrs(p) {
		ip, err := manet.ToIP(a)
		if err != nil || ip.IsUnspecified() {
			continue
		}
		if _, err := a.ValueForProtocol(ma.P_TCP); err != nil {
			continue
		}
		out = append(out, a)
	}
	return out
}

// exchangePeers asks p for its peers and adds them to the peer store.
func (n *Network) exchangePeers(ctx context.Context, p peer.ID) {
	var recs []PeerRecord
	err := n.rpc(ctx, p, []byte{reqPeers}, func(r *bufio.Reader) error {
		body, err := readFrame(r, maxPeersBytes)
		if err != nil {
			return err
		}
		recs, err = DecodePeers(body)
		return err
	})
	if err != nil {
		n.log.Debug("peer exchange failed", "peer", p, "err", err)
		return
	}
	added := 0
	for _, rec := range recs {
		id, err := peer.IDFromBytes(rec.ID)
		if err != nil || id == n.host.ID() || n.allow != nil && !n.allow.admits(id) {
			continue // a private node learns no peer outside its allowlist
		}
		var addrs []ma.Multiaddr
		for _, b := range rec.Addrs {
			if a, err := ma.NewMultiaddrBytes(b); err == nil {
				addrs = append(addrs, a)
			}
		}
		if len(addrs) > 0 {
			if _, known := n.book.get(id); !known {
				added++
			}
			n.book.add(peer.AddrInfo{ID: id, Addrs: addrs}, sourcePEX)
		}
	}
	if added > 0 {
		n.log.Debug("peers learnt by exchange", "from", p, "new", added)
		n.triggerDial()
	}
}
