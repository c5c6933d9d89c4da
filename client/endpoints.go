package client

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

func api(path string) string { return APIPrefix + path }

// call runs r and decodes its answer into a new T.
func call[T any](ctx context.Context, c *Client, r request) (*T, error) {
	var v T
	r.out = &v
	if err := c.do(ctx, r); err != nil {
		return nil, err
	}
	return &v, nil
}

// segment escapes one path segment, refusing an empty one (which would
// name another route).
func segment(what, s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%s is empty", what)
	}
	return url.PathEscape(s), nil
}

func limitQuery(limit int) url.Values {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}

// Status returns GET /status: the chain, its tip and the parameters a
// client needs to build txs (chain_id, address_prefix, decimals, min_fee).
func (c *Client) Status(ctx context.Context) (*wire.Status, error) {
	return call[wire.Status](ctx, c, request{method: http.MethodGet, path: api("/status")})
}

// Blocks returns up to limit block headers from height from upward
// (GET /blocks?from=&limit=); limit 0 takes the node's default.
func (c *Client) Blocks(ctx context.Context, from uint64, limit int) ([]wire.BlockHeader, error) {
	q := limitQuery(limit)
	q.Set("from", strconv.FormatUint(from, 10))
	b, err := call[wire.Blocks](ctx, c, request{method: http.MethodGet, path: api("/blocks"), query: q})
	if err != nil {
		return nil, err
	}
	return b.Blocks, nil
}

// LatestBlocks returns the newest limit block headers, newest first
// (GET /blocks?limit=).
func (c *Client) LatestBlocks(ctx context.Context, limit int) ([]wire.BlockHeader, error) {
	b, err := call[wire.Blocks](ctx, c, request{method: http.MethodGet, path: api("/blocks"), query: limitQuery(limit)})
	if err != nil {
		return nil, err
	}
	return b.Blocks, nil
}

// Block returns one block with its txs by height ("12") or hash
// (GET /blocks/{height or hash}).
func (c *Client) Block(ctx context.Context, heightOrHash string) (*wire.Block, error) {
	seg, err := segment("block height or hash", heightOrHash)
	if err != nil {
		return nil, err
	}
	return call[wire.Block](ctx, c, request{method: http.MethodGet, path: api("/blocks/" + seg)})
}

// BlockTxIDs returns the IDs of a block's txs in block order, by height
// or hash (GET /blocks/{id}/txids): far cheaper than Block for a
// follower that only needs to know which txs confirmed.
func (c *Client) BlockTxIDs(ctx context.Context, heightOrHash string) (*wire.BlockTxIDs, error) {
	seg, err := segment("block height or hash", heightOrHash)
	if err != nil {
		return nil, err
	}
	return call[wire.BlockTxIDs](ctx, c, request{method: http.MethodGet, path: api("/blocks/" + seg + "/txids")})
}

// Tx returns a tx and its status (GET /txs/{id}).
func (c *Client) Tx(ctx context.Context, id string) (*wire.TxInfo, error) {
	seg, err := segment("tx id", id)
	if err != nil {
		return nil, err
	}
	return call[wire.TxInfo](ctx, c, request{method: http.MethodGet, path: api("/txs/" + seg)})
}

// Proof returns the Merkle inclusion proof of a confirmed tx
// (GET /txs/{id}/proof).
func (c *Client) Proof(ctx context.Context, id string) (*wire.Proof, error) {
	seg, err := segment("tx id", id)
	if err != nil {
		return nil, err
	}
	return call[wire.Proof](ctx, c, request{method: http.MethodGet, path: api("/txs/" + seg + "/proof")})
}

// submitQuery is the query of the submit routes: durable=true with
// WithDurable.
func (c *Client) submitQuery() url.Values {
	if !c.durable {
		return nil
	}
	return url.Values{"durable": {"true"}}
}

// rawTx is the raw form of POST /txs: only the "raw" field.
type rawTx struct {
	Raw string `json:"raw"`
}

// SubmitTx submits a signed tx in its canonical binary encoding
// (POST /txs {"raw": hex}) and returns its ID once the node admitted it.
func (c *Client) SubmitTx(ctx context.Context, tx *core.Tx) (string, error) {
	if tx == nil {
		return "", errors.New("submit: nil tx")
	}
	var acc wire.TxAccepted
	if err := c.do(ctx, request{method: http.MethodPost, path: api("/txs"), query: c.submitQuery(), body: rawTx{hex.EncodeToString(tx.Encode())}, out: &acc}); err != nil {
		return "", err
	}
	if want := tx.ID().String(); acc.ID != want {
		return "", &ResponseError{Method: http.MethodPost, URL: c.url(api("/txs"), nil), Err: fmt.Errorf("the node accepted tx %q, but the tx sent is %s", acc.ID, want)}
	}
	return acc.ID, nil
}

// SubmitTxJSON submits a signed tx as JSON fields (POST /txs) and returns
// the ID the node computed.
func (c *Client) SubmitTxJSON(ctx context.Context, tx wire.Tx) (string, error) {
	var acc wire.TxAccepted
	if err := c.do(ctx, request{method: http.MethodPost, path: api("/txs"), query: c.submitQuery(), body: tx, out: &acc}); err != nil {
		return "", err
	}
	if acc.ID == "" {
		return "", &ResponseError{Method: http.MethodPost, URL: c.url(api("/txs"), nil), Err: errors.New("no id in the answer")}
	}
	return acc.ID, nil
}

// SubmitBatch submits signed txs in one request (POST /txs/batch, each as
// {"raw": hex}) and returns one result per tx, in order: the ID if the
// node admitted it, else the problem. The error is for the request as a
// whole.
func (c *Client) SubmitBatch(ctx context.Context, txs []*core.Tx) ([]wire.BatchResult, error) {
	body := make([]rawTx, len(txs))
	for i, tx := range txs {
		if tx == nil {
			return nil, fmt.Errorf("submit batch: tx %d is nil", i)
		}
		body[i] = rawTx{hex.EncodeToString(tx.Encode())}
	}
	var raw json.RawMessage
	u := c.url(api("/txs/batch"), nil)
	if err := c.do(ctx, request{method: http.MethodPost, path: api("/txs/batch"), query: c.submitQuery(), body: body, out: &raw}); err != nil {
		return nil, err
	}
	res, err := decodeList[wire.BatchResult](raw, "results")
	if err != nil {
		return nil, &ResponseError{Method: http.MethodPost, URL: u, Err: err}
	}
	if len(res) != len(txs) {
		return nil, &ResponseError{Method: http.MethodPost, URL: u, Err: fmt.Errorf("%d results for %d txs", len(res), len(txs))}
	}
	return res, nil
}

// decodeList decodes a JSON array, or an object holding the array under
// key (the API may wrap lists for future fields).
func decodeList[T any](raw json.RawMessage, key string) ([]T, error) {
	raw = bytes.TrimSpace(raw)
	var out []T
	if len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &out); err != nil {
			return nil, fmt.Errorf("not the expected JSON list: %v", err)
		}
		return out, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("not a JSON list or object: %v", err)
	}
	inner, ok := obj[key]
	if !ok {
		return nil, fmt.Errorf("no %q list in the answer", key)
	}
	if err := json.Unmarshal(inner, &out); err != nil {
		return nil, fmt.Errorf("%q: not the expected JSON list: %v", key, err)
	}
	return out, nil
}

// Account returns an account's confirmed and pending balance and nonce
// (GET /accounts/{address}).
func (c *Client) Account(ctx context.Context, address string) (*wire.Account, error) {
	seg, err := segment("address", address)
	if err != nil {
		return nil, err
	}
	return call[wire.Account](ctx, c, request{method: http.MethodGet, path: api("/accounts/" + seg)})
}

// AccountTxs returns an account's txs, newest first (pending first), up
// to limit (0: the node's default), before the tx ID before if not empty
// (GET /accounts/{address}/txs?limit=&before=). The answer's Next is the
// cursor of the next page.
func (c *Client) AccountTxs(ctx context.Context, address string, limit int, before string) (*wire.AccountTxs, error) {
	seg, err := segment("address", address)
	if err != nil {
		return nil, err
	}
	q := limitQuery(limit)
	if before != "" {
		q.Set("before", before)
	}
	return call[wire.AccountTxs](ctx, c, request{method: http.MethodGet, path: api("/accounts/" + seg + "/txs"), query: q})
}

// Mempool returns the mempool's size and up to limit txs in the order a
// miner takes them (GET /mempool?limit=).
func (c *Client) Mempool(ctx context.Context, limit int) (*wire.Mempool, error) {
	return call[wire.Mempool](ctx, c, request{method: http.MethodGet, path: api("/mempool"), query: limitQuery(limit)})
}

// Mining returns the miner's state (GET /mining).
func (c *Client) Mining(ctx context.Context) (*wire.Mining, error) {
	return call[wire.Mining](ctx, c, request{method: http.MethodGet, path: api("/mining")})
}

// SetMining changes the miner (POST /mining, admin) and returns its new
// state (read back with GET /mining if the answer has no body).
func (c *Client) SetMining(ctx context.Context, u wire.MiningUpdate) (*wire.Mining, error) {
	var m wire.Mining
	var got bool
	err := c.do(ctx, request{method: http.MethodPost, path: api("/mining"), body: u, admin: true, out: &m, gotBody: &got})
	if err != nil {
		return nil, err
	}
	if !got {
		return c.Mining(ctx)
	}
	return &m, nil
}

// MineOne asks the node to mine one block now and returns it (GET /mine,
// the brief's admin route). It may take as long as finding the block's
// proof of work; the client's timeout applies.
func (c *Client) MineOne(ctx context.Context) (*wire.Block, error) {
	return call[wire.Block](ctx, c, request{method: http.MethodGet, path: "/mine", admin: true})
}

// Chain returns main-chain blocks oldest first from height from, up to
// limit (0: the node's default) (GET /chain, the brief's route).
func (c *Client) Chain(ctx context.Context, from uint64, limit int) (*wire.Chain, error) {
	q := limitQuery(limit)
	if from > 0 {
		q.Set("from", strconv.FormatUint(from, 10))
	}
	return call[wire.Chain](ctx, c, request{method: http.MethodGet, path: "/chain", query: q})
}

// Peers returns the connected peers (GET /peers).
func (c *Client) Peers(ctx context.Context) ([]wire.Peer, error) {
	var raw json.RawMessage
	if err := c.do(ctx, request{method: http.MethodGet, path: api("/peers"), out: &raw}); err != nil {
		return nil, err
	}
	peers, err := decodeList[wire.Peer](raw, "peers")
	if err != nil {
		return nil, &ResponseError{Method: http.MethodGet, URL: c.url(api("/peers"), nil), Err: err}
	}
	return peers, nil
}

// AddPeer asks the node to connect to and remember a peer (POST /peers,
// admin).
func (c *Client) AddPeer(ctx context.Context, multiaddr string) error {
	return c.do(ctx, request{method: http.MethodPost, path: api("/peers"), body: map[string]string{"addr": multiaddr}, admin: true})
}

// Healthz checks that the node answers GET /healthz with a 2xx status
// (tried at the root, then under /api/v1 if the root has no such route).
func (c *Client) Healthz(ctx context.Context) error {
	err := c.do(ctx, request{method: http.MethodGet, path: "/healthz"})
	var se *StatusError
	var p *wire.Problem
	if errors.As(err, &se) && se.StatusCode == http.StatusNotFound || errors.As(err, &p) && p.Status == http.StatusNotFound {
		return c.do(ctx, request{method: http.MethodGet, path: api("/healthz")})
	}
	return err
}

// OpenAPI returns the node's OpenAPI document (GET /openapi.json).
func (c *Client) OpenAPI(ctx context.Context) (json.RawMessage, error) {
	raw, err := call[json.RawMessage](ctx, c, request{method: http.MethodGet, path: api("/openapi.json")})
	if err != nil {
		return nil, err
	}
	return *raw, nil
}

// pageQuery is the query of a paged list: limit (0: the node's default)
// and the cursor after (the previous page's Next; empty: the first page).
func pageQuery(limit int, after string) url.Values {
	q := limitQuery(limit)
	if after != "" {
		q.Set("after", after)
	}
	return q
}

// itemSegment escapes an item id (its text, or 0x + hex) for a path. The
// ids "." and ".." would be removed by path cleaning, so they go as hex.
func itemSegment(itemID string) (string, error) {
	switch itemID {
	case ".", "..":
		itemID = "0x" + hex.EncodeToString([]byte(itemID))
	}
	return segment("item id", itemID)
}

// Assets returns a page of native assets and unique collections in id
// order, up to limit (0: the node's default), after the asset id after if
// not empty (GET /assets?limit=&after=). The answer's Next is the cursor
// of the next page.
func (c *Client) Assets(ctx context.Context, limit int, after string) (*wire.AssetList, error) {
	return call[wire.AssetList](ctx, c, request{method: http.MethodGet, path: api("/assets"), query: pageQuery(limit, after)})
}

// Asset returns one asset: its definition, roles, supply and holder count
// (GET /assets/{id}).
func (c *Client) Asset(ctx context.Context, id string) (*wire.Asset, error) {
	seg, err := segment("asset id", id)
	if err != nil {
		return nil, err
	}
	return call[wire.Asset](ctx, c, request{method: http.MethodGet, path: api("/assets/" + seg)})
}

// AssetHolders returns a page of an asset's holders in address order, up
// to limit, after the address after if not empty
// (GET /assets/{id}/holders?limit=&after=).
func (c *Client) AssetHolders(ctx context.Context, id string, limit int, after string) (*wire.HolderList, error) {
	seg, err := segment("asset id", id)
	if err != nil {
		return nil, err
	}
	return call[wire.HolderList](ctx, c, request{method: http.MethodGet, path: api("/assets/" + seg + "/holders"), query: pageQuery(limit, after)})
}

// AccountAssets returns a page of the assets an account holds, in asset
// id order, up to limit, after the asset id after if not empty
// (GET /accounts/{address}/assets?limit=&after=).
func (c *Client) AccountAssets(ctx context.Context, address string, limit int, after string) (*wire.AccountAssets, error) {
	seg, err := segment("address", address)
	if err != nil {
		return nil, err
	}
	return call[wire.AccountAssets](ctx, c, request{method: http.MethodGet, path: api("/accounts/" + seg + "/assets"), query: pageQuery(limit, after)})
}

// Item returns a unique item of a collection: its owner, metadata hash
// and whether it is burned (GET /items/{collection}/{item_id}). itemID is
// the id's text or 0x + hex, as core.ItemIDText shows it.
func (c *Client) Item(ctx context.Context, collection, itemID string) (*wire.Item, error) {
	path, err := itemPath(collection, itemID)
	if err != nil {
		return nil, err
	}
	return call[wire.Item](ctx, c, request{method: http.MethodGet, path: path})
}

// ItemHistory returns a page of an item's history, oldest first: its
// mint, transfers, attestations and burn, up to limit, after the tx id
// after if not empty (GET /items/{collection}/{item_id}/history).
func (c *Client) ItemHistory(ctx context.Context, collection, itemID string, limit int, after string) (*wire.ItemHistory, error) {
	path, err := itemPath(collection, itemID)
	if err != nil {
		return nil, err
	}
	return call[wire.ItemHistory](ctx, c, request{method: http.MethodGet, path: path + "/history", query: pageQuery(limit, after)})
}

func itemPath(collection, itemID string) (string, error) {
	coll, err := segment("collection id", collection)
	if err != nil {
		return "", err
	}
	item, err := itemSegment(itemID)
	if err != nil {
		return "", err
	}
	return api("/items/" + coll + "/" + item), nil
}

// Contract returns a contract: code hash and size, deployer, balance and
// storage size (GET /contracts/{address}).
func (c *Client) Contract(ctx context.Context, address string) (*wire.Contract, error) {
	seg, err := segment("contract address", address)
	if err != nil {
		return nil, err
	}
	return call[wire.Contract](ctx, c, request{method: http.MethodGet, path: api("/contracts/" + seg)})
}

// ContractEvents returns a page of a contract's events, oldest first (newest
// first with newest), of up to limit txs after the tx id after if not
// empty (GET /contracts/{address}/events?limit=&after=&order=).
func (c *Client) ContractEvents(ctx context.Context, address string, limit int, after string, newest bool) (*wire.ContractEvents, error) {
	seg, err := segment("contract address", address)
	if err != nil {
		return nil, err
	}
	q := pageQuery(limit, after)
	if newest {
		q.Set("order", "newest")
	}
	return call[wire.ContractEvents](ctx, c, request{method: http.MethodGet, path: api("/contracts/" + seg + "/events"), query: q})
}

// QueryContract runs a contract's call read-only on the node's tip
// (POST /contracts/{address}/query).
func (c *Client) QueryContract(ctx context.Context, address string, q wire.QueryRequest) (*wire.QueryResult, error) {
	seg, err := segment("contract address", address)
	if err != nil {
		return nil, err
	}
	return call[wire.QueryResult](ctx, c, request{method: http.MethodPost, path: api("/contracts/" + seg + "/query"), body: q})
}

// Consensus returns the chain's consensus engine and its state at the tip
// (GET /consensus): pow with bits and difficulty, or poa with the signers,
// the signer in turn, the votes and this node's proposals.
func (c *Client) Consensus(ctx context.Context) (*wire.Consensus, error) {
	return call[wire.Consensus](ctx, c, request{method: http.MethodGet, path: api("/consensus")})
}

// Vote makes the node's signer propose adding (add) or dropping the
// signer key (POST /consensus/votes, admin, proof of authority) and
// returns the node's pending proposals. To drop a signer by address, use
// VoteRequest.
func (c *Client) Vote(ctx context.Context, key core.PublicKey, add bool) (*wire.Proposals, error) {
	return c.VoteRequest(ctx, wire.VoteRequest{Signer: key.String(), Add: add})
}

// VoteRequest sends a vote request as given (Signer, or Address for a
// drop) to POST /consensus/votes (admin).
func (c *Client) VoteRequest(ctx context.Context, v wire.VoteRequest) (*wire.Proposals, error) {
	return call[wire.Proposals](ctx, c, request{method: http.MethodPost, path: api("/consensus/votes"), body: v, admin: true})
}
