package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

const tagAccounts = "accounts"

type (
	accountOut    struct{ Body wire.Account }
	accountTxsOut struct{ Body wire.AccountTxs }
	mempoolOut    struct{ Body wire.Mempool }
	addressPath   struct {
		Address string `path:"address" doc:"A bech32m address with this chain's prefix"`
	}
	accountTxsIn struct {
		Address string `path:"address" doc:"A bech32m address with this chain's prefix"`
		Limit   int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Confirmed txs per page"`
		Before  string `query:"before" doc:"Cursor: the next of the previous page (a confirmed tx ID); the page holds older txs"`
	}
	mempoolIn struct {
		Limit int `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"Number of txs listed"`
	}
)

func (s *Server) registerAccounts() {
	register(s, route{
		id: "get-account", method: http.MethodGet, path: "/api/v1/accounts/{address}", tag: tagAccounts,
		summary: "An account's balance and nonce, confirmed and with the mempool",
		desc: "balance and nonce at the tip; pending_balance and pending_nonce count the mempool's txs from and to it. " +
			"An address never used (no balance, nonce 0, nothing pending) is 404 not_found.",
		errs: []int{http.StatusBadRequest, http.StatusNotFound},
	}, s.getAccount)
	register(s, route{
		id: "list-account-txs", method: http.MethodGet, path: "/api/v1/accounts/{address}/txs", tag: tagAccounts,
		summary: "An account's txs, newest first",
		desc: "On the first page (no before), the pending txs the address sent come first (newest nonce first; at most the mempool's per-sender limit), " +
			"then up to limit confirmed txs it sent or received, newest first. next is the cursor of the following page.",
		errs: []int{http.StatusBadRequest, http.StatusNotFound},
	}, s.getAccountTxs)
	register(s, route{
		id: "get-mempool", method: http.MethodGet, path: "/api/v1/mempool", tag: tagTxs,
		summary: "The mempool's size and txs",
		desc:    "count and bytes of all pending txs, and up to limit of them in the order a miner would take them (then those waiting for a missing nonce).",
		errs:    []int{http.StatusBadRequest},
	}, s.getMempool)
}

// parseAddress parses an address of this chain.
func (s *Server) parseAddress(a string) (core.Address, error) {
	addr, err := core.ParseAddress(a, s.prefix)
	if err != nil {
		return addr, malformed("%v", err)
	}
	return addr, nil
}

// parseAfter parses a page cursor that is an address (nil when empty).
func (s *Server) parseAfter(after string) (*core.Address, error) {
	if after == "" {
		return nil, nil
	}
	a, err := core.ParseAddress(after, s.prefix)
	if err != nil {
		return nil, malformed("after: %v", err)
	}
	return &a, nil
}

func (s *Server) getAccount(_ context.Context, in *addressPath) (*accountOut, error) {
	a, err := s.parseAddress(in.Address)
	if err != nil {
		return nil, err
	}
	acct, err := s.cfg.Chain.Account(a)
	if err != nil {
		return nil, s.fail(err)
	}
	bal, nonce, err := s.cfg.Pool.PendingState(a)
	if err != nil {
		return nil, s.fail(err)
	}
	_, err = s.cfg.Contracts.Contract(a)
	isContract := err == nil
	if err != nil && !errors.Is(err, core.CodeNotFound) {
		return nil, s.fail(err)
	}
	if acct.IsZero() && bal == 0 && nonce == 0 && !isContract {
		return nil, notFound("account %s not found: it has no balance, no txs and nothing pending", in.Address)
	}
	return &accountOut{Body: wire.Account{
		Address: a.Encode(s.prefix), Balance: acct.Balance, Nonce: acct.Nonce, PendingBalance: bal, PendingNonce: nonce,
		Contract: isContract,
	}}, nil
}

func (s *Server) getAccountTxs(_ context.Context, in *accountTxsIn) (*accountTxsOut, error) {
	a, err := s.parseAddress(in.Address)
	if err != nil {
		return nil, err
	}
	out := wire.AccountTxs{Txs: []wire.TxInfo{}}
	var cursor *TxLoc
	if in.Before == "" {
		pending := s.cfg.Pool.Pending(a)
		for i := len(pending) - 1; i >= 0; i-- {
			out.Txs = append(out.Txs, wire.TxInfo{Tx: pending[i].JSON(s.prefix), Status: wire.StatusPending})
		}
	} else {
		id, err := core.ParseHash(in.Before)
		if err != nil {
			return nil, malformed("before: %v", err)
		}
		ti, err := s.cfg.Chain.Tx(id)
		if errors.Is(err, core.CodeNotFound) {
			return nil, notFound("before: tx %s is not a confirmed tx", id)
		}
		if err != nil {
			return nil, s.fail(err)
		}
		cursor = &TxLoc{Height: ti.Height, Index: ti.Index, ID: id}
	}
	entries, err := s.cfg.Chain.AddressTxs(a, cursor, in.Limit+1)
	if err != nil {
		return nil, s.fail(err)
	}
	more := len(entries) > in.Limit
	if more {
		entries = entries[:in.Limit]
	}
	blocks := map[uint64]*BlockInfo{} // txs of one block load it once
	for _, e := range entries {
		info, err := s.addrTx(e, blocks)
		if err != nil {
			return nil, s.fail(err)
		}
		out.Txs = append(out.Txs, info)
	}
	if more && len(entries) > 0 {
		out.Next = entries[len(entries)-1].ID.String()
	}
	return &accountTxsOut{Body: out}, nil
}

// addrTx loads one entry of an address's history.
func (s *Server) addrTx(e TxLoc, blocks map[uint64]*BlockInfo) (wire.TxInfo, error) {
	bi := blocks[e.Height]
	if bi == nil {
		var err error
		if bi, err = s.cfg.Chain.BlockByHeight(e.Height); err != nil {
			return wire.TxInfo{}, err
		}
		blocks[e.Height] = bi
	}
	if int(e.Index) < len(bi.Block.Txs) {
		if tx := bi.Block.Txs[e.Index]; tx.ID() == e.ID {
			return wire.TxInfo{
				Tx: tx.JSON(s.prefix), Status: wire.StatusConfirmed, BlockHash: bi.Hash.String(),
				Height: e.Height, Index: e.Index, Confirmations: bi.Confirmations,
			}, nil
		}
	}
	ti, err := s.cfg.Chain.Tx(e.ID) // the chain moved under us: look it up by ID
	if err != nil {
		return wire.TxInfo{}, err
	}
	return s.confirmedInfo(ti), nil
}

func (s *Server) getMempool(_ context.Context, in *mempoolIn) (*mempoolOut, error) {
	txs := s.cfg.Pool.Txs(in.Limit)
	out := wire.Mempool{Count: s.cfg.Pool.Count(), Bytes: s.cfg.Pool.Bytes(), Txs: make([]wire.Tx, len(txs))}
	for i, tx := range txs {
		out.Txs[i] = tx.JSON(s.prefix)
	}
	return &mempoolOut{Body: out}, nil
}
