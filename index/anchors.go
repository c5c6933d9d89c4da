package index

import (
	"github.com/cairn-chain/cairn/anchor/memo"
	"github.com/cairn-chain/cairn/store"
)

// TopicAnchors lists, per topic, the main-chain txs whose memo anchors a
// batch root under that topic (anchor/memo: `cairn anchor --topic`),
// in chain order. A reorg disconnects the old branch's anchors and
// connects the new one's, in the same batch as the blocks.
type TopicAnchors struct{}

func (TopicAnchors) apply(b *store.Batch, blk *Block, connect bool) {
	h := blk.Block.Header.Height
	for i, tx := range blk.Block.Txs {
		topic, _, err := memo.Parse(tx.Memo)
		if err != nil || topic == "" {
			continue
		}
		e := store.ItemEvent{Height: h, Index: uint32(i), ID: blk.IDs[i]}
		if connect {
			b.PutTopicAnchor(topic, e)
		} else {
			b.DeleteTopicAnchor(topic, e)
		}
	}
}

// Connect implements Indexer.
func (x TopicAnchors) Connect(b *store.Batch, blk *Block) { x.apply(b, blk, true) }

// Disconnect implements Indexer.
func (x TopicAnchors) Disconnect(b *store.Batch, blk *Block) { x.apply(b, blk, false) }
