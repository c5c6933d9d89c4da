package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/cairn-chain/cairn/anchor/memo"
	"github.com/cairn-chain/cairn/api/wire"
)

const tagAnchors = "anchors"

// Anchors is what the API reads of the topic anchor index.
type Anchors interface {
	// TopicAnchors lists the main-chain txs anchoring under topic, in
	// chain order, after after (nil: from the first).
	TopicAnchors(topic string, after *TxLoc, limit int) ([]TxLoc, error)
}

type (
	anchorsOut struct{ Body wire.Anchors }
	anchorsIn  struct {
		Topic string `query:"topic" required:"true" doc:"The topic: 1 to 64 bytes of UTF-8 without control characters (a shipment, lot or case id)"`
		Limit int    `query:"limit" minimum:"1" maximum:"500" default:"100" doc:"Anchors per page"`
		After string `query:"after" doc:"Cursor: the next of the previous page (a tx id)"`
	}
	genesisOut struct{ Body map[string]any }
)

func (s *Server) registerAnchors() {
	register(s, route{id: "get-genesis", method: http.MethodGet, path: "/api/v1/genesis", tag: tagChain,
		summary: "The chain's genesis document",
		desc: "As `cairn genesis new` writes it: it fixes the chain's identity and consensus rules. Anchor receipts carry it, " +
			"so that `cairn verify-anchor --offline` can check headers with the chain's own rules."}, s.getGenesis)
	if s.cfg.Anchors == nil {
		return
	}
	register(s, route{id: "list-topic-anchors", method: http.MethodGet, path: "/api/v1/anchors", tag: tagAnchors,
		summary: "The anchors under a topic, in chain order", errs: []int{http.StatusBadRequest},
		desc: "Each main-chain tx whose memo anchors a batch under the topic (`cairn anchor --topic`): its tx id, block, time, " +
			"sender and batch root. The list follows reorganisations: an anchor whose block leaves the main chain leaves the list."}, s.listTopicAnchors)
}

func (s *Server) getGenesis(context.Context, *struct{}) (*genesisOut, error) {
	data, err := json.Marshal(s.cfg.Genesis)
	if err != nil {
		return nil, s.fail(err)
	}
	// Numbers stay exact (balances are up to 2^64).
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, s.fail(err)
	}
	return &genesisOut{Body: doc}, nil
}

func (s *Server) listTopicAnchors(_ context.Context, in *anchorsIn) (*anchorsOut, error) {
	if err := memo.CheckTopic(in.Topic); err != nil {
		return nil, malformed("%v", err)
	}
	after, err := s.txCursor(in.After)
	if err != nil {
		return nil, s.assetFail(err)
	}
	entries, err := s.cfg.Anchors.TopicAnchors(in.Topic, after, in.Limit+1)
	if err != nil {
		return nil, s.fail(err)
	}
	out := wire.Anchors{Topic: in.Topic, Anchors: []wire.Anchor{}}
	for i, e := range entries {
		if i == in.Limit {
			out.Next = entries[i-1].ID.String()
			break
		}
		ti, err := s.cfg.Chain.Tx(e.ID)
		if err != nil {
			return nil, s.fail(err)
		}
		hdr, hash, _, err := s.cfg.Chain.SummaryByHeight(e.Height)
		if err != nil {
			return nil, s.fail(err)
		}
		_, root, err := memo.Parse(ti.Tx.Memo)
		if err != nil {
			return nil, s.fail(err) // the index lists only anchors
		}
		out.Anchors = append(out.Anchors, wire.Anchor{TxID: e.ID.String(), Height: e.Height, Index: e.Index, BlockHash: hash.String(),
			Time: hdr.Timestamp, From: ti.Tx.Sender().Encode(s.prefix), Root: root.String()})
	}
	return &anchorsOut{Body: out}, nil
}
