package api

import (
	"context"
	"net/http"
	"reflect"

	"github.com/cairn-chain/cairn/api/wire"
)

// PeerAllowlist is the node's peer allowlist (a private network's local
// policy), for the admin routes under /api/v1/peers/allowlist.
type PeerAllowlist interface {
	// List returns the list (Enabled false: the node has none).
	List() wire.Allowlist
	// Allow admits a peer, persisting the change. A bad peer ID or label
	// is a core.CodeMalformed rule error; a node without a list fails
	// with core.CodeNoAllowlist.
	Allow(peerID, label string) error
	// Revoke removes a peer and disconnects it at once, persisting the
	// change. A peer not on the list is a core.CodeNotFound rule error.
	Revoke(peerID string) error
}

type allowlistOut struct{ Body wire.Allowlist }

type revokeIn struct {
	PeerID string `path:"peer_id" doc:"A peer ID (12D3KooW...), as cairn node id prints it"`
}

// registerAllowlist registers the allowlist routes when the Backend has
// one (a node with a network).
func (s *Server) registerAllowlist() {
	if s.cfg.Allowlist == nil {
		return
	}
	const desc = " A node started with --peer-allowlist accepts, dials and learns by peer exchange only the peers on its list, by peer ID. " +
		"Changes apply at once and persist in the data directory (allowlist.json); 409 no_allowlist on a node started without a list."
	register(s, route{
		id: "get-allowlist", method: http.MethodGet, path: "/api/v1/peers/allowlist", tag: tagPeers, admin: true,
		summary: "The peer allowlist (admin)",
		desc:    "enabled says whether the node is private; peers are sorted by peer ID, with whether each is connected now." + desc,
	}, func(context.Context, *struct{}) (*allowlistOut, error) {
		return &allowlistOut{Body: s.allowlist()}, nil
	})
	register(s, route{
		id: "allow-peer", method: http.MethodPost, path: "/api/v1/peers/allowlist", tag: tagPeers, admin: true,
		summary: "Admit a peer to the allowlist (admin)",
		desc:    `Body {"peer_id": "12D3KooW...", "label": "acme"}; adding a listed peer again changes its label. The peer may connect from now on; answers the list.` + desc,
		body:    reflect.TypeFor[wire.AllowPeer](),
		errs:    []int{http.StatusConflict},
	}, s.postAllow)
	register(s, route{
		id: "revoke-peer", method: http.MethodDelete, path: "/api/v1/peers/allowlist/{peer_id}", tag: tagPeers, admin: true,
		summary: "Remove a peer from the allowlist and disconnect it (admin)",
		desc:    "The peer is disconnected at once and refused from then on; answers the list. 404 not_found if it is not on the list." + desc,
		errs:    []int{http.StatusNotFound, http.StatusConflict},
	}, s.deleteAllow)
}

func (s *Server) allowlist() wire.Allowlist {
	l := s.cfg.Allowlist.List()
	if l.Peers == nil {
		l.Peers = []wire.AllowedPeer{}
	}
	return l
}

func (s *Server) postAllow(ctx context.Context, _ *struct{}) (*allowlistOut, error) {
	var in wire.AllowPeer
	if p := decodeStrict(bodyOf(ctx), &in); p != nil {
		return nil, p
	}
	if in.PeerID == "" {
		return nil, malformed(`peer_id: missing; want {"peer_id": "12D3KooW...", "label": "..."} (cairn node id prints a node's)`)
	}
	if err := s.cfg.Allowlist.Allow(in.PeerID, in.Label); err != nil {
		return nil, s.fail(err)
	}
	return &allowlistOut{Body: s.allowlist()}, nil
}

func (s *Server) deleteAllow(_ context.Context, in *revokeIn) (*allowlistOut, error) {
	if err := s.cfg.Allowlist.Revoke(in.PeerID); err != nil {
		return nil, s.fail(err)
	}
	return &allowlistOut{Body: s.allowlist()}, nil
}
