package wire

import "github.com/cairn-chain/cairn/core"

// CodeNoAllowlist (409) answers a change to the peer allowlist of a node
// started without one: the API does not make a public node private.
const CodeNoAllowlist = string(core.CodeNoAllowlist)

// AllowedPeer is an entry of the peer allowlist.
type AllowedPeer struct {
	PeerID string `json:"peer_id"`
	Label  string `json:"label,omitempty"`
	// Connected says whether the peer is connected now.
	Connected bool `json:"connected"`
	// Self marks this node's own entry (one list file can serve every
	// member).
	Self bool `json:"self,omitempty"`
}

// Allowlist is the body of GET, POST and DELETE /api/v1/peers/allowlist:
// whether the node is private (has an allowlist) and the peers on it,
// sorted by peer ID.
type Allowlist struct {
	Enabled bool          `json:"enabled"`
	Peers   []AllowedPeer `json:"peers"`
}

// AllowPeer is the body of POST /api/v1/peers/allowlist: the peer ID to
// admit (what `cairn node id` prints) and an optional label.
type AllowPeer struct {
	PeerID string `json:"peer_id"`
	Label  string `json:"label,omitempty"`
}
