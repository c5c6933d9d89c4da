package p2p

import (
	"context"

	"github.com/cairn-chain/cairn/core"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Test hooks of compact block relay.

// PublishRawCompact publishes arbitrary bytes on the compact block topic.
func (n *Network) PublishRawCompact(ctx context.Context, data []byte) error {
	return n.cmpct.topic.Publish(ctx, data)
}

// RememberTxs records txs as seen (candidates for rebuilding compact
// blocks, not prefilled in this node's compact blocks) without gossiping
// them.
func (n *Network) RememberTxs(txs []*core.Tx) { n.rememberTxs(txs) }

// CompactTopicPeers returns the peers known to take part in the compact
// topic.
func (n *Network) CompactTopicPeers() []peer.ID { return n.cmpct.topic.ListPeers() }

// CollideForTest makes this node remember tx under the short ID sid (of
// every salt), to stand for a short ID collision.
func (n *Network) CollideForTest(tx *core.Tx, sid ShortID) {
	n.cmpct.recent.add([]*core.Tx{tx})
	n.cmpct.recent.mu.Lock()
	if n.cmpct.recent.forced == nil {
		n.cmpct.recent.forced = map[core.Hash]ShortID{}
	}
	n.cmpct.recent.forced[tx.ID()] = sid
	n.cmpct.recent.mu.Unlock()
}
