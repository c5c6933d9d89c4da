package api

import (
	"context"
	"net/http"
	"reflect"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
)

const (
	tagPeers = "peers"
	maxAddr  = 1024 // characters of a multiaddr
)

type (
	peersOut         struct{ Body []wire.Peer }
	bansOut          struct{ Body []wire.Ban }
	peerAddedOut     struct{ Body wire.PeerAdd }
	nodesRegisterOut struct{ Body wire.NodesRegistered }
	nodesResolveOut  struct{ Body wire.NodesResolved }
)

// registerPeers registers GET /peers always, and the routes that act on
// the network only when the Backend has the hooks.
func (s *Server) registerPeers() {
	register(s, route{
		id: "list-peers", method: http.MethodGet, path: "/api/v1/peers", tag: tagPeers,
		summary: "Connected peers",
	}, s.getPeers)
	if s.cfg.Bans != nil {
		register(s, route{
			id: "list-bans", method: http.MethodGet, path: "/api/v1/peers/bans", tag: tagPeers,
			summary: "Banned peers: misbehaviour (invalid blocks, bad PoW, undecodable or oversized messages, spam) bans a peer for a time; the list survives restarts",
		}, func(context.Context, *struct{}) (*bansOut, error) {
			out := s.cfg.Bans()
			if out == nil {
				out = []wire.Ban{}
			}
			return &bansOut{Body: out}, nil
		})
	}
	s.registerAllowlist()
	if s.cfg.AddPeer != nil {
		register(s, route{
			id: "add-peer", method: http.MethodPost, path: "/api/v1/peers", tag: tagPeers, admin: true,
			summary: "Connect to a peer and remember it (admin)",
			body:    reflect.TypeFor[wire.PeerAdd](),
			errs:    []int{http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
		}, s.postPeer)
		register(s, route{
			id: "nodes-register", method: http.MethodPost, path: "/nodes/register", tag: tagBrief, admin: true,
			summary: "Connect to each of these peers (admin; the brief's route)",
			body:    reflect.TypeFor[wire.NodesRegister](),
			errs:    []int{http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
		}, s.postNodesRegister)
	}
	if s.cfg.Resolve != nil {
		register(s, route{
			id: "nodes-resolve", method: http.MethodGet, path: "/nodes/resolve", tag: tagBrief,
			summary: "Sync to the peers' most-work valid chain (the brief's route)",
			desc:    "Asks the peers for their tips and syncs to the chain with the most work; replaced says whether this node's tip moved.",
			errs:    []int{http.StatusServiceUnavailable},
		}, s.getNodesResolve)
	}
}

func (s *Server) getPeers(context.Context, *struct{}) (*peersOut, error) {
	out := []wire.Peer{}
	if s.cfg.Peers != nil {
		if p := s.cfg.Peers(); p != nil {
			out = p
		}
	}
	return &peersOut{Body: out}, nil
}

// checkAddr checks a multiaddr's syntax before the network layer sees it.
func checkAddr(field, a string) error {
	switch {
	case a == "":
		return malformed("%s: empty; want a multiaddr such as /ip4/127.0.0.1/tcp/30345/p2p/<peer id>", field)
	case len(a) > maxAddr:
		return malformed("%s: %d characters, at most %d", field, len(a), maxAddr)
	case !strings.HasPrefix(a, "/"):
		return malformed("%s %q: a multiaddr starts with '/', e.g. /ip4/127.0.0.1/tcp/30345/p2p/<peer id>", field, clip(a))
	}
	return nil
}

func (s *Server) postPeer(ctx context.Context, _ *struct{}) (*peerAddedOut, error) {
	var in wire.PeerAdd
	if p := decodeStrict(bodyOf(ctx), &in); p != nil {
		return nil, p
	}
	if err := checkAddr("addr", in.Addr); err != nil {
		return nil, err
	}
	if err := s.cfg.AddPeer(ctx, in.Addr); err != nil {
		return nil, s.fail(err)
	}
	return &peerAddedOut{Body: in}, nil
}

func (s *Server) postNodesRegister(ctx context.Context, _ *struct{}) (*nodesRegisterOut, error) {
	var in wire.NodesRegister
	if p := decodeStrict(bodyOf(ctx), &in); p != nil {
		return nil, p
	}
	if len(in.Nodes) == 0 {
		return nil, malformed("nodes: empty; give a list of multiaddrs")
	}
	for _, a := range in.Nodes {
		if err := checkAddr("nodes", a); err != nil {
			return nil, err
		}
	}
	for _, a := range in.Nodes {
		if err := s.cfg.AddPeer(ctx, a); err != nil {
			return nil, s.fail(err)
		}
	}
	out := wire.NodesRegistered{Message: "New nodes have been added", TotalNodes: []string{}}
	if s.cfg.Peers != nil {
		for _, p := range s.cfg.Peers() {
			out.TotalNodes = append(out.TotalNodes, p.Addrs...)
		}
	}
	return &nodesRegisterOut{Body: out}, nil
}

func (s *Server) getNodesResolve(ctx context.Context, _ *struct{}) (*nodesResolveOut, error) {
	replaced, err := s.cfg.Resolve(ctx)
	if err != nil {
		return nil, s.fail(err)
	}
	return &nodesResolveOut{Body: wire.NodesResolved{Replaced: replaced, ChainLength: s.cfg.Chain.Tip().Height + 1}}, nil
}
