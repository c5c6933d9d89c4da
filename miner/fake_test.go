package miner

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/consensus/pow/powseal"
	"github.com/cairn-chain/cairn/core"
)

// Test targets: testTarget stands in for pow.TargetHash.
const (
	easyBits = 0x207fffff // target 7fffff00..00: about half of all hashes
	hardBits = 0x03000001 // test only: target 0, met by no hash in practice
	badBits  = 0x01000000 // testTarget fails
)

var easyTarget = core.Hash{0x7f, 0xff, 0xff}

// testSealer is the PoW sealer on the test targets.
var testSealer = powseal.NewWithTarget(testTarget)

func testTarget(bits uint32) (core.Hash, error) {
	switch bits {
	case easyBits:
		return easyTarget, nil
	case hardBits:
		return core.Hash{}, nil
	}
	return core.Hash{}, fmt.Errorf("test target: unknown bits %#08x", bits)
}

// waitTimeout bounds every wait of these tests (a loaded machine is slow;
// a healthy run waits milliseconds).
const waitTimeout = 20 * time.Second

// fakeChain is an in-memory chain: a tip header, a template builder and a
// Submit that accepts a block only on the current tip with valid PoW.
type fakeChain struct {
	mu            sync.Mutex
	tip           core.Header
	tipHash       core.Hash
	bits          uint32
	failTemplates int // the next Template calls that fail
	failed        int // Template calls that failed
	templates     []core.Header
	accepted      []*core.Block
	stale         int           // submissions on a parent that is not the tip
	changed       chan struct{} // closed and replaced on every event
	onAccept      func()        // after an accepted block (a node calls TipChanged)
}

func newFakeChain(bits uint32) *fakeChain {
	c := &fakeChain{bits: bits, changed: make(chan struct{})}
	c.tip = core.Header{Version: core.BlockVersion, Timestamp: 1_700_000_000_000, Bits: bits}
	c.tipHash = c.tip.Hash()
	return c
}

// event wakes the waiters; c.mu must be held.
func (c *fakeChain) event() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *fakeChain) Template(addr core.Address, txs []*core.Tx) (*core.Block, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.event()
	if c.failTemplates > 0 {
		c.failTemplates--
		c.failed++
		return nil, errors.New("fake chain: template unavailable")
	}
	b := &core.Block{
		Header: core.Header{
			Version:   core.BlockVersion,
			Height:    c.tip.Height + 1,
			PrevHash:  c.tipHash,
			Timestamp: c.tip.Timestamp + 1,
			Miner:     addr,
			Bits:      c.bits,
		},
		Txs: txs,
	}
	b.Header.TxRoot = core.MerkleRoot(b.TxIDs())
	c.templates = append(c.templates, b.Header)
	return b, nil
}

func (c *fakeChain) TipHash() core.Hash {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tipHash
}

func (c *fakeChain) Submit(b *core.Block) error {
	err := c.accept(b)
	if err == nil && c.onAccept != nil {
		c.onAccept()
	}
	return err
}

func (c *fakeChain) accept(b *core.Block) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.event()
	if b.Header.PrevHash != c.tipHash {
		c.stale++
		return fmt.Errorf("fake chain: block %d: parent %s is not the tip", b.Header.Height, b.Header.PrevHash)
	}
	target, err := testTarget(b.Header.Bits)
	if err != nil {
		return err
	}
	if h := b.Hash(); bytes.Compare(h[:], target[:]) > 0 {
		return fmt.Errorf("fake chain: block %d: hash %s above target %s", b.Header.Height, h, target)
	}
	if b.Header.TxRoot != core.MerkleRoot(b.TxIDs()) {
		return fmt.Errorf("fake chain: block %d: bad tx_root", b.Header.Height)
	}
	c.tip, c.tipHash = b.Header, b.Hash()
	c.accepted = append(c.accepted, b)
	return nil
}

// replaceTip moves the tip to a header the miner did not produce (another
// node's block) and returns its hash.
func (c *fakeChain) replaceTip(h core.Header) core.Hash {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.event()
	c.tip, c.tipHash = h, h.Hash()
	return c.tipHash
}

func (c *fakeChain) setBits(bits uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bits = bits
}

// wait blocks until cond (run with c.mu held) holds or the deadline passes.
func (c *fakeChain) wait(t *testing.T, what string, cond func(c *fakeChain) bool) {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		ok, ch := cond(c), c.changed
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s", waitTimeout, what)
		}
	}
}

// snapshot returns copies of the accepted blocks and the templates.
func (c *fakeChain) snapshot() ([]*core.Block, []core.Header, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*core.Block(nil), c.accepted...), append([]core.Header(nil), c.templates...), c.stale
}

// sliceTxs is a TxSource that returns its txs whatever the limits.
type sliceTxs []*core.Tx

func (s sliceTxs) Select(maxBytes, maxTxs int) []*core.Tx { return s }

// testTx returns a distinct tx of about memo+150 bytes.
func testTx(i, memo int) *core.Tx {
	return &core.Tx{Version: core.TxVersion, ChainID: "test", Amount: 1, Fee: 1, Nonce: uint64(i), Memo: make([]byte, memo)}
}

// noLeaks records the goroutine count and returns a check that it comes
// back to it within the deadline.
func noLeaks(t *testing.T) func() {
	base := runtime.NumGoroutine()
	return func() {
		t.Helper()
		deadline := time.Now().Add(waitTimeout)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for runtime.NumGoroutine() > base {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				t.Fatalf("%d goroutines, %d before the test:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
			}
			<-tick.C
		}
	}
}

// receive waits for a value from ch or fails after the deadline.
func receive[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatalf("timed out after %v waiting for %s", waitTimeout, what)
		panic("unreachable")
	}
}
