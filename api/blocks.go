package api

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"reflect"
	"strconv"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/danielgtaylor/huma/v2"
)

const (
	tagChain      = "chain"
	maxBlockLimit = 100
)

type (
	statusOut struct{ Body wire.Status }
	blocksOut struct{ Body wire.Blocks }
	blockOut  struct{ Body wire.Block }
	txIDsOut  struct{ Body wire.BlockTxIDs }
	blocksIn  struct {
		From  optUint `query:"from" doc:"First height, going up (oldest first). Without it: the newest blocks, newest first."`
		Limit int     `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Number of blocks"`
	}
	blockIDPath struct {
		ID string `path:"id" doc:"A height (decimal) or a block hash (64 hex characters)"`
	}
)

func (s *Server) registerChain() {
	register(s, route{
		id: "get-status", method: http.MethodGet, path: "/api/v1/status", tag: tagChain,
		summary: "The node's chain, tip and activity",
		desc:    "state_digest is a digest of all accounts at the tip: nodes at the same tip have the same digest.",
	}, s.getStatus)
	register(s, route{
		id: "list-blocks", method: http.MethodGet, path: "/api/v1/blocks", tag: tagChain,
		summary: "Block headers with tx counts",
		desc:    "From height `from` upward (oldest first), or without `from` the newest blocks (newest first); at most 100.",
		errs:    []int{http.StatusBadRequest},
	}, s.getBlocks)
	register(s, route{
		id: "get-block", method: http.MethodGet, path: "/api/v1/blocks/{id}", tag: tagChain,
		summary: "One block with its txs",
		desc:    "By height (on the main chain) or by hash (any stored block; main_chain says which).",
		errs:    []int{http.StatusBadRequest, http.StatusNotFound},
	}, s.getBlock)
	register(s, route{
		id: "get-block-txids", method: http.MethodGet, path: "/api/v1/blocks/{id}/txids", tag: tagChain,
		summary: "A block's tx IDs",
		desc:    "The IDs of the block's txs in block order, by height (on the main chain) or by hash: what a follower needs to see which txs confirmed, without the txs' JSON.",
		errs:    []int{http.StatusBadRequest, http.StatusNotFound},
	}, s.getBlockTxIDs)
}

func (s *Server) getStatus(context.Context, *struct{}) (*statusOut, error) {
	b := &s.cfg.Backend
	g := b.Genesis
	tip := b.Chain.Tip()
	st := b.Miner.Stats()
	out := wire.Status{
		ChainID:       g.ChainID,
		Genesis:       b.Chain.GenesisHash().String(),
		Height:        tip.Height,
		Tip:           tip.Hash.String(),
		TotalWork:     tip.TotalWork.Text(16),
		Bits:          fmt.Sprintf("0x%08x", tip.Header.Bits),
		StateDigest:   tip.StateDigest.String(),
		PeerID:        b.PeerID,
		Listen:        []string{},
		Mempool:       b.Pool.Count(),
		MempoolBytes:  b.Pool.Bytes(),
		Mining:        st.Enabled,
		Hashrate:      st.HashRate,
		Version:       s.cfg.Version,
		AddressPrefix: g.AddressPrefix,
		Decimals:      g.Decimals,
		MinFee:        g.MinFee,
		GasPrice:      g.Contracts().GasPrice,
		MaxBlockGas:   g.Contracts().MaxBlockGas,
		MaxCodeBytes:  g.Contracts().MaxCodeBytes,
	}
	out.Consensus = s.engine()
	switch {
	case out.Consensus == wire.EnginePoA: // no difficulty, no hashing: signers take turns
		out.Difficulty, out.Hashrate = 0, 0
	case b.Difficulty != nil:
		out.Difficulty = b.Difficulty(tip.Header.Bits)
	}
	if b.Listen != nil {
		if l := b.Listen(); l != nil {
			out.Listen = l
		}
	}
	if b.Peers != nil {
		out.Peers = len(b.Peers())
	}
	if b.Syncing != nil {
		out.Syncing = b.Syncing()
	}
	if b.SyncProgress != nil {
		p := b.SyncProgress()
		out.Sync = &p
	}
	return &statusOut{Body: out}, nil
}

func (s *Server) getBlocks(_ context.Context, in *blocksIn) (*blocksOut, error) {
	tip := s.cfg.Chain.Tip().Height
	out := wire.Blocks{Blocks: []wire.BlockHeader{}}
	add := func(h uint64) error {
		// Headers and tx counts only: decoding every tx of 50 big blocks
		// for a listing cost the explorer and followers dearly.
		hdr, hash, count, err := s.cfg.Chain.SummaryByHeight(h)
		if err != nil {
			return err
		}
		out.Blocks = append(out.Blocks, s.header(hash, &hdr, count))
		return nil
	}
	n := uint64(in.Limit)
	if in.From.Set {
		for h := in.From.Value; h <= tip && h-in.From.Value < n; h++ {
			if err := add(h); err != nil {
				return nil, s.fail(err)
			}
		}
	} else {
		for i := uint64(0); i < n && i <= tip; i++ {
			if err := add(tip - i); err != nil {
				return nil, s.fail(err)
			}
		}
	}
	return &blocksOut{Body: out}, nil
}

func (s *Server) getBlock(_ context.Context, in *blockIDPath) (*blockOut, error) {
	bi, err := s.blockByID(in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	return &blockOut{Body: s.block(bi)}, nil
}

func (s *Server) getBlockTxIDs(_ context.Context, in *blockIDPath) (*txIDsOut, error) {
	bi, err := s.blockByID(in.ID)
	if err != nil {
		return nil, s.fail(err)
	}
	ids := make([]string, len(bi.Block.Txs))
	for i, tx := range bi.Block.Txs {
		ids[i] = tx.ID().String()
	}
	return &txIDsOut{Body: wire.BlockTxIDs{Hash: bi.Hash.String(), Height: bi.Block.Header.Height, MainChain: bi.MainChain, TxIDs: ids}}, nil
}

// blockByID finds a block by height or hash.
func (s *Server) blockByID(id string) (*BlockInfo, error) {
	if len(id) == 2*core.HashSize {
		h, err := core.ParseHash(id)
		if err != nil {
			return nil, malformed("block id: %v", err)
		}
		bi, err := s.cfg.Chain.BlockByHash(h)
		if err != nil && core.CodeOf(err) == core.CodeNotFound {
			return nil, notFound("block %s not found", h)
		}
		return bi, err
	}
	height, err := strconv.ParseUint(id, 10, 64)
	if err != nil || id[0] == '+' {
		return nil, malformed("block id %q: want a height (decimal) or a block hash (64 hex characters)", clip(id))
	}
	bi, err := s.cfg.Chain.BlockByHeight(height)
	if err != nil && core.CodeOf(err) == core.CodeNotFound {
		return nil, notFound("no block at height %d: the tip is at %d", height, s.cfg.Chain.Tip().Height)
	}
	return bi, err
}

// header converts a header.
func (s *Server) header(hash core.Hash, h *core.Header, txs int) wire.BlockHeader {
	out := wire.BlockHeader{
		Hash: hash.String(), Height: h.Height, PrevHash: h.PrevHash.String(), Timestamp: h.Timestamp,
		TxRoot: h.TxRoot.String(), Miner: h.Miner.Encode(s.prefix), Bits: fmt.Sprintf("0x%08x", h.Bits),
		Nonce: h.Nonce, TxCount: txs,
	}
	if h.Version == core.BlockVersionSigned {
		out.Signer = h.Signer.String()
		out.Signature = hex.EncodeToString(h.Signature[:])
		if k := h.Vote.Kind; k == core.VoteAdd || k == core.VoteDrop {
			kind := "add"
			if k == core.VoteDrop {
				kind = "drop"
			}
			out.Vote = &wire.HeaderVote{Kind: kind, Target: h.Vote.Target.String(), Address: h.Vote.Target.Address().Encode(s.prefix)}
		}
	}
	return out
}

// block converts a block with its txs.
func (s *Server) block(bi *BlockInfo) wire.Block {
	txs := make([]wire.Tx, len(bi.Block.Txs))
	for i, tx := range bi.Block.Txs {
		txs[i] = tx.JSON(s.prefix)
	}
	return wire.Block{
		BlockHeader: s.header(bi.Hash, &bi.Block.Header, len(txs)),
		Reward:      bi.Reward, Fees: bi.Fees, Size: bi.Size, MainChain: bi.MainChain,
		Confirmations: bi.Confirmations, Txs: txs,
	}
}

// clip shortens user input quoted in problems.
func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// optUint is an optional unsigned query parameter (huma's optional
// parameter pattern): Set tells whether the client gave it.
type optUint struct {
	Value uint64
	Set   bool
}

// Schema documents the parameter as an integer.
func (o optUint) Schema(huma.Registry) *huma.Schema {
	zero := 0.0
	return &huma.Schema{Type: huma.TypeInteger, Format: "int64", Minimum: &zero}
}

// Receiver is where huma parses the value.
func (o *optUint) Receiver() reflect.Value { return reflect.ValueOf(o).Elem().Field(0) }

// OnParamSet records whether the parameter was given.
func (o *optUint) OnParamSet(isSet bool, _ any) { o.Set = isSet }
