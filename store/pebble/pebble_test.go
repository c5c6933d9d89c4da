package pebble

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"testing"

	pebbledb "github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
	"github.com/cairn-chain/cairn/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.KV {
		kv, err := Open(t.TempDir(), Options{CacheBytes: 8 << 20})
		if err != nil {
			t.Fatal(err)
		}
		return kv
	})
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	kv, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	tests := []struct {
		name string
		dir  string
		opts Options
		want string
	}{
		{"directory locked by an open store", dir, Options{}, dir},
		{"negative cache", t.TempDir(), Options{CacheBytes: -1}, "CacheBytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv2, err := Open(tc.dir, tc.opts)
			if err == nil {
				kv2.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %q", err, tc.want)
			}
		})
	}
}

// TestReopen: data committed and closed cleanly is there after reopening.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	kv, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.New(kv)
	if err != nil {
		t.Fatal(err)
	}
	blk := storetest.Block(3, core.Hash{}, 2)
	b := db.NewBatch()
	b.PutBlock(blk)
	b.SetTip(store.Tip{Hash: blk.Hash(), Height: 3, State: []byte("s")})
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	kv, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db, err = store.New(kv)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if tip, ok, err := db.Tip(); err != nil || !ok || tip.Hash != blk.Hash() || string(tip.State) != "s" {
		t.Fatalf("Tip after reopen = %+v, %v, %v", tip, ok, err)
	}
	if _, err := db.Block(blk.Hash()); err != nil {
		t.Fatal(err)
	}
}

// TestSyncedCommitSurvivesPowerLoss simulates a power cut with a file
// system that keeps only synced data: every committed batch must survive,
// so Commit must sync the WAL. The control case shows that the simulation
// does lose unsynced writes.
func TestSyncedCommitSurvivesPowerLoss(t *testing.T) {
	fs := vfs.NewCrashableMem()
	kv, err := open("db", Options{CacheBytes: 1 << 20}, fs)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.New(kv)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	for i := range uint64(n) {
		b := db.NewBatch()
		b.SetAccount(storetest.Addr(i), core.Account{Balance: i + 1})
		b.SetTip(store.Tip{Height: i})
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	// Control: a write through Pebble without sync.
	if err := kv.db.Set([]byte("unsynced"), []byte("x"), pebbledb.NoSync); err != nil {
		t.Fatal(err)
	}
	crashed := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 0})
	if err := kv.Close(); err != nil {
		t.Fatal(err)
	}

	kv2, err := open("db", Options{CacheBytes: 1 << 20}, crashed)
	if err != nil {
		t.Fatalf("open after power loss: %v", err)
	}
	defer kv2.Close()
	db2, err := store.New(kv2)
	if err != nil {
		t.Fatal(err)
	}
	tip, ok, err := db2.Tip()
	if err != nil || !ok || tip.Height != n-1 {
		t.Fatalf("tip after power loss = %+v, %v, %v; want height %d", tip, ok, err, n-1)
	}
	for i := range uint64(n) {
		if acct, err := db2.Account(storetest.Addr(i)); err != nil || acct.Balance != i+1 {
			t.Fatalf("account %d after power loss = %+v, %v", i, acct, err)
		}
	}
	if _, err := kv2.Get([]byte("unsynced")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("control: the unsynced write survived (%v): the simulation proves nothing", err)
	}
}

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	a := slogAdapter{slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	a.Infof("flushed %d tables", 3)
	a.Errorf("background error: %s", "disk full")
	out := buf.String()
	for _, want := range []string{"level=INFO msg=pebble", `detail="flushed 3 tables"`, "level=ERROR", "disk full"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "corrupt sstable") {
			t.Errorf("Fatalf recovered %v, want a panic naming the failure", r)
		}
	}()
	a.Fatalf("corrupt sstable %d", 7)
}

// TestLoggers: an injected logger receives Pebble's lines (a reopen logs
// its WAL replay); with no Logger, nothing reaches Pebble's default logger
// (the standard library's log package, i.e. stderr).
func TestLoggers(t *testing.T) {
	reopen := func(t *testing.T, opts Options) {
		dir := t.TempDir()
		for range 2 {
			kv, err := Open(dir, opts)
			if err != nil {
				t.Fatal(err)
			}
			b := kv.NewBatch()
			b.Set([]byte("k"), []byte("v"))
			if err := b.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := kv.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Run("injected", func(t *testing.T) {
		var buf bytes.Buffer
		reopen(t, Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
		if !strings.Contains(buf.String(), "msg=pebble") || !strings.Contains(buf.String(), "WAL") {
			t.Errorf("injected logger got %q, want Pebble's WAL lines", buf.String())
		}
	})
	t.Run("quiet by default", func(t *testing.T) {
		var buf bytes.Buffer
		prev := log.Writer()
		log.SetOutput(&buf)
		t.Cleanup(func() { log.SetOutput(prev) })
		reopen(t, Options{})
		if buf.Len() != 0 {
			t.Errorf("the default logger wrote %q", buf.String())
		}
	})
}

// TestMemTableSize: the default free-space reserve covers flushing
// memtables larger than Pebble's 4 MiB.
func TestMemTableSize(t *testing.T) {
	for _, c := range []struct {
		mem, reserve int64
	}{{0, 64 << 20}, {16 << 20, 64 << 20}, {32 << 20, 128 << 20}} {
		k, err := Open(t.TempDir(), Options{CacheBytes: 8 << 20, MemTableBytes: c.mem})
		if err != nil {
			t.Fatal(err)
		}
		kv := k.(*kv)
		if kv.minFree != c.reserve {
			t.Errorf("memtables of %d bytes: reserve %d, want %d", c.mem, kv.minFree, c.reserve)
		}
		k.Close()
	}
}
