package p2p

import (
	"context"
	"crypto/sha256"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/core"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Gossip sizing (see ARCHITECTURE.md, "Measured on this machine").
const (
	peerOutboundQueue = 4096
	validateQueue     = 4096
	// pendingTxsCap bounds the txs waiting to be gossiped; beyond it the
	// oldest are dropped (mempool reconciliation recovers them).
	pendingTxsCap = 200_000
	// txBatchTarget is the size at which a tx batch is cut.
	txBatchTarget = 64 << 10
)

// BlockTopic returns the name of a chain's block gossip topic.
func BlockTopic(genesis core.Hash) string { return "/cairn/" + genesis.String()[:16] + "/blocks/1" }

// TxTopic returns the name of a chain's tx gossip topic.
func TxTopic(genesis core.Hash) string { return "/cairn/" + genesis.String()[:16] + "/txs/1" }

// maxBlockMsg is the largest block message the validator accepts; the
// pubsub RPC cap leaves room above it so an oversized message reaches the
// validator (and its sender is banned) instead of only breaking the stream.
func (n *Network) maxBlockMsg() int { return int(n.g.MaxBlockBytes) }

// msgID is the content-hash message ID: a message is the same message
// whoever relays it.
func msgID(m *pb.Message) string {
	h := sha256.Sum256(m.Data)
	return string(h[:])
}

func (n *Network) startGossip() error {
	maxMsg := 2*max(n.maxBlockMsg(), MaxTxBatchBytes) + 64<<10
	bt, tt, ct := BlockTopic(n.genesis), TxTopic(n.genesis), CompactTopic(n.genesis)
	n.cmpct = &compactRelay{recent: newTxIndex(), meter: relayMeter{blocks: bt, compact: ct},
		peers: &compactPeers{base: pubsub.NewAllowlistSubscriptionFilter(bt, tt, ct), blocks: bt, compact: ct, m: map[peer.ID]bool{}}}
	var filter pubsub.SubscriptionFilter = n.cmpct.peers
	topics := []string{bt, tt, ct}
	if n.cfg.DisableCompactRelay {
		filter, topics = pubsub.NewAllowlistSubscriptionFilter(bt, tt), topics[:2]
	} else {
		n.host.Network().Notify(&network.NotifyBundle{DisconnectedF: n.forgetCompactPeer})
	}
	ps, err := pubsub.NewGossipSub(n.ctx, n.host,
		pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithNoAuthor(),
		pubsub.WithMessageIdFn(msgID),
		pubsub.WithPeerOutboundQueueSize(peerOutboundQueue),
		pubsub.WithValidateQueueSize(validateQueue),
		pubsub.WithMaxMessageSize(maxMsg),
		pubsub.WithPeerExchange(false),
		pubsub.WithFloodPublish(true),
		pubsub.WithSubscriptionFilter(filter),
		pubsub.WithRawTracer(&n.cmpct.meter),
		pubsub.WithPeerScore(scoreParams(topics...), scoreThresholds()),
		pubsub.WithLogger(n.log.With("component", "gossipsub")),
	)
	if err != nil {
		return err
	}
	n.ps = ps
	if err := ps.RegisterTopicValidator(bt, n.validateBlock, pubsub.WithValidatorTimeout(time.Minute)); err != nil {
		return err
	}
	if err := ps.RegisterTopicValidator(tt, n.validateTxs, pubsub.WithValidatorTimeout(time.Minute)); err != nil {
		return err
	}
	if !n.cfg.DisableCompactRelay {
		if err := ps.RegisterTopicValidator(ct, n.validateCompact, pubsub.WithValidatorTimeout(time.Minute)); err != nil {
			return err
		}
		// The compact topic first: a peer's subscription to it must reach
		// the others before (or with) its subscription to the full topic,
		// which their filter then hides (compactPeers).
		if n.cmpct.topic, err = ps.Join(ct); err != nil {
			return err
		}
		if _, err := n.cmpct.topic.Relay(); err != nil {
			return err
		}
	}
	if n.blocks, err = ps.Join(bt); err != nil {
		return err
	}
	if n.txs, err = ps.Join(tt); err != nil {
		return err
	}
	// Relay: take part in both meshes; validated messages are handled in
	// the validators, so nothing needs to be delivered to a subscription.
	if _, err := n.blocks.Relay(); err != nil {
		return err
	}
	if _, err := n.txs.Relay(); err != nil {
		return err
	}
	return nil
}

// scoreParams: GossipSub peer scoring. Invalid messages cost heavily
// (squared count), first deliveries and time in mesh earn a little; mesh
// delivery-rate penalties are off (blocks are rare, traffic is bursty);
// loopback is exempt from the IP-colocation penalty (devnets).
func scoreParams(topics ...string) *pubsub.PeerScoreParams {
	_, loop4, _ := net.ParseCIDR("127.0.0.0/8")
	_, loop6, _ := net.ParseCIDR("::1/128")
	p := &pubsub.PeerScoreParams{
		Topics:                      map[string]*pubsub.TopicScoreParams{},
		TopicScoreCap:               100,
		AppSpecificScore:            func(peer.ID) float64 { return 0 },
		AppSpecificWeight:           1,
		IPColocationFactorWeight:    -10,
		IPColocationFactorThreshold: 8,
		IPColocationFactorWhitelist: []*net.IPNet{loop4, loop6},
		BehaviourPenaltyWeight:      -10,
		BehaviourPenaltyThreshold:   6,
		BehaviourPenaltyDecay:       0.9,
		DecayInterval:               time.Second,
		DecayToZero:                 0.01,
		RetainScore:                 10 * time.Minute,
	}
	for _, t := range topics {
		p.Topics[t] = &pubsub.TopicScoreParams{
			TopicWeight:                    1,
			TimeInMeshWeight:               0.01,
			TimeInMeshQuantum:              time.Second,
			TimeInMeshCap:                  100,
			FirstMessageDeliveriesWeight:   1,
			FirstMessageDeliveriesDecay:    0.9,
			FirstMessageDeliveriesCap:      50,
			InvalidMessageDeliveriesWeight: -100,
			InvalidMessageDeliveriesDecay:  0.99,
		}
	}
	return p
}

func scoreThresholds() *pubsub.PeerScoreThresholds {
	return &pubsub.PeerScoreThresholds{
		GossipThreshold:             -500,
		PublishThreshold:            -1000,
		GraylistThreshold:           -2500,
		AcceptPXThreshold:           math.MaxFloat64,
		OpportunisticGraftThreshold: 2,
	}
}

// validateBlock is the block topic's validator: size cap, strict decode,
// then the node's full block processing. Valid blocks (main or side
// chain) are relayed; duplicates, orphans and held blocks are ignored (an
// orphan starts a sync with the peer that sent it); invalid ones are
// rejected and their sender penalised.
func (n *Network) validateBlock(_ context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
	if from == n.host.ID() {
		return pubsub.ValidationAccept // published by this node after it processed the block
	}
	if n.bans.banned(from) {
		return pubsub.ValidationIgnore // queued before the ban: not worth processing
	}
	if len(m.Data) > n.maxBlockMsg() {
		n.misbehave(from, pointsFatal, "oversized block message")
		return pubsub.ValidationReject
	}
	blk, err := core.DecodeBlock(m.Data)
	if err != nil {
		n.misbehave(from, pointsFatal, "undecodable block message: "+err.Error())
		return pubsub.ValidationReject
	}
	h := blk.Hash()
	if n.cfg.Chain.IsInvalid(h) {
		n.misbehave(from, pointsInvalidState, "relayed known-invalid block "+h.String())
		return pubsub.ValidationReject
	}
	if n.cfg.Chain.HasBlock(h) {
		n.noteStale(from)
		return pubsub.ValidationIgnore
	}
	return n.processGossiped(from, blk, h, relayCompact)
}

// processGossiped processes a block from the block or compact topic and
// relays it in the given other forms once accepted (relayBlock).
func (n *Network) processGossiped(from peer.ID, blk *core.Block, h core.Hash, relay relayForm) pubsub.ValidationResult {
	n.blockVal.Lock()
	defer n.blockVal.Unlock()
	if n.bans.banned(from) {
		return pubsub.ValidationIgnore // banned while this message waited its turn
	}
	res, err := n.submitBlock(blk)
	if err != nil {
		if !core.IsRuleError(err) {
			if !errors.Is(err, errClosed) {
				n.log.Warn("block from peer not processed", "peer", from, "block", h, "err", err)
			}
			return pubsub.ValidationIgnore
		}
		pts := blockFaultPoints(err)
		if pts == 0 {
			return pubsub.ValidationIgnore
		}
		n.misbehave(from, pts, "invalid block "+h.String()+": "+err.Error())
		return pubsub.ValidationReject
	}
	n.afterSubmit(res)
	switch res.Status {
	case chain.StatusMainChain, chain.StatusSideChain:
		n.noteHeight(from, blk.Header.Height)
		n.relayBlock(blk, relay)
		return pubsub.ValidationAccept
	case chain.StatusOrphan:
		n.noteOrphan(from, h)
		n.sync.trigger(from)
	}
	return pubsub.ValidationIgnore
}

// Stale gossip: messages that bring nothing new (a known block, a batch
// of known txs) under a message ID the node has not seen. Honest peers
// send some (races, txs regossiped after a mempool reconciliation or a
// reorg); a peer above this rate floods the validators with copies.
const (
	staleRate  = 100.0  // per second
	staleBurst = 1000.0 // at once
)

// noteStale spends one of p's stale-message tokens and penalises p
// when it has none left.
func (n *Network) noteStale(p peer.ID) {
	n.mu.Lock()
	flood := false
	if ps, ok := n.peers[p]; ok {
		now := time.Now()
		ps.stale = min(staleBurst, ps.stale+now.Sub(ps.staleRefill).Seconds()*staleRate)
		ps.staleRefill = now
		if flood = ps.stale < 1; !flood {
			ps.stale--
		}
	}
	n.mu.Unlock()
	if flood {
		n.misbehave(p, pointsFlood, "gossip flood: copies of known blocks or txs")
	}
}

// blockFaultPoints scores an invalid block by its code's class
// (core.Code.Info): a broken block fails a check every node makes before
// relaying any block (sanity, PoW, header context), which is fatal; a
// rejected one breaks a state rule, which is not, since an honest peer
// relays side-branch blocks it has not executed; not found and
// unavailable are no fault (0). A rule code missing from the table counts
// as a state failure.
func blockFaultPoints(err error) int {
	switch core.CodeOf(err).Info().Class {
	case core.ClassBroken:
		return pointsFatal
	case core.ClassNotFound, core.ClassUnavailable:
		return 0
	}
	return pointsInvalidState
}

// txFault reports whether a tx error is one no honest node would relay:
// its code's class is broken (the tx is broken in itself, whatever the
// state). Rejected txs (nonce, funds) may be another view of the state,
// and not found or unavailable (mempool full) are no fault.
func txFault(err error) bool {
	return core.CodeOf(err).Info().Class == core.ClassBroken
}

// validateTxs is the tx topic's validator: a batch is relayed if it
// brought at least one tx into the mempool, ignored if it brought none
// for reasons a race explains (known, stale nonce, mempool full), and
// rejected (sender penalised) if any tx is broken in itself.
func (n *Network) validateTxs(_ context.Context, from peer.ID, m *pubsub.Message) pubsub.ValidationResult {
	if from == n.host.ID() {
		return pubsub.ValidationAccept
	}
	if n.bans.banned(from) {
		return pubsub.ValidationIgnore
	}
	if len(m.Data) > MaxTxBatchBytes {
		n.misbehave(from, pointsFatal, "oversized tx message")
		return pubsub.ValidationReject
	}
	_, txs, err := DecodeTxBatch(m.Data)
	if err != nil {
		n.misbehave(from, pointsFatal, "undecodable tx message: "+err.Error())
		return pubsub.ValidationReject
	}
	fresh := n.claimTxs(txs)
	defer n.releaseTxs(fresh)
	if len(fresh) == 0 {
		n.noteStale(from)
		return pubsub.ValidationIgnore
	}
	var accepted []*core.Tx
	for i, err := range n.submitTxs(fresh) {
		switch {
		case err == nil:
			accepted = append(accepted, fresh[i])
		case txFault(err):
			n.misbehave(from, pointsFatal, "invalid tx: "+err.Error())
			return pubsub.ValidationReject
		}
	}
	if len(accepted) > 0 {
		n.rememberTxs(accepted)
		return pubsub.ValidationAccept
	}
	return pubsub.ValidationIgnore
}

// claimTxs returns the txs of a gossiped batch for this validator to
// submit: those not in the mempool and not being submitted by another
// validator right now. GossipSub validates messages concurrently, so
// copies of a tx in different batches would otherwise each have their
// signature verified. Release the claims with releaseTxs once submitted.
func (n *Network) claimTxs(txs []*core.Tx) []*core.Tx {
	ids := make([]core.Hash, len(txs))
	mine := txs[:0:0]
	n.claimMu.Lock()
	for i, tx := range txs {
		ids[i] = tx.ID()
		if _, busy := n.claimed[ids[i]]; !busy {
			n.claimed[ids[i]] = struct{}{}
			mine = append(mine, tx)
		}
	}
	n.claimMu.Unlock()
	// Checked once claimed: a copy admitted in the meantime is known now.
	fresh, known := mine[:0:0], mine[:0:0]
	for _, tx := range mine {
		if n.cfg.HasTx(tx.ID()) {
			known = append(known, tx)
		} else {
			fresh = append(fresh, tx)
		}
	}
	n.releaseTxs(known)
	return fresh
}

// releaseTxs drops the claims of claimTxs.
func (n *Network) releaseTxs(txs []*core.Tx) {
	if len(txs) == 0 {
		return
	}
	n.claimMu.Lock()
	for _, tx := range txs {
		delete(n.claimed, tx.ID())
	}
	n.claimMu.Unlock()
}

// afterSubmit handles what a block from the network changed: txs of
// blocks that left the main chain and went back into the mempool are
// gossiped again, so the peers on the winning branch can mine them.
func (n *Network) afterSubmit(res *chain.Result) {
	if res == nil || !res.Reorg() {
		return
	}
	var back []*core.Tx
	for _, blk := range res.Disconnected {
		for _, tx := range blk.Txs {
			if n.cfg.HasTx(tx.ID()) {
				back = append(back, tx)
			}
		}
	}
	if len(back) > 0 {
		n.log.Info("regossiping txs of a reorganised branch", "txs", len(back))
		n.BroadcastTxs(back)
	}
}

// AnnounceBlock gossips a block this node produced or received outside
// the network (mined, or submitted through the API), after the node has
// processed it: compact to the peers of the compact topic, full to the
// others (v1 peers: the full topic lists no compact peer). Blocks from
// peers are relayed by the gossip validators and need no announcement.
func (n *Network) AnnounceBlock(blk *core.Block) error {
	ctx, cancel := context.WithTimeout(n.ctx, 10*time.Second)
	defer cancel()
	var err error
	if n.cmpct.topic != nil {
		err = n.publishCompact(ctx, blk)
	}
	if ferr := n.blocks.Publish(ctx, blk.Encode()); ferr != nil && err == nil { // a fresh slice: pubsub keeps it
		err = ferr
	}
	n.cmpct.recent.forget(blk.Txs)
	return err
}

// BroadcastTxs queues txs admitted outside the network (API) for gossip.
// It does not block: a background loop (started by Run) sends them in
// batches.
func (n *Network) BroadcastTxs(txs []*core.Tx) {
	if len(txs) > 0 {
		n.rememberTxs(txs)
		n.txOut.push(txs)
	}
}

// txQueue holds txs waiting to be gossiped.
type txQueue struct {
	mu      sync.Mutex
	pending []*core.Tx
	ready   chan struct{}
	dropped int
}

func newTxQueue() *txQueue { return &txQueue{ready: make(chan struct{}, 1)} }

func (q *txQueue) push(txs []*core.Tx) {
	q.mu.Lock()
	q.pending = append(q.pending, txs...)
	if over := len(q.pending) - pendingTxsCap; over > 0 {
		q.pending = append(q.pending[:0:0], q.pending[over:]...)
		q.dropped += over
	}
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

func (q *txQueue) take() ([]*core.Tx, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	txs, d := q.pending, q.dropped
	q.pending, q.dropped = nil, 0
	return txs, d
}

// publishLoop gossips queued txs in batches of up to MaxTxBatch txs and
// about txBatchTarget bytes.
func (n *Network) publishLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.txOut.ready:
		}
		txs, dropped := n.txOut.take()
		if dropped > 0 {
			n.log.Warn("tx gossip queue full: txs dropped (mempool reconciliation recovers them)", "dropped", dropped)
		}
		for len(txs) > 0 {
			cut, size := 0, 0
			for cut < len(txs) && cut < MaxTxBatch && size < txBatchTarget {
				size += txs[cut].Size() + 3
				cut++
			}
			if err := n.txs.Publish(ctx, EncodeTxBatch(rand.Uint64(), txs[:cut])); err != nil {
				if ctx.Err() != nil {
					return
				}
				n.log.Warn("tx gossip failed", "txs", cut, "err", err)
			}
			txs = txs[cut:]
		}
	}
}
