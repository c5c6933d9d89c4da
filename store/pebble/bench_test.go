package pebble

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
	"github.com/cairn-chain/cairn/store/storetest"
)

// benchDB opens a DB in a temporary directory.
func benchDB(b *testing.B) (*DB2, string) {
	b.Helper()
	dir := b.TempDir()
	k, err := open(dir, Options{}, vfs.Default)
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.New(k)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return &DB2{DB: db, kv: k}, dir
}

// DB2 is a DB with its Pebble KV, for raw reference measurements.
type DB2 struct {
	*store.DB
	kv *kv
}

// fsyncRate measures the machine's limit for synced commits: appending
// size bytes to a file in dir and fsyncing it, per second.
func fsyncRate(b *testing.B, dir string, size int) float64 {
	b.Helper()
	f, err := os.Create(filepath.Join(dir, "fsync-probe"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, size)
	const n = 300
	start := time.Now()
	for range n {
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
	return n / time.Since(start).Seconds()
}

// BenchmarkCommit1000Accounts commits batches of 1,000 account writes, each
// a synced Pebble batch. Metrics: writes/s, and commits/s as a fraction of
// the machine's raw write+fsync rate for the same number of bytes
// (commit/fsync: 1.0 would be the disk's limit).
func BenchmarkCommit1000Accounts(b *testing.B) {
	db, dir := benchDB(b)
	const perBatch = 1000
	// ~ the batch's WAL record: key (21) + value (16) + per-entry overhead.
	limit := fsyncRate(b, dir, perBatch*(21+16+4))
	rng := rand.New(rand.NewPCG(1, 1))
	addrs := make([]core.Address, 1<<16)
	for i := range addrs {
		addrs[i] = storetest.Addr(rng.Uint64())
	}
	b.ReportAllocs()
	commits := 0
	for b.Loop() {
		batch := db.NewBatch()
		for i := range perBatch {
			batch.SetAccount(addrs[(commits*perBatch+i)%len(addrs)], core.Account{Balance: uint64(commits + 1), Nonce: uint64(i)})
		}
		if err := batch.Commit(); err != nil {
			b.Fatal(err)
		}
		commits++
	}
	rate := float64(commits) / b.Elapsed().Seconds()
	b.ReportMetric(rate*perBatch, "writes/s")
	b.ReportMetric(rate/limit, "commit/fsync")
	b.ReportMetric(limit*perBatch, "fsync-limit-writes/s")
}

// BenchmarkAccountRead reads random accounts out of 100,000 (all in the
// 256 MiB cache after warm-up). Metrics: reads/s, and the rate as a
// fraction of a raw Pebble Get of the same keys in the same run
// (read/raw-get: the cost of the store and decoding layers).
func BenchmarkAccountRead(b *testing.B) {
	db, _ := benchDB(b)
	const n = 100_000
	addrs := make([]core.Address, n)
	for i := range addrs {
		addrs[i] = storetest.Addr(uint64(i) * 0x9e3779b97f4a7c15)
	}
	for i := 0; i < n; i += 1000 {
		batch := db.NewBatch()
		for _, a := range addrs[i : i+1000] {
			batch.SetAccount(a, core.Account{Balance: 1, Nonce: 2})
		}
		if err := batch.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.kv.db.Flush(); err != nil { // read from sstables, not the memtable
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(2, 2))
	keys := make([][]byte, 1<<14)
	for i := range keys {
		a := addrs[rng.IntN(n)]
		keys[i] = append([]byte{'a'}, a[:]...) // the account key (see store/schema.go)
	}
	// Raw reference: Pebble Get of the same keys, copying the value.
	const probes = 200_000
	start := time.Now()
	for i := range probes {
		v, closer, err := db.kv.db.Get(keys[i%len(keys)])
		if err != nil || len(v) != core.AccountSize {
			b.Fatalf("raw get: %d bytes, %v", len(v), err)
		}
		_ = append([]byte(nil), v...)
		closer.Close()
	}
	raw := probes / time.Since(start).Seconds()

	b.ReportAllocs()
	reads := 0
	for b.Loop() {
		a := addrs[rng.IntN(n)]
		acct, err := db.Account(a)
		if err != nil || acct.Balance != 1 {
			b.Fatalf("Account: %+v, %v", acct, err)
		}
		reads++
	}
	rate := float64(reads) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "reads/s")
	b.ReportMetric(rate/raw, "read/raw-get")
}
