package p2p

import (
	"context"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Test hooks of the gater and the allowlist.

// ExchangePeersWith runs one peer exchange with p now.
func (n *Network) ExchangePeersWith(ctx context.Context, p peer.ID) { n.exchangePeers(ctx, p) }

// KnowsPeer reports whether p is in the peer store.
func (n *Network) KnowsPeer(p peer.ID) bool { _, ok := n.book.get(p); return ok }
