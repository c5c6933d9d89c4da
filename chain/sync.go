package chain

import (
	"runtime"
	"sync"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/par"
)

// MaxHeaders is the most headers HeadersAfter returns at once.
const MaxHeaders = 2000

// Locator returns a block locator for the main chain: the tip, then
// blocks at exponentially growing distances back, ending at genesis (as
// Bitcoin's). A peer answers with headers after the first hash it knows on
// its own main chain.
func (c *Chain) Locator() []core.Hash {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []core.Hash
	step := uint64(1)
	h := uint64(len(c.main) - 1)
	for {
		out = append(out, c.main[h].hash)
		if h == 0 {
			return out
		}
		if len(out) >= 10 {
			step *= 2
		}
		if h < step {
			h = 0
		} else {
			h -= step
		}
	}
}

// HeadersAfter returns up to max main-chain headers following the first
// locator hash that is on this node's main chain (genesis if none is),
// stopping after stop if it is reached.
func (c *Chain) HeadersAfter(locator []core.Hash, stop core.Hash, max int) []core.Header {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if max <= 0 || max > MaxHeaders {
		max = MaxHeaders
	}
	start := uint64(0)
	for _, h := range locator {
		if n, ok := c.index[h]; ok && c.onMain(n) {
			start = n.header.Height
			break
		}
	}
	var out []core.Header
	for h := start + 1; h < uint64(len(c.main)) && len(out) < max; h++ {
		n := c.main[h]
		out = append(out, n.header)
		if n.hash == stop {
			break
		}
	}
	return out
}

func (c *Chain) onMain(n *node) bool {
	h := n.header.Height
	return h < uint64(len(c.main)) && c.main[h] == n
}

// CheckHeaders validates a sequence of headers before their bodies are
// fetched (headers-first sync): each links to the previous one (the first
// to a known valid block), and each passes the seal (PoW) and context
// checks (height, median time past, bits). It returns how many leading
// headers are valid, and the first failure. Nothing is stored.
func (c *Chain) CheckHeaders(headers []core.Header) (int, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(headers) == 0 {
		return 0, nil
	}
	parent, ok := c.index[headers[0].PrevHash]
	if !ok {
		return 0, core.Errorf(core.CodeUnknownParent, "header %s: parent %s unknown", headers[0].Hash(), headers[0].PrevHash)
	}
	if parent.invalid() {
		return 0, core.Errorf(core.CodeInvalidAncestor, "header %s: parent %s is invalid", headers[0].Hash(), parent.hash)
	}
	sealErr := c.verifySeals(headers)
	for i := range headers {
		h := &headers[i]
		hash := h.Hash()
		if i > 0 && h.PrevHash != parent.hash {
			return i, core.Errorf(core.CodeMalformed, "header %d (%s) does not link to header %d", i, hash, i-1)
		}
		if n, known := c.index[hash]; known && n.invalid() {
			return i, core.Errorf(core.CodeInvalidAncestor, "header %s is known to be invalid", hash)
		}
		if want := c.headerVersion(); h.Version != want {
			return i, core.Errorf(core.CodeBadVersion, "header %s: version %d, want %d", hash, h.Version, want)
		}
		if err := sealErr[i]; err != nil {
			return i, err
		}
		if err := c.checkContext(h, parent); err != nil {
			return i, err
		}
		// A transient node (not in the index) so the next header's median
		// time past sees this one.
		parent = &node{hash: hash, header: *h, parent: parent}
	}
	return len(headers), nil
}

// Work returns the cumulative work of a known block (nil if unknown).
func (c *Chain) Work(h core.Hash) []byte {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if n, ok := c.index[h]; ok {
		return n.work.Bytes()
	}
	return nil
}

// verifySeals checks every header's seal on all cores (a PoA seal is an
// Ed25519 signature: the cost of a sync), before the sequential pass
// that needs each header's parent. The seal check needs the header alone.
func (c *Chain) verifySeals(headers []core.Header) []error {
	errs := make([]error, len(headers))
	workers := min(runtime.GOMAXPROCS(0), (len(headers)+31)/32)
	if workers <= 1 {
		for i := range headers {
			errs[i] = c.cfg.Engine.VerifySeal(&headers[i])
		}
		return errs
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(headers); i += workers {
				errs[i] = c.cfg.Engine.VerifySeal(&headers[i])
			}
		}()
	}
	wg.Wait()
	return errs
}

// PrefetchSignatures verifies, on all cores, the tx signatures of blocks
// about to be processed (a run fetched by sync) and records those that
// verify in the SigCache, so that connecting the blocks one after the
// other finds them checked. Txs whose IDs the cache holds are skipped; a
// signature that fails is not recorded (connecting its block reports it).
// The caller bounds the run: txs beyond the cache's capacity would push
// out the first ones before their blocks connect. Without a SigCache it
// does nothing. It takes no lock: the blocks need not connect to the tree.
func (c *Chain) PrefetchSignatures(blocks []*core.Block) {
	sc := c.cfg.SigCache
	if sc == nil {
		return
	}
	var txs []*core.Tx
	for _, blk := range blocks {
		txs = append(txs, blk.Txs...)
	}
	// Each worker hashes, looks up, verifies and records its txs: the
	// IDs and cache calls are ~2% of the work, not worth a serial pass.
	par.Each(len(txs), sigsPerWorker, func(k int) {
		if id := txs[k].ID(); !sc.Has(id) && txs[k].VerifySignature() {
			sc.Add(id)
		}
	})
}
