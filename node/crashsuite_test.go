package node

// The crash suite (issue 6): a node is SIGKILLed crashSuiteKills times at
// seeded-random moments in three situations, and restarted each time:
//
//   - commit: the child mines as fast as it can (miner.MineOne, then
//     Node.SubmitBlock: the miner's own commit path) while a goroutine
//     admits txs through SubmitLocalTxs; it prints COMMIT before each
//     SubmitBlock, and the kill lands after a random COMMIT, at once or a
//     random part of a commit's measured duration later: before the
//     block's batch is written, in its WAL fsync, or in the mempool update
//     that follows it (the log counts which).
//   - sync: the child is behind and syncs a long chain over libp2p (TCP on
//     127.0.0.1) from an in-process peer of the test, headers first then
//     bodies through Node.SubmitBlock, admitting a tx of its own after each
//     block; it is killed after a random number of applied blocks (or a
//     random time after start: handshake, headers).
//   - reorg: the child is fed a branch A whose txs it admits just before
//     each block, then a heavier branch B from the same fork point,
//     through Node.SubmitBlock (the call p2p makes for a block from a peer,
//     so the same ProcessBlock/reorganize/mempool path); it is mostly
//     killed while switching (a random part of a switch's measured
//     duration after it starts submitting B's block that makes B heavier),
//     sometimes while feeding. Every other round, the switch returns more
//     txs of a sender to the mempool than a new submission may pool.
//
// After every kill the test reopens the data dir and checks: it opens; the
// main chain has a block at every height, each linking to the one below,
// every tx indexed where it is; replaying the main chain into a fresh
// in-memory node gives the same tip and state digest; the state equals
// that of a node that never crashed (commit: a reference chain fed the
// reopened main chain round after round, so a lost or replaced block shows;
// sync: the source chain at the same height; reorg: a reference chain fed
// exactly the blocks the child had stored, in the same order); and every
// tx the child acknowledged durably (printed only after
// SubmitLocalTxsDurable returned nil for it) is confirmed on the main chain
// or in the reopened mempool. The commit child also acknowledges every
// other batch without waiting for the disk (SubmitLocalTxs, a 202 without
// ?durable): such a tx may be lost only if no acknowledgement started more
// than the sync window after it was given (checkWindowed), which is the
// promise of docs/operations.md.
//
// CAIRN_CRASH_KILLS raises the number of kills (long runs); CAIRN_CRASH_SEED
// replays a run's random choices (the kill moments still race the child).

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/consensus/pow/powseal"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/cairn-chain/cairn/miner"
	"github.com/cairn-chain/cairn/store"
	"github.com/cairn-chain/cairn/store/pebble"
)

const (
	// crashSuiteKills is the number of SIGKILLs of a CI run; the
	// CAIRN_CRASH_KILLS environment variable sets another (e.g. 200).
	crashSuiteKills = 20
	crashKillsEnv   = "CAIRN_CRASH_KILLS"
	crashSeedEnv    = "CAIRN_CRASH_SEED"

	suiteModeEnv = "CAIRN_CRASHSUITE_MODE" // commit, sync or reorg: run as the child
	suiteDirEnv  = "CAIRN_CRASHSUITE_DIR"  // the child's data dir
	suiteArgEnv  = "CAIRN_CRASHSUITE_ARG"  // sync: the peer's multiaddr; reorg: the feed file
	suiteChainID = "crashsuite"

	suiteRoundTimeout = 90 * time.Second // a round that takes longer fails
	suiteBlockMs      = 100              // target block time; built blocks are spaced by it
)

// suiteGenesis is a chain whose genesis is an hour old, so ASERT keeps the
// easiest target (PoW is trivial and every block has the same work) and
// built blocks spaced by suiteBlockMs stay in the past.
func suiteGenesis(accounts int) *core.Genesis {
	g := testkit.Genesis(suiteChainID, testkit.Fund(1_000_000_000, crashKeys(accounts)...))
	g.Timestamp = uint64(time.Now().Add(-time.Hour).UnixMilli())
	g.TargetBlockTimeMs = suiteBlockMs
	g.AsertHalflifeMs = 10 * suiteBlockMs
	return g
}

func suiteTx(from, to int, nonce, amount uint64) *core.Tx {
	return crashKey(from).Transfer(suiteChainID, crashKey(to).Addr, amount, 10+nonce%5, nonce)
}

// suiteBlock builds and solves a block on parent.
func suiteBlock(t *testing.T, eng *pow.Engine, parent core.Header, pay core.Address, txs []*core.Tx, ts uint64) *core.Block {
	t.Helper()
	blk := &core.Block{Header: core.Header{
		Version: core.BlockVersion, Height: parent.Height + 1, PrevHash: parent.Hash(),
		Timestamp: ts, Miner: pay, Bits: eng.NextBits(&parent),
	}, Txs: txs}
	blk.Header.TxRoot = core.MerkleRoot(blk.TxIDs())
	target, err := pow.TargetHash(blk.Header.Bits)
	if err != nil {
		t.Fatal(err)
	}
	h, ok, _ := powseal.Solve(context.Background(), blk.Header, target, 1, nil)
	if !ok {
		t.Fatal("no nonce found")
	}
	blk.Header = h
	return blk
}

// suiteMemChain is a node's chain on an in-memory store that never
// crashes: the reference the crashed node is compared with.
func suiteMemChain(t *testing.T, g *core.Genesis, eng *pow.Engine) *chain.Chain {
	t.Helper()
	db, err := store.New(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	c, err := chain.New(chain.Config{Genesis: g, Engine: eng, DB: db, Now: func() time.Time { return time.Now().Add(time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// suiteInitDir creates a node data dir of genesis g, so the children and
// the test's reference chains share the same genesis.
func suiteInitDir(t *testing.T, g *core.Genesis) string {
	t.Helper()
	dir := t.TempDir()
	n, err := New(Config{DataDir: dir, Genesis: g})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// suiteKills splits the number of kills between the three situations.
func suiteKills(t *testing.T) (commit, sync, reorg int) {
	kills := crashSuiteKills
	if s := os.Getenv(crashKillsEnv); s != "" {
		k, err := strconv.Atoi(s)
		if err != nil || k < 3 {
			t.Fatalf("%s=%q: want a number >= 3", crashKillsEnv, s)
		}
		kills = k
	}
	sync, reorg = kills*3/10, kills*3/10
	return kills - sync - reorg, sync, reorg
}

func suiteRand(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashSeedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", crashSeedEnv, s, err)
		}
		seed = v
	}
	t.Logf("seed %d (%s=%d replays the random choices)", seed, crashSeedEnv, seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// TestCrashSuite runs the kills: see the top of the file.
func TestCrashSuite(t *testing.T) {
	if os.Getenv(suiteModeEnv) != "" || os.Getenv(crashEnv) != "" {
		t.Skip("in a child")
	}
	if testing.Short() {
		t.Skip("crash suite: not in -short")
	}
	nCommit, nSync, nReorg := suiteKills(t)
	rng := suiteRand(t)
	start := time.Now()
	t.Run("commit", func(t *testing.T) { crashDuringCommit(t, rng, nCommit) })
	t.Run("sync", func(t *testing.T) { crashDuringSync(t, rng, nSync) })
	t.Run("reorg", func(t *testing.T) { crashDuringReorg(t, rng, nReorg) })
	t.Logf("%d kills in %v", nCommit+nSync+nReorg, time.Since(start).Round(time.Millisecond))
}

// ---- the parent's side -------------------------------------------------

// suiteChild is a running child process: the test binary re-executed in
// TestCrashSuiteChild.
type suiteChild struct {
	cmd   *exec.Cmd
	lines chan string // the child's stdout lines; closed at EOF
	stop  chan struct{}
	dead  bool
}

func startSuiteChild(t *testing.T, mode, dir, arg string) *suiteChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSuiteChild$")
	cmd.Env = append(os.Environ(), suiteModeEnv+"="+mode, suiteDirEnv+"="+dir, suiteArgEnv+"="+arg)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// The child exits when its stdin closes: no child outlives the test.
	if _, err := cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &suiteChild{cmd: cmd, lines: make(chan string, 256), stop: make(chan struct{})}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			select {
			case c.lines <- sc.Text():
			case <-c.stop:
				return
			}
		}
	}()
	t.Cleanup(func() {
		close(c.stop)
		if !c.dead {
			c.cmd.Process.Kill()
			c.cmd.Wait()
		}
	})
	return c
}

// killWhen passes the child's lines to parse until parse arms the kill
// (returns true); delay later it SIGKILLs the child (lines keep being
// parsed meanwhile), then parses what the child wrote before it died.
func (c *suiteChild) killWhen(t *testing.T, parse func(line string) (arm bool), delay time.Duration) {
	t.Helper()
	deadline := time.NewTimer(suiteRoundTimeout)
	defer deadline.Stop()
	var fire <-chan time.Time
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				t.Fatal("the child exited before it was killed")
			}
			if parse(line) && fire == nil {
				tm := time.NewTimer(delay)
				defer tm.Stop()
				fire = tm.C
			}
		case <-fire:
			c.cmd.Process.Kill()
			// Read to EOF before Wait, which closes the pipe: every line
			// written before the kill is seen.
			for line := range c.lines {
				parse(line)
			}
			c.cmd.Wait()
			c.dead = true
			return
		case <-deadline.C:
			t.Fatalf("round still running after %v", suiteRoundTimeout)
		}
	}
}

// tipLine is a parsed "TIP height hash digest" line.
type tipLine struct {
	ok             bool
	height         uint64
	hash, digest   core.Hash
	reportedBlocks int
}

func (tl *tipLine) parse(t *testing.T, f []string) {
	t.Helper()
	if len(f) != 4 {
		t.Fatalf("child: bad line %q", strings.Join(f, " "))
	}
	h, err := strconv.ParseUint(f[1], 10, 64)
	hash, err1 := core.ParseHash(f[2])
	digest, err2 := core.ParseHash(f[3])
	if err != nil || err1 != nil || err2 != nil {
		t.Fatalf("child: bad line %q", strings.Join(f, " "))
	}
	*tl = tipLine{ok: true, height: h, hash: hash, digest: digest, reportedBlocks: tl.reportedBlocks + 1}
}

func parseHashField(t *testing.T, f []string) core.Hash {
	t.Helper()
	if len(f) < 2 {
		t.Fatalf("child: bad line %q", strings.Join(f, " "))
	}
	h, err := core.ParseHash(f[1])
	if err != nil {
		t.Fatalf("child: bad line %q: %v", strings.Join(f, " "), err)
	}
	return h
}

// reopen opens the data dir the child was killed on, as a restarted node
// would.
func reopen(t *testing.T, dir string) *Node {
	t.Helper()
	n, err := New(Config{DataDir: dir})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	return n
}

// checkMainChain walks the main chain from genesis to tip: a block at every
// height (no gap), each linking to the one below, and each of its txs
// indexed at its place.
func checkMainChain(t *testing.T, n *Node) {
	t.Helper()
	tip := n.Chain.Tip()
	var prev core.Hash
	for h := uint64(0); h <= tip.Height; h++ {
		bi, err := n.Chain.BlockByHeight(h)
		if err != nil {
			t.Fatalf("main chain: no block at height %d (tip %d): %v", h, tip.Height, err)
		}
		hdr := bi.Block.Header
		if hdr.Height != h || bi.Hash != bi.Block.Hash() || !bi.MainChain {
			t.Fatalf("main chain: block %s at height %d says height %d (main %v)", bi.Hash, h, hdr.Height, bi.MainChain)
		}
		if h > 0 && hdr.PrevHash != prev {
			t.Fatalf("main chain: block %d links to %s, the block below is %s", h, hdr.PrevHash, prev)
		}
		for i, id := range bi.Block.TxIDs() {
			ti, err := n.Chain.Tx(id)
			if err != nil || ti.BlockHash != bi.Hash || ti.Index != uint32(i) {
				t.Fatalf("main chain: tx %s of block %d not indexed there: %+v %v", id, h, ti, err)
			}
		}
		prev = bi.Hash
	}
	if prev != tip.Hash {
		t.Fatalf("main chain ends at %s, the tip is %s", prev, tip.Hash)
	}
}

// ackLine is an acknowledgement the child printed: "TX id start end" for
// a durable one, "TXW id start end" for one within the sync window;
// start and end (Unix ns) were read before the submission and after it
// returned.
type ackLine struct {
	id         core.Hash
	start, end int64
	durable    bool
}

func parseAck(t *testing.T, f []string) ackLine {
	t.Helper()
	a := ackLine{id: parseHashField(t, f), durable: f[0] == "TX"}
	if len(f) != 4 {
		t.Fatalf("child: bad line %q", strings.Join(f, " "))
	}
	var err1, err2 error
	a.start, err1 = strconv.ParseInt(f[2], 10, 64)
	a.end, err2 = strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("child: bad line %q", strings.Join(f, " "))
	}
	return a
}

// checkWindowed checks the promise of an acknowledgement without
// ?durable: the node acknowledges only while every tx it acknowledged more
// than window earlier is durable, and a durable acknowledgement writes
// every tx acknowledged before it. So a tx acknowledged (at the latest) at
// end may be missing after the crash only if no durable acknowledgement
// started after end and no other one started after end+window. It
// returns how many acknowledged txs were lost (all within the promise).
func checkWindowed(t *testing.T, n *Node, acks []ackLine, window time.Duration) (lost int) {
	t.Helper()
	for _, a := range acks {
		if n.Pool.Has(a.id) {
			continue
		}
		if ti, err := n.Chain.Tx(a.id); err == nil && ti.Confirmations > 0 {
			continue
		}
		if a.durable {
			continue // checkAcked reports it
		}
		lost++
		for _, b := range acks {
			if b.durable && b.start > a.end || b.start > a.end+int64(window) {
				t.Errorf("tx %s acknowledged by %d is lost, yet a %s acknowledgement started %v later",
					a.id, a.end, map[bool]string{true: "durable", false: "later"}[b.durable], time.Duration(b.start-a.end))
				break
			}
		}
	}
	return lost
}

// checkAcked checks that every acknowledged tx is confirmed on the main
// chain or pooled, and returns how many are where.
func checkAcked(t *testing.T, n *Node, acked []core.Hash) (confirmed, pooled int) {
	t.Helper()
	for _, id := range acked {
		if n.Pool.Has(id) {
			pooled++
			continue
		}
		if ti, err := n.Chain.Tx(id); err == nil && ti.Confirmations > 0 {
			confirmed++
			continue
		}
		t.Errorf("acknowledged tx %s is neither on the main chain nor in the mempool", id)
	}
	return confirmed, pooled
}

// sameTip fails unless the reopened node and the reference that never
// crashed are at the same tip with the same state digest.
func sameTip(t *testing.T, n *Node, ref chain.TipInfo, what string) {
	t.Helper()
	got := n.Chain.Tip()
	if got.Hash != ref.Hash || got.StateDigest != ref.StateDigest {
		t.Fatalf("reopened node at %d %s digest %s; %s at %d %s digest %s",
			got.Height, got.Hash, got.StateDigest, what, ref.Height, ref.Hash, ref.StateDigest)
	}
}

// (a) Kills during block commit under tx load.
func crashDuringCommit(t *testing.T, rng *rand.Rand, kills int) {
	g := suiteGenesis(4)
	dir := suiteInitDir(t, g)
	eng, err := pow.New(g)
	if err != nil {
		t.Fatal(err)
	}
	ref := suiteMemChain(t, g, eng) // fed the reopened main chain after each kill
	var acked []core.Hash
	var acks []ackLine // every acknowledgement, durable or not, in order
	lostWindowed := 0
	// Where the kills landed: before the in-flight block reached the
	// kernel, after that but before the child reported it (in the WAL
	// fsync or the mempool update that follows), or after the report.
	before, inside, after := 0, 0, 0
	commitEst := 3 * time.Millisecond // a commit's time, measured as the rounds go
	for round := 0; round < kills; round++ {
		commits := 1 + rng.IntN(15)
		delay := time.Duration(0) // as soon as the child says it commits
		if rng.IntN(3) != 0 {
			delay = time.Duration(rng.Int64N(int64(commitEst)))
		}
		// The tip before this round (the reference is there): what the
		// child reports next replaces it.
		rt := ref.Tip()
		tip := tipLine{ok: true, height: rt.Height, hash: rt.Hash, digest: rt.StateDigest}
		var inflight core.Hash
		var inflightHeight uint64
		seen := 0
		c := startSuiteChild(t, "commit", dir, "")
		c.killWhen(t, func(line string) bool {
			f := strings.Fields(line)
			switch {
			case len(f) == 0:
			case f[0] == "TX" || f[0] == "TXW":
				a := parseAck(t, f)
				acks = append(acks, a)
				if a.durable {
					acked = append(acked, a.id)
				}
			case f[0] == "TIP":
				tip.parse(t, f)
			case f[0] == "COMMIT" && len(f) == 3:
				inflight = parseHashField(t, f[1:])
				inflightHeight, _ = strconv.ParseUint(f[1], 10, 64)
				seen++
				return seen == commits
			case f[0] == "TOOK" && len(f) == 2:
				if us, err := strconv.ParseInt(f[1], 10, 64); err == nil && us > 0 {
					commitEst = (3*commitEst + time.Duration(us)*time.Microsecond) / 4
				}
			case f[0] == "ERR":
				t.Fatalf("child: %s", line)
			}
			return false
		}, delay)

		n := reopen(t, dir)
		got := n.Chain.Tip()
		checkMainChain(t, n)
		replayMatches(t, n)
		if !tip.ok || got.Height < tip.height || !n.Chain.IsMainChain(tip.hash) {
			t.Fatalf("round %d: reopened tip %d %s lost the reported tip %d %s", round, got.Height, got.Hash, tip.height, tip.hash)
		}
		if got.Hash == tip.hash && got.StateDigest != tip.digest {
			t.Fatalf("round %d: digest %s, the child reported %s", round, got.StateDigest, tip.digest)
		}
		// Past the last report there is at most the block being committed.
		switch {
		case got.Hash == tip.hash && inflightHeight == tip.height+1:
			before++
		case got.Hash == tip.hash:
			after++
		case got.Height == tip.height+1 && got.Hash == inflight:
			inside++
		default:
			t.Fatalf("round %d: reopened tip %d %s; last report %d, in flight %d %s", round, got.Height, got.Hash, tip.height, inflightHeight, inflight)
		}
		// The node that never crashed: the same main chain, block by
		// block, round after round.
		for h := ref.Tip().Height + 1; h <= got.Height; h++ {
			bi, err := n.Chain.BlockByHeight(h)
			if err != nil {
				t.Fatal(err)
			}
			res, err := ref.ProcessBlock(bi.Block)
			if err != nil || res.Status != chain.StatusMainChain {
				t.Fatalf("round %d: reference chain, block %d: %v %v (a block committed before was lost or replaced)", round, h, res.Status, err)
			}
		}
		sameTip(t, n, ref.Tip(), "the node that never crashed")
		conf, pooled := checkAcked(t, n, acked)
		lost := checkWindowed(t, n, acks, DefaultTxSyncWindow)
		lostWindowed += lost
		t.Logf("round %d: killed %v after commit #%d: tip %d, %d acknowledged txs (%d durable: %d confirmed, %d pooled; %d within the sync window lost)",
			round, delay, commits, got.Height, len(acks), len(acked), conf, pooled, lost)
		acks = acks[:0:0] // the next round's child starts from what survived
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("kills: %d before the in-flight block was written, %d after it was written but before it was reported, %d after; %d txs acknowledged without ?durable lost within their sync window",
		before, inside, after, lostWindowed)
}

// (b) Kills during sync from a peer.
func crashDuringSync(t *testing.T, rng *rand.Rand, kills int) {
	g := suiteGenesis(8)
	eng, err := pow.New(g)
	if err != nil {
		t.Fatal(err)
	}
	// The source chain, built on a chain that never crashes: its hash and
	// digest at every height are the reference.
	length := kills*40 + 120
	src := suiteMemChain(t, g, eng)
	blocks := make([]*core.Block, 0, length)
	hashes := []core.Hash{src.Tip().Hash}
	digests := []core.Hash{src.Tip().StateDigest}
	prev := src.Tip().Header
	for h := 1; h <= length; h++ {
		var txs []*core.Tx
		for a := 0; a < 4; a++ {
			txs = append(txs, suiteTx(a, (a+1)%4, uint64(h-1), uint64(h)))
		}
		blk := suiteBlock(t, eng, prev, core.Address{0x5c}, txs, prev.Timestamp+suiteBlockMs)
		if res, err := src.ProcessBlock(blk); err != nil || res.Status != chain.StatusMainChain {
			t.Fatalf("source block %d: %v", h, err)
		}
		blocks = append(blocks, blk)
		hashes = append(hashes, blk.Hash())
		digests = append(digests, src.Tip().StateDigest)
		prev = blk.Header
	}
	// The peer: an in-process node holding the source chain.
	peer, err := New(Config{DataDir: t.TempDir(), Genesis: g, Listen: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, blk := range blocks {
		if _, err := peer.SubmitBlock(blk); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- peer.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-runDone; err != nil {
			t.Errorf("peer Run: %v", err)
		}
		peer.Close()
	})
	addr := peer.Net.Addrs()[0]

	dir := suiteInitDir(t, g)
	var acked []core.Hash
	for round := 0; round < kills; round++ {
		var tip tipLine
		var readyHeight uint64
		after := rng.IntN(30) // blocks applied before the kill; 0: a random time after start
		delay := time.Duration(rng.IntN(3000)) * time.Microsecond
		if after == 0 {
			delay = time.Duration(rng.IntN(300)) * time.Millisecond
		}
		c := startSuiteChild(t, "sync", dir, addr)
		c.killWhen(t, func(line string) bool {
			f := strings.Fields(line)
			switch {
			case len(f) == 0:
			case f[0] == "READY" && len(f) == 2:
				readyHeight, _ = strconv.ParseUint(f[1], 10, 64)
				return after == 0
			case f[0] == "TX":
				acked = append(acked, parseHashField(t, f))
			case f[0] == "TIP":
				tip.parse(t, f)
				return tip.reportedBlocks == after || tip.height == uint64(length)
			case f[0] == "ERR":
				t.Fatalf("child: %s", line)
			}
			return false
		}, delay)

		n := reopen(t, dir)
		got := n.Chain.Tip()
		checkMainChain(t, n)
		replayMatches(t, n)
		if got.Height < readyHeight || tip.ok && got.Height < tip.height {
			t.Fatalf("round %d: reopened at %d; the child started at %d and reported %d", round, got.Height, readyHeight, tip.height)
		}
		if got.Height > uint64(length) || got.Hash != hashes[got.Height] || got.StateDigest != digests[got.Height] {
			t.Fatalf("round %d: reopened tip %d %s digest %s; the source chain there: %s digest %s",
				round, got.Height, got.Hash, got.StateDigest, hashes[min(got.Height, uint64(length))], digests[min(got.Height, uint64(length))])
		}
		_, pooled := checkAcked(t, n, acked)
		t.Logf("round %d: killed %v after %d synced blocks (from %d): tip %d of %d, %d acknowledged txs pooled",
			round, delay, after, readyHeight, got.Height, length, pooled)
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
		if t.Failed() {
			return
		}
	}
	// Restarted once more (in this process, not killed), the node opens
	// with its peer files and finishes the sync.
	n, err := New(Config{DataDir: dir, Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Peers: []string{addr}})
	if err != nil {
		t.Fatalf("restart after the last kill: %v", err)
	}
	nctx, ncancel := context.WithCancel(context.Background())
	nDone := make(chan error, 1)
	go func() { nDone <- n.Run(nctx) }()
	eventually(t, "the restarted node to finish the sync", func() bool { return n.Chain.Tip().Height == uint64(length) })
	ncancel()
	if err := <-nDone; err != nil {
		t.Errorf("Run: %v", err)
	}
	checkMainChain(t, n)
	sameTip(t, n, src.Tip(), "the source chain")
	checkAcked(t, n, acked)
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
}

// (c) Kills during a reorg.
func crashDuringReorg(t *testing.T, rng *rand.Rand, kills int) {
	g := suiteGenesis(4)
	eng, err := pow.New(g)
	if err != nil {
		t.Fatal(err)
	}
	dir := suiteInitDir(t, g)
	ref := suiteMemChain(t, g, eng) // fed the blocks the child stored, in its order
	var acked []core.Hash
	var carried []*core.Tx             // A's txs back in the mempool after a switch to B
	switchEst := 10 * time.Millisecond // a switch's time, measured as the rounds go
	interrupted := 0
	for round := 0; round < kills; round++ {
		// Branch A and the heavier branch B on the current tip T. Both
		// start with the carried txs; A's next blocks hold new txs of
		// accounts 2 and 3, which the child admits just before each of
		// them; B's hold txs of accounts 0 and 1. Every other round is
		// deep: a switch then returns more txs of a sender to the mempool
		// than a new submission may pool (64 per sender, 64 nonces
		// ahead), and they must survive the restart too.
		perBlock := 2
		if round%2 == 1 {
			perBlock = 25
		}
		T := ref.Tip()
		nonce := func(a int, pending int) uint64 {
			acct, err := ref.Account(crashKey(a).Addr)
			if err != nil {
				t.Fatal(err)
			}
			return acct.Nonce + uint64(pending)
		}
		pendingOf := map[int]int{}
		for _, tx := range carried {
			for a := 2; a <= 3; a++ {
				if tx.From == crashKey(a).Pub {
					pendingOf[a]++
				}
			}
		}
		lenA := 12 + rng.IntN(20)
		var branchA []*core.Block
		parent := T.Header
		for i := 0; i < lenA; i++ {
			var txs []*core.Tx
			if i == 0 {
				txs = append(txs, carried...)
			}
			if i >= 1 && i <= 3 {
				for a := 2; a <= 3; a++ {
					for range perBlock {
						txs = append(txs, suiteTx(a, a-2, nonce(a, pendingOf[a]), uint64(100+i)))
						pendingOf[a]++
					}
				}
			}
			blk := suiteBlock(t, eng, parent, core.Address{0xa}, txs, parent.Timestamp+suiteBlockMs)
			branchA = append(branchA, blk)
			parent = blk.Header
		}
		workA := new(big.Int)
		for _, b := range branchA {
			workA.Add(workA, eng.Work(&b.Header))
		}
		var branchB []*core.Block
		trigger := -1 // B's first block with more work than A
		workB := new(big.Int)
		parent = T.Header
		for i := 0; trigger < 0 || i <= trigger+rng.IntN(3); i++ {
			var txs []*core.Tx
			if i == 0 {
				txs = append(txs, carried...)
			}
			if i < 3 {
				for a := 0; a <= 1; a++ {
					txs = append(txs, suiteTx(a, a+2, nonce(a, i), uint64(200+i)))
				}
			}
			blk := suiteBlock(t, eng, parent, core.Address{0xb}, txs, parent.Timestamp+suiteBlockMs+1)
			branchB = append(branchB, blk)
			parent = blk.Header
			workB.Add(workB, eng.Work(&blk.Header))
			if trigger < 0 && workB.Cmp(workA) > 0 {
				trigger = i
			}
		}
		feed := filepath.Join(t.TempDir(), "feed")
		var buf strings.Builder
		for _, b := range branchA {
			for _, tx := range b.Txs { // admitted (acknowledged) just before their block
				fmt.Fprintf(&buf, "T %x\n", tx.Encode())
			}
			fmt.Fprintf(&buf, "A %x\n", b.Encode())
		}
		for i, b := range branchB {
			if i == trigger {
				buf.WriteString("R\n")
			}
			fmt.Fprintf(&buf, "B %x\n", b.Encode())
		}
		if err := os.WriteFile(feed, []byte(buf.String()), 0o600); err != nil {
			t.Fatal(err)
		}

		// Mostly a random moment of the switch; otherwise while feeding.
		duringSwitch := rng.IntN(5) != 0
		delay := time.Duration(rng.Int64N(int64(switchEst)))
		feedAt := rng.IntN(len(branchA) + trigger + 1)
		if !duringSwitch {
			delay = time.Duration(rng.IntN(2000)) * time.Microsecond
		}
		fed := 0
		c := startSuiteChild(t, "reorg", dir, feed)
		c.killWhen(t, func(line string) bool {
			f := strings.Fields(line)
			switch {
			case len(f) == 0:
			case f[0] == "TX":
				acked = append(acked, parseHashField(t, f))
			case f[0] == "FED":
				fed++
				return !duringSwitch && fed == feedAt+1
			case f[0] == "REORG":
				return duringSwitch
			case f[0] == "SWITCHED" && len(f) == 2:
				if us, err := strconv.ParseInt(f[1], 10, 64); err == nil && us > 0 {
					switchEst = (switchEst + time.Duration(us)*time.Microsecond) / 2
				}
			case f[0] == "ERR":
				t.Fatalf("child: %s", line)
			}
			return false
		}, delay)

		// Was the reorg interrupted? The stored tip, before a node opens
		// the store: B's heavier block is stored but the tip is not on B
		// at or past it.
		kv, err := pebble.Open(filepath.Join(dir, "db"), pebble.Options{CacheBytes: 1 << 20})
		if err != nil {
			t.Fatalf("round %d: open the store after kill: %v", round, err)
		}
		db, err := store.New(kv)
		if err != nil {
			t.Fatal(err)
		}
		raw, _, err := db.Tip()
		if err != nil {
			t.Fatal(err)
		}
		triggerStored, err := db.HasBlock(branchB[trigger].Hash())
		if err != nil {
			t.Fatal(err)
		}
		onB := false
		for _, b := range branchB[trigger:] {
			onB = onB || raw.Hash == b.Hash()
		}
		if err := kv.Close(); err != nil {
			t.Fatal(err)
		}
		cut := triggerStored && !onB
		if cut {
			interrupted++
		}

		n := reopen(t, dir)
		got := n.Chain.Tip()
		checkMainChain(t, n)
		replayMatches(t, n)
		// The node that never crashed processed the blocks this one had
		// stored: a prefix of the feed.
		stored := 0
		all := append(append([]*core.Block{}, branchA...), branchB...)
		for i, b := range all {
			if n.Chain.HasBlock(b.Hash()) {
				if stored != i {
					t.Fatalf("round %d: fed block %d is stored, block %d before it is not", round, i, stored)
				}
				stored++
			}
		}
		for _, b := range all[:stored] {
			if _, err := ref.ProcessBlock(b); err != nil {
				t.Fatalf("round %d: reference chain: %v", round, err)
			}
		}
		sameTip(t, n, ref.Tip(), "the node that processed the same blocks without a crash")
		conf, pooled := checkAcked(t, n, acked)
		carried = carried[:0]
		for a := 2; a <= 3; a++ {
			carried = append(carried, n.Pool.Pending(crashKey(a).Addr)...)
		}
		moment := fmt.Sprintf("%v after the switch began", delay)
		if !duringSwitch {
			moment = fmt.Sprintf("%v after fed block %d", delay, feedAt+1)
		}
		t.Logf("round %d: A %d blocks, B %d (heavier from its block %d): killed %s, stored tip at %d (interrupted reorg: %v, stored %d/%d blocks); reopened at %d; %d acknowledged txs (%d confirmed, %d pooled)",
			round, len(branchA), len(branchB), trigger+1, moment, raw.Height, cut, stored, len(all), got.Height, len(acked), conf, pooled)
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("%d of %d kills interrupted a reorg", interrupted, kills)
}

// ---- the child's side --------------------------------------------------

// suiteOut writes whole lines to stdout (one write each, so the parent
// never reads half a line).
type suiteOut struct{ mu sync.Mutex }

func (o *suiteOut) printf(format string, args ...any) {
	o.mu.Lock()
	fmt.Fprintf(os.Stdout, format, args...)
	o.mu.Unlock()
}

// TestCrashSuiteChild is the child process of TestCrashSuite: it runs a
// node in one of the modes until it is killed.
func TestCrashSuiteChild(t *testing.T) {
	mode := os.Getenv(suiteModeEnv)
	if mode == "" {
		t.Skip("child process of TestCrashSuite")
	}
	go func() { // the parent went away
		io.Copy(io.Discard, os.Stdin)
		os.Exit(4)
	}()
	out := &suiteOut{}
	dir, arg := os.Getenv(suiteDirEnv), os.Getenv(suiteArgEnv)
	var err error
	switch mode {
	case "commit":
		err = childCommit(dir, out)
	case "sync":
		err = childSync(dir, arg, out)
	case "reorg":
		err = childReorg(dir, arg, out)
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	out.printf("ERR %v\n", err)
	os.Exit(3)
}

func (o *suiteOut) tip(n *Node) {
	tip := n.Chain.Tip()
	o.printf("TIP %d %s %s\n", tip.Height, tip.Hash, tip.StateDigest)
}

// childCommit mines as fast as it can while a goroutine admits txs.
func childCommit(dir string, out *suiteOut) error {
	n, err := New(Config{DataDir: dir, Threads: 1})
	if err != nil {
		return err
	}
	out.printf("READY %d\n", n.Chain.Tip().Height)
	blocks := make(chan struct{}, 1)
	go func() {
		for i := uint64(0); ; i++ {
			var batch []*core.Tx
			for a := 0; a < 4; a++ {
				_, next, err := n.Pool.PendingState(crashKey(a).Addr)
				if err != nil {
					continue
				}
				for j := uint64(0); j < 2; j++ {
					batch = append(batch, suiteTx(a, (a+1)%4, next+j, 1+i%1000))
				}
			}
			// Every other batch durably; the others within the sync window.
			submit, kind := n.SubmitLocalTxsDurable, "TX"
			if i%2 == 1 {
				submit, kind = n.SubmitLocalTxs, "TXW"
			}
			start := time.Now().UnixNano()
			errs := submit(batch)
			end := time.Now().UnixNano()
			acks := 0
			for k, err := range errs {
				if err == nil {
					out.printf("%s %s %d %d\n", kind, batch[k].ID(), start, end)
					acks++
				}
			}
			if acks == 0 {
				<-blocks // the senders' queues are full: wait for a block
			}
		}
	}()
	g := n.Genesis
	for {
		blk, err := miner.MineOne(context.Background(), n.Chain, n.Pool, n.Sealer, core.Address{0xc}, 1, int(g.MaxBlockBytes), int(g.MaxBlockTxs))
		if err != nil {
			return err
		}
		out.printf("COMMIT %d %s\n", blk.Header.Height, blk.Hash())
		start := time.Now()
		res, err := n.SubmitBlock(blk) // what the miner's submit does
		if err != nil {
			return err
		}
		if res.Status != chain.StatusMainChain {
			return fmt.Errorf("mined block %s: %v", blk.Hash(), res.Status)
		}
		out.tip(n)
		out.printf("TOOK %d\n", time.Since(start).Microseconds())
		select {
		case blocks <- struct{}{}:
		default:
		}
	}
}

// childSync syncs from the peer at addr, admitting a tx of its own (from
// account 6, which the source chain never uses) after each block.
func childSync(dir, addr string, out *suiteOut) error {
	blocks := make(chan struct{}, 1)
	var n *Node
	n, err := New(Config{DataDir: dir, Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Peers: []string{addr},
		OnBlock: func(*chain.Result) {
			out.tip(n) // under the node's submit lock: the block just committed
			select {
			case blocks <- struct{}{}:
			default:
			}
		}})
	if err != nil {
		return err
	}
	out.printf("READY %d\n", n.Chain.Tip().Height)
	go func() {
		sender := crashKey(6).Addr
		for range blocks {
			if len(n.Pool.Pending(sender)) >= 40 {
				continue
			}
			_, next, err := n.Pool.PendingState(sender)
			if err != nil {
				continue
			}
			tx := suiteTx(6, 7, next, 1)
			if n.SubmitLocalTxsDurable([]*core.Tx{tx})[0] == nil {
				out.printf("TX %s\n", tx.ID())
			}
		}
	}()
	return n.Run(context.Background())
}

// childReorg runs the feed in order: consecutive T lines are txs it
// admits in one SubmitTxs call (acknowledging each admitted one), A and B
// lines are blocks it submits; "R" marks B's block that makes B heavier.
func childReorg(dir, feed string, out *suiteOut) error {
	n, err := New(Config{DataDir: dir})
	if err != nil {
		return err
	}
	out.printf("READY %d\n", n.Chain.Tip().Height)
	data, err := os.ReadFile(feed)
	if err != nil {
		return err
	}
	var txs []*core.Tx
	trigger := false
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		kind, hx, _ := strings.Cut(line, " ")
		if kind == "R" {
			trigger = true
			continue
		}
		raw, err := hex.DecodeString(hx)
		if err != nil {
			return err
		}
		if kind == "T" {
			tx, err := core.DecodeTx(raw)
			if err != nil {
				return err
			}
			txs = append(txs, tx)
			continue
		}
		for i, err := range n.SubmitLocalTxsDurable(txs) {
			if err == nil {
				out.printf("TX %s\n", txs[i].ID())
			}
		}
		txs = nil
		blk, err := core.DecodeBlock(raw)
		if err != nil {
			return err
		}
		if trigger {
			out.printf("REORG\n")
		}
		start := time.Now()
		if _, err := n.SubmitBlock(blk); err != nil {
			return fmt.Errorf("block %s of the feed: %w", blk.Hash(), err)
		}
		if trigger {
			out.printf("SWITCHED %d\n", time.Since(start).Microseconds())
			trigger = false
		}
		out.printf("FED %s\n", blk.Hash())
	}
	out.printf("DONE\n")
	select {} // until killed (stdin's EOF exits too)
}
