package p2p_test

import (
	"context"
	"encoding/binary"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// evilChain claims a long chain and serves crafted headers.
type evilChain struct {
	p2p.Chain
	headers []core.Header
}

func (e *evilChain) Tip() chain.TipInfo {
	ti := e.Chain.Tip()
	ti.Height, ti.TotalWork = 1000, new(big.Int).Lsh(big.NewInt(1), 200)
	return ti
}

func (e *evilChain) HeadersAfter([]core.Hash, core.Hash, int) []core.Header { return e.headers }

func banned(n *tnode, id peer.ID) bool {
	return slices.ContainsFunc(n.Net.Bans(), func(b p2p.Ban) bool { return b.PeerID == id.String() })
}

// TestMisbehavingPeerBanned: a peer that gossips invalid or oversized
// data, serves bad-PoW headers or sends an oversized request is
// disconnected and banned (persistently) while honest blocks keep flowing.
func TestMisbehavingPeerBanned(t *testing.T) {
	ns, b := cluster(t, 3, nil)
	line(t, ns)
	victim := ns[0]
	mb := victim.g.MaxBlockBytes
	badSig := b.Tx(0, scenarios.NewKey(9).Addr, 1000, scenarios.MinFee, 0)
	badSig.Signature[0] ^= 1
	publishBlock := func(data []byte) func(*testing.T, *tnode) {
		return func(t *testing.T, evil *tnode) {
			waitFor(t, 20*time.Second, "the victim in the evil node's block topic", func() bool {
				return slices.Contains(evil.Net.BlockTopicPeers(), victim.Net.Host().ID())
			})
			if err := evil.Net.PublishRawBlock(context.Background(), data); err != nil {
				t.Fatal(err)
			}
		}
	}
	publishTxs := func(data []byte) func(*testing.T, *tnode) {
		return func(t *testing.T, evil *tnode) {
			waitFor(t, 20*time.Second, "the victim in the evil node's tx topic", func() bool {
				return slices.Contains(evil.Net.TxTopicPeers(), victim.Net.Host().ID())
			})
			if err := evil.Net.PublishRawTxs(context.Background(), data); err != nil {
				t.Fatal(err)
			}
		}
	}
	badHeader := b.NextBadPoW("bad-header", scenarios.GenesisLabel, nil).Header
	var evilIDs []peer.ID
	cases := []struct {
		name    string
		headers []core.Header // served by the evil node's sync protocol
		act     func(*testing.T, *tnode)
	}{
		{name: "bad PoW block", act: publishBlock(b.NextBadPoW("bad-pow", scenarios.GenesisLabel, nil).Encode())},
		{name: "bad tx_root block", act: publishBlock(b.Next("bad-root", scenarios.GenesisLabel, nil, func(h *core.Header) { h.TxRoot[0] ^= 1 }).Encode())},
		{name: "undecodable block message", act: publishBlock([]byte("not a block"))},
		{name: "oversized block message", act: publishBlock(make([]byte, mb+1))},
		{name: "bad signature tx", act: publishTxs(p2p.EncodeTxBatch(1, []*core.Tx{badSig}))},
		{name: "undecodable tx message", act: publishTxs([]byte{1, 2, 3})},
		{name: "bad-PoW headers", headers: []core.Header{badHeader}},
		{name: "oversized request", act: func(t *testing.T, evil *tnode) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := evil.Net.Host().NewStream(ctx, victim.Net.Host().ID(), protocol.ID(p2p.RPCProtocol(victim.Node.Chain.GenesisHash())))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, _ = s.Write(binary.AppendUvarint(nil, 64<<20))
			_, _ = s.Write(make([]byte, 4096))
		}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evil := startNode(t, 100+i, victim.g, t.TempDir(), func(cfg *p2p.Config) {
				// A v1 peer (no compact relay): full blocks are gossiped
				// to it and by it on the block topic.
				cfg.DisablePEX, cfg.DisableCompactRelay = true, true
				if c.headers != nil {
					cfg.Chain = &evilChain{Chain: cfg.Chain, headers: c.headers}
				}
			})
			id := evil.Net.Host().ID()
			evilIDs = append(evilIDs, id)
			connect(t, evil, victim)
			if c.act != nil {
				c.act(t, evil)
			}
			waitFor(t, 20*time.Second, "the ban", func() bool { return banned(victim, id) })
			waitFor(t, 20*time.Second, "the disconnection", func() bool {
				return !connected(victim, evil) && !connected(evil, victim)
			})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := evil.Net.Connect(ctx, victim.addr()); err == nil {
				t.Fatal("a banned peer reconnected")
			}
			// Honest blocks keep flowing.
			h := ns[1].tip().Height
			ns[1].mine()
			waitSameTip(t, ns, h+1, 20*time.Second)
		})
	}
	victim.restart()
	for _, id := range evilIDs {
		if !banned(victim, id) {
			t.Fatalf("ban of %s lost on restart", id)
		}
	}
}

// TestOtherGenesisRefused: a node of another chain is refused at the
// handshake, on both sides, and not redialled.
func TestOtherGenesisRefused(t *testing.T) {
	ns, _ := cluster(t, 2, nil)
	connect(t, ns[1], ns[0])
	g := scenarios.NewBuilder().Genesis
	g.ChainID = "other"
	other := startNode(t, 9, g, t.TempDir(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := other.Net.Connect(ctx, ns[0].addr())
	if err == nil || !errorsIs(err, p2p.ErrWrongChain) {
		t.Fatalf("connect to another chain: %v, want ErrWrongChain", err)
	}
	oid := other.Net.Host().ID()
	waitFor(t, 20*time.Second, "the refusal on the honest side", func() bool {
		return ns[0].Net.Host().Network().Connectedness(oid) != network.Connected
	})
	for _, p := range ns[0].Net.Peers() {
		if p.ID == oid {
			t.Fatal("the other chain's node is listed as a peer")
		}
	}
	if err := other.Net.Connect(ctx, ns[1].addr()); err == nil {
		t.Fatal("second node accepted another chain")
	}
	waitFor(t, 10*time.Second, "one peer each", func() bool { return ns[0].Net.PeerCount() == 1 && ns[1].Net.PeerCount() == 1 })
}
