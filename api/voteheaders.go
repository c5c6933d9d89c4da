package api

import (
	"context"
	"net/http"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// maxVoteScan bounds the heights one GET /consensus/votes/headers looks
// at: the chain keeps no index of votes, so a page scans its in-memory
// headers under the chain's read lock (3.5 to 4.7 ms per 100,000 on a loaded
// 2-core machine: chain.BenchmarkVoteHeadersScan).
const maxVoteScan = 100_000

// voteHeaderLister is the Chain's optional listing of vote-bearing
// headers (chain.Chain.VoteHeaders).
type voteHeaderLister interface {
	VoteHeaders(from, below uint64, limit, scan int) ([]core.Header, []core.Hash, uint64)
}

type (
	voteHeadersIn struct {
		From  uint64  `query:"from" default:"1" doc:"First height to look at"`
		Below optUint `query:"below" doc:"Look below this height (default: the tip + 1)"`
		Limit int     `query:"limit" minimum:"1" maximum:"100" default:"100" doc:"Number of headers"`
	}
	voteHeadersOut struct{ Body wire.VoteHeaders }
)

func (s *Server) registerVoteHeaders() {
	register(s, route{
		id: "list-vote-headers", method: http.MethodGet, path: "/api/v1/consensus/votes/headers", tag: tagConsensus,
		summary: "Main-chain headers that carry a vote (proof of authority)",
		desc: "Ascending, from height `from` below `below`: at most `limit` headers, looking at no more than 100,000 heights " +
			"per request. Ask again from `next` until it equals `below`. What an anchor receipt replays the signer set from " +
			"(docs/receipts.md). None on a proof-of-work chain.",
		errs: []int{http.StatusBadRequest},
	}, s.getVoteHeaders)
}

func (s *Server) getVoteHeaders(_ context.Context, in *voteHeadersIn) (*voteHeadersOut, error) {
	below := s.cfg.Chain.Tip().Height + 1
	if in.Below.Set {
		below = min(below, in.Below.Value)
	}
	out := wire.VoteHeaders{Headers: []wire.BlockHeader{}, Below: below, Next: below}
	l, ok := s.cfg.Chain.(voteHeaderLister)
	if !ok || !s.cfg.Genesis.IsPoA() {
		return &voteHeadersOut{Body: out}, nil
	}
	hs, _, next := l.VoteHeaders(in.From, below, in.Limit, maxVoteScan)
	for i := range hs {
		// Read again with the tx count; a header a reorg replaced
		// meanwhile is listed only if it too carries a vote.
		hdr, hash, count, err := s.cfg.Chain.SummaryByHeight(hs[i].Height)
		if err != nil {
			return nil, s.fail(err)
		}
		if hdr.Vote.Kind != core.VoteNone {
			out.Headers = append(out.Headers, s.header(hash, &hdr, count))
		}
	}
	out.Next = next
	return &voteHeadersOut{Body: out}, nil
}
