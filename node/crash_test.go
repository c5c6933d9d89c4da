package node

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/cairn-chain/cairn/store"
)

const crashEnv = "CAIRN_CRASH_DIR"

// crashKey is the i-th key of the crash tests: testkit.NewKey(i + 1).
func crashKey(i int) testkit.Key { return testkit.NewKey(i + 1) }

// crashKeys returns crashKey(0), ..., crashKey(n-1).
func crashKeys(n int) []testkit.Key { return testkit.NewKeys(1, n) }

// crashGenesis is a fast chain: trivial PoW at first, 100 ms blocks.
func crashGenesis() *core.Genesis {
	g := testkit.Genesis("crash", testkit.Fund(1_000_000_000, crashKeys(4)...))
	g.Timestamp = uint64(time.Now().UnixMilli())
	g.TargetBlockTimeMs = 100
	g.AsertHalflifeMs = 1000
	return g
}

// TestCrashChild is the child process of TestKillWhileMining: it mines and
// admits txs until it is killed, printing what it has committed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("child process of TestKillWhileMining")
	}
	var outMu sync.Mutex // the miner's OnBlock and the tx loop both print
	out := bufio.NewWriter(os.Stdout)
	report := func(format string, args ...any) {
		outMu.Lock()
		fmt.Fprintf(out, format, args...)
		out.Flush()
		outMu.Unlock()
	}
	blocks := make(chan struct{}, 1)
	var g *core.Genesis
	if _, err := os.Stat(dir + "/" + genesisFile); err != nil {
		g = crashGenesis() // first run; later runs use the stored genesis
	}
	var n *Node
	n, err := New(Config{DataDir: dir, Genesis: g, Mine: true, Threads: 1, OnBlock: func(r *chain.Result) {
		tip := n.Chain.Tip() // OnBlock runs under the node's submit lock: this is the block just committed
		report("TIP %d %s %s\n", tip.Height, tip.Hash, tip.StateDigest)
		select {
		case blocks <- struct{}{}:
		default:
		}
	}})
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(3)
	}
	go func() { _ = n.Run(context.Background()) }()
	for i := 0; ; i++ {
		k := crashKey(i % 4)
		_, nonce, err := n.Pool.PendingState(k.Addr)
		if err != nil {
			continue
		}
		tx := k.Transfer("crash", crashKey((i+1)%4).Addr, uint64(1+i%1000), 10+uint64(i%7), nonce)
		if err := n.SubmitTx(tx); err != nil {
			<-blocks // sender queue full: wait for a block
			continue
		}
		report("TX %s\n", tx.ID())
	}
}

// TestKillWhileMining SIGKILLs a child that is mining and admitting txs into
// a Pebble data dir, reopens the dir, and checks that the chain is valid,
// that its tip and state digest are what the child last reported (or a
// later block committed just before the kill), and that every tx the child
// saw admitted is in the mempool or confirmed.
func TestKillWhileMining(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		t.Skip("in the child")
	}
	dir := t.TempDir()
	for round := 0; round < 2; round++ {
		lastTip, lastHeight, lastDigest, txs := runAndKill(t, dir, 6+round*4, 40)
		n, err := New(Config{DataDir: dir})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		tip := n.Chain.Tip()
		if tip.Height < lastHeight || !n.Chain.IsMainChain(lastTip) {
			t.Fatalf("round %d: reopened tip %d %s lost the reported tip %d %s", round, tip.Height, tip.Hash, lastHeight, lastTip)
		}
		if tip.Hash == lastTip && tip.StateDigest != lastDigest {
			t.Fatalf("round %d: digest %s, child reported %s", round, tip.StateDigest, lastDigest)
		}
		if tip.Height > lastHeight+1 {
			t.Fatalf("round %d: reopened tip %d is more than one block past the last report %d", round, tip.Height, lastHeight)
		}
		lost := 0
		for _, id := range txs {
			if n.Pool.Has(id) {
				continue
			}
			if _, err := n.Chain.Tx(id); err != nil {
				lost++
				t.Errorf("round %d: admitted tx %s is neither pooled nor confirmed", round, id)
			}
		}
		replayMatches(t, n)
		t.Logf("round %d: tip %d, %d txs admitted, %d pooled after reopen, none lost", round, tip.Height, len(txs), n.Pool.Count())
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// runAndKill starts the child on dir and SIGKILLs it once it has reported
// at least wantBlocks new blocks and wantTxs admitted txs.
func runAndKill(t *testing.T, dir string, wantBlocks, wantTxs int) (core.Hash, uint64, core.Hash, []core.Hash) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var lastTip, lastDigest core.Hash
	var lastHeight uint64
	var txs []core.Hash
	blocks := 0
	parse := func(line string) {
		f := strings.Fields(line)
		switch {
		case len(f) == 4 && f[0] == "TIP":
			// Lines are written whole (one small pipe write), but a line
			// that does not parse is skipped rather than trusted.
			var h uint64
			tip, err1 := core.ParseHash(f[2])
			digest, err2 := core.ParseHash(f[3])
			if _, err := fmt.Sscan(f[1], &h); err != nil || err1 != nil || err2 != nil {
				return
			}
			lastHeight, lastTip, lastDigest = h, tip, digest
			blocks++
		case len(f) == 2 && f[0] == "TX":
			if id, err := core.ParseHash(f[1]); err == nil {
				txs = append(txs, id)
			}
		case len(f) > 0 && f[0] == "ERR":
			t.Fatalf("child: %s", line)
		}
	}
	deadline := time.After(2 * time.Minute)
	for blocks < wantBlocks || len(txs) < wantTxs {
		select {
		case <-deadline:
			t.Fatalf("child reported %d blocks and %d txs in 2 minutes", blocks, len(txs))
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("child exited early after %d blocks and %d txs", blocks, len(txs))
			}
			parse(line)
		}
	}
	// Kill in the middle of whatever it is doing.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed = true
	// What the child printed before it died was committed too. Read it to
	// EOF before Wait, which closes the pipe (and loses what is unread).
	for line := range lines {
		parse(line)
	}
	cmd.Wait()
	return lastTip, lastHeight, lastDigest, txs
}

// replayMatches feeds the reopened node's main chain to a fresh in-memory
// chain: every block must be valid and the digest must match.
func replayMatches(t *testing.T, n *Node) {
	t.Helper()
	db, err := store.New(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := chain.New(chain.Config{Genesis: n.Genesis, Engine: n.Engine, DB: db, Now: func() time.Time { return time.Now().Add(time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	tip := n.Chain.Tip()
	for h := uint64(1); h <= tip.Height; h++ {
		bi, err := n.Chain.BlockByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fresh.ProcessBlock(bi.Block); err != nil {
			t.Fatalf("replay of block %d: %v", h, err)
		}
	}
	if got := fresh.Tip(); got.Hash != tip.Hash || got.StateDigest != tip.StateDigest {
		t.Fatalf("replayed chain: tip %s digest %s; reopened node: tip %s digest %s", got.Hash, got.StateDigest, tip.Hash, tip.StateDigest)
	}
}
