package pebble

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
	"github.com/cairn-chain/cairn/store/storetest"
)

// crashDirEnv names the store directory of the crash child process; the
// child runs only when it is set.
const crashDirEnv = "CAIRN_STORE_CRASH_CHILD_DIR"

// crashBlock is the deterministic block at height h of the crash test's
// chain (parents are not checked: the store does not validate).
func crashBlock(h uint64) *core.Block {
	return storetest.Block(h, core.Sum(fmt.Appendf(nil, "%d", h)), int(h%3))
}

// TestCrashChild is the child of TestKillDuringCommits, run by re-executing
// the test binary: it extends the chain in dir from its tip, one synced
// batch per block, printing "committed <height>" after each Commit returns,
// until it is killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process of TestKillDuringCommits")
	}
	kv, err := Open(dir, Options{CacheBytes: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.New(kv)
	if err != nil {
		t.Fatal(err)
	}
	next := uint64(0)
	if tip, ok, err := db.Tip(); err != nil {
		t.Fatal(err)
	} else if ok {
		next = tip.Height + 1
	}
	for h := next; h < next+1_000_000; h++ { // bounded, in case no one kills us
		blk := crashBlock(h)
		b := db.NewBatch()
		writeBlock(b, blk)
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("committed %d\n", h)
	}
}

// writeBlock adds everything block blk changes to b.
func writeBlock(b *store.Batch, blk *core.Block) {
	h, height := blk.Hash(), blk.Header.Height
	b.PutBlock(blk)
	b.SetHashAt(height, h)
	for i, tx := range blk.Txs {
		b.PutTxLoc(tx.ID(), store.TxLoc{BlockHash: h, Height: height, Index: uint32(i)})
	}
	b.SetAccount(storetest.Addr(height), core.Account{Balance: height + 1, Nonce: height})
	b.PutAddressTx(storetest.Addr(0), store.AddrTx{Height: height, ID: h})
	b.PutUndo(h, fmt.Appendf(nil, "undo %d", height))
	b.SetTip(store.Tip{Hash: h, Height: height, State: fmt.Appendf(nil, "state %d", height)})
}

// TestKillDuringCommits SIGKILLs a child process that is committing blocks,
// then reopens its store: every batch the child reported committed must be
// there, whole, and nothing of a batch past the tip. Two rounds, so the
// second child also recovers from a killed store.
func TestKillDuringCommits(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	dir := t.TempDir()
	reported := int64(-1)
	for round := range 2 {
		target := reported + 50
		reported = runAndKill(t, dir, target)
		if reported < target {
			t.Fatalf("round %d: child reported height %d, want at least %d", round, reported, target)
		}
		checkChain(t, dir, uint64(reported))
	}
}

// runAndKill runs the child on dir and SIGKILLs it once it reports height
// target; it returns the last height the child reported.
func runAndKill(t *testing.T, dir string, target int64) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	last := int64(-1)
	killed := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		s, ok := strings.CutPrefix(sc.Text(), "committed ")
		if !ok {
			continue
		}
		h, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("child printed %q", sc.Text())
		}
		last = h
		if h >= target && !killed {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL, mid-commit most likely
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("child did not reach height %d in time (last %d)", target, last)
	}
	var exit *exec.ExitError
	if !killed || !errors.As(err, &exit) || exit.ExitCode() != -1 {
		t.Fatalf("child ended with %v (killed: %v, last height %d)", err, killed, last)
	}
	return last
}

// checkChain reopens dir and checks the chain is whole up to its tip,
// which is at or past reported.
func checkChain(t *testing.T, dir string, reported uint64) {
	t.Helper()
	kv, err := Open(dir, Options{CacheBytes: 8 << 20})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer kv.Close()
	db, err := store.New(kv)
	if err != nil {
		t.Fatal(err)
	}
	tip, ok, err := db.Tip()
	if err != nil || !ok {
		t.Fatalf("tip after kill: %v, %v", ok, err)
	}
	// The child may have committed one more batch than it printed.
	if tip.Height != reported && tip.Height != reported+1 {
		t.Fatalf("tip at height %d, the child reported %d committed", tip.Height, reported)
	}
	if want := crashBlock(tip.Height).Hash(); tip.Hash != want || string(tip.State) != fmt.Sprintf("state %d", tip.Height) {
		t.Fatalf("tip %+v is not block %d's", tip, tip.Height)
	}
	for h := uint64(0); h <= tip.Height; h++ {
		blk := crashBlock(h)
		if got, err := db.HashAt(h); err != nil || got != blk.Hash() {
			t.Fatalf("HashAt(%d) = %s, %v", h, got, err)
		}
		if _, err := db.Block(blk.Hash()); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		for i, tx := range blk.Txs {
			if loc, err := db.TxLoc(tx.ID()); err != nil || loc.Height != h || loc.Index != uint32(i) {
				t.Fatalf("tx %d of block %d: %+v, %v", i, h, loc, err)
			}
		}
		if acct, err := db.Account(storetest.Addr(h)); err != nil || acct.Balance != h+1 {
			t.Fatalf("account of block %d: %+v, %v", h, acct, err)
		}
		if undo, err := db.Undo(blk.Hash()); err != nil || string(undo) != fmt.Sprintf("undo %d", h) {
			t.Fatalf("undo of block %d: %q, %v", h, undo, err)
		}
	}
	// Nothing of a later batch.
	if _, err := db.HashAt(tip.Height + 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("HashAt(tip+1): %v, want ErrNotFound", err)
	}
	if _, err := db.Block(crashBlock(tip.Height + 1).Hash()); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("block tip+1: %v, want ErrNotFound", err)
	}
	txs, err := db.AddressTxs(storetest.Addr(0), nil, int(tip.Height)+10)
	if err != nil || uint64(len(txs)) != tip.Height+1 || txs[0].Height != tip.Height {
		t.Fatalf("address history: %d entries, %v; want %d, newest at the tip", len(txs), err, tip.Height+1)
	}
}
