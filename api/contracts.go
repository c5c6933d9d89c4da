package api

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"reflect"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

const tagContracts = "contracts"

// Contracts is what the API reads and runs of contracts at the tip.
// Lookups of something unknown fail with a core.CodeNotFound rule error.
type Contracts interface {
	Contract(core.Address) (*ContractInfo, error)
	// ContractTxs lists the txs that emitted the contract's events, oldest
	// first (newest first with newest), after after (nil: from the first).
	ContractTxs(c core.Address, after *TxLoc, limit int, newest bool) ([]TxLoc, error)
	// Query runs the contract's call read-only on the tip's state.
	Query(c, caller core.Address, input []byte, gas uint64) (*state.QueryResult, error)
}

// ContractInfo is a contract's record with its code size and balance.
type ContractInfo struct {
	state.Contract
	CodeSize int
	Balance  uint64
}

type (
	contractOut       struct{ Body wire.Contract }
	contractEventsOut struct{ Body wire.ContractEvents }
	queryOut          struct{ Body wire.QueryResult }
	contractPath      struct {
		Address string `path:"address" doc:"The contract's bech32m address"`
	}
	contractEventsIn struct {
		Address string `path:"address" doc:"The contract's bech32m address"`
		Limit   int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"Txs per page (each with all its events)"`
		After   string `query:"after" doc:"Cursor: the next of the previous page (a tx id)"`
		Order   string `query:"order" enum:"oldest,newest" default:"oldest" doc:"oldest first (the default) or newest first"`
	}
)

func (s *Server) registerContracts() {
	errs := []int{http.StatusBadRequest, http.StatusNotFound}
	register(s, route{id: "get-contract", method: http.MethodGet, path: "/api/v1/contracts/{address}", tag: tagContracts,
		summary: "A contract: code hash and size, deployer, balance, storage size", errs: errs}, s.getContract)
	register(s, route{id: "list-contract-events", method: http.MethodGet, path: "/api/v1/contracts/{address}/events", tag: tagContracts,
		summary: "A contract's events, oldest first (or newest first)", errs: errs,
		desc: "Every event its deploy and calls emitted, with tx id, height and block time; a page holds whole txs (in their own order within a tx). ?order=newest pages from the newest."}, s.listContractEvents)
	register(s, route{id: "query-contract", method: http.MethodPost, path: "/api/v1/contracts/{address}/query", tag: tagContracts,
		summary: "Run a contract's call read-only", errs: []int{http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity},
		desc: "Runs call with input on the tip's state as if in the next block; nothing is written and no tx is made. " +
			"A run that fails (out of gas, trap, abort) is a 200 with status failed.",
		body: reflect.TypeFor[wire.QueryRequest]()}, s.queryContract)
}

// contractFail turns a lookup error into its problem.
func (s *Server) contractFail(err error) error {
	if errors.Is(err, core.CodeNotFound) || errors.Is(err, core.CodeContractNotFound) {
		return notFound("%v", err)
	}
	return s.fail(err)
}

func (s *Server) getContract(_ context.Context, in *contractPath) (*contractOut, error) {
	a, err := s.parseAddress(in.Address)
	if err != nil {
		return nil, err
	}
	c, err := s.cfg.Contracts.Contract(a)
	if err != nil {
		return nil, s.contractFail(err)
	}
	return &contractOut{Body: wire.Contract{Address: a.Encode(s.prefix), CodeHash: c.CodeHash.String(), CodeSize: c.CodeSize,
		Deployer: c.Deployer.Encode(s.prefix), CreatedHeight: c.CreatedHeight, Balance: c.Balance,
		StorageKeys: c.StorageKeys, StorageBytes: c.StorageBytes}}, nil
}

func (s *Server) listContractEvents(_ context.Context, in *contractEventsIn) (*contractEventsOut, error) {
	a, err := s.parseAddress(in.Address)
	if err != nil {
		return nil, err
	}
	after, err := s.txCursor(in.After)
	if err != nil {
		return nil, s.contractFail(err)
	}
	entries, err := s.cfg.Contracts.ContractTxs(a, after, in.Limit+1, in.Order == "newest")
	if err != nil {
		return nil, s.contractFail(err)
	}
	out := wire.ContractEvents{Contract: a.Encode(s.prefix), Events: []wire.ContractEvent{}}
	for i, e := range entries {
		if i == in.Limit {
			out.Next = entries[i-1].ID.String()
			break
		}
		ti, err := s.cfg.Chain.Tx(e.ID)
		if err != nil {
			return nil, s.fail(err)
		}
		hdr, _, _, err := s.cfg.Chain.SummaryByHeight(e.Height)
		if err != nil {
			return nil, s.fail(err)
		}
		for j, ev := range ti.Receipt.Events {
			out.Events = append(out.Events, wire.ContractEvent{TxID: e.ID.String(), Height: e.Height, Time: hdr.Timestamp, Index: j,
				Topic: core.ItemIDText([]byte(ev.Topic)), Data: hex.EncodeToString(ev.Data)})
		}
	}
	return &contractEventsOut{Body: out}, nil
}

func (s *Server) queryContract(ctx context.Context, in *contractPath) (*queryOut, error) {
	a, err := s.parseAddress(in.Address)
	if err != nil {
		return nil, err
	}
	var req wire.QueryRequest
	if p := decodeStrict(bodyOf(ctx), &req); p != nil {
		return nil, p
	}
	input, err := hex.DecodeString(strings.TrimPrefix(req.Input, "0x"))
	if err != nil {
		return nil, malformed("input: want hex: %v", err)
	}
	if len(input) > core.MaxCallInput {
		return nil, problem(string(core.CodeTooLarge), "input: %d bytes, a call's input is at most %d", len(input), core.MaxCallInput)
	}
	var caller core.Address
	if req.Caller != "" {
		if caller, err = s.parseAddress(req.Caller); err != nil {
			return nil, err
		}
	}
	most := s.cfg.Genesis.Contracts().MaxBlockGas
	gas := req.Gas
	if gas == 0 || gas > most {
		gas = most
	}
	res, err := s.cfg.Contracts.Query(a, caller, input, gas)
	if err != nil {
		return nil, s.contractFail(err)
	}
	out := wire.QueryResult{Status: "success", Return: hex.EncodeToString(res.Return), GasUsed: res.GasUsed, Events: receiptEvents(res.Events)}
	if res.Failed != nil {
		out.Status, out.Error, out.ErrorCode = "failed", res.Failed.Error(), string(core.CodeOf(res.Failed))
	}
	return &queryOut{Body: out}, nil
}

// receiptEvents renders events: topics as text (0x + hex if binary).
func receiptEvents(evs []state.Event) []wire.ReceiptEvent {
	out := make([]wire.ReceiptEvent, 0, len(evs))
	for _, e := range evs {
		out = append(out, wire.ReceiptEvent{Topic: core.ItemIDText([]byte(e.Topic)), Data: hex.EncodeToString(e.Data)})
	}
	return out
}
