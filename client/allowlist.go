package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/cairn-chain/cairn/api/wire"
)

// Allowlist returns the node's peer allowlist (GET /peers/allowlist,
// admin); Enabled is false on a node without one.
func (c *Client) Allowlist(ctx context.Context) (*wire.Allowlist, error) {
	return call[wire.Allowlist](ctx, c, request{method: http.MethodGet, path: api("/peers/allowlist"), admin: true})
}

// AllowPeer admits a peer ID to the node's allowlist, with a label
// (POST /peers/allowlist, admin), and returns the list.
func (c *Client) AllowPeer(ctx context.Context, peerID, label string) (*wire.Allowlist, error) {
	return call[wire.Allowlist](ctx, c, request{method: http.MethodPost, path: api("/peers/allowlist"),
		body: wire.AllowPeer{PeerID: peerID, Label: label}, admin: true})
}

// RevokePeer removes a peer from the node's allowlist and disconnects it
// (DELETE /peers/allowlist/{peer_id}, admin), and returns the list.
func (c *Client) RevokePeer(ctx context.Context, peerID string) (*wire.Allowlist, error) {
	return call[wire.Allowlist](ctx, c, request{method: http.MethodDelete, path: api("/peers/allowlist/" + url.PathEscape(peerID)), admin: true})
}
