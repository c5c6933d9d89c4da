package p2p

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// The request/response protocol (/cairn/<genesis prefix>/rpc/1): the
// client opens a stream, writes one request frame (a kind byte and its
// payload), closes its side and reads the reply frames. One request per
// stream; yamux makes streams cheap.

// RPCProtocol returns the libp2p protocol ID of a chain's request/response
// protocol.
func RPCProtocol(genesis core.Hash) string { return "/cairn/" + genesis.String()[:16] + "/rpc/1" }

const (
	rpcTimeout = 30 * time.Second
	// rpcRate and rpcBurst bound the requests a peer may make (a token
	// bucket); a peer over the rate is penalised.
	rpcRate  = 100.0
	rpcBurst = 400.0
)

// takeToken spends one request token of p.
func (n *Network) takeToken(p peer.ID) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	ps, ok := n.peers[p]
	if !ok {
		return true // not tracked yet (racing the connect notification)
	}
	now := time.Now()
	ps.tokens = min(rpcBurst, ps.tokens+now.Sub(ps.refill).Seconds()*rpcRate)
	ps.refill = now
	if ps.tokens < 1 {
		return false
	}
	ps.tokens--
	return true
}

// handleRPC serves one request.
func (n *Network) handleRPC(s network.Stream) {
	defer s.Close()
	p := s.Conn().RemotePeer()
	_ = s.SetDeadline(time.Now().Add(rpcTimeout))
	if !n.takeToken(p) {
		s.Reset()
		n.misbehave(p, pointsFlood, "request flood")
		return
	}
	body, err := readFrame(bufio.NewReader(s), maxRequestBytes)
	if err != nil {
		s.Reset()
		if core.IsRuleError(err) {
			n.misbehave(p, pointsFatal, "bad request: "+err.Error())
		}
		return
	}
	if err := n.serve(s, p, body); err != nil {
		s.Reset()
		if core.IsRuleError(err) {
			n.misbehave(p, pointsFatal, "bad request: "+err.Error())
		}
	}
}

func (n *Network) serve(s network.Stream, p peer.ID, body []byte) error {
	if len(body) == 0 {
		return core.Errorf(core.CodeMalformed, "empty request")
	}
	w := bufio.NewWriterSize(s, 64<<10)
	kind, payload := body[0], body[1:]
	switch kind {
	case reqHeaders:
		m, err := decodeGetHeaders(payload)
		if err != nil {
			return err
		}
		max := int(m.Max)
		if max == 0 {
			max = MaxHeadersPerMsg
		}
		if err := writeFrame(w, EncodeHeaders(n.cfg.Chain.HeadersAfter(m.Locator, m.Stop, max))); err != nil {
			return err
		}
	case reqBlocks:
		hs, err := decodeHashList("get_blocks", payload, MaxBlocksPerReq)
		if err != nil {
			return err
		}
		for _, h := range hs {
			frame := []byte{blockNotFound}
			if blk, ok := n.blockByHash(h); ok {
				frame = append(make([]byte, 0, 1+blk.Size()), blockFound)
				frame = append(frame, blk.Encode()...)
			}
			if err := writeFrame(w, frame); err != nil {
				return err
			}
		}
	case reqTxIDs:
		if len(payload) != 0 {
			return core.Errorf(core.CodeMalformed, "get_tx_ids: %d trailing bytes", len(payload))
		}
		var ids []core.Hash
		if n.cfg.PoolTxs != nil {
			for _, tx := range n.cfg.PoolTxs(MaxTxIDs) {
				ids = append(ids, tx.ID())
			}
		}
		if err := writeFrame(w, EncodeTxIDs(ids)); err != nil {
			return err
		}
	case reqTxs:
		hs, err := decodeHashList("get_txs", payload, MaxTxsPerReq)
		if err != nil {
			return err
		}
		var txs []*core.Tx
		if n.cfg.GetTx != nil {
			size := 3
			for _, h := range hs {
				if tx, ok := n.cfg.GetTx(h); ok {
					if size += 3 + tx.Size(); size > maxTxsBytes {
						break // contract deploys are large: the peer asks again for the rest
					}
					txs = append(txs, tx)
				}
			}
		}
		if err := writeFrame(w, EncodeTxs(txs)); err != nil {
			return err
		}
	case reqPeers:
		if len(payload) != 0 {
			return core.Errorf(core.CodeMalformed, "get_peers: %d trailing bytes", len(payload))
		}
		if err := writeFrame(w, EncodePeers(n.peerRecords(p))); err != nil {
			return err
		}
	case reqBlockTxn:
		if err := n.serveBlockTxn(w, payload); err != nil {
			return err
		}
	default:
		return core.Errorf(core.CodeMalformed, "unknown request kind %d", kind)
	}
	return w.Flush()
}

// rpc sends a request to a connected peer and reads the reply with read.
// A reply that breaks the protocol (oversized, undecodable, not what was
// asked) is a *core.RuleError, and the peer is penalised.
func (n *Network) rpc(ctx context.Context, p peer.ID, req []byte, read func(*bufio.Reader) error) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rpcTimeout)
		defer cancel()
	}
	s, err := n.host.NewStream(network.WithNoDial(ctx, "rpc"), p, protocolID(n.protoRPC))
	if err != nil {
		return fmt.Errorf("p2p: open stream to %s: %w", p, err)
	}
	defer s.Close()
	d, _ := ctx.Deadline()
	_ = s.SetDeadline(d)
	stop := context.AfterFunc(ctx, func() { s.Reset() })
	defer stop()
	if err := writeFrame(s, req); err != nil {
		s.Reset()
		return fmt.Errorf("p2p: send request to %s: %w", p, err)
	}
	_ = s.CloseWrite()
	if err := read(bufio.NewReaderSize(s, 64<<10)); err != nil {
		s.Reset()
		if core.IsRuleError(err) {
			n.misbehave(p, pointsFatal, "bad reply: "+err.Error())
			return err
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return fmt.Errorf("p2p: reply from %s: %w", p, err)
	}
	return nil
}

// getHeaders asks p for headers after locator.
func (n *Network) getHeaders(ctx context.Context, p peer.ID, locator []core.Hash, max int) ([]core.Header, error) {
	if len(locator) > MaxLocator {
		locator = append(locator[:MaxLocator-1:MaxLocator-1], locator[len(locator)-1])
	}
	req := (&GetHeaders{Locator: locator, Max: uint16(max)}).Encode()
	var hs []core.Header
	err := n.rpc(ctx, p, req, func(r *bufio.Reader) error {
		body, err := readFrame(r, maxHeadersBytes)
		if err != nil {
			return err
		}
		if hs, err = DecodeHeaders(body); err != nil {
			return err
		}
		if len(hs) > max {
			return core.Errorf(core.CodeTooLarge, "headers reply: %d headers, asked for %d", len(hs), max)
		}
		return nil
	})
	return hs, err
}

// getBlocks asks p for blocks by hash; missing ones are nil.
func (n *Network) getBlocks(ctx context.Context, p peer.ID, hashes []core.Hash) ([]*core.Block, error) {
	out := make([]*core.Block, len(hashes))
	err := n.rpc(ctx, p, encodeHashRequest(reqBlocks, hashes), func(r *bufio.Reader) error {
		for i, want := range hashes {
			body, err := readFrame(r, n.maxBlockMsg()+1)
			if err != nil {
				return err
			}
			switch {
			case len(body) == 1 && body[0] == blockNotFound:
				continue
			case len(body) < 1 || body[0] != blockFound:
				return core.Errorf(core.CodeMalformed, "block reply %d: bad kind", i)
			}
			blk, err := core.DecodeBlock(body[1:])
			if err != nil {
				return err
			}
			if got := blk.Hash(); got != want {
				return core.Errorf(core.CodeMalformed, "block reply %d is %s, asked for %s", i, got, want)
			}
			out[i] = blk
		}
		return nil
	})
	return out, err
}

// getTxIDs asks p for the IDs of its pooled txs.
func (n *Network) getTxIDs(ctx context.Context, p peer.ID) ([]core.Hash, error) {
	var ids []core.Hash
	err := n.rpc(ctx, p, []byte{reqTxIDs}, func(r *bufio.Reader) error {
		body, err := readFrame(r, maxTxIDsBytes)
		if err != nil {
			return err
		}
		ids, err = DecodeTxIDs(body)
		return err
	})
	return ids, err
}

// getTxs asks p for pooled txs by ID; it returns those p had.
func (n *Network) getTxs(ctx context.Context, p peer.ID, ids []core.Hash) ([]*core.Tx, error) {
	var txs []*core.Tx
	err := n.rpc(ctx, p, encodeHashRequest(reqTxs, ids), func(r *bufio.Reader) error {
		body, err := readFrame(r, maxTxsBytes)
		if err != nil {
			return err
		}
		if txs, err = DecodeTxs(body, MaxTxsPerReq); err != nil {
			return err
		}
		want := make(map[core.Hash]bool, len(ids))
		for _, id := range ids {
			want[id] = true
		}
		for _, tx := range txs {
			if id := tx.ID(); !want[id] {
				return core.Errorf(core.CodeMalformed, "txs reply holds tx %s, which was not asked for", id)
			}
		}
		return nil
	})
	return txs, err
}

// reconcileMempool fetches the txs p has pooled and this node lacks, so a
// dropped gossip message never loses a tx, and gossips those it admitted.
func (n *Network) reconcileMempool(ctx context.Context, p peer.ID) {
	ids, err := n.getTxIDs(ctx, p)
	if err != nil {
		n.log.Debug("mempool reconciliation failed", "peer", p, "err", err)
		return
	}
	var missing []core.Hash
	for _, id := range ids {
		if !n.cfg.HasTx(id) {
			missing = append(missing, id)
		}
	}
	var added []*core.Tx
	for len(missing) > 0 && ctx.Err() == nil {
		chunk := missing[:min(len(missing), MaxTxsPerReq)]
		missing = missing[len(chunk):]
		txs, err := n.getTxs(ctx, p, chunk)
		if err != nil {
			n.log.Debug("mempool reconciliation failed", "peer", p, "err", err)
			return
		}
		for i, err := range n.submitTxs(txs) {
			switch {
			case err == nil:
				added = append(added, txs[i])
			case txFault(err):
				n.misbehave(p, pointsFatal, "invalid tx in reconciliation: "+err.Error())
				return
			}
		}
	}
	if len(added) > 0 {
		// Gossip them on: peers that missed them missed them too.
		n.log.Info("mempool reconciled", "peer", p, "added", len(added))
		n.BroadcastTxs(added)
	}
}
