package pebble

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
)

// buildDamageDB writes a store with two flushed sstables and more data in
// the WAL, closes it, and returns its directory.
func buildDamageDB(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	k, err := open(dir, Options{CacheBytes: 8 << 20}, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.New(k)
	if err != nil {
		t.Fatal(err)
	}
	for h := uint64(0); h < 900; h++ {
		b := db.NewBatch()
		writeBlock(b, crashBlock(h))
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
		if h == 300 || h == 600 {
			if err := k.db.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyDir copies the regular files of src into a new directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "db")
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// largest returns the biggest file of dir matching pattern.
func largest(t *testing.T, dir, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(m) == 0 {
		t.Fatalf("no %s in %s", pattern, dir)
	}
	sort.Slice(m, func(i, j int) bool { return size(t, m[i]) > size(t, m[j]) })
	return m[0]
}

// newest returns the file of dir matching pattern with the highest
// number (Pebble's file names are zero-padded numbers).
func newest(t *testing.T, dir, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(m) == 0 {
		t.Fatalf("no %s in %s", pattern, dir)
	}
	sort.Strings(m)
	return m[len(m)-1]
}

func size(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// garble flips n bytes of path at off (negative: from the end).
func garble(t *testing.T, path string, off int64, n int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		off += int64(len(data))
	}
	for i := off; i < off+int64(n) && i < int64(len(data)); i++ {
		data[i] ^= 0x5a
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func manifestOf(t *testing.T, dir string) string {
	t.Helper()
	name, err := currentManifest(vfs.Default, dir)
	if err != nil || name == "" {
		t.Fatalf("no current MANIFEST in %s: %v", dir, err)
	}
	return filepath.Join(dir, name)
}

// TestOpenDamaged damages a closed store's files in each way an operator
// or a failing disk might, and checks that Open refuses it with an error
// wrapping ErrDamaged and store.ErrCorrupt that names the directory and
// what is wrong, instead of panicking or silently opening an older or
// empty database.
func TestOpenDamaged(t *testing.T) {
	base := buildDamageDB(t)
	cases := []struct {
		name   string
		damage func(t *testing.T, dir string)
		want   string // in the error
	}{
		{"MANIFEST deleted", func(t *testing.T, dir string) { rm(t, manifestOf(t, dir)) }, "MANIFEST"},
		{"MANIFEST marker deleted", func(t *testing.T, dir string) {
			m, _ := filepath.Glob(filepath.Join(dir, "marker.manifest.*"))
			for _, f := range m {
				rm(t, f)
			}
		}, "does not exist"},
		{"MANIFEST truncated", func(t *testing.T, dir string) {
			p := manifestOf(t, dir)
			if err := os.Truncate(p, size(t, p)/2); err != nil {
				t.Fatal(err)
			}
		}, "truncated"},
		{"MANIFEST garbled", func(t *testing.T, dir string) {
			p := manifestOf(t, dir)
			garble(t, p, size(t, p)/2, 8)
		}, "overwritten"},
		{"sstable deleted", func(t *testing.T, dir string) { rm(t, largest(t, dir, "*.sst")) }, "does not exist"},
		{"sstable truncated", func(t *testing.T, dir string) {
			p := largest(t, dir, "*.sst")
			if err := os.Truncate(p, size(t, p)/2); err != nil {
				t.Fatal(err)
			}
		}, "size mismatch"},
		{"sstable garbled at its start", func(t *testing.T, dir string) { garble(t, largest(t, dir, "*.sst"), 10, 16) }, "checksum"},
		{"sstable garbled at its footer", func(t *testing.T, dir string) { garble(t, largest(t, dir, "*.sst"), -40, 16) }, ".sst"},
		{"WAL garbled", func(t *testing.T, dir string) { garble(t, newest(t, dir, "*.log"), 100, 16) }, "WAL"},
		{"files but no database", func(t *testing.T, dir string) {
			for _, p := range []string{"MANIFEST-*", "marker.*", "OPTIONS-*"} {
				m, _ := filepath.Glob(filepath.Join(dir, p))
				for _, f := range m {
					rm(t, f)
				}
			}
		}, "does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, base)
			tc.damage(t, dir)
			kv, err := Open(dir, Options{CacheBytes: 8 << 20})
			if err == nil {
				kv.Close()
				t.Fatal("opened a damaged database")
			}
			if !errors.Is(err, ErrDamaged) || !errors.Is(err, store.ErrCorrupt) {
				t.Fatalf("error %q does not wrap ErrDamaged and store.ErrCorrupt", err)
			}
			if msg := err.Error(); !strings.Contains(msg, dir) || !strings.Contains(msg, tc.want) {
				t.Fatalf("error %q does not name %s and %q", msg, dir, tc.want)
			}
		})
	}
	t.Run("control: an intact copy opens with all its data", func(t *testing.T) {
		dir := copyDir(t, base)
		kv, err := Open(dir, Options{CacheBytes: 8 << 20})
		if err != nil {
			t.Fatal(err)
		}
		defer kv.Close()
		db, err := store.New(kv)
		if err != nil {
			t.Fatal(err)
		}
		if tip, ok, err := db.Tip(); err != nil || !ok || tip.Height != 899 {
			t.Fatalf("tip %+v %v %v", tip, ok, err)
		}
		// A locked directory is not damage: no advice to rebuild it.
		_, err = Open(dir, Options{CacheBytes: 8 << 20})
		if err == nil || errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), dir) {
			t.Fatalf("second open of a locked directory: %v", err)
		}
	})
}

func rm(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

// TestCorruptionAtRuntime garbles a data block in the middle of a table,
// which no check at open reads: Pebble meets it in a read or a
// compaction. Pebble's default is to exit the process; the store must
// instead report ErrDamaged (at open if a compaction met it first, else
// from the read) and refuse writes, without panicking.
func TestCorruptionAtRuntime(t *testing.T) {
	dir := copyDir(t, buildDamageDB(t))
	p := largest(t, dir, "*.sst")
	garble(t, p, size(t, p)/2, 16)
	kv, err := Open(dir, Options{CacheBytes: 8 << 20})
	if err != nil {
		if !errors.Is(err, ErrDamaged) {
			t.Fatalf("open: %v, want ErrDamaged", err)
		}
		t.Logf("found at open: %v", err)
		return
	}
	defer kv.Close()
	var readErr error
	for h := uint64(0); h < 900 && readErr == nil; h++ {
		_, readErr = kv.Get(blockKeyOf(h))
	}
	if readErr == nil {
		readErr = kv.Iterate(nil, nil, false, func(_, _ []byte) (bool, error) { return true, nil })
	}
	t.Logf("found by a read: %v", readErr)
	if !errors.Is(readErr, ErrDamaged) || !strings.Contains(readErr.Error(), dir) {
		t.Fatalf("reading the damaged table: %v, want ErrDamaged naming %s", readErr, dir)
	}
	b := kv.NewBatch()
	b.Set([]byte("k"), []byte("v"))
	if err := b.Commit(); !errors.Is(err, ErrDamaged) {
		t.Fatalf("commit on a damaged store: %v, want ErrDamaged", err)
	}
}

// blockKeyOf returns the store key of crash block h's body.
func blockKeyOf(h uint64) []byte {
	id := crashBlock(h).Hash()
	return append([]byte{'b'}, id[:]...)
}

// fill commits blocks from height h on until Commit fails, returning the
// error and the next height (the first one not acknowledged).
func fill(t *testing.T, db *store.DB, h uint64, limit uint64) (uint64, error) {
	t.Helper()
	for ; h < limit; h++ {
		id := core.Sum(fmt.Appendf(nil, "%d", h))
		// 16 KiB that do not compress, as raw undo data.
		blob := make([]byte, 0, 16<<10)
		for x := id; len(blob) < 16<<10; x = core.Sum(x[:]) {
			blob = append(blob, x[:]...)
		}
		b := db.NewBatch()
		b.SetHashAt(h, id)
		b.PutUndo(id, blob)
		b.SetTip(store.Tip{Hash: id, Height: h, State: []byte("s")})
		if err := b.Commit(); err != nil {
			return h, err
		}
	}
	return h, nil
}

// TestDiskFullGuard fills a 12 MiB disk (a LimitedFS) until the store
// refuses writes: Commit must fail with ErrDiskFull before the disk is
// full (Pebble never meets ENOSPC), reads keep working, writes resume as
// soon as space is freed, and a reopen finds every acknowledged batch.
func TestDiskFullGuard(t *testing.T) {
	const capacity, reserve = 12 << 20, 4 << 20
	fs := NewLimitedFS(vfs.NewMem(), capacity)
	opts := Options{CacheBytes: 8 << 20, FS: fs, MinFreeBytes: reserve, MemTableBytes: 1 << 20}
	kv, err := Open("db", opts)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.New(kv)
	if err != nil {
		t.Fatal(err)
	}
	next, err := fill(t, db, 0, 1_000_000)
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "db") || !strings.Contains(err.Error(), "free") {
		t.Fatalf("commit on a full disk after %d batches: %v, want ErrDiskFull naming the directory", next, err)
	}
	if next < 100 {
		t.Fatalf("only %d batches fit", next)
	}
	if u, _ := fs.GetDiskUsage("db"); int64(u.AvailBytes) < reserve/2 {
		t.Fatalf("only %d bytes left: the guard let Pebble near the end of the disk", u.AvailBytes)
	}
	if tip, ok, err := db.Tip(); err != nil || !ok || tip.Height != next-1 {
		t.Fatalf("reading on a full disk: tip %+v %v %v, want height %d", tip, ok, err, next-1)
	}
	// Free space: writes resume without a reopen.
	fs.SetCapacity(capacity + 16<<20)
	if _, err := fill(t, db, next, next+10); err != nil {
		t.Fatalf("after freeing space: %v", err)
	}
	next += 10
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	kv, err = Open("db", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer kv.Close()
	db, _ = store.New(kv)
	if tip, ok, err := db.Tip(); err != nil || !ok || tip.Height != next-1 {
		t.Fatalf("after reopen: tip %+v %v %v, want height %d", tip, ok, err, next-1)
	}
	for h := uint64(0); h < next; h++ {
		if _, err := db.HashAt(h); err != nil {
			t.Fatalf("acknowledged batch %d lost: %v", h, err)
		}
	}
}

// TestWriteErrorIsNotFatal turns the free-space check off so that Pebble
// itself meets ENOSPC in its WAL, which it treats as fatal: the store must
// return an error wrapping ErrFailed instead of crashing the process,
// refuse later writes, close, and reopen (once space is freed) with every
// acknowledged batch and the failed one whole or absent.
func TestWriteErrorIsNotFatal(t *testing.T) {
	fs := NewLimitedFS(vfs.NewMem(), 2<<20)
	opts := Options{CacheBytes: 8 << 20, FS: fs, MinFreeBytes: -1}
	kv, err := Open("db", opts)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.New(kv)
	if err != nil {
		t.Fatal(err)
	}
	next, err := fill(t, db, 0, 1_000_000)
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("commit past the end of the disk after %d batches: %v, want ErrFailed", next, err)
	}
	if _, err2 := fill(t, db, next, next+1); !errors.Is(err2, ErrFailed) {
		t.Fatalf("commit after the failure: %v, want ErrFailed", err2)
	}
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	select {
	case <-closed:
	case <-time.After(20 * time.Second):
		t.Fatal("Close hung after a failed commit")
	}
	fs.SetCapacity(64 << 20)
	kv, err = Open("db", opts)
	if err != nil {
		t.Fatalf("reopen after freeing space: %v", err)
	}
	defer kv.Close()
	db, _ = store.New(kv)
	tip, ok, err := db.Tip()
	if err != nil || !ok || (tip.Height != next-1 && tip.Height != next) {
		t.Fatalf("after reopen: tip %+v %v %v, want height %d (or %d if the failed batch reached the disk)", tip, ok, err, next-1, next)
	}
	for h := uint64(0); h <= tip.Height; h++ {
		if _, err := db.HashAt(h); err != nil {
			t.Fatalf("batch %d: %v", h, err)
		}
	}
	if _, err := fill(t, db, tip.Height+1, tip.Height+5); err != nil {
		t.Fatalf("writing after the reopen: %v", err)
	}
}
