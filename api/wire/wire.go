// Package wire defines the JSON bodies of Cairn's REST API (docs/api.md): what
// the server (package api) writes and the client (package client) reads.
// It has no behaviour beyond conversions, so both sides share one contract.
//
// Conventions: hashes, tx IDs and public keys are lowercase hex; addresses
// are bech32m; amounts, fees, balances, nonces and heights are JSON
// integers in base units (all <= 2^53-1); timestamps are unix milliseconds.
package wire

import (
	"encoding/json"

	"github.com/cairn-chain/cairn/core"
)

// Tx is a transaction in JSON: core.TxJSON (version, chain_id, from, to,
// amount, fee, nonce, memo, signature; id and from_address in responses).
type Tx = core.TxJSON

// TxSubmit is the body of POST /txs: the tx as JSON fields, or Raw, the
// hex of its canonical binary encoding (then no other field may be set).
type TxSubmit struct {
	core.TxJSON
	Raw string `json:"raw,omitempty"`
}

// MarshalJSON writes the tx's fields as core.TxJSON does, then raw when
// set; a raw-only submission is {"raw": ...}. (Without it, TxJSON's own
// MarshalJSON is promoted and raw is dropped.)
func (s TxSubmit) MarshalJSON() ([]byte, error) {
	if s.TxJSON == (core.TxJSON{}) && s.Raw != "" {
		return json.Marshal(struct {
			Raw string `json:"raw"`
		}{s.Raw})
	}
	b, err := s.TxJSON.MarshalJSON()
	if err != nil || s.Raw == "" {
		return b, err
	}
	raw, err := json.Marshal(s.Raw)
	if err != nil {
		return nil, err
	}
	b = append(b[:len(b)-1], `,"raw":`...) // b is an object: drop its '}'
	return append(append(b, raw...), '}'), nil
}

// TxAccepted is the 202 answer to POST /txs.
type TxAccepted struct {
	ID string `json:"id"`
}

// BatchResult is one item of the answer to POST /txs/batch: the tx ID if
// admitted, else the problem.
type BatchResult struct {
	ID    string   `json:"id,omitempty"`
	Error *Problem `json:"error,omitempty"`
}

// Problem is an RFC 9457 problem detail with Cairn's stable Code.
type Problem struct {
	Type     string `json:"type,omitempty" doc:"A URI naming the problem type (about:blank when absent)"`
	Title    string `json:"title" doc:"The HTTP status text"`
	Status   int    `json:"status" doc:"The HTTP status code"`
	Detail   string `json:"detail" doc:"What was wrong with this request, for people"`
	Code     string `json:"code" doc:"Stable machine code, one of the table in core/codes.go (docs/api.md lists them): e.g. malformed, too_large, bad_signature, nonce_too_low, insufficient_funds, fee_too_low, not_found, asset_not_found, not_minter, frozen, supply_exceeded, item_exists, not_owner, unauthorized, rate_limited, internal"`
	Instance string `json:"instance,omitempty"`
}

// Error implements error, so clients can return a Problem.
func (p *Problem) Error() string {
	if p.Detail != "" {
		return p.Detail
	}
	return p.Title
}

// Status is GET /status.
type Status struct {
	ChainID      string   `json:"chain_id"`
	Genesis      string   `json:"genesis"`
	Height       uint64   `json:"height"`
	Tip          string   `json:"tip"`
	TotalWork    string   `json:"total_work"` // hex
	Bits         string   `json:"bits"`       // "0x1f00ffff"
	Difficulty   float64  `json:"difficulty"` // pow_limit / target; 0 on a proof-of-authority chain
	Consensus    string   `json:"consensus"`  // the engine: "pow" or "poa" (details: GET /consensus)
	StateDigest  string   `json:"state_digest"`
	PeerID       string   `json:"peer_id"`
	Listen       []string `json:"listen"`
	Peers        int      `json:"peers"`
	Mempool      int      `json:"mempool"`
	MempoolBytes int      `json:"mempool_bytes"`
	Syncing      bool     `json:"syncing"`
	// Sync is the catch-up progress (present when the node has a network).
	Sync     *SyncProgress `json:"sync,omitempty"`
	Mining   bool          `json:"mining"`
	Hashrate float64       `json:"hashrate"` // 0 on a proof-of-authority chain
	Version  string        `json:"version"`
	// Chain parameters a client needs to build and show txs.
	AddressPrefix string `json:"address_prefix"`
	Decimals      uint8  `json:"decimals"`
	MinFee        uint64 `json:"min_fee"`
	// Contract rules (docs/contracts.md).
	GasPrice     uint64 `json:"gas_price" doc:"Base units of the coin per gas"`
	MaxBlockGas  uint64 `json:"max_block_gas"`
	MaxCodeBytes uint64 `json:"max_code_bytes"`
}

// BlockHeader is a block's header with its hash and tx count (GET /blocks).
type BlockHeader struct {
	Hash      string `json:"hash"`
	Height    uint64 `json:"height"`
	PrevHash  string `json:"prev_hash"`
	Timestamp uint64 `json:"timestamp"`
	TxRoot    string `json:"tx_root"`
	Miner     string `json:"miner"`
	Bits      string `json:"bits"`
	Nonce     uint64 `json:"nonce"`
	TxCount   int    `json:"tx_count"`
	// A version-2 (proof-of-authority) header only: the signer's Ed25519
	// public key (hex), its vote if any and its signature (hex). Bits is
	// then the weight: 2 in turn, 1 out of turn.
	Signer    string      `json:"signer,omitempty" doc:"Version-2 (PoA) headers: the signer's public key (hex)"`
	Vote      *HeaderVote `json:"vote,omitempty" doc:"Version-2 (PoA) headers: the signer's proposal, if any"`
	Signature string      `json:"signature,omitempty" doc:"Version-2 (PoA) headers: the Ed25519 signature (hex)"`
}

// HeaderVote is a PoA header's proposal to add or drop a signer.
type HeaderVote struct {
	Kind    string `json:"kind" enum:"add,drop"`
	Target  string `json:"target" doc:"The public key (hex) to add or drop"`
	Address string `json:"address" doc:"The target's address"`
}

// Blocks is GET /blocks.
type Blocks struct {
	Blocks []BlockHeader `json:"blocks"`
}

// Block is GET /blocks/{height or hash}.
type Block struct {
	BlockHeader
	Reward        uint64 `json:"reward"`
	Fees          uint64 `json:"fees"`
	Size          int    `json:"size"`
	MainChain     bool   `json:"main_chain"`
	Confirmations uint64 `json:"confirmations"`
	Txs           []Tx   `json:"txs"`
}

// BlockTxIDs is GET /blocks/{height or hash}/txids: a block's tx IDs in
// block order, for followers and indexers that need only which txs a
// block holds (a fraction of the block's JSON, with nothing to decode).
type BlockTxIDs struct {
	Hash      string   `json:"hash"`
	Height    uint64   `json:"height"`
	MainChain bool     `json:"main_chain"`
	TxIDs     []string `json:"tx_ids"`
}

// TxStatus values.
const (
	StatusPending   = "pending"
	StatusConfirmed = "confirmed"
)

// TxInfo is GET /txs/{id}.
type TxInfo struct {
	Tx            Tx     `json:"tx"`
	Status        string `json:"status"` // pending or confirmed
	BlockHash     string `json:"block_hash,omitempty"`
	Height        uint64 `json:"height,omitempty"`
	Index         uint32 `json:"index,omitempty"`
	Confirmations uint64 `json:"confirmations"`
	// Receipt is a confirmed tx's execution result.
	Receipt *Receipt `json:"receipt,omitempty"`
}

// Receipt is what executing a confirmed tx gave: status "success", or
// "failed" (a contract call that trapped, ran out of gas or reverted: its
// fee was charged, its changes discarded, error says why), gas used, and
// its events (e.g. asset_created with the new asset id).
type Receipt struct {
	Status     string         `json:"status"`
	GasUsed    uint64         `json:"gas_used"`
	FeeCharged uint64         `json:"fee_charged" doc:"What the sender paid: the fee, or for a contract tx gas_used x gas_price + min_fee"`
	Error      string         `json:"error,omitempty"`
	ErrorCode  string         `json:"error_code,omitempty" doc:"out_of_gas, trap, aborted, call_depth_exceeded or contract_not_found"`
	Contract   string         `json:"contract,omitempty" doc:"A contract_deploy's contract address"`
	Events     []ReceiptEvent `json:"events"`
}

// ReceiptEvent is one event of a receipt: topic as UTF-8 text (or 0x +
// hex for a binary contract topic), data hex.
type ReceiptEvent struct {
	Topic string `json:"topic"`
	Data  string `json:"data"`
}

// Proof is GET /txs/{id}/proof: an RFC 6962 inclusion proof, checkable
// offline (cairn verify-proof).
type Proof struct {
	TxID      string   `json:"tx_id"`
	BlockHash string   `json:"block_hash"`
	Height    uint64   `json:"height"`
	TxRoot    string   `json:"tx_root"`
	Index     uint32   `json:"index"`
	Size      uint32   `json:"size"` // txs in the block (the tree size)
	Branch    []string `json:"branch"`
}

// Account is GET /accounts/{address}.
type Account struct {
	Address        string `json:"address"`
	Balance        uint64 `json:"balance"`
	Nonce          uint64 `json:"nonce"`
	PendingBalance uint64 `json:"pending_balance"`
	PendingNonce   uint64 `json:"pending_nonce"`
	Contract       bool   `json:"contract" doc:"A contract's account: GET /contracts/{address} describes it"`
}

// AccountTxs is GET /accounts/{address}/txs: newest first, pending first.
type AccountTxs struct {
	Txs []TxInfo `json:"txs"`
	// Next is the cursor for the next page (the last confirmed tx ID), or
	// empty when there is no more.
	Next string `json:"next,omitempty"`
}

// Mempool is GET /mempool.
type Mempool struct {
	Count int  `json:"count"`
	Bytes int  `json:"bytes"`
	Txs   []Tx `json:"txs"`
}

// Peer is an item of GET /peers.
type Peer struct {
	ID        string   `json:"id"`
	Addrs     []string `json:"addrs"`
	Direction string   `json:"direction"`
	Height    uint64   `json:"height"`
	LatencyMs float64  `json:"latency_ms"`
}

// Mining is GET /mining.
type Mining struct {
	Enabled     bool    `json:"enabled"`
	Threads     int     `json:"threads"`
	Address     string  `json:"address"`
	Hashrate    float64 `json:"hashrate"`
	BlocksMined uint64  `json:"blocks_mined"`
}

// MiningUpdate is the body of POST /mining; nil fields are unchanged.
type MiningUpdate struct {
	Enabled *bool   `json:"enabled,omitempty"`
	Threads *int    `json:"threads,omitempty"`
	Address *string `json:"address,omitempty"`
}

// Chain is GET /chain (the brief's route): blocks oldest first.
type Chain struct {
	Chain  []Block `json:"chain"`
	Length uint64  `json:"length"`
}

// Event kinds of GET /events.
const (
	EventBlock = "block"
	EventTx    = "tx"
	EventReorg = "reorg"
	// EventContract is an event a contract emitted in a block that became
	// part of the main chain (data: ContractEvent with contract set).
	EventContract = "contract_event"
)

// BlockEvent is the data of a "block" event: a new tip.
type BlockEvent struct {
	Hash    string `json:"hash"`
	Height  uint64 `json:"height"`
	TxCount int    `json:"tx_count"`
	Time    uint64 `json:"timestamp"`
}

// TxEvent is the data of a "tx" event: a tx admitted to the mempool.
type TxEvent struct {
	ID     string `json:"id"`
	Kind   string `json:"kind" doc:"transfer, or a version-2 kind (to and amount are then empty: see the tx)"`
	From   string `json:"from_address"`
	To     string `json:"to,omitempty"`
	Amount uint64 `json:"amount"`
	Fee    uint64 `json:"fee"`
}

// ReorgEvent is the data of a "reorg" event.
type ReorgEvent struct {
	OldTip string `json:"old_tip"`
	NewTip string `json:"new_tip"`
	Depth  int    `json:"depth"`
}

// Problem codes of the API itself, as strings: core's table
// (core.Code.Info) holds them with every rule code (core.CodeMalformed,
// core.CodeNonceGap, ...), and gives each its class and HTTP status.
const (
	CodeUnauthorized     = string(core.CodeUnauthorized)     // 401: missing or wrong admin token
	CodeRateLimited      = string(core.CodeRateLimited)      // 429: too many POSTs from this client
	CodeMethodNotAllowed = string(core.CodeMethodNotAllowed) // 405: the path exists, not with this method
	CodeTimeout          = string(core.CodeTimeout)          // 408: the request body was not read in time
	CodeUnavailable      = string(core.CodeUnavailable)      // 503: the node cannot do this now (no miner, shutting down)
	CodeSyncing          = string(core.CodeSyncing)          // 503: the node is catching up with its peers
	CodeInternal         = string(core.CodeInternal)         // 500: the node failed; details are in its log
	CodeNotVoting        = string(core.CodeNotVoting)        // 409: no signer votes here (a PoW chain, or no signer key)
)

// EventGap is sent (without an id) when a client resumes with a
// Last-Event-ID older than the events the node still remembers.
const EventGap = "gap"

// GapEvent is the data of a "gap" event.
type GapEvent struct {
	// LastEventID is the ID the client resumed from; events after it and
	// before the first one sent next were lost.
	LastEventID uint64 `json:"last_event_id"`
}

// Health is GET /healthz.
type Health struct {
	Status string `json:"status"` // "ok"
}

// PeerAdd is the body of POST /api/v1/peers.
type PeerAdd struct {
	Addr string `json:"addr"`
}

// NodesRegister is the body of POST /nodes/register (the brief's route).
type NodesRegister struct {
	Nodes []string `json:"nodes"`
}

// NodesRegistered is the answer to POST /nodes/register.
type NodesRegistered struct {
	Message    string   `json:"message"`
	TotalNodes []string `json:"total_nodes"`
}

// NodesResolved is the answer to GET /nodes/resolve.
type NodesResolved struct {
	Replaced    bool   `json:"replaced"`
	ChainLength uint64 `json:"chain_length"`
}

// DevnetNode is one node of a devnet (GET /devnet/nodes).
type DevnetNode struct {
	Index   int    `json:"index"`
	Running bool   `json:"running"`
	API     string `json:"api"`
	PeerID  string `json:"peer_id"`
	Height  uint64 `json:"height"`
	Tip     string `json:"tip"`
	Digest  string `json:"state_digest"`
	Peers   int    `json:"peers"`
	Group   int    `json:"group"` // partition group (0 when healed)
}

// DevnetNodes is GET /devnet/nodes.
type DevnetNodes struct {
	Nodes       []DevnetNode `json:"nodes"`
	Partitioned bool         `json:"partitioned"`
}

// DevnetPartition is the body of POST /devnet/partition: node indexes in
// groups; nodes in different groups cannot connect until /devnet/heal.
type DevnetPartition struct {
	Groups [][]int `json:"groups"`
}

// SyncProgress is a node's catch-up state (in GET /status).
type SyncProgress struct {
	Height       uint64  `json:"height"`         // this node's tip height
	Target       uint64  `json:"target"`         // best height announced by peers
	Percent      float64 `json:"percent"`        // height / target, 100 when caught up
	BlocksPerSec float64 `json:"blocks_per_sec"` // apply rate of the current sync, 0 when idle
	ETASeconds   float64 `json:"eta_seconds"`    // at that rate, 0 when idle
}

// Ban is an item of GET /api/v1/peers/bans: a peer refused until Until.
type Ban struct {
	PeerID string `json:"peer_id"`
	Until  int64  `json:"until"` // unix ms
	Reason string `json:"reason"`
}
