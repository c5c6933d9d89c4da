package p2p_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/node"
	"github.com/cairn-chain/cairn/p2p"
)

// The harness runs nodes in process: a node.Node (Pebble in t.TempDir())
// wired to a p2p.Network listening on 127.0.0.1. The chain is the
// scenario chain (trivial PoW; its genesis is years old, so ASERT keeps
// the target at the PoW limit for blocks mined now).

type tnode struct {
	t    testing.TB
	i    int
	dir  string
	g    *core.Genesis
	opts func(*p2p.Config)

	// onBlock, if set, runs after every block that moved the tip.
	onBlock atomic.Pointer[func(*chain.Result)]

	Node   *node.Node
	Net    *p2p.Network
	cancel context.CancelFunc
	done   chan struct{}
}

func testLogger(t testing.TB, i int) *slog.Logger {
	if os.Getenv("CAIRN_P2P_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", i)
}

// startNode creates and runs node i with genesis g in dir.
func startNode(t testing.TB, i int, g *core.Genesis, dir string, opts func(*p2p.Config)) *tnode {
	t.Helper()
	tn := &tnode{t: t, i: i, dir: dir, g: g, opts: opts}
	tn.start()
	t.Cleanup(tn.stop)
	return tn
}

func (tn *tnode) start() {
	t := tn.t
	t.Helper()
	log := testLogger(t, tn.i)
	n, err := node.New(node.Config{DataDir: tn.dir, Genesis: tn.g, Threads: 1, Logger: log, OnBlock: func(res *chain.Result) {
		if f := tn.onBlock.Load(); f != nil {
			(*f)(res)
		}
	}})
	if err != nil {
		t.Fatalf("node %d: %v", tn.i, err)
	}
	cfg := p2p.Config{
		DataDir: tn.dir, Listen: []string{"/ip4/127.0.0.1/tcp/0"},
		Chain: n.Chain, SubmitBlock: n.SubmitBlock, SubmitTxs: n.SubmitTxs,
		HasTx: n.Pool.Has, GetTx: n.Pool.Get, PoolTxs: n.Pool.Txs, Logger: log,
	}
	if tn.opts != nil {
		tn.opts(&cfg)
	}
	net, err := p2p.New(cfg)
	if err != nil {
		n.Close()
		t.Fatalf("node %d: p2p: %v", tn.i, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tn.Node, tn.Net, tn.cancel, tn.done = n, net, cancel, make(chan struct{})
	go func() {
		defer close(tn.done)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); _ = n.Run(ctx) }()
		go func() { defer wg.Done(); _ = net.Run(ctx) }()
		wg.Wait()
	}()
}

// stop stops the node (idempotent).
func (tn *tnode) stop() {
	if tn.cancel == nil {
		return
	}
	tn.cancel()
	<-tn.done
	tn.cancel = nil
	if err := tn.Node.Close(); err != nil {
		tn.t.Errorf("node %d: close: %v", tn.i, err)
	}
}

// restart starts a stopped node again on the same data directory.
func (tn *tnode) restart() {
	tn.stop()
	tn.start()
}

func (tn *tnode) addr() string { return tn.Net.Addrs()[0] }

func (tn *tnode) tip() chain.TipInfo { return tn.Node.Chain.Tip() }

// connect connects a to b and waits for the handshake.
func connect(t testing.TB, a, b *tnode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.Net.Connect(ctx, b.addr()); err != nil {
		t.Fatalf("connect %d -> %d: %v", a.i, b.i, err)
	}
}

// mine mines one block on tn (paying key 0) and announces it.
func (tn *tnode) mine() *core.Block {
	tn.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	blk, err := tn.Node.MineOne(ctx, scenarios.NewKey(1).Addr)
	if err != nil {
		tn.t.Fatalf("node %d: mine: %v", tn.i, err)
	}
	if err := tn.Net.AnnounceBlock(blk); err != nil {
		tn.t.Fatalf("node %d: announce: %v", tn.i, err)
	}
	return blk
}

// mineQuiet mines k blocks without announcing them.
func (tn *tnode) mineQuiet(k int) {
	tn.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	addr := scenarios.NewKey(1).Addr
	for range k {
		if _, err := tn.Node.MineOne(ctx, addr); err != nil {
			tn.t.Fatalf("node %d: mine: %v", tn.i, err)
		}
	}
}

// submitTx admits a tx on tn and gossips it.
func (tn *tnode) submitTx(tx *core.Tx) {
	tn.t.Helper()
	if err := tn.Node.SubmitTx(tx); err != nil {
		tn.t.Fatalf("node %d: submit tx: %v", tn.i, err)
	}
	tn.Net.BroadcastTxs([]*core.Tx{tx})
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}

// sameTip reports whether all nodes have the same tip (and state digest).
func sameTip(ns []*tnode) bool {
	t0 := ns[0].tip()
	for _, n := range ns[1:] {
		t := n.tip()
		if t.Hash != t0.Hash || t.StateDigest != t0.StateDigest {
			return false
		}
	}
	return true
}

func tipsString(ns []*tnode) string {
	s := ""
	for _, n := range ns {
		t := n.tip()
		s += fmt.Sprintf(" [%d: h=%d %s peers=%d]", n.i, t.Height, t.Hash.String()[:8], n.Net.PeerCount())
	}
	return s
}

// waitSameTip waits until every node has the same tip, at least minHeight.
func waitSameTip(t testing.TB, ns []*tnode, minHeight uint64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !(sameTip(ns) && ns[0].tip().Height >= minHeight) {
		if time.Now().After(deadline) {
			t.Fatalf("nodes did not converge in %v to height >= %d:%s", timeout, minHeight, tipsString(ns))
		}
		<-tick.C
	}
}

// cluster starts k nodes on a fresh scenario genesis.
func cluster(t testing.TB, k int, opts func(*p2p.Config)) ([]*tnode, *scenarios.Builder) {
	t.Helper()
	b := scenarios.NewBuilder()
	ns := make([]*tnode, k)
	for i := range ns {
		ns[i] = startNode(t, i, b.Genesis, t.TempDir(), opts)
	}
	return ns, b
}

// fullMesh connects every pair.
func fullMesh(t testing.TB, ns []*tnode) {
	t.Helper()
	for i := range ns {
		for j := 0; j < i; j++ {
			connect(t, ns[i], ns[j])
		}
	}
}

// line connects node i to node i-1.
func line(t testing.TB, ns []*tnode) {
	t.Helper()
	for i := 1; i < len(ns); i++ {
		connect(t, ns[i], ns[i-1])
	}
}

var errNotConfirmed = errors.New("not confirmed")

// confirmed reports whether tx id is on tn's main chain.
func (tn *tnode) confirmed(id core.Hash) bool {
	_, err := tn.Node.Chain.Tx(id)
	return err == nil
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
