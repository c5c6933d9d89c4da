package node

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/cairn-chain/cairn/store/pebble"
)

// The fault suite: a node on a full disk, with damaged database files, and
// with a clock hours ahead of its peers.

const faultChainID = "fault"

// faultKey is the i-th key of the fault suite (i < 255): testkit's key
// 0xfa01+i, of the seed i+1, 0xfa, zeros.
func faultKey(i int) testkit.Key { return testkit.NewKey(0xfa01 + i) }

// faultKeys is how many keys faultGenesis funds: enough senders that the
// mempool's per-sender limit does not stop the full-disk test's load
// before the disk does.
const faultKeys = 16

// faultGenesis is a chain with trivial PoW whose genesis is age old, and
// faultKeys funded keys.
func faultGenesis(age time.Duration, blockMs uint64) *core.Genesis {
	g := testkit.Genesis(faultChainID, testkit.Fund(1_000_000_000_000, testkit.NewKeys(0xfa01, faultKeys)...))
	g.Timestamp = uint64(time.Now().Add(-age).UnixMilli())
	g.TargetBlockTimeMs = blockMs
	g.AsertHalflifeMs = 10 * blockMs
	return g
}

// logRecorder is a slog.Handler that keeps every record as a line of text.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
	attrs []slog.Attr
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", rec.Level, rec.Message)
	for _, a := range r.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	rec.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	r.mu.Lock()
	r.lines = append(r.lines, b.String())
	r.mu.Unlock()
	return nil
}
func (r *logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &logView{r: r, attrs: as}
}
func (r *logRecorder) WithGroup(string) slog.Handler { return r }

// logView is a logRecorder with attributes (the node's sub-loggers).
type logView struct {
	r     *logRecorder
	attrs []slog.Attr
}

func (v *logView) Enabled(context.Context, slog.Level) bool { return true }
func (v *logView) Handle(ctx context.Context, rec slog.Record) error {
	rec = rec.Clone()
	rec.AddAttrs(v.attrs...)
	return v.r.Handle(ctx, rec)
}
func (v *logView) WithAttrs(as []slog.Attr) slog.Handler {
	return &logView{r: v.r, attrs: append(append([]slog.Attr(nil), v.attrs...), as...)}
}
func (v *logView) WithGroup(string) slog.Handler { return v }

// count returns how many lines contain all of the substrings.
func (r *logRecorder) count(subs ...string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
outer:
	for _, l := range r.lines {
		for _, s := range subs {
			if !strings.Contains(l, s) {
				continue outer
			}
		}
		n++
	}
	return n
}

func (r *logRecorder) find(subs ...string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
outer:
	for _, l := range r.lines {
		for _, s := range subs {
			if !strings.Contains(l, s) {
				continue outer
			}
		}
		return l
	}
	return ""
}

// faultNode is a running node.
type faultNode struct {
	*Node
	log  *logRecorder
	stop func() // stops Run and closes the node; idempotent
}

// startFault opens a node with cfg (logging to a recorder) and runs it
// until the test ends or stop is called.
func startFault(t *testing.T, cfg Config) *faultNode {
	t.Helper()
	rec := &logRecorder{}
	cfg.Logger = slog.New(rec)
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
			if err := n.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return &faultNode{Node: n, log: rec, stop: stop}
}

func faultWait(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		<-tick.C
	}
}

// connect links a to b and waits until both see each other.
func faultConnect(t *testing.T, a, b *faultNode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.Net.Connect(ctx, b.Net.Addrs()[0]); err != nil {
		t.Fatal(err)
	}
	faultWait(t, "the peers to finish the handshake", 20*time.Second, func() bool { return faultHasPeer(a, b) && faultHasPeer(b, a) })
}

func faultHasPeer(a, b *faultNode) bool {
	for _, p := range a.Net.Peers() {
		if p.ID.String() == b.Net.ID() {
			return true
		}
	}
	return false
}

func faultSameTip(ns ...*faultNode) bool {
	t0 := ns[0].Chain.Tip()
	for _, n := range ns[1:] {
		if t := n.Chain.Tip(); t.Hash != t0.Hash || t.StateDigest != t0.StateDigest {
			return false
		}
	}
	return true
}

func p2pConfig(dir string, g *core.Genesis) Config {
	return Config{DataDir: dir, Genesis: g, Listen: []string{"/ip4/127.0.0.1/tcp/0"}, MinerAddress: core.Address{7}, Threads: 1}
}

// ---------------------------------------------------------------- clock skew

// skewClock is time.Now plus an offset that the test changes atomically.
type skewClock struct{ off atomic.Int64 }

func (c *skewClock) Now() time.Time { return time.Now().Add(time.Duration(c.off.Load())) }

// TestClockSkew runs three nodes, one with a clock 3 hours ahead. Its
// blocks are too far in the future for the others: they hold them (not
// invalid) and neither ban nor penalise it. With its clock still ahead it
// follows the honest chain; its own branch, heavier than theirs, cannot
// reach them. Once its clock is fixed it cannot extend that branch (a
// block on it would be from the future, for itself too) and, when the
// honest chain outgrows it, it reorgs to it: the three nodes share one tip
// and digest again, including a block the fixed node mines.
func TestClockSkew(t *testing.T) {
	g := faultGenesis(time.Hour, 1000)
	clock := &skewClock{}
	clock.off.Store(int64(3 * time.Hour))
	a := startFault(t, p2pConfig(t.TempDir(), g))
	b := startFault(t, p2pConfig(t.TempDir(), g))
	cfg := p2pConfig(t.TempDir(), g)
	cfg.Now = clock.Now
	c := startFault(t, cfg)
	faultConnect(t, c, a)
	faultConnect(t, c, b)
	faultConnect(t, a, b)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	mine := func(n *faultNode) *core.Block {
		t.Helper()
		blk, err := n.MineOne(ctx, core.Address{})
		if err != nil {
			t.Fatal(err)
		}
		return blk
	}

	// While skewed, the node follows the honest chain.
	for range 2 {
		mine(a)
	}
	faultWait(t, "all three nodes at a's tip", 20*time.Second, func() bool { return faultSameTip(a, b, c) })
	honest := a.Chain.Tip()

	// Its blocks are held by the others, not rejected.
	for range 4 {
		blk := mine(c)
		if ahead := time.UnixMilli(int64(blk.Header.Timestamp)).Sub(time.Now()); ahead < 2*time.Hour {
			t.Fatalf("the skewed node's block is only %v ahead", ahead)
		}
	}
	if h := c.Chain.Tip().Height; h != honest.Height+4 {
		t.Fatalf("skewed node at height %d, want %d", h, honest.Height+4)
	}
	for _, n := range []*faultNode{a, b} {
		faultWait(t, "the honest nodes to hold the 4 future blocks", 20*time.Second, func() bool {
			orphans, held := n.Chain.PoolSizes()
			return held == 4 && orphans == 0
		})
		if n.Chain.TipHash() != honest.Hash {
			t.Fatal("an honest node adopted a block from the future")
		}
	}
	notPenalised := func(when string) {
		t.Helper()
		for _, n := range []*faultNode{a, b} {
			if bans := n.Net.Bans(); len(bans) != 0 {
				t.Fatalf("%s: bans %+v", when, bans)
			}
			if !faultHasPeer(n, c) {
				t.Fatalf("%s: the skewed node is no longer a peer", when)
			}
			if l := n.log.find("misbehaved", c.Net.ID()); l != "" {
				t.Fatalf("%s: the skewed node was penalised: %s", when, l)
			}
		}
	}
	notPenalised("while skewed")

	// Fix the clock. Its branch's median time past is still hours ahead:
	// it cannot mine on it (the block would be held, by itself too).
	clock.off.Store(0)
	if _, err := c.MineOne(ctx, core.Address{}); !errors.Is(err, chain.ErrFutureTip) {
		t.Fatalf("mining on a tip from the future: %v, want chain.ErrFutureTip", err)
	}
	// The honest chain outgrows the skewed branch: the node reorgs to it.
	for i := 0; !faultSameTip(a, b, c); i++ {
		if i == 10 {
			t.Fatalf("no convergence: a at %d, c at %d", a.Chain.Tip().Height, c.Chain.Tip().Height)
		}
		blk := mine(a)
		faultWait(t, "the honest block to reach b and c", 20*time.Second, func() bool {
			return b.Chain.IsMainChain(blk.Hash()) && c.Chain.HasBlock(blk.Hash())
		})
	}
	// And it mines again, on the common chain, blocks the others accept.
	blk := mine(c)
	faultWait(t, "the fixed node's block on every node", 20*time.Second, func() bool {
		return faultSameTip(a, b, c) && a.Chain.TipHash() == blk.Hash()
	})
	if c.Chain.Reorgs() == 0 {
		t.Fatal("the fixed node never left its future branch")
	}
	notPenalised("after the clock was fixed")

	// Briefly ahead again: one block from the future, then, with the clock
	// fixed, blocks at the right time on top of it (its median time past
	// is not in the future). The others hold them all: a child of a held
	// block waits with it, it is no orphan its sender must answer for.
	_, heldBefore := a.Chain.PoolSizes()
	clock.off.Store(int64(3 * time.Hour))
	mine(c)
	clock.off.Store(0)
	for range 3 {
		mine(c)
	}
	for _, n := range []*faultNode{a, b} {
		faultWait(t, "the honest nodes to hold the new future block and its children", 20*time.Second, func() bool {
			orphans, held := n.Chain.PoolSizes()
			return held == heldBefore+4 && orphans == 0
		})
	}
	notPenalised("after blocks on a held block")
	for i := 0; !faultSameTip(a, b, c); i++ {
		if i == 10 {
			t.Fatalf("no convergence: a at %d, c at %d", a.Chain.Tip().Height, c.Chain.Tip().Height)
		}
		blk := mine(a)
		faultWait(t, "the honest block to reach b and c", 20*time.Second, func() bool {
			return b.Chain.IsMainChain(blk.Hash()) && c.Chain.HasBlock(blk.Hash())
		})
	}
	notPenalised("at the end")
}

// ---------------------------------------------------------------- max reorg depth

// TestMaxReorgDepthNetwork: node B with --max-reorg-depth 2 mined 3
// blocks alone; when it meets A's heavier 5-block chain it keeps its own
// (the reorg would disconnect 3 blocks), logs why, and neither bans nor
// penalises A. Restarted without the limit, it adopts A's chain.
func TestMaxReorgDepthNetwork(t *testing.T) {
	g := faultGenesis(time.Hour, 1000)
	a := startFault(t, p2pConfig(t.TempDir(), g))
	dirB := t.TempDir()
	cfgB := p2pConfig(dirB, g)
	cfgB.MaxReorgDepth = 2
	b := startFault(t, cfgB)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for range 5 {
		if _, err := a.MineOne(ctx, core.Address{1}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if _, err := b.MineOne(ctx, core.Address{2}); err != nil {
			t.Fatal(err)
		}
	}
	ownTip := b.Chain.Tip()
	faultConnect(t, b, a)
	faultWait(t, "B to receive A's branch and refuse it", 20*time.Second, func() bool {
		return b.Chain.HasBlock(a.Chain.TipHash()) && b.log.count("reorg refused", "depth=3", "max_reorg_depth=2") > 0
	})
	if b.Chain.TipHash() != ownTip.Hash || b.Chain.IsInvalid(a.Chain.TipHash()) {
		t.Fatal("B left its chain, or marked A's as invalid")
	}
	if len(b.Net.Bans()) != 0 || len(a.Net.Bans()) != 0 || !faultHasPeer(b, a) || b.log.find("misbehaved") != "" {
		t.Fatalf("a peer was penalised for a refused reorg: bans %v %v", b.Net.Bans(), a.Net.Bans())
	}
	b.stop()
	cfgB.MaxReorgDepth = 0
	cfgB.Genesis = nil
	cfgB.Peers = a.Net.Addrs()
	b2 := startFault(t, cfgB)
	faultWait(t, "B without the limit to adopt A's chain", 30*time.Second, func() bool { return faultSameTip(a, b2) })
}

// ---------------------------------------------------------------- damaged database

// TestDamagedDatabase builds a node B that synced from A, then damages
// copies of B's data directory: each must fail to start with a clear
// error naming the problem and the path (and the remedy), never a panic
// or a silent fresh start. B itself, with a garbled table, then starts
// with Resync: its database is moved aside (kept), it starts from
// genesis with its identity, and syncs back to A's tip and digest.
func TestDamagedDatabase(t *testing.T) {
	g := faultGenesis(time.Hour, 1000)
	a := startFault(t, p2pConfig(t.TempDir(), g))
	dirB := t.TempDir()
	b := startFault(t, p2pConfig(dirB, g))
	faultConnect(t, b, a)
	idB := b.Net.ID()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for i := 0; i < 30; i++ {
		if i%3 == 0 {
			k := faultKey(i % 4)
			_, nonce, err := a.Pool.PendingState(k.Addr)
			if err != nil {
				t.Fatal(err)
			}
			tx := k.Transfer(faultChainID, core.Address{byte(i)}, 1000+uint64(i), 10, nonce)
			if err := a.SubmitTx(tx); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.MineOne(ctx, core.Address{}); err != nil {
			t.Fatal(err)
		}
	}
	faultWait(t, "B to sync A's chain", 30*time.Second, func() bool { return faultSameTip(a, b) })
	b.stop()
	// Reopen B once: Pebble flushes the replayed log into tables, so the
	// damage below has tables to hit.
	if n, err := New(Config{DataDir: dirB}); err != nil {
		t.Fatal(err)
	} else if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	dbB := filepath.Join(dirB, dbDirName)
	if m, _ := filepath.Glob(filepath.Join(dbB, "*.sst")); len(m) == 0 {
		t.Fatal("no sstable in B's database")
	}

	cases := []struct {
		name   string
		damage func(t *testing.T, dir string)
		want   []string
	}{
		{"MANIFEST deleted", func(t *testing.T, dir string) { faultRemove(t, dir, "MANIFEST-*") }, []string{"MANIFEST", "--resync"}},
		{"MANIFEST truncated", func(t *testing.T, dir string) { faultTruncate(t, faultNewest(t, dir, "MANIFEST-*")) }, []string{"MANIFEST", "truncated", "--resync"}},
		{"MANIFEST garbled", func(t *testing.T, dir string) { faultGarble(t, faultNewest(t, dir, "MANIFEST-*"), 0.5) }, []string{"MANIFEST", "--resync"}},
		{"sstable deleted", func(t *testing.T, dir string) { faultRemove(t, dir, "*.sst") }, []string{"damaged", "--resync"}},
		{"sstable truncated", func(t *testing.T, dir string) { faultTruncate(t, faultNewest(t, dir, "*.sst")) }, []string{".sst", "--resync"}},
		{"sstable garbled", func(t *testing.T, dir string) { faultGarble(t, faultNewest(t, dir, "*.sst"), 0) }, []string{"checksum", "--resync"}},
		{"genesis.json deleted", func(t *testing.T, dir string) { faultRemove(t, filepath.Dir(dir), genesisFile) }, []string{"genesis.json is missing", "holds a database", "--genesis"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := faultCopyDir(t, dirB)
			db := filepath.Join(dir, dbDirName)
			tc.damage(t, db)
			n, err := New(Config{DataDir: dir})
			if err == nil {
				n.Close()
				t.Fatal("a node started on a damaged data directory")
			}
			msg := err.Error()
			if !strings.Contains(msg, dir) {
				t.Fatalf("error %q does not name the data directory %s", msg, dir)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Fatalf("error %q does not say %q", msg, w)
				}
			}
			if tc.name != "genesis.json deleted" && !errors.Is(err, ErrDatabaseDamaged) {
				t.Fatalf("error %q does not wrap ErrDatabaseDamaged", msg)
			}
		})
	}

	// B itself: a garbled table stops it; --resync rebuilds it from A.
	faultGarble(t, faultNewest(t, dbB, "*.sst"), 0)
	cfgB := p2pConfig(dirB, nil)
	cfgB.Peers = a.Net.Addrs()
	if _, err := New(cfgB); !errors.Is(err, ErrDatabaseDamaged) {
		t.Fatalf("start on the damaged database: %v", err)
	}
	cfgB.Resync = true
	b2 := startFault(t, cfgB)
	if b2.MovedDB == "" || !strings.HasPrefix(filepath.Base(b2.MovedDB), dbDirName+".corrupt-") {
		t.Fatalf("the old database was not moved aside: %q", b2.MovedDB)
	}
	if m, _ := filepath.Glob(filepath.Join(b2.MovedDB, "*.sst")); len(m) == 0 {
		t.Fatalf("the moved database %s lost its files", b2.MovedDB)
	}
	if b2.log.find("moved aside", b2.MovedDB) == "" {
		t.Fatal("the move was not logged")
	}
	if b2.Net.ID() != idB {
		t.Fatalf("resync changed the node's identity: %s, was %s", b2.Net.ID(), idB)
	}
	faultWait(t, "the resynced node to reach A's tip and digest", 30*time.Second, func() bool { return faultSameTip(a, b2) })
	replayMatches(t, b2.Node)
	blk, err := a.MineOne(ctx, core.Address{})
	if err != nil {
		t.Fatal(err)
	}
	faultWait(t, "the resynced node to follow A", 20*time.Second, func() bool { return b2.Chain.TipHash() == blk.Hash() })
}

func faultCopyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "data")
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, out)
	}
	return dst
}

func faultNewest(t *testing.T, dir, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(m) == 0 {
		t.Fatalf("no %s in %s", pattern, dir)
	}
	sort.Strings(m)
	return m[len(m)-1]
}

func faultRemove(t *testing.T, dir, pattern string) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(m) == 0 {
		t.Fatalf("no %s in %s", pattern, dir)
	}
	for _, f := range m {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
}

func faultTruncate(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, st.Size()/2); err != nil {
		t.Fatal(err)
	}
}

// faultGarble flips 16 bytes of path at the given fraction of its length
// (0: its first block).
func faultGarble(t *testing.T, path string, at float64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := int(float64(len(data)) * at)
	if off == 0 {
		off = 10
	}
	for i := off; i < off+16 && i < len(data); i++ {
		data[i] ^= 0x5a
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// ---------------------------------------------------------------- full disk

// fullDisk is how a test fills and frees a small disk.
type fullDisk struct {
	dir     string             // the data directory, on the small disk
	options func(*Config)      // applied to every start
	free    func(t *testing.T) // frees space
	// squeeze leaves half the reserve free: after a refused commit, what
	// Pebble gives back by itself (a flushed memtable's log, ~1 MiB) then
	// cannot reach the 1.5 reserves at which writes resume, so the next
	// write is refused for sure (without it a probe tx was sometimes
	// written, rightly, and acknowledged).
	squeeze func(t *testing.T)
}

const (
	fullDiskReserve  = 4 << 20 // MinFreeDisk in the tests
	fullDiskMemtable = 1 << 20 // small memtables: a commit takes at most ~2 MiB past the check
)

// TestFullDiskTmpfs puts the data directory on a 16 MiB tmpfs (needs root
// and mount(2); skipped otherwise, TestFullDiskInjected covers the same
// with an injected disk), leaves a few MiB free with a filler file, and
// fills the rest with a mining node under tx load.
func TestFullDiskTmpfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root (TestFullDiskInjected covers a full disk without it)")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("mount -t tmpfs refused (%v: %s); TestFullDiskInjected covers a full disk without it", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", mnt, err, out)
		}
	})
	dir := filepath.Join(mnt, "data")
	filler := filepath.Join(mnt, "filler")
	runFullDisk(t, fullDisk{
		dir: dir,
		options: func(c *Config) {
			c.storeOptions = func(o *pebble.Options) { o.MemTableBytes = fullDiskMemtable }
		},
		free: func(t *testing.T) {
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
		},
		squeeze: func(t *testing.T) {
			var st syscall.Statfs_t
			if err := syscall.Statfs(mnt, &st); err != nil {
				t.Fatal(err)
			}
			grow := int64(st.Bavail)*int64(st.Bsize) - fullDiskReserve/2
			if grow <= 0 {
				return
			}
			f, err := os.OpenFile(filler, os.O_WRONLY|os.O_APPEND, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.Write(make([]byte, grow)); err != nil {
				t.Fatal(err)
			}
		},
	}, func(t *testing.T) {
		// Leave the reserve and 2 MiB for the node to fill.
		var st syscall.Statfs_t
		if err := syscall.Statfs(mnt, &st); err != nil {
			t.Fatal(err)
		}
		avail := int64(st.Bavail) * int64(st.Bsize)
		size := avail - fullDiskReserve - 2<<20
		if size <= 0 {
			t.Fatalf("only %d bytes free on the tmpfs", avail)
		}
		if err := os.WriteFile(filler, make([]byte, size), 0o600); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFullDiskInjected is the full-disk test on a disk simulated by the
// store's file system (pebble.LimitedFS): it always runs.
func TestFullDiskInjected(t *testing.T) {
	dir := t.TempDir()
	var fs *pebble.LimitedFS
	runFullDisk(t, fullDisk{
		dir: dir,
		options: func(c *Config) {
			c.storeOptions = func(o *pebble.Options) {
				o.MemTableBytes = fullDiskMemtable
				if fs == nil {
					fs = pebble.NewLimitedFS(nil, 1<<40)
				}
				o.FS = fs
			}
		},
		free:    func(*testing.T) { fs.SetCapacity(1 << 40) },
		squeeze: func(*testing.T) { fs.SetCapacity(fs.Used() + fullDiskReserve/2) },
	}, func(*testing.T) {
		// The disk: what the node holds now, the reserve and 2 MiB.
		fs.SetCapacity(fs.Used() + fullDiskReserve + 2<<20)
	})
}

// runFullDisk starts a mining node on d.dir, calls shrink to leave little
// space, and loads it with txs until the disk is full. Then: block commits
// fail with a clear logged error and the chain stays at its last stored
// block, the miner backs off, tx submissions and GET /mine answer 503
// unavailable (not 500, no panic), reads work. Once d.free frees space the
// node writes again; restarted, it opens at a consistent tip (its chain
// replays to the same digest), has every acknowledged tx, and mines on.
func runFullDisk(t *testing.T, d fullDisk, shrink func(t *testing.T)) {
	g := faultGenesis(2*time.Second, 200)
	cfg := Config{DataDir: d.dir, Genesis: g, APIAddr: "127.0.0.1:0", Mine: true, Threads: 1, MinFreeDisk: fullDiskReserve}
	cfg.MinerAddress = faultKey(0).Addr
	d.options(&cfg)
	n := startFault(t, cfg)
	faultWait(t, "the first blocks", 20*time.Second, func() bool { return n.Chain.Tip().Height >= 3 })
	shrink(t)

	load := newTxLoad(n)
	loadCtx, stopLoad := context.WithCancel(context.Background())
	loadDone := make(chan struct{})
	go func() { defer close(loadDone); load.run(loadCtx) }()
	defer func() { stopLoad(); <-loadDone }()

	// The disk fills: a block fails to commit, the API refuses a tx (from
	// a sender the load does not use, whose queue is not full) with 503.
	faultWait(t, "a block commit refused", 60*time.Second, func() bool {
		return n.log.count("the database refuses writes", "block not stored") > 0
	})
	// A refused block does not stop smaller writes while they fit: the
	// pool may have written a batch since, and a probe tx then is rightly
	// written and acknowledged. Squeezed below the reserve, the disk takes
	// no write at all; the probes go on (next nonce) until one is refused.
	d.squeeze(t)
	var refused wire.Problem
	probe := uint64(0)
	faultWait(t, "a tx refused on the full disk", 20*time.Second, func() bool {
		tx := faultKey(faultKeys-1).Transfer(faultChainID, core.Address{9}, 1, 10, probe)
		body, _ := json.Marshal(wire.TxSubmit{Raw: hex.EncodeToString(tx.Encode())})
		resp, err := http.Post(n.APIURL()+"/api/v1/txs", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusAccepted {
			probe++
			return false
		}
		if err := json.Unmarshal(out, &refused); err != nil {
			t.Fatalf("tx on a full disk: %d %s", resp.StatusCode, out)
		}
		return true
	})
	if p := refused; p.Status != http.StatusServiceUnavailable || p.Code != wire.CodeUnavailable || !strings.Contains(p.Detail, "disk full") {
		t.Fatalf("tx on a full disk: %+v", p)
	}
	if p := load.refused.Load(); p != nil && (p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Detail, "disk full")) {
		t.Fatalf("a tx of the load refused with %+v", *p)
	}
	if l := n.log.find("the database refuses writes: the chain stays"); !strings.Contains(l, "free disk space") || !strings.Contains(l, d.dir) {
		t.Fatalf("the log does not say what is wrong and where: %s", l)
	}
	if n.log.find("ERROR disk full", d.dir) == "" {
		t.Fatal("the store did not log the full disk")
	}
	// The chain stays at its last block while the miner retries and backs off.
	stuck := n.Chain.Tip()
	fails := n.log.count("mining round failed", "disk full")
	faultWait(t, "the miner to retry", 20*time.Second, func() bool {
		return n.log.count("mining round failed", "disk full") >= fails+1
	})
	if tip := n.Chain.Tip(); tip.Hash != stuck.Hash {
		t.Fatalf("the tip moved from %d to %d on a full disk", stuck.Height, tip.Height)
	}
	// Reads work; GET /mine and a tx answer 503.
	var st wire.Status
	getJSON(t, n.APIURL()+"/api/v1/status", &st)
	if st.Height != stuck.Height {
		t.Fatalf("status: height %d, want %d", st.Height, stuck.Height)
	}
	var blk json.RawMessage
	getJSON(t, fmt.Sprintf("%s/api/v1/blocks/%d", n.APIURL(), stuck.Height), &blk)
	req, _ := http.NewRequest(http.MethodGet, n.APIURL()+"/mine", nil)
	req.Header.Set("Authorization", "Bearer "+n.Token)
	if p := doProblem(t, req); p.Status != http.StatusServiceUnavailable || p.Code != wire.CodeUnavailable {
		t.Fatalf("GET /mine on a full disk: %+v", p)
	}
	if l := n.log.find("panic"); l != "" {
		t.Fatalf("logged a panic: %s", l)
	}
	t.Logf("full at height %d with %d txs acknowledged", stuck.Height, len(load.ackedIDs()))

	// Free space: the node writes again without a restart.
	d.free(t)
	faultWait(t, "blocks after space was freed", 30*time.Second, func() bool { return n.Chain.Tip().Height > stuck.Height+1 })
	stopLoad()
	<-loadDone
	acked := load.ackedIDs()
	n.stop()

	// Restarted, it opens at a consistent tip with every acknowledged tx,
	// and mines on.
	n2 := startFault(t, cfg)
	replayMatches(t, n2.Node)
	lost := 0
	for _, id := range acked {
		if !n2.Pool.Has(id) {
			if _, err := n2.Chain.Tx(id); err != nil {
				lost++
			}
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged txs lost", lost, len(acked))
	}
	h := n2.Chain.Tip().Height
	faultWait(t, "mining after the restart", 30*time.Second, func() bool { return n2.Chain.Tip().Height >= h+2 })
}

// doProblem sends req and decodes a problem answer.
func doProblem(t *testing.T, req *http.Request) wire.Problem {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p wire.Problem
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &p); err != nil || p.Status != resp.StatusCode {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, body)
	}
	return p
}

// txLoad submits batches of txs from the funded keys through the
// API, remembering the acknowledged ones, until the node refuses one as
// unavailable (it keeps going after that, for the restart check).
type txLoad struct {
	n       *faultNode
	mu      sync.Mutex
	acked   []core.Hash
	refused atomic.Pointer[wire.Problem]
}

func newTxLoad(n *faultNode) *txLoad { return &txLoad{n: n} }

func (l *txLoad) ackedIDs() []core.Hash {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]core.Hash(nil), l.acked...)
}

func (l *txLoad) run(ctx context.Context) {
	memo := bytes.Repeat([]byte("full disk "), 25) // 250 bytes: fills faster
	pace := time.NewTicker(30 * time.Millisecond)  // under the API's POST rate limit
	defer pace.Stop()
	for ctx.Err() == nil {
		var items []wire.TxSubmit
		var ids []core.Hash
		for k := 0; k < faultKeys-1; k++ { // the last key is the test's
			key := faultKey(k)
			_, nonce, err := l.n.Pool.PendingState(key.Addr)
			if err != nil {
				continue
			}
			for i := uint64(0); i < 4; i++ {
				tx := key.Sign(&core.Tx{Version: core.TxVersion, ChainID: faultChainID, To: core.Address{byte(k), 1}, Amount: 1, Fee: 10, Nonce: nonce + i, Memo: memo})
				items = append(items, wire.TxSubmit{Raw: hex.EncodeToString(tx.Encode())})
				ids = append(ids, tx.ID())
			}
		}
		body, _ := json.Marshal(items)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, l.n.APIURL()+"/api/v1/txs/batch", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			var res []wire.BatchResult
			if resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&res) == nil && len(res) == len(ids) {
				l.mu.Lock()
				for i, r := range res {
					switch {
					case r.Error == nil:
						l.acked = append(l.acked, ids[i])
					case r.Error.Code == wire.CodeUnavailable:
						p := *r.Error
						l.refused.CompareAndSwap(nil, &p)
					}
				}
				l.mu.Unlock()
			}
			resp.Body.Close()
		}
		select {
		case <-ctx.Done():
		case <-pace.C:
		}
	}
}
