package p2p

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-chain/cairn/core"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// recentTxsCap bounds the txs remembered for rebuilding compact blocks
// (the pool's txs arrive through gossip, reconciliation or the API, all of
// which pass here); ~200 bytes each.
const recentTxsCap = 1 << 16

// compactRelay is the state of compact block relay.
type compactRelay struct {
	topic  *pubsub.Topic
	recent *txIndex
	peers  *compactPeers
	meter  relayMeter
}

// txIndex remembers the last recentTxsCap txs this node saw (in a ring),
// the candidates a compact block is rebuilt from. Safe for concurrent use.
type txIndex struct {
	mu   sync.RWMutex
	byID map[core.Hash]*core.Tx
	ring []core.Hash
	next int
	// forced gives txs a short ID under every salt: a collision, which
	// tests cannot find by search (nil outside tests).
	forced map[core.Hash]ShortID
}

func newTxIndex() *txIndex { return &txIndex{byID: map[core.Hash]*core.Tx{}} }

func (x *txIndex) add(txs []*core.Tx) {
	if len(txs) == 0 {
		return
	}
	ids := make([]core.Hash, len(txs))
	for i, tx := range txs {
		ids[i] = tx.ID()
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, id := range ids {
		if _, ok := x.byID[id]; ok {
			continue
		}
		if len(x.ring) < recentTxsCap {
			x.ring = append(x.ring, id)
		} else {
			delete(x.byID, x.ring[x.next])
			x.ring[x.next] = id
			x.next = (x.next + 1) % recentTxsCap
		}
		x.byID[id] = txs[i]
	}
}

// forget drops txs (confirmed in a block: no later block holds them) so
// that rebuilding does not hash them; their ring slots stay until reused.
func (x *txIndex) forget(txs []*core.Tx) {
	ids := make([]core.Hash, len(txs))
	for i, tx := range txs {
		ids[i] = tx.ID()
	}
	x.mu.Lock()
	for _, id := range ids {
		delete(x.byID, id)
	}
	x.mu.Unlock()
}

func (x *txIndex) has(id core.Hash) bool {
	x.mu.RLock()
	_, ok := x.byID[id]
	x.mu.RUnlock()
	return ok
}

func (x *txIndex) len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byID)
}

// match fills txs[i] for every short ID of want (block position i) that
// exactly one remembered tx has. It hashes every remembered tx with the
// block's salt, on all cores when there are many.
func (x *txIndex) match(salt *[32]byte, want map[ShortID]int, txs []*core.Tx) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	ring := x.ring
	workers := min(runtime.GOMAXPROCS(0), (len(ring)+4095)/4096)
	found := make([][]struct {
		pos int
		id  core.Hash
	}, max(workers, 1))
	var wg sync.WaitGroup
	for w := range found {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < len(ring); k += len(found) {
				if _, live := x.byID[ring[k]]; !live {
					continue // forgotten
				}
				sid, ok := x.forced[ring[k]]
				if !ok {
					sid = ShortTxID(salt, ring[k])
				}
				if pos, ok := want[sid]; ok {
					found[w] = append(found[w], struct {
						pos int
						id  core.Hash
					}{pos, ring[k]})
				}
			}
		}()
	}
	wg.Wait()
	ambiguous := map[int]bool{}
	for _, f := range found {
		for _, m := range f {
			if txs[m.pos] != nil || ambiguous[m.pos] {
				// Two remembered txs share the short ID: ask for it.
				ambiguous[m.pos] = true
				txs[m.pos] = nil
				continue
			}
			txs[m.pos] = x.byID[m.id]
		}
	}
}

// compactPeers records the peers that take part in the compact topic.
// The subscription filter hides such a peer's subscription to the full
// block topic, so this node sends it compact blocks only and full blocks
// go to v1 peers alone (GossipSub would otherwise send each form to every
// subscriber). Cleared when a peer disconnects.
type compactPeers struct {
	base            pubsub.SubscriptionFilter
	blocks, compact string
	mu              sync.Mutex
	m               map[peer.ID]bool
}

func (f *compactPeers) CanSubscribe(topic string) bool { return f.base.CanSubscribe(topic) }

func (f *compactPeers) FilterIncomingSubscriptions(from peer.ID, subs []*pb.RPC_SubOpts) ([]*pb.RPC_SubOpts, error) {
	subs, err := f.base.FilterIncomingSubscriptions(from, subs)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range subs {
		if s.GetTopicid() == f.compact {
			f.m[from] = s.GetSubscribe()
		}
	}
	if !f.m[from] {
		return subs, nil
	}
	out := subs[:0:0]
	for _, s := range subs {
		if s.GetTopicid() != f.blocks {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *compactPeers) has(p peer.ID) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.m[p]
}

func (f *compactPeers) forget(p peer.ID) {
	f.mu.Lock()
	delete(f.m, p)
	f.mu.Unlock()
}

// relayMeter counts the bytes of block relay this node received: gossip
// messages carrying full or compact blocks (their protobuf bytes inside
// the RPCs), and GetBlockTxn exchanges (request and reply frames). It is
// GossipSub's raw tracer (only RecvRPC counts).
type relayMeter struct {
	blocks, compact        string
	full, cmpct, blockTxns atomic.Uint64
}

func (m *relayMeter) RecvRPC(rpc *pubsub.RPC) {
	for _, msg := range rpc.GetPublish() {
		switch msg.GetTopic() {
		case m.blocks:
			m.full.Add(publishSize(msg))
		case m.compact:
			m.cmpct.Add(publishSize(msg))
		}
	}
}

// publishSize is the protobuf size of a message inside an RPC's publish
// list (each bytes field: a tag byte, a uvarint length, the bytes).
func publishSize(msg *pb.Message) uint64 {
	field := func(b []byte) int {
		if len(b) == 0 {
			return 0
		}
		return 1 + len(binary.AppendUvarint(nil, uint64(len(b)))) + len(b)
	}
	n := field(msg.GetFrom()) + field(msg.GetData()) + field(msg.GetSeqno()) + field([]byte(msg.GetTopic())) +
		field(msg.GetSignature()) + field(msg.GetKey())
	return uint64(1 + len(binary.AppendUvarint(nil, uint64(n))) + n)
}

func (m *relayMeter) AddPeer(peer.ID, protocol.ID)                         {}
func (m *relayMeter) RemovePeer(peer.ID)                                   {}
func (m *relayMeter) Join(string)                                          {}
func (m *relayMeter) Leave(string)                                         {}
func (m *relayMeter) Graft(peer.ID, string)                                {}
func (m *relayMeter) Prune(peer.ID, string)                                {}
func (m *relayMeter) ValidateMessage(*pubsub.Message)                      {}
func (m *relayMeter) DeliverMessage(*pubsub.Message)                       {}
func (m *relayMeter) RejectMessage(*pubsub.Message, string)                {}
func (m *relayMeter) DuplicateMessage(*pubsub.Message)                     {}
func (m *relayMeter) ThrottlePeer(peer.ID)                                 {}
func (m *relayMeter) SendRPC(*pubsub.RPC, peer.ID)                         {}
func (m *relayMeter) DropRPC(*pubsub.RPC, peer.ID)                         {}
func (m *relayMeter) UndeliverableMessage(*pubsub.Message)                 {}
func (m *relayMeter) SendRPCCompleted(*pubsub.RPC, peer.ID, time.Duration) {}
func (m *relayMeter) OnNewOutboundStream(peer.ID, protocol.ID)             {}
func (m *relayMeter) OnClosedOutboundStream(peer.ID)                       {}

// RelayBytes is what a node received for block relay: gossip messages
// with full blocks, with compact blocks, and GetBlockTxn exchanges.
type RelayBytes struct {
	Full, Compact, BlockTxn uint64
}

// RelayBytes returns the block relay bytes received so far.
func (n *Network) RelayBytes() RelayBytes {
	m := &n.cmpct.meter
	return RelayBytes{Full: m.full.Load(), Compact: m.cmpct.Load(), BlockTxn: m.blockTxns.Load()}
}

// rememberTxs records txs as candidates for rebuilding compact blocks.
func (n *Network) rememberTxs(txs []*core.Tx) { n.cmpct.recent.add(txs) }

// publishCompact gossips the compact form of a block this node processed,
// prefilling the txs it had not seen before (its peers are unlikely to
// have them either).
func (n *Network) publishCompact(ctx context.Context, blk *core.Block) error {
	cb := NewCompactBlock(blk, rand.Uint64(), func(_ int, tx *core.Tx) bool { return !n.cmpct.recent.has(tx.ID()) })
	return n.cmpct.topic.Publish(ctx, cb.Encode())
}

// relayForm says in which forms relayBlock publishes a block.
type relayForm uint8

const (
	relayCompact relayForm = 1 << iota // to the compact topic (the block came full)
	relayFull                          // to the full topic's (v1) peers (it came compact)
	relayBoth    = relayCompact | relayFull
)

// relayBlock gossips a block this node accepted in the forms its peers
// lack: GossipSub relays the message as it came (full or compact), and
// the other form goes to the other topic's peers (the full topic lists
// only v1 peers).
func (n *Network) relayBlock(blk *core.Block, form relayForm) {
	n.goFn(func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if form&relayFull != 0 && len(n.blocks.ListPeers()) > 0 {
			if err := n.blocks.Publish(ctx, blk.Encode()); err != nil && ctx.Err() == nil {
				n.log.Debug("full block relay failed", "block", blk.Hash(), "err", err)
			}
		}
		if form&relayCompact != 0 && n.cmpct.topic != nil && len(n.cmpct.topic.ListPeers()) > 0 {
			if err := n.publishCompact(ctx, blk); err != nil && ctx.Err() == nil {
				n.log.Debug("compact block relay failed", "block", blk.Hash(), "err", err)
			}
		}
		n.cmpct.recent.forget(blk.Txs) // after publishCompact chose what to prefill
	})
}

// validateCompact is the compact topic's validator: decode, the header's
// seal and context, rebuild from the remembered txs, fetch the missing
// ones from the announcing peer, check the rebuilt txs against the
// header's tx_root, then process the block as validateBlock does. A
// compact block that does not rebuild to its tx_root is checked against
// the full block, fetched from the same peer: if the full block's short
// IDs differ from the announced ones the peer lied (penalised); if they
// match, this node's remembered txs collided, and the full block is used.
func (n *Network) validateCompact(ctx context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
	if from == n.host.ID() {
		return pubsub.ValidationAccept
	}
	if n.bans.banned(from) {
		return pubsub.ValidationIgnore
	}
	if len(m.Data) > n.maxBlockMsg() {
		n.misbehave(from, pointsFatal, "oversized compact block message")
		return pubsub.ValidationReject
	}
	cb, err := DecodeCompactBlock(m.Data, int(min(n.g.MaxBlockTxs, 1<<24)))
	if err != nil {
		n.misbehave(from, pointsFatal, "undecodable compact block message: "+err.Error())
		return pubsub.ValidationReject
	}
	h := cb.Header.Hash()
	if n.cfg.Chain.IsInvalid(h) {
		n.misbehave(from, pointsInvalidState, "relayed known-invalid block "+h.String())
		return pubsub.ValidationReject
	}
	if n.cfg.Chain.HasBlock(h) {
		n.noteStale(from)
		return pubsub.ValidationIgnore
	}
	// The header's seal and context before any work on the body (an
	// unknown parent is an orphan: processing decides).
	if _, err := n.cfg.Chain.CheckHeaders([]core.Header{cb.Header}); err != nil && core.IsRuleError(err) && !errors.Is(err, core.CodeUnknownParent) {
		n.misbehave(from, headerFaultPoints(err), "invalid compact block header "+h.String()+": "+err.Error())
		return pubsub.ValidationReject
	}
	blk, err := n.rebuild(ctx, from, cb, h)
	switch {
	case errors.Is(err, errCompactMismatch) && blk != nil:
		// The peer lied about a block it holds: the block itself (its
		// hash checked against the header) is processed and relayed in
		// both forms, and the lying message is not relayed.
		if !n.cfg.Chain.HasBlock(h) {
			n.processGossiped(from, blk, h, relayBoth)
		}
		n.misbehave(from, pointsFatal, err.Error())
		return pubsub.ValidationReject
	case core.IsRuleError(err):
		n.misbehave(from, pointsFatal, err.Error())
		return pubsub.ValidationReject
	case err != nil:
		n.log.Debug("compact block not rebuilt", "peer", from, "block", h, "err", err)
		return pubsub.ValidationIgnore
	}
	if n.cfg.Chain.HasBlock(h) {
		return pubsub.ValidationIgnore // arrived another way meanwhile
	}
	return n.processGossiped(from, blk, h, relayFull)
}

// errCompactMismatch marks a compact block that does not match its block.
var errCompactMismatch = core.Errorf(core.CodeMalformed, "compact block does not match its block")

// rebuild turns a compact block into the block, asking from for what is
// missing. A rule error is the peer's fault; with errCompactMismatch it
// comes with the full block the peer served.
func (n *Network) rebuild(ctx context.Context, from peer.ID, cb *CompactBlock, h core.Hash) (*core.Block, error) {
	total := cb.TxCount()
	txs := make([]*core.Tx, total)
	isPre := make([]bool, total)
	for _, p := range cb.Prefilled {
		txs[p.Index], isPre[p.Index] = p.Tx, true
	}
	salt := CompactSalt(&cb.Header, cb.Nonce)
	want := make(map[ShortID]int, len(cb.ShortIDs))
	shortAt := make([]ShortID, total)
	collided := false
	k := 0
	for i := range total {
		if isPre[i] {
			continue
		}
		s := cb.ShortIDs[k]
		k++
		if _, dup := want[s]; dup {
			collided = true // two txs of the block share a short ID
		}
		want[s], shortAt[i] = i, s
	}
	if !collided {
		n.cmpct.recent.match(&salt, want, txs)
		var missing []int
		for i, tx := range txs {
			if tx == nil {
				missing = append(missing, i)
			}
		}
		if len(missing) > 0 && len(missing) <= MaxBlockTxnIndexes {
			got, found, err := n.getBlockTxn(ctx, from, h, missing)
			if err != nil {
				return nil, err
			}
			if !found {
				return nil, core.Errorf(core.CodeMalformed, "peer announced compact block %s and does not serve its txs", h)
			}
			for j, i := range missing {
				if ShortTxID(&salt, got[j].ID()) != shortAt[i] {
					return nil, core.Errorf(core.CodeMalformed, "block_txn reply for %s: tx %d is not the one announced", h, i)
				}
				txs[i] = got[j]
			}
			n.rememberTxs(got)
		}
		if len(missing) <= MaxBlockTxnIndexes {
			blk := &core.Block{Header: cb.Header, Txs: txs}
			if core.MerkleRoot(blk.TxIDs()) == cb.Header.TxRoot {
				return blk, nil
			}
		}
	}
	// Fall back to the full block from the same peer, and find out whose
	// fault it was.
	blks, err := n.getBlocks(ctx, from, []core.Hash{h})
	if err != nil {
		return nil, err
	}
	full := blks[0]
	if full == nil {
		return nil, core.Errorf(core.CodeMalformed, "peer announced compact block %s and does not serve it", h)
	}
	if !cb.matches(full, &salt) {
		return full, core.Wrap(core.CodeMalformed, errCompactMismatch, "compact block %s: its short IDs or prefilled txs are not those of the block", h)
	}
	n.rememberTxs(full.Txs)
	return full, nil
}

// matches reports whether cb is a compact form of blk (same tx count,
// prefilled txs and short IDs).
func (cb *CompactBlock) matches(blk *core.Block, salt *[32]byte) bool {
	if cb.TxCount() != len(blk.Txs) {
		return false
	}
	k, p := 0, 0
	for i, tx := range blk.Txs {
		id := tx.ID()
		if p < len(cb.Prefilled) && cb.Prefilled[p].Index == i {
			if cb.Prefilled[p].Tx.ID() != id {
				return false
			}
			p++
			continue
		}
		if cb.ShortIDs[k] != ShortTxID(salt, id) {
			return false
		}
		k++
	}
	return true
}

// getBlockTxn asks p for the txs of block h at indexes.
func (n *Network) getBlockTxn(ctx context.Context, p peer.ID, h core.Hash, indexes []int) ([]*core.Tx, bool, error) {
	req := (&GetBlockTxn{Block: h, Indexes: indexes}).Encode()
	var txs []*core.Tx
	var found bool
	err := n.rpc(ctx, p, req, func(r *bufio.Reader) error {
		body, err := readFrame(r, n.maxBlockMsg()+16)
		if err != nil {
			return err
		}
		n.cmpct.meter.blockTxns.Add(uint64(len(req) + len(body)))
		txs, found, err = decodeBlockTxn(body, len(indexes))
		return err
	})
	return txs, found, err
}

// serveBlockTxn answers GetBlockTxn from a stored block.
func (n *Network) serveBlockTxn(w *bufio.Writer, payload []byte) error {
	m, err := decodeGetBlockTxn(payload)
	if err != nil {
		return err
	}
	blk, ok := n.blockByHash(m.Block)
	if !ok {
		return writeFrame(w, encodeBlockTxn(nil, false))
	}
	txs := make([]*core.Tx, 0, len(m.Indexes))
	for _, i := range m.Indexes {
		if i >= len(blk.Txs) {
			return core.Errorf(core.CodeMalformed, "get_block_txn: index %d outside block %s of %d txs", i, m.Block, len(blk.Txs))
		}
		txs = append(txs, blk.Txs[i])
	}
	return writeFrame(w, encodeBlockTxn(txs, true))
}

// forgetCompactPeer drops a disconnected peer from the compact peers.
func (n *Network) forgetCompactPeer(_ network.Network, c network.Conn) {
	if n.host.Network().Connectedness(c.RemotePeer()) != network.Connected {
		n.cmpct.peers.forget(c.RemotePeer())
	}
}
