package api

import (
	"context"
	"net/http"
	"reflect"
	"strconv"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

const tagMining = "mining"

type (
	miningOut struct{ Body wire.Mining }
	mineIn    struct {
		Address string `query:"address" doc:"Pays the block to this address instead of the miner's configured one"`
	}
)

func (s *Server) registerMining() {
	register(s, route{
		id: "get-mining", method: http.MethodGet, path: "/api/v1/mining", tag: tagMining,
		summary: "The miner's settings and hash rate",
	}, s.getMining)
	register(s, route{
		id: "set-mining", method: http.MethodPost, path: "/api/v1/mining", tag: tagMining, admin: true,
		summary: "Change the miner's settings (admin)",
		desc: "Fields left out are unchanged. threads: 0 means all cores, at most " + strconv.Itoa(s.cfg.Miner.MaxThreads()) + ". " +
			"Enabling needs a miner address (given now or before). Answers the new settings.",
		body: reflect.TypeFor[wire.MiningUpdate](),
	}, s.postMining)
	register(s, route{
		id: "mine", method: http.MethodGet, path: "/mine", tag: tagBrief, admin: true, noWriteDeadline: true,
		summary: "Mine one block now (admin; the brief's route)",
		desc: "Mines one block on the tip with the mempool's best txs and answers it once it is on the chain " +
			"(for a chain with no miner running). It takes as long as the proof of work takes, and stops if the client goes away.",
		errs: []int{http.StatusBadRequest, http.StatusServiceUnavailable},
	}, s.getMine)
}

func (s *Server) mining() wire.Mining {
	st := s.cfg.Miner.Stats()
	out := wire.Mining{Enabled: st.Enabled, Threads: st.Threads, Hashrate: st.HashRate, BlocksMined: st.BlocksMined}
	if !st.Address.IsZero() {
		out.Address = st.Address.Encode(s.prefix)
	}
	return out
}

func (s *Server) getMining(context.Context, *struct{}) (*miningOut, error) {
	return &miningOut{Body: s.mining()}, nil
}

func (s *Server) postMining(ctx context.Context, _ *struct{}) (*miningOut, error) {
	var in wire.MiningUpdate
	if p := decodeStrict(bodyOf(ctx), &in); p != nil {
		return nil, p
	}
	var addr core.Address
	if in.Address != nil {
		a, err := s.parseAddress(*in.Address)
		if err != nil {
			return nil, err
		}
		addr = a
	}
	if maxThreads := s.cfg.Miner.MaxThreads(); in.Threads != nil && (*in.Threads < 0 || *in.Threads > maxThreads) {
		return nil, malformed("threads %d: want 0 (all cores) to %d", *in.Threads, maxThreads)
	}
	if in.Enabled != nil && *in.Enabled && in.Address == nil && s.cfg.Miner.Stats().Address.IsZero() {
		return nil, malformed("enabled: the miner has no address to pay; give address too")
	}
	// Checked first, applied together.
	if in.Address != nil {
		s.cfg.Miner.SetAddress(addr)
	}
	if in.Threads != nil {
		s.cfg.Miner.SetThreads(*in.Threads)
	}
	if in.Enabled != nil {
		s.cfg.Miner.SetEnabled(*in.Enabled)
	}
	s.log.Info("mining settings changed", "enabled", in.Enabled != nil && *in.Enabled, "threads", in.Threads != nil, "address", in.Address != nil)
	return &miningOut{Body: s.mining()}, nil
}

func (s *Server) getMine(ctx context.Context, in *mineIn) (*blockOut, error) {
	if s.cfg.MineOne == nil {
		return nil, problem(wire.CodeUnavailable, "this node cannot mine on demand")
	}
	var addr core.Address
	if in.Address != "" {
		a, err := s.parseAddress(in.Address)
		if err != nil {
			return nil, err
		}
		addr = a
	}
	blk, err := s.cfg.MineOne(ctx, addr)
	if err != nil {
		return nil, s.fail(err)
	}
	bi, err := s.cfg.Chain.BlockByHash(blk.Hash())
	if err != nil {
		return nil, s.fail(err)
	}
	return &blockOut{Body: s.block(bi)}, nil
}
