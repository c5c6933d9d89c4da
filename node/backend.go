package node

import (
	"context"
	"errors"
	"fmt"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/miner"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/cairn-chain/cairn/state"
	"github.com/cairn-chain/cairn/store"
)

// APIBackend is what the node hands the REST API: its chain, mempool and
// miner behind the API's interfaces, the difficulty if the engine has one
// (PoW), and (with a
// network) the peer-to-peer layer, its types converted to the API's.
// SubmitTxs is SubmitLocalTxs, SubmitTxsDurable SubmitLocalTxsDurable;
// Devnet is the Config's.
func (n *Node) APIBackend() api.Backend {
	b := api.Backend{
		Genesis: n.Genesis, Chain: apiChain{n.Chain}, Assets: apiAssets{n.Chain}, Contracts: apiContracts{n.Chain}, Anchors: apiAnchors{n.DB}, Permissions: n.Chain, Pool: n.Pool, Miner: apiMiner{n.Miner}, Events: n.Events,
		SubmitTxs: n.SubmitLocalTxs, SubmitTxsDurable: n.SubmitLocalTxsDurable, MineOne: n.MineOne, Devnet: n.cfg.Devnet,
	}
	// Only an engine with a difficulty (PoW) shows one on /status.
	if d, ok := n.Engine.(consensus.DifficultyReporter); ok {
		b.Difficulty = func(bits uint32) float64 { return d.Difficulty(&core.Header{Bits: bits}) }
	}
	if _, ok := n.Engine.(consensus.Authority); ok {
		b.Consensus = apiConsensus{n}
	}
	if n.Net == nil {
		return b
	}
	b.PeerID = n.Net.ID()
	b.Listen = n.Net.Addrs
	b.Peers = func() []wire.Peer { return apiPeers(n.Net.Peers()) }
	b.RefusedConnections = n.Net.RefusedInbound
	b.Syncing = func() bool { s, _, _ := n.Net.SyncStatus(); return s }
	b.SyncProgress = func() wire.SyncProgress {
		p := n.Net.SyncProgress()
		return wire.SyncProgress{Height: p.Height, Target: p.Target, Percent: p.Percent, BlocksPerSec: p.BlocksPerSec, ETASeconds: p.ETA.Seconds()}
	}
	b.Bans = func() []wire.Ban {
		var out []wire.Ban
		for _, x := range n.Net.Bans() {
			out = append(out, wire.Ban{PeerID: x.PeerID, Until: x.Until.UnixMilli(), Reason: x.Reason})
		}
		return out
	}
	b.Allowlist = apiAllowlist{n.Net}
	b.AddPeer = func(ctx context.Context, addr string) error {
		err := n.Net.Connect(ctx, addr)
		if errors.Is(err, p2p.ErrUnreachable) {
			return fmt.Errorf("%w: %v", api.ErrUnavailable, err)
		}
		return err
	}
	b.Resolve = func(ctx context.Context) (bool, error) {
		replaced, _, err := n.Net.Resolve(ctx)
		return replaced, err
	}
	return b
}

// apiPeers converts the network's peers to the API's.
func apiPeers(ps []p2p.PeerInfo) []wire.Peer {
	out := make([]wire.Peer, 0, len(ps))
	for _, p := range ps {
		wp := wire.Peer{ID: p.ID.String(), Addrs: p.Addrs, Direction: "inbound", Height: p.Height,
			LatencyMs: float64(p.Latency.Microseconds()) / 1000}
		if p.Outbound {
			wp.Direction = "outbound"
		}
		out = append(out, wp)
	}
	return out
}

// apiChain is the chain as the API reads it.
type apiChain struct{ c *chain.Chain }

var _ api.Chain = apiChain{}

func (a apiChain) Tip() api.Tip {
	t := a.c.Tip()
	return api.Tip{Hash: t.Hash, Height: t.Height, Header: t.Header, TotalWork: t.TotalWork, StateDigest: t.StateDigest}
}

func (a apiChain) GenesisHash() core.Hash { return a.c.GenesisHash() }
func (a apiChain) Reorgs() uint64         { return a.c.Reorgs() }

func (a apiChain) Account(addr core.Address) (core.Account, error) { return a.c.Account(addr) }

func (a apiChain) BlockByHash(h core.Hash) (*api.BlockInfo, error) {
	return apiBlock(a.c.BlockByHash(h))
}

func (a apiChain) BlockByHeight(height uint64) (*api.BlockInfo, error) {
	return apiBlock(a.c.BlockByHeight(height))
}

func apiBlock(bi *chain.BlockInfo, err error) (*api.BlockInfo, error) {
	if err != nil {
		return nil, err
	}
	return &api.BlockInfo{Block: bi.Block, Hash: bi.Hash, MainChain: bi.MainChain, Confirmations: bi.Confirmations,
		Reward: bi.Reward, Fees: bi.Fees, Size: bi.Size}, nil
}

func (a apiChain) SummaryByHeight(height uint64) (core.Header, core.Hash, int, error) {
	return a.c.SummaryByHeight(height)
}

// VoteHeaders lists the main chain's vote-bearing headers (GET
// /consensus/votes/headers).
func (a apiChain) VoteHeaders(from, below uint64, limit, scan int) ([]core.Header, []core.Hash, uint64) {
	return a.c.VoteHeaders(from, below, limit, scan)
}

func (a apiChain) Tx(id core.Hash) (*api.TxInfo, error) {
	ti, err := a.c.Tx(id)
	if err != nil {
		return nil, err
	}
	return &api.TxInfo{Tx: ti.Tx, BlockHash: ti.BlockHash, Height: ti.Height, Index: ti.Index, Confirmations: ti.Confirmations, Receipt: ti.Receipt}, nil
}

func (a apiChain) TxProof(id core.Hash) (*api.Proof, error) {
	p, err := a.c.TxProof(id)
	if err != nil {
		return nil, err
	}
	return &api.Proof{TxID: p.TxID, BlockHash: p.BlockHash, Height: p.Height, TxRoot: p.TxRoot, Index: p.Index, Size: p.Size, Branch: p.Branch}, nil
}

func (a apiChain) AddressTxs(addr core.Address, before *api.TxLoc, limit int) ([]api.TxLoc, error) {
	var cursor *store.AddrTx
	if before != nil {
		cursor = &store.AddrTx{Height: before.Height, Index: before.Index, ID: before.ID}
	}
	entries, err := a.c.AddressTxs(addr, cursor, limit)
	if err != nil {
		return nil, err
	}
	out := make([]api.TxLoc, len(entries))
	for i, e := range entries {
		out[i] = api.TxLoc{Height: e.Height, Index: e.Index, ID: e.ID}
	}
	return out, nil
}

// apiMiner is the miner as the API sees it.
type apiMiner struct{ m *miner.Miner }

var _ api.Miner = apiMiner{}

func (a apiMiner) Stats() api.MinerStats {
	st := a.m.Stats()
	return api.MinerStats{Enabled: st.Enabled, Threads: st.Threads, Address: st.Address, HashRate: st.HashRate, BlocksMined: st.BlocksMined}
}

func (a apiMiner) SetEnabled(on bool)         { a.m.SetEnabled(on) }
func (a apiMiner) SetThreads(k int)           { a.m.SetThreads(k) }
func (a apiMiner) SetAddress(to core.Address) { a.m.SetAddress(to) }
func (apiMiner) MaxThreads() int              { return miner.MaxThreads }

// apiAssets is the chain's assets and items as the API reads them.
type apiAssets struct{ c *chain.Chain }

var _ api.Assets = apiAssets{}

func (a apiAssets) Asset(id core.AssetID) (*state.Asset, error) { return a.c.Asset(id) }

func (a apiAssets) Assets(after *core.AssetID, limit int) ([]*state.Asset, error) {
	return a.c.Assets(after, limit)
}

func (a apiAssets) Holders(id core.AssetID, after *core.Address, limit int) ([]api.Holder, error) {
	hs, err := a.c.Holders(id, after, limit)
	out := make([]api.Holder, len(hs))
	for i, h := range hs {
		out[i] = api.Holder{Address: h.Address, Holding: h.Holding}
	}
	return out, err
}

func (a apiAssets) AccountAssets(addr core.Address, after *core.AssetID, limit int) ([]api.AccountAsset, error) {
	as, err := a.c.AccountAssets(addr, after, limit)
	out := make([]api.AccountAsset, len(as))
	for i, x := range as {
		out[i] = api.AccountAsset{Asset: x.Asset, Holding: x.Holding}
	}
	return out, err
}

func (a apiAssets) Item(coll core.AssetID, id []byte) (*state.Item, error) { return a.c.Item(coll, id) }

func (a apiAssets) ItemHistory(coll core.AssetID, id []byte, after *api.TxLoc, limit int) ([]api.TxLoc, error) {
	var cursor *store.ItemEvent
	if after != nil {
		cursor = &store.ItemEvent{Height: after.Height, Index: after.Index, ID: after.ID}
	}
	es, err := a.c.ItemHistory(coll, id, cursor, limit)
	out := make([]api.TxLoc, len(es))
	for i, e := range es {
		out[i] = api.TxLoc{Height: e.Height, Index: e.Index, ID: e.ID}
	}
	return out, err
}

// apiContracts is the chain's contracts as the API reads them.
type apiContracts struct{ c *chain.Chain }

var _ api.Contracts = apiContracts{}

func (a apiContracts) Contract(addr core.Address) (*api.ContractInfo, error) {
	ci, err := a.c.Contract(addr)
	if err != nil {
		return nil, err
	}
	return &api.ContractInfo{Contract: ci.Contract, CodeSize: ci.CodeSize, Balance: ci.Balance}, nil
}

func (a apiContracts) ContractTxs(addr core.Address, after *api.TxLoc, limit int, newest bool) ([]api.TxLoc, error) {
	var from *store.ItemEvent
	if after != nil {
		from = &store.ItemEvent{Height: after.Height, Index: after.Index, ID: after.ID}
	}
	es, err := a.c.ContractTxs(addr, from, limit, newest)
	out := make([]api.TxLoc, len(es))
	for i, e := range es {
		out[i] = api.TxLoc{Height: e.Height, Index: e.Index, ID: e.ID}
	}
	return out, err
}

func (a apiContracts) Query(addr, caller core.Address, input []byte, gas uint64) (*state.QueryResult, error) {
	return a.c.QueryContract(addr, caller, input, gas)
}

// apiConsensus is an authority engine (PoA) as the API sees it: its view
// after the tip, read from the chain's headers, and the proposals of its
// Voter when this node has a signer key.
type apiConsensus struct{ n *Node }

var _ api.Consensus = apiConsensus{}

func (a apiConsensus) Authority() (*consensus.AuthorityInfo, error) {
	auth, ok := a.n.Engine.(consensus.Authority)
	if !ok {
		return nil, core.Errorf(core.CodeNotVoting, "the chain's engine has no signer set")
	}
	var info *consensus.AuthorityInfo
	var err error
	a.n.Chain.ReadHeaders(func(r consensus.ChainReader, tip core.Hash) {
		info, err = auth.Authority(r, tip)
	})
	return info, err
}

// voter is the engine's Voter if this node seals (has a signer key).
func (a apiConsensus) voter() (consensus.Voter, bool) {
	v, ok := a.n.Engine.(consensus.Voter)
	return v, ok && a.n.cfg.SignerKey != nil
}

func (a apiConsensus) Proposals() []consensus.Proposal {
	if v, ok := a.voter(); ok {
		return v.Proposals()
	}
	return nil
}

func (a apiConsensus) Propose(key core.PublicKey, add bool) error {
	v, ok := a.voter()
	if !ok {
		return core.Errorf(core.CodeNotVoting, "this node has no signer key: only a signer votes (start it with cairn node --signer NAME)")
	}
	v.Propose(key, add)
	return nil
}
