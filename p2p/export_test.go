package p2p

import (
	"context"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Test hooks, compiled only into this package's tests.

// PublishRawBlock publishes arbitrary bytes on the block topic (the local
// validator accepts what this node publishes).
func (n *Network) PublishRawBlock(ctx context.Context, data []byte) error {
	return n.blocks.Publish(ctx, data)
}

// PublishRawTxs publishes arbitrary bytes on the tx topic.
func (n *Network) PublishRawTxs(ctx context.Context, data []byte) error {
	return n.txs.Publish(ctx, data)
}

// SetBlockTimeout sets how long a body request may take before its peer
// counts as stalling.
func (n *Network) SetBlockTimeout(d time.Duration) { n.sync.blockTimeout = d }

// BlockTopicPeers returns the peers known to take part in the block topic.
func (n *Network) BlockTopicPeers() []peer.ID { return n.blocks.ListPeers() }

// TxTopicPeers returns the peers known to take part in the tx topic.
func (n *Network) TxTopicPeers() []peer.ID { return n.txs.ListPeers() }
