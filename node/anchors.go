package node

import (
	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/store"
)

// apiAnchors is the topic anchor index as the API reads it.
type apiAnchors struct{ db *store.DB }

var _ api.Anchors = apiAnchors{}

func (a apiAnchors) TopicAnchors(topic string, after *api.TxLoc, limit int) ([]api.TxLoc, error) {
	var cursor *store.ItemEvent
	if after != nil {
		cursor = &store.ItemEvent{Height: after.Height, Index: after.Index, ID: after.ID}
	}
	es, err := a.db.TopicAnchors(topic, cursor, limit)
	out := make([]api.TxLoc, len(es))
	for i, e := range es {
		out[i] = api.TxLoc{Height: e.Height, Index: e.Index, ID: e.ID}
	}
	return out, err
}
