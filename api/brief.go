package api

import (
	"context"
	"net/http"
	"reflect"

	"github.com/cairn-chain/cairn/api/wire"
)

// tagBrief groups the product brief's routes, kept for its users (a Flask
// API's readers) on top of the same handlers as /api/v1.
const tagBrief = "brief"

type (
	chainOut struct{ Body wire.Chain }
	chainIn  struct {
		From  uint64 `query:"from" doc:"First height (default 0)"`
		Limit int    `query:"limit" minimum:"1" maximum:"100" default:"100" doc:"Number of blocks"`
	}
)

func (s *Server) registerBrief() {
	register(s, route{
		id: "brief-chain", method: http.MethodGet, path: "/chain", tag: tagBrief,
		summary: "The chain, oldest block first (the brief's route)",
		desc: "Blocks with their txs from height from upward, at most 100 per request: the chain is paged " +
			"(length is the whole chain's, the tip's height + 1; ask again with from = the last height + 1).",
		errs: []int{http.StatusBadRequest},
	}, s.getChain)
	register(s, route{
		id: "brief-new-tx", method: http.MethodPost, path: "/transactions/new", tag: tagBrief, status: http.StatusAccepted,
		summary: "Submit a signed tx (the brief's route; same as POST /api/v1/txs)",
		desc:    "Exactly POST /api/v1/txs: a signed tx is required (signing happens in the client). " + submitDoc,
		body:    reflect.TypeFor[wire.TxSubmit](),
		errs:    []int{http.StatusConflict, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}, s.postTx)
}

func (s *Server) getChain(_ context.Context, in *chainIn) (*chainOut, error) {
	tip := s.cfg.Chain.Tip().Height
	out := wire.Chain{Chain: []wire.Block{}, Length: tip + 1}
	for h := in.From; h <= tip && h-in.From < uint64(in.Limit); h++ {
		bi, err := s.cfg.Chain.BlockByHeight(h)
		if err != nil {
			return nil, s.fail(err)
		}
		out.Chain = append(out.Chain, s.block(bi))
	}
	return &chainOut{Body: out}, nil
}
