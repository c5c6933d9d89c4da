package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/cairn-chain/cairn/core"
)

// The topic anchor index, written by package index:
//
// topic anchor ('o')   'o' || SHA-256(topic) (32) || height (u64) || index (u32)   tx ID (32): a main-chain tx
//                                                                                 whose memo anchors under the topic

func topicPrefix(topic string) []byte {
	k := make([]byte, 0, 1+core.HashSize+12)
	k = append(k, prefixTopicAnchor)
	sum := sha256.Sum256([]byte(topic))
	return append(k, sum[:]...)
}

func topicKey(topic string, height uint64, index uint32) []byte {
	k := binary.BigEndian.AppendUint64(topicPrefix(topic), height)
	return binary.BigEndian.AppendUint32(k, index)
}

// PutTopicAnchor records that tx e of a main-chain block anchors under
// topic.
func (b *Batch) PutTopicAnchor(topic string, e ItemEvent) {
	b.b.Set(topicKey(topic, e.Height, e.Index), e.ID[:])
}

// DeleteTopicAnchor removes that record.
func (b *Batch) DeleteTopicAnchor(topic string, e ItemEvent) {
	b.b.Delete(topicKey(topic, e.Height, e.Index))
}

// TopicAnchors returns up to limit txs anchoring under topic, in chain
// order, after the entry after (nil: from the first).
func (db *DB) TopicAnchors(topic string, after *ItemEvent, limit int) ([]ItemEvent, error) {
	prefix := topicPrefix(topic)
	var start []byte
	if after != nil {
		start = append(topicKey(topic, after.Height, after.Index), 0)
	}
	var out []ItemEvent
	err := db.kv.Iterate(prefix, start, false, func(k, v []byte) (bool, error) {
		rest := k[len(prefix):]
		if len(rest) != 12 || len(v) != core.HashSize || !bytes.HasPrefix(k, prefix) {
			return false, corrupt(kindTopicAnchor, k, "key of %d bytes, value of %d", len(k), len(v))
		}
		out = append(out, ItemEvent{Height: binary.BigEndian.Uint64(rest), Index: binary.BigEndian.Uint32(rest[8:]), ID: core.Hash(v)})
		return len(out) < limit, nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: topic anchors: %w", err)
	}
	return out, nil
}
