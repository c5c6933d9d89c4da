package p2p

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/core"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Headers-first sync. The syncer asks one peer (the source) for headers
// after this node's block locator, checks them (links, PoW, context) with
// Chain.CheckHeaders before any body is fetched, then fetches the bodies
// in chunks from every peer that has them, several requests in flight,
// and applies them in order through SubmitBlock. A request that fails or
// times out takes its peer out of this round and the chunk goes to
// another peer. Rounds repeat until the source has nothing more.
const (
	blocksPerReq    = 16 // <= MaxBlocksPerReq
	fetchWindow     = 8  // chunks fetched ahead of the one being applied
	applyBuffer     = 2  // chunks handed to the applier ahead of it
	maxReqsPerPeer  = 4
	progressEvery   = 2 * time.Second
	defaultBlockTTL = 15 * time.Second // a body request slower than this marks its peer as stalling
)

type syncer struct {
	n *Network

	mu      sync.Mutex // guards pending
	pending map[peer.ID]bool
	wake    chan struct{}

	runMu        sync.Mutex // one sync at a time
	syncing      atomic.Bool
	target       atomic.Uint64 // height of the best header seen in this sync
	rate         atomic.Uint64 // blocks/s of the current sync (float64 bits)
	blockTimeout time.Duration
}

func newSyncer(n *Network) *syncer {
	return &syncer{n: n, pending: map[peer.ID]bool{}, wake: make(chan struct{}, 1), blockTimeout: defaultBlockTTL}
}

// trigger asks for a sync with p (it has more work, or sent an orphan).
func (s *syncer) trigger(p peer.ID) {
	s.mu.Lock()
	s.pending[p] = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// maybeSync triggers a sync with the peer with the most work, if it has
// more than this node.
func (s *syncer) maybeSync() {
	if p, ok := s.bestPeer(); ok {
		s.trigger(p)
	}
}

// bestPeer returns the ready peer with the most work above ours (or as
// much, on a tip we have not seen: worthSyncing).
func (s *syncer) bestPeer() (peer.ID, bool) {
	var best peer.ID
	var bestWork *big.Int
	for _, p := range s.n.readyPeers() {
		st, ok := s.n.peerStatus(p)
		if !ok || !s.n.worthSyncing(&st) {
			continue
		}
		if bestWork == nil || st.Work.Cmp(bestWork) > 0 {
			best, bestWork = p, st.Work
		}
	}
	return best, bestWork != nil
}

func (s *syncer) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		s.mu.Lock()
		ps := make([]peer.ID, 0, len(s.pending))
		for p := range s.pending {
			ps = append(ps, p)
		}
		clear(s.pending)
		s.mu.Unlock()
		for _, p := range ps {
			if ctx.Err() != nil {
				return
			}
			orphans := s.n.takeOrphans(p)
			if err := s.syncWith(ctx, p); err != nil && ctx.Err() == nil {
				s.n.log.Info("sync round ended early", "peer", p, "err", err)
			}
			if ctx.Err() == nil {
				s.n.checkOrphans(p, orphans)
			}
		}
	}
}

// maxOrphansNoted bounds the orphans remembered per peer between syncs.
const maxOrphansNoted = 256

// noteOrphan records that p relayed h, a block whose parent this node
// lacks. Orphans cost nothing to make (their bits are checked only in
// context), so the sync with p that h triggers must connect h: p holds
// its ancestors, since it validated h before relaying it.
func (n *Network) noteOrphan(p peer.ID, h core.Hash) {
	n.mu.Lock()
	if ps, ok := n.peers[p]; ok && len(ps.orphans) < maxOrphansNoted {
		ps.orphans = append(ps.orphans, h)
	}
	n.mu.Unlock()
}

// takeOrphans returns and forgets the orphans p relayed so far.
func (n *Network) takeOrphans(p peer.ID) []core.Hash {
	n.mu.Lock()
	defer n.mu.Unlock()
	ps, ok := n.peers[p]
	if !ok {
		return nil
	}
	hs := ps.orphans
	ps.orphans = nil
	return hs
}

// checkOrphans runs after a sync round with p: the orphans p relayed
// before it that are still not in the block tree (pooled, evicted or
// invalid) cost p pointsMinor each. An honest peer's orphans connect
// (their parents were in flight, or the sync brought them); a peer that
// floods blocks with made-up parents is banned after ten.
func (n *Network) checkOrphans(p peer.ID, hs []core.Hash) {
	bad := 0
	held, _ := n.cfg.Chain.(interface{ IsHeld(core.Hash) bool })
	for _, h := range hs {
		if _, err := n.cfg.Chain.BlockByHash(h); err != nil {
			// A block held for the clock (its own timestamp or an
			// ancestor's is too far ahead) is no fault of the peer: a
			// clock running ahead is not an attack (*chain.Chain).
			if held != nil && held.IsHeld(h) {
				continue
			}
			bad++
		}
	}
	if bad > 0 {
		n.misbehave(p, min(bad*pointsMinor, pointsFatal), fmt.Sprintf("%d relayed orphans not connected by a sync with it", bad))
	}
}

// syncWith fetches and applies every block p has on its main chain that
// this node lacks.
func (s *syncer) syncWith(ctx context.Context, p peer.ID) error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	n := s.n
	s.target.Store(0)
	loc := n.cfg.Chain.Locator()
	var last core.Hash
	for ctx.Err() == nil {
		locator := loc
		if !last.IsZero() {
			locator = append([]core.Hash{last}, loc...)
		}
		hs, err := n.getHeaders(ctx, p, locator, MaxHeadersPerMsg)
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			return nil
		}
		valid, err := n.cfg.Chain.CheckHeaders(hs)
		if err != nil {
			if core.IsRuleError(err) {
				n.misbehave(p, headerFaultPoints(err), "invalid header in sync: "+err.Error())
			}
			return fmt.Errorf("headers from %s: %w", p, err)
		}
		hs = hs[:valid]
		top := hs[len(hs)-1].Height
		if top > s.target.Load() {
			s.target.Store(top)
		}
		var need []core.Header
		for _, h := range hs {
			if !n.cfg.Chain.HasBlock(h.Hash()) {
				need = append(need, h)
			}
		}
		if len(need) > 0 {
			if err := s.fetchAndApply(ctx, p, need); err != nil {
				return err
			}
		}
		if len(hs) < MaxHeadersPerMsg {
			return nil
		}
		last = hs[len(hs)-1].Hash()
	}
	return ctx.Err()
}

// headerFaultPoints scores a header that failed CheckHeaders.
func headerFaultPoints(err error) int {
	if errors.Is(err, core.CodeUnknownParent) {
		return pointsMinor // the peer answered a locator with a header that does not connect
	}
	return pointsFatal
}

// chunk is a run of consecutive blocks fetched with one request.
type chunk struct {
	idx     int
	hashes  []core.Hash
	top     uint64 // height of the last block
	blocks  []*core.Block
	from    peer.ID
	srcOnly bool // a peer lacked it: ask the sync source
}

type fetchResult struct {
	c      *chunk
	p      peer.ID
	blocks []*core.Block
	err    error
}

// fetchAndApply fetches the bodies of headers (in chain order) from the
// source and every other peer that has them, and applies them in order.
func (s *syncer) fetchAndApply(ctx context.Context, src peer.ID, headers []core.Header) error {
	n := s.n
	var workers sync.WaitGroup // fetchers and the applier
	defer workers.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var chunks []*chunk
	for i := 0; i < len(headers); i += blocksPerReq {
		c := &chunk{idx: len(chunks)}
		for _, h := range headers[i:min(i+blocksPerReq, len(headers))] {
			c.hashes = append(c.hashes, h.Hash())
			c.top = h.Height
		}
		chunks = append(chunks, c)
	}
	s.syncing.Store(true)
	defer s.syncing.Store(false)

	results := make(chan fetchResult)
	applyC := make(chan *chunk, applyBuffer)
	applyErr := make(chan error, 1)
	pf := newPrefetcher(n.cfg.Chain)
	verifiedC := make(chan *chunk, fetchWindow)
	workers.Add(2)
	go func() {
		defer workers.Done()
		pf.run(ctx, applyC, verifiedC)
	}()
	go func() {
		defer workers.Done()
		applyErr <- s.apply(ctx, src, verifiedC, pf, headers[0].Height, headers[len(headers)-1].Height)
	}()

	queue := append([]*chunk(nil), chunks...) // chunks waiting for a peer, by index
	inflight := map[peer.ID]int{}
	stalled := map[peer.ID]bool{}
	ready := map[int]*chunk{}
	next, running := 0, 0
	for {
		// Schedule chunks inside the window on the least busy peers.
		for len(queue) > 0 && queue[0].idx < next+fetchWindow {
			c := queue[0]
			p, ok := s.pickPeer(src, c, inflight, stalled)
			if !ok {
				break
			}
			queue = queue[1:]
			inflight[p]++
			running++
			workers.Add(1)
			go func() {
				defer workers.Done()
				rctx, rcancel := context.WithTimeout(ctx, s.blockTimeout)
				blocks, err := n.getBlocks(rctx, p, c.hashes)
				rcancel()
				select {
				case results <- fetchResult{c: c, p: p, blocks: blocks, err: err}:
				case <-ctx.Done():
				}
			}()
		}
		var sendC chan *chunk
		head := ready[next]
		if head != nil {
			sendC = applyC
		}
		if next == len(chunks) {
			close(applyC)
			select {
			case err := <-applyErr:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if running == 0 && head == nil {
			return fmt.Errorf("no peer can serve block %s (sync source %s)", queue[0].hashes[0], src)
		}
		select {
		case sendC <- head:
			delete(ready, next)
			next++
		case r := <-results:
			running--
			inflight[r.p]--
			switch {
			case r.err != nil:
				if ctx.Err() == nil {
					n.log.Info("sync: peer stalled or failed, using others", "peer", r.p, "err", r.err)
				}
				stalled[r.p] = true
				queue = requeue(queue, r.c)
			case hasNil(r.blocks):
				if r.p == src {
					return fmt.Errorf("sync source %s no longer has the blocks it announced", src)
				}
				r.c.srcOnly = true
				queue = requeue(queue, r.c)
			default:
				r.c.blocks, r.c.from = r.blocks, r.p
				ready[r.c.idx] = r.c
			}
		case err := <-applyErr:
			if err == nil {
				err = errors.New("block application stopped")
			}
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// pickPeer chooses a peer for a chunk: the least busy ready peer whose
// tip is at least as high, not stalled in this round.
func (s *syncer) pickPeer(src peer.ID, c *chunk, inflight map[peer.ID]int, stalled map[peer.ID]bool) (peer.ID, bool) {
	var best peer.ID
	bestLoad := maxReqsPerPeer
	ids := s.n.readyPeers()
	rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	for _, p := range ids {
		if stalled[p] || inflight[p] >= bestLoad || c.srcOnly && p != src {
			continue
		}
		if p != src {
			if st, ok := s.n.peerStatus(p); !ok || st.Height < c.top {
				continue
			}
		}
		best, bestLoad = p, inflight[p]
	}
	return best, best != ""
}

func requeue(q []*chunk, c *chunk) []*chunk {
	i := 0
	for i < len(q) && q[i].idx < c.idx {
		i++
	}
	q = append(q, nil)
	copy(q[i+1:], q[i:])
	q[i] = c
	return q
}

func hasNil(bs []*core.Block) bool {
	for _, b := range bs {
		if b == nil {
			return true
		}
	}
	return false
}

// apply submits the chunks' blocks in order (their signatures verified
// ahead by pf) and logs progress.
func (s *syncer) apply(ctx context.Context, src peer.ID, in <-chan *chunk, pf *prefetcher, from, to uint64) error {
	n := s.n
	start, lastLog := time.Now(), time.Now()
	done, txs := 0, 0
	for {
		var c *chunk
		select {
		case <-ctx.Done():
			return ctx.Err()
		case c = <-in:
		}
		if c == nil {
			break // closed: all delivered
		}
		for _, blk := range c.blocks {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			res, err := n.submitBlock(blk)
			if err != nil {
				if core.IsRuleError(err) {
					n.blameBody(src, c.from, err)
				}
				return fmt.Errorf("sync: block %d (%s): %w", blk.Header.Height, blk.Hash(), err)
			}
			n.afterSubmit(res)
			if res.Status == chain.StatusOrphan {
				return fmt.Errorf("sync: block %d (%s) has no known parent", blk.Header.Height, res.Hash)
			}
			done++
			txs += len(blk.Txs)
		}
		pf.applied(c)
		s.rate.Store(math.Float64bits(float64(done) / max(time.Since(start).Seconds(), 1e-3)))
		if time.Since(lastLog) >= progressEvery {
			lastLog = time.Now()
			s.logProgress(start, done, txs, to-from+1)
		}
	}
	if done > 0 {
		s.logProgress(start, done, txs, to-from+1)
	}
	return nil
}

// logProgress is the sync's progress line, every progressEvery and at the
// end of a run (the node logs each new tip at debug level while syncing).
func (s *syncer) logProgress(start time.Time, done, txs int, total uint64) {
	tip := s.n.cfg.Chain.Tip()
	target := max(s.target.Load(), tip.Height)
	secs := max(time.Since(start).Seconds(), 1e-3)
	rate := float64(done) / secs
	left := float64(target - tip.Height)
	pct := 100.0
	if target > 0 {
		pct = 100 * float64(tip.Height) / float64(target)
	}
	eta := time.Duration(0)
	if rate > 0 {
		eta = time.Duration(left / rate * float64(time.Second)).Round(time.Second)
	}
	s.n.log.Info("sync progress", "height", tip.Height, "target", target, "pct", fmt.Sprintf("%.1f", pct),
		"blocks_per_s", fmt.Sprintf("%.0f", rate), "txs_per_s", fmt.Sprintf("%.0f", float64(txs)/secs), "eta", eta, "batch", fmt.Sprintf("%d/%d", done, total))
}

// blame names the peer at fault for a block that failed in sync.
type blame uint8

const (
	blameNone   blame = iota // not found, unavailable: no one's fault
	blameServer              // the peer that served the body
	blameSource              // the peer whose main chain holds the block
)

// bodyBlame derives the blame from the code's class (core.Code.Info): a
// broken block does not match its (valid) header, which is the server's
// fault; a block that breaks a state rule is on the source's main chain,
// which an honest node validated in full (a code missing from the table
// counts as such); not found and unavailable are no one's fault.
func bodyBlame(err error) blame {
	switch core.CodeOf(err).Info().Class {
	case core.ClassBroken:
		return blameServer
	case core.ClassNotFound, core.ClassUnavailable:
		return blameNone
	}
	return blameSource
}

// blameBody penalises the peer at fault (bodyBlame) for a block that
// failed in sync.
func (n *Network) blameBody(src, server peer.ID, err error) {
	switch bodyBlame(err) {
	case blameServer:
		n.misbehave(server, pointsFatal, "block body does not match its header: "+err.Error())
	case blameSource:
		n.misbehave(src, pointsFatal, "invalid block on its main chain: "+err.Error())
	}
}

// SyncStatus reports whether a sync is fetching blocks, this node's
// height and the best height known from peers.
func (n *Network) SyncStatus() (syncing bool, height, target uint64) {
	height = n.cfg.Chain.Tip().Height
	target = height
	for _, p := range n.readyPeers() {
		if st, ok := n.peerStatus(p); ok && st.Height > target {
			target = st.Height
		}
	}
	syncing = n.sync.syncing.Load()
	if syncing {
		target = max(target, n.sync.target.Load())
	}
	return syncing, height, target
}

// Syncing reports whether a sync is fetching and applying blocks (the
// node logs each new tip at debug level then: the sync logs progress).
func (n *Network) Syncing() bool { return n.sync.syncing.Load() }

// SyncProgress is the state of the sync, for /status.
type SyncProgress struct {
	Syncing      bool          `json:"syncing"`
	Height       uint64        `json:"height"`         // this node's tip
	Target       uint64        `json:"target"`         // best height known from peers
	Percent      float64       `json:"percent"`        // Height / Target
	BlocksPerSec float64       `json:"blocks_per_sec"` // apply rate of the current sync (0 when idle)
	ETA          time.Duration `json:"eta"`            // at that rate (0 when idle)
}

// SyncProgress reports the sync state with its rate and ETA.
func (n *Network) SyncProgress() SyncProgress {
	syncing, h, target := n.SyncStatus()
	p := SyncProgress{Syncing: syncing, Height: h, Target: target, Percent: 100}
	if target > 0 {
		p.Percent = 100 * float64(h) / float64(target)
	}
	if syncing {
		p.BlocksPerSec = math.Float64frombits(n.sync.rate.Load())
		if p.BlocksPerSec > 0 && target > h {
			p.ETA = time.Duration(float64(target-h) / p.BlocksPerSec * float64(time.Second)).Round(time.Second)
		}
	}
	return p
}

// Resolve runs the sync path now: it refreshes every peer's status and, if
// one has more work, syncs from it. It reports whether the tip changed and
// the height after. (GET /nodes/resolve.)
func (n *Network) Resolve(ctx context.Context) (replaced bool, height uint64, err error) {
	before := n.cfg.Chain.Tip().Hash
	n.refreshStatuses(ctx)
	if p, ok := n.sync.bestPeer(); ok {
		err = n.sync.syncWith(ctx, p)
	}
	tip := n.cfg.Chain.Tip()
	return tip.Hash != before, tip.Height, err
}
