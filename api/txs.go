package api

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

const (
	tagTxs    = "txs"
	submitDoc = "The tx as JSON fields (version 1: version, chain_id, from, to, amount, fee, nonce, memo, signature; " +
		"version 2: kind and body instead of to and amount, see docs/protocol.md; " +
		"id and from_address may be given and must then match), or {\"raw\": hex of its canonical encoding}. " +
		"Unknown fields, non-integer amounts and trailing data are malformed (400). " +
		"Rule violations: 422 (bad_signature, wrong_chain, bad_version, invalid_amount, insufficient_funds, fee_too_low), " +
		"409 (nonce_too_low, nonce_gap, duplicate), 503 (mempool_full)."
)

type (
	txAcceptedOut struct{ Body wire.TxAccepted }
	batchOut      struct{ Body []wire.BatchResult }
	txInfoOut     struct{ Body wire.TxInfo }
	proofOut      struct{ Body wire.Proof }
	submitQuery   struct {
		Durable bool `query:"durable" doc:"Answer only once the admitted txs are stored durably (fsynced; a group commit shared with concurrent requests). Without it the answer comes once they are validated, pooled and relayed, and they are durable within the node's sync window (100 ms by default; see docs/operations.md)."`
	}
	txIDPath struct {
		ID string `path:"id" doc:"The tx ID: 64 hex characters"`
	}
)

func (s *Server) registerTxs() {
	submit := route{
		id: "submit-tx", method: http.MethodPost, path: "/api/v1/txs", tag: tagTxs, status: http.StatusAccepted,
		summary: "Submit a signed tx",
		desc: "Admits the tx to the mempool and relays it; 202 with its ID once it is validated, pooled and relayed: " +
			"it is stored durably within the node's sync window (100 ms by default), or before the answer with ?durable=true. " + submitDoc,
		body: reflect.TypeFor[wire.TxSubmit](),
		errs: []int{http.StatusConflict, http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
	}
	register(s, submit, s.postTx)
	register(s, route{
		id: "submit-tx-batch", method: http.MethodPost, path: "/api/v1/txs/batch", tag: tagTxs,
		summary: "Submit signed txs in one request",
		desc: "A JSON array of txs (each as for POST /txs), admitted in order (one sender's consecutive nonces work). " +
			"200 with one result per item, in order: the tx ID, or the problem with that item. A body that is not an array of objects is one 400. " +
			"Durability as for POST /txs (?durable=true waits for the write).",
		body: reflect.TypeFor[[]wire.TxSubmit](), maxBody: s.cfg.MaxBatchBody,
	}, s.postBatch)
	register(s, route{
		id: "get-tx", method: http.MethodGet, path: "/api/v1/txs/{id}", tag: tagTxs,
		summary: "A tx, pending or confirmed",
		desc:    "The tx with its status: pending (in the mempool) or confirmed (with its block and confirmations).",
		errs:    []int{http.StatusBadRequest, http.StatusNotFound},
	}, s.getTx)
	register(s, route{
		id: "get-tx-proof", method: http.MethodGet, path: "/api/v1/txs/{id}/proof", tag: tagTxs,
		summary: "Merkle inclusion proof of a confirmed tx",
		desc:    "An RFC 6962 inclusion proof of the tx ID under its block's tx_root, checkable offline (cairn verify-proof). 404 while the tx is pending.",
		errs:    []int{http.StatusBadRequest, http.StatusNotFound},
	}, s.getProof)
	// The request schema allows raw instead of the fields: nothing is
	// required by the schema itself.
	if sch := s.api.OpenAPI().Components.Schemas.Map()["TxSubmit"]; sch != nil {
		sch.Required = nil
		sch.Description = submitDoc
	}
}

// submitter is the backend call for a submission: durable or not.
func (s *Server) submitter(q *submitQuery) func([]*core.Tx) []error {
	if q.Durable && s.cfg.SubmitTxsDurable != nil {
		return s.cfg.SubmitTxsDurable
	}
	return s.cfg.SubmitTxs
}

func (s *Server) postTx(ctx context.Context, q *submitQuery) (*txAcceptedOut, error) {
	tx, p := s.decodeTx(bodyOf(ctx))
	if p != nil {
		return nil, p
	}
	if err := s.submitter(q)([]*core.Tx{tx})[0]; err != nil {
		return nil, s.fail(err)
	}
	return &txAcceptedOut{Body: wire.TxAccepted{ID: tx.ID().String()}}, nil
}

func (s *Server) postBatch(ctx context.Context, q *submitQuery) (*batchOut, error) {
	txs, probs, p := s.decodeBatch(bodyOf(ctx))
	if p != nil {
		return nil, p
	}
	if p := s.takeMore(ctx, len(txs)-1); p != nil { // the POST took one
		return nil, p
	}
	good := make([]*core.Tx, 0, len(txs))
	for _, tx := range txs {
		if tx != nil {
			good = append(good, tx)
		}
	}
	var errs []error
	if len(good) > 0 {
		errs = s.submitter(q)(good)
	}
	out := make([]wire.BatchResult, len(txs))
	j := 0
	for i, tx := range txs {
		if tx == nil {
			out[i].Error = &probs[i].Problem
			continue
		}
		if err := errs[j]; err != nil {
			out[i].Error = &s.toProblem(err).Problem
		} else {
			out[i].ID = tx.ID().String()
		}
		j++
	}
	return &batchOut{Body: out}, nil
}

// parseTxID parses a tx ID from a path.
func parseTxID(s string) (core.Hash, error) {
	id, err := core.ParseHash(s)
	if err != nil {
		return id, malformed("tx id: %v", err)
	}
	return id, nil
}

func (s *Server) getTx(_ context.Context, in *txIDPath) (*txInfoOut, error) {
	id, err := parseTxID(in.ID)
	if err != nil {
		return nil, err
	}
	info, err := s.txInfo(id)
	if err != nil {
		return nil, s.fail(err)
	}
	return &txInfoOut{Body: info}, nil
}

// txInfo finds a tx, confirmed first (a tx just mined may still be in the
// mempool for a moment), then pending.
func (s *Server) txInfo(id core.Hash) (wire.TxInfo, error) {
	ti, err := s.cfg.Chain.Tx(id)
	if err == nil {
		return s.confirmedInfo(ti), nil
	}
	if !errors.Is(err, core.CodeNotFound) {
		return wire.TxInfo{}, err
	}
	if tx, ok := s.cfg.Pool.Get(id); ok {
		return wire.TxInfo{Tx: tx.JSON(s.prefix), Status: wire.StatusPending}, nil
	}
	return wire.TxInfo{}, notFound("tx %s not found: neither pending nor confirmed", id)
}

func (s *Server) confirmedInfo(ti *TxInfo) wire.TxInfo {
	rc := &wire.Receipt{Status: "success", GasUsed: ti.Receipt.GasUsed, FeeCharged: state.FeeCharged(s.cfg.Genesis, ti.Tx, ti.Receipt),
		Events: receiptEvents(ti.Receipt.Events)}
	if ti.Receipt.Status == state.ReceiptFailed {
		rc.Status = "failed"
		code, msg, ok := strings.Cut(ti.Receipt.Error, ": ")
		if ok && core.Code(code).Known() {
			rc.ErrorCode, rc.Error = code, msg
		} else {
			rc.Error = ti.Receipt.Error
		}
	} else if ti.Tx.Kind == core.KindContractDeploy {
		rc.Contract = core.ContractAddress(ti.Tx.Sender(), ti.Tx.Nonce).Encode(s.prefix)
	}
	return wire.TxInfo{
		Tx: ti.Tx.JSON(s.prefix), Status: wire.StatusConfirmed, BlockHash: ti.BlockHash.String(),
		Height: ti.Height, Index: ti.Index, Confirmations: ti.Confirmations, Receipt: rc,
	}
}

func (s *Server) getProof(_ context.Context, in *txIDPath) (*proofOut, error) {
	id, err := parseTxID(in.ID)
	if err != nil {
		return nil, err
	}
	pr, err := s.cfg.Chain.TxProof(id)
	if errors.Is(err, core.CodeNotFound) {
		if s.cfg.Pool.Has(id) {
			return nil, notFound("tx %s is pending: its proof exists once it is in a block", id)
		}
		return nil, notFound("tx %s not found: no confirmed tx has this ID", id)
	}
	if err != nil {
		return nil, s.fail(err)
	}
	branch := make([]string, len(pr.Branch))
	for i, h := range pr.Branch {
		branch[i] = h.String()
	}
	return &proofOut{Body: wire.Proof{
		TxID: pr.TxID.String(), BlockHash: pr.BlockHash.String(), Height: pr.Height, TxRoot: pr.TxRoot.String(),
		Index: pr.Index, Size: pr.Size, Branch: branch,
	}}, nil
}
