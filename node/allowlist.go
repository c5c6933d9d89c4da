package node

import (
	"errors"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// apiAllowlist is the network's peer allowlist as the API serves it.
type apiAllowlist struct{ net *p2p.Network }

var _ api.PeerAllowlist = apiAllowlist{}

func (a apiAllowlist) List() wire.Allowlist {
	list, ok := a.net.Allowlist()
	out := wire.Allowlist{Enabled: ok, Peers: make([]wire.AllowedPeer, 0, len(list))}
	for _, e := range list {
		ap := wire.AllowedPeer{PeerID: e.PeerID, Label: e.Label, Self: e.PeerID == a.net.ID()}
		if id, err := peer.Decode(e.PeerID); err == nil {
			ap.Connected = a.net.Host().Network().Connectedness(id) == network.Connected
		}
		out.Peers = append(out.Peers, ap)
	}
	return out
}

func (a apiAllowlist) Allow(peerID, label string) error {
	return allowlistErr(a.net.Allow(p2p.AllowEntry{PeerID: peerID, Label: label}))
}

func (a apiAllowlist) Revoke(peerID string) error {
	ok, err := a.net.Revoke(peerID)
	if err != nil {
		return allowlistErr(err)
	}
	if !ok {
		return core.Errorf(core.CodeNotFound, "peer %s is not on the allowlist (it was disconnected anyway)", peerID)
	}
	return nil
}

func allowlistErr(err error) error {
	if errors.Is(err, p2p.ErrNoAllowlist) {
		return core.Errorf(core.CodeNoAllowlist, "this node has no peer allowlist: start it with --peer-allowlist FILE to make it private")
	}
	return err
}
