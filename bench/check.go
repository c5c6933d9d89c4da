package bench

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
)

// convergeWait bounds the wait for every node to show one tip and digest.
const convergeWait = time.Minute

// check fills the report: convergence, the walk of the final main chain
// (every tx exactly once), balances and nonces on every node, supply,
// rates and latencies.
func (r *run) check(ctx context.Context, rep *Report, startHeight uint64) error {
	var blocks []wire.BlockHeader
	for try := 0; ; try++ {
		st, ok, err := r.converge(ctx)
		if err != nil {
			return err
		}
		rep.Converged = ok
		rep.Tip, rep.Height, rep.StateDigest = st.Tip, st.Height, st.StateDigest
		blocks, err = r.walk(ctx, startHeight, st)
		if err == nil {
			break
		}
		if try == 2 {
			return fmt.Errorf("bench: reading the final chain: %w", err)
		}
	}
	// Every tx exactly once; what each account sent and received.
	for _, a := range r.accts {
		a.sent, a.recv = 0, 0
	}
	r.mu.Lock()
	rep.Submitted = r.submitted
	rep.Rejected = len(r.rejected)
	rep.Problems = append(rep.Problems, r.rejected...)
	var lat []float64
	r.byID.each(func(b *btx) {
		n := b.inChain
		if n > 0 {
			rep.Confirmed++
			r.accts[b.from].sent++
			r.accts[(int(b.from)+1)%len(r.accts)].recv++
		}
		if n > 1 {
			rep.Duplicated++
		}
		if b.ackAt != 0 && n == 0 {
			rep.Lost++
		}
		if b.ackAt != 0 && b.confirmAt != 0 {
			lat = append(lat, max(0, float64(b.confirmAt-b.ackAt)/1e6))
		}
	})
	first, lastAck, lastConf, peak, seen := r.firstSend, r.lastAck, r.lastConf, r.peakMem, r.confirmed
	if peak > 0 {
		// The peak up to each tenth (a tenth the run skipped, e.g. several
		// confirmed in one block, carries the one before).
		var run uint64
		for _, m := range r.peakTenth {
			run = max(run, m)
			rep.MemoryByTenth = append(rep.MemoryByTenth, float64(run)/(1<<20))
		}
	}
	r.mu.Unlock()
	if rep.Lost > 0 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%d acknowledged txs are not in the final main chain", rep.Lost))
	}
	if rep.Duplicated > 0 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%d txs are in the main chain more than once", rep.Duplicated))
	}
	if !rep.Converged {
		rep.Problems = append(rep.Problems, "the nodes did not reach one tip and state digest within "+convergeWait.String())
	}

	// Rates and latency.
	rep.LatencyMs = percentiles(lat)
	if d := lastAck.Sub(first).Seconds(); d > 0 {
		rep.SubmittedPerS = float64(rep.Submitted) / d
	}
	if d := lastConf.Sub(first).Seconds(); d > 0 {
		// The txs seen confirmed by lastConf (not the final walk's count,
		// which may include txs the follower never saw).
		rep.ConfirmedPerS = float64(seen) / d
		rep.Seconds = d
	}
	if rep.VerifyPerS > 0 {
		rep.Ratio = rep.ConfirmedPerS / rep.VerifyPerS
	}
	r.mu.Lock()
	cpu := (r.cpuAtConf - r.cpuStart).Seconds()
	r.mu.Unlock()
	if r.cfg.CPU != nil && cpu > 0 && rep.VerifyPerCPUS > 0 {
		rep.CPUSeconds = cpu
		rep.ConfirmedPerCPUS = float64(seen) / cpu
		rep.CPURatio = rep.ConfirmedPerCPUS / rep.VerifyPerCPUS
	}
	rep.PeakMemoryMiB = float64(peak) / (1 << 20)
	blockStats(rep, blocks)

	// Balances and nonces on every node; the bench accounts' supply.
	var funded, fees uint64
	for _, a := range r.accts {
		funded += a.fund
		fees += a.sent * r.st.MinFee
	}
	rep.BalancesOK = true
	for ni, c := range r.cfg.Nodes {
		sum, bad, err := r.balances(ctx, c)
		if err != nil {
			return fmt.Errorf("bench: balances on %s: %w", c.BaseURL(), err)
		}
		if len(bad) > 0 {
			rep.BalancesOK = false
			if len(bad) > 5 {
				bad = append(bad[:5], fmt.Sprintf("... and %d more", len(bad)-5))
			}
			for _, b := range bad {
				rep.Problems = append(rep.Problems, c.BaseURL()+": "+b)
			}
		}
		if ni == 0 {
			rep.SupplyConserved = sum+fees == funded
			if !rep.SupplyConserved {
				rep.Problems = append(rep.Problems, fmt.Sprintf("supply: the accounts hold %d and paid %d in fees, but were funded %d", sum, fees, funded))
			}
		}
	}
	if rep.Confirmed != rep.Txs && rep.Lost == 0 && rep.Rejected == 0 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%d of %d txs confirmed", rep.Confirmed, rep.Txs))
	}
	return nil
}

// converge waits until every node reports the same tip and digest.
func (r *run) converge(ctx context.Context) (*wire.Status, bool, error) {
	deadline := time.Now().Add(convergeWait)
	for {
		var first *wire.Status
		same := true
		var lastErr error
		for i, c := range r.cfg.Nodes {
			st, err := c.Status(ctx)
			switch {
			case err != nil:
				// A node still restarting: not converged yet.
				same, lastErr = false, fmt.Errorf("bench: status of %s: %w", c.BaseURL(), err)
			case i == 0:
				first = st
			case first != nil && (st.Tip != first.Tip || st.StateDigest != first.StateDigest):
				same = false
			}
		}
		if same || time.Now().After(deadline) {
			if first == nil {
				return nil, false, lastErr
			}
			return first, same, nil
		}
		if err := pause(ctx, 50*time.Millisecond); err != nil {
			return nil, false, err
		}
	}
}

// walk reads node 0's main chain from startHeight+1 to st's tip and
// counts, in each bench tx's inChain, the times it appears. It fails if
// the chain moved under it (a reorg).
func (r *run) walk(ctx context.Context, startHeight uint64, st *wire.Status) ([]wire.BlockHeader, error) {
	c := r.cfg.Nodes[0]
	var hdrs []wire.BlockHeader
	start, err := c.Block(ctx, fmt.Sprint(startHeight))
	if err != nil {
		return nil, err
	}
	prev := start.Hash
	for from := startHeight + 1; from <= st.Height; {
		page, err := c.Blocks(ctx, from, 100)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			return nil, fmt.Errorf("no blocks from height %d", from)
		}
		for _, h := range page {
			if h.Height > st.Height {
				break
			}
			if h.PrevHash != prev {
				return nil, fmt.Errorf("block %d does not link to %s: the chain moved", h.Height, prev)
			}
			prev = h.Hash
			hdrs = append(hdrs, h)
			from = h.Height + 1
		}
	}
	if prev != st.Tip {
		return nil, fmt.Errorf("walk ended at %s, not the tip %s", prev, st.Tip)
	}
	r.mu.Lock()
	r.byID.each(func(b *btx) { b.inChain = 0 }) // a walk that failed may have counted
	r.mu.Unlock()
	for _, h := range hdrs {
		ids, err := r.blockIDs(ctx, h.Hash, h.TxCount)
		if err != nil {
			return nil, err
		}
		r.mu.Lock()
		for _, id := range ids {
			if b := r.byID.get(id); b != nil {
				b.inChain = min(b.inChain+1, 2)
			}
		}
		r.mu.Unlock()
	}
	return hdrs, nil
}

// blockStats fills the block figures from the blocks of the run that
// hold bench txs (and the blocks between them).
func blockStats(rep *Report, hdrs []wire.BlockHeader) {
	firstI, lastI := -1, -1
	for i, h := range hdrs {
		if h.TxCount > 0 {
			if firstI < 0 {
				firstI = i
			}
			lastI = i
			rep.MaxBlockTxs = max(rep.MaxBlockTxs, h.TxCount)
		}
	}
	if firstI < 0 {
		return
	}
	rep.Blocks = lastI - firstI + 1
	if firstI > 0 {
		firstI-- // the interval into the first block too
	}
	if n := lastI - firstI; n > 0 {
		rep.BlockTimeMs = float64(hdrs[lastI].Timestamp-hdrs[firstI].Timestamp) / float64(n)
	}
	if rep.BlockTimeMs > 0 {
		rep.P99Blocks = rep.LatencyMs.P99 / rep.BlockTimeMs
		var ivs []float64
		for i := firstI + 1; i <= lastI; i++ {
			ivs = append(ivs, float64(hdrs[i].Timestamp-hdrs[i-1].Timestamp))
		}
		rep.P99WaitBlocks = waitQuantile(ivs, 0.99) / rep.BlockTimeMs
	}
}

// PoissonP99Blocks is the p99 of the wait from a random moment to the next
// block when blocks arrive as a Poisson process (proof of work): the
// wait is exponential with the mean block time as its mean, so its p99 is
// ln(100) block times.
var PoissonP99Blocks = math.Log(100)

// waitQuantile is the q-quantile of the wait from a uniformly random
// moment to the next block, given the block intervals ivs (a moment falls
// in an interval in proportion to its length, and then waits for its
// rest): the latency of a node that put every tx in the next block.
func waitQuantile(ivs []float64, q float64) float64 {
	var total float64
	for _, iv := range ivs {
		total += iv
	}
	if total <= 0 {
		return 0
	}
	// P(wait > w) = sum(max(0, iv-w)) / total is decreasing in w: bisect.
	lo, hi := 0.0, slices.Max(ivs)
	for range 60 {
		w := (lo + hi) / 2
		var over float64
		for _, iv := range ivs {
			over += max(0, iv-w)
		}
		if over/total > 1-q {
			lo = w
		} else {
			hi = w
		}
	}
	return hi
}

// balances checks every account's balance and nonce on node c against
// the final walk, returning the sum of balances and the mismatches.
func (r *run) balances(ctx context.Context, c *client.Client) (uint64, []string, error) {
	var sum atomic.Uint64
	var mu sync.Mutex
	var bad []string
	var firstErr error
	var wg sync.WaitGroup
	work := make(chan *account)
	for range 8 {
		wg.Go(func() {
			for a := range work {
				addr := a.addr.Encode(r.st.AddressPrefix)
				got, err := c.Account(ctx, addr)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					continue
				}
				sum.Add(got.Balance)
				wantBal := a.fund - a.sent*(r.amount+r.st.MinFee) + a.recv*r.amount
				if got.Balance != wantBal || got.Nonce != a.sent {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("account %s: balance %d nonce %d, want %d and %d", addr, got.Balance, got.Nonce, wantBal, a.sent))
					mu.Unlock()
				}
			}
		})
	}
	for _, a := range r.accts {
		work <- a
	}
	close(work)
	wg.Wait()
	return sum.Load(), bad, firstErr
}

// VerifyRate measures ed25519.Verify calls per second on all cores for
// about d: the machine's limit the bench's rates are compared with.
func VerifyRate(d time.Duration) float64 {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	msg := make([]byte, 160) // about a tx's signing bytes
	sig := ed25519.Sign(key, msg)
	pub := key.Public().(ed25519.PublicKey)
	var total atomic.Uint64
	var wg sync.WaitGroup
	start := time.Now()
	stop := start.Add(d)
	for range runtime.NumCPU() {
		wg.Go(func() {
			var n uint64
			for time.Now().Before(stop) {
				for range 64 {
					if !ed25519.Verify(pub, msg, sig) {
						panic("bench: ed25519 self-check failed")
					}
				}
				n += 64
			}
			total.Add(n)
		})
	}
	wg.Wait()
	return float64(total.Load()) / time.Since(start).Seconds()
}
