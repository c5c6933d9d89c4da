package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/cairn-chain/cairn/store"
)

type opener = func(t *testing.T) store.KV

func runKV(t *testing.T, open opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, opener)
	}{
		{"GetAbsent", testGetAbsent},
		{"SetGet", testSetGet},
		{"BatchAtomicity", testBatchAtomicity},
		{"LastWriteWins", testLastWriteWins},
		{"Delete", testDelete},
		{"Iterate", testIterate},
		{"IterateStop", testIterateStop},
		{"IterateIsolation", testIterateIsolation},
		{"NotAliased", testNotAliased},
		{"SingleUseBatch", testSingleUseBatch},
		{"Closed", testClosed},
		{"LargeValue", testLargeValue},
		{"Concurrent", testConcurrent},
		{"RandomOps", testRandomOps},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// put commits one batch setting pairs k0, v0, k1, v1, ...
func put(t *testing.T, kv store.KV, kvs ...string) {
	t.Helper()
	b := kv.NewBatch()
	for i := 0; i+1 < len(kvs); i += 2 {
		b.Set([]byte(kvs[i]), []byte(kvs[i+1]))
	}
	if err := b.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
}

// mustGet returns the value of key, failing the test on any error.
func mustGet(t *testing.T, kv store.KV, key string) string {
	t.Helper()
	v, err := kv.Get([]byte(key))
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return string(v)
}

// wantAbsent fails unless key is absent.
func wantAbsent(t *testing.T, kv store.KV, key string) {
	t.Helper()
	if v, err := kv.Get([]byte(key)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get(%q) = %q, %v; want ErrNotFound", key, v, err)
	}
}

// keys returns the keys Iterate visits.
func keys(t *testing.T, kv store.KV, prefix, start []byte, reverse bool) []string {
	t.Helper()
	var out []string
	err := kv.Iterate(prefix, start, reverse, func(k, _ []byte) (bool, error) {
		out = append(out, string(k))
		return true, nil
	})
	if err != nil {
		t.Fatalf("Iterate(%q, %q, %v): %v", prefix, start, reverse, err)
	}
	return out
}

func testGetAbsent(t *testing.T, open opener) {
	kv := open(t)
	wantAbsent(t, kv, "missing")
	wantAbsent(t, kv, "")
	put(t, kv, "a", "1")
	wantAbsent(t, kv, "a\x00")
	wantAbsent(t, kv, "")
}

func testSetGet(t *testing.T, open opener) {
	kv := open(t)
	tests := []struct{ key, value string }{
		{"k", "v"},
		{"empty value", ""},
		{"", "empty key"},
		{"\x00\xff binary", "\xff\x00"},
	}
	for _, tc := range tests {
		put(t, kv, tc.key, tc.value)
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.key), func(t *testing.T) {
			v, err := kv.Get([]byte(tc.key))
			if err != nil || string(v) != tc.value {
				t.Fatalf("Get(%q) = %q, %v; want %q", tc.key, v, err, tc.value)
			}
		})
	}
}

func testBatchAtomicity(t *testing.T, open opener) {
	kv := open(t)
	put(t, kv, "old", "1", "gone", "2")
	b := kv.NewBatch()
	b.Set([]byte("new1"), []byte("a"))
	b.Set([]byte("new2"), []byte("b"))
	b.Set([]byte("old"), []byte("changed"))
	b.Delete([]byte("gone"))
	if b.Len() != 4 {
		t.Errorf("Len = %d, want 4", b.Len())
	}
	// Nothing is visible before Commit.
	wantAbsent(t, kv, "new1")
	wantAbsent(t, kv, "new2")
	if got := mustGet(t, kv, "old"); got != "1" {
		t.Errorf("before Commit, old = %q, want 1", got)
	}
	if got := mustGet(t, kv, "gone"); got != "2" {
		t.Errorf("before Commit, gone = %q, want 2", got)
	}
	if got := keys(t, kv, nil, nil, false); !slices.Equal(got, []string{"gone", "old"}) {
		t.Errorf("before Commit, keys = %q", got)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, kv, nil, nil, false); !slices.Equal(got, []string{"new1", "new2", "old"}) {
		t.Errorf("after Commit, keys = %q", got)
	}
	if got := mustGet(t, kv, "old"); got != "changed" {
		t.Errorf("after Commit, old = %q", got)
	}
	// An empty batch commits.
	if err := kv.NewBatch().Commit(); err != nil {
		t.Errorf("empty batch: %v", err)
	}
}

func testLastWriteWins(t *testing.T, open opener) {
	kv := open(t)
	b := kv.NewBatch()
	b.Set([]byte("a"), []byte("1"))
	b.Set([]byte("a"), []byte("2"))
	b.Set([]byte("b"), []byte("1"))
	b.Delete([]byte("b"))
	b.Delete([]byte("c"))
	b.Set([]byte("c"), []byte("3"))
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, kv, "a"); got != "2" {
		t.Errorf("a = %q, want 2", got)
	}
	wantAbsent(t, kv, "b")
	if got := mustGet(t, kv, "c"); got != "3" {
		t.Errorf("c = %q, want 3", got)
	}
}

func testDelete(t *testing.T, open opener) {
	kv := open(t)
	put(t, kv, "a", "1", "b", "2", "c", "3")
	b := kv.NewBatch()
	b.Delete([]byte("b"))
	b.Delete([]byte("absent"))
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	wantAbsent(t, kv, "b")
	if got := keys(t, kv, nil, nil, false); !slices.Equal(got, []string{"a", "c"}) {
		t.Errorf("keys = %q", got)
	}
	put(t, kv, "b", "again")
	if got := mustGet(t, kv, "b"); got != "again" {
		t.Errorf("b = %q after re-set", got)
	}
}

func testNotAliased(t *testing.T, open opener) {
	kv := open(t)
	key, val := []byte("key"), []byte("value")
	b := kv.NewBatch()
	b.Set(key, val)
	key[0], val[0] = 'X', 'X' // modified after Set, before Commit
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	key[1], val[1] = 'Y', 'Y' // and after Commit
	if got := mustGet(t, kv, "key"); got != "value" {
		t.Fatalf("stored value %q, want value", got)
	}
	wantAbsent(t, kv, "Xey")
	v, err := kv.Get([]byte("key"))
	if err != nil {
		t.Fatal(err)
	}
	v[0] = 'Z'
	_ = append(v[:1], "overwrite capacity"...)
	if got := mustGet(t, kv, "key"); got != "value" {
		t.Fatalf("after modifying a Get result, stored value %q", got)
	}
	// Values collected from Iterate (copied, as the contract requires) stay valid.
	put(t, kv, "key2", "value2")
	var collected [][]byte
	err = kv.Iterate(nil, nil, false, func(_, v []byte) (bool, error) {
		collected = append(collected, bytes.Clone(v))
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(collected) != 2 || string(collected[0]) != "value" || string(collected[1]) != "value2" {
		t.Errorf("collected %q", collected)
	}
}

func testSingleUseBatch(t *testing.T, open opener) {
	kv := open(t)
	b := kv.NewBatch()
	b.Set([]byte("a"), []byte("1"))
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Set([]byte("b"), []byte("2"))
	if err := b.Commit(); !errors.Is(err, store.ErrBatchCommitted) {
		t.Errorf("second Commit: %v, want ErrBatchCommitted", err)
	}
	wantAbsent(t, kv, "b")
}

func testClosed(t *testing.T, open opener) {
	kv := open(t)
	put(t, kv, "a", "1")
	pending := kv.NewBatch()
	pending.Set([]byte("b"), []byte("2"))
	if err := kv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := kv.Get([]byte("a")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Get after Close: %v", err)
	}
	if err := kv.Iterate(nil, nil, false, func(_, _ []byte) (bool, error) { return true, nil }); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Iterate after Close: %v", err)
	}
	if err := pending.Commit(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Commit after Close: %v", err)
	}
	if err := kv.Close(); !errors.Is(err, store.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

func testLargeValue(t *testing.T, open opener) {
	kv := open(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	b := kv.NewBatch()
	b.Set([]byte("big"), big)
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	v, err := kv.Get([]byte("big"))
	if err != nil || !bytes.Equal(v, big) {
		t.Fatalf("Get(big): %d bytes, %v", len(v), err)
	}
}

// testConcurrent: writers and readers at once; every read sees whole
// batches (each batch writes the same value under two keys).
func testConcurrent(t *testing.T, open opener) {
	kv := open(t)
	const writers, batches = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*2)
	for w := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range batches {
				b := kv.NewBatch()
				v := fmt.Appendf(nil, "%d-%d", w, i)
				b.Set(fmt.Appendf(nil, "w%d/a", w), v)
				b.Set(fmt.Appendf(nil, "w%d/b", w), v)
				if err := b.Commit(); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			prefix := fmt.Appendf(nil, "w%d/", w)
			for range batches {
				var vals []string
				err := kv.Iterate(prefix, nil, false, func(_, v []byte) (bool, error) {
					vals = append(vals, string(v))
					return true, nil
				})
				if err != nil {
					errs <- err
					return
				}
				if len(vals) == 2 && vals[0] != vals[1] {
					errs <- fmt.Errorf("torn batch: %q", vals)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// testRandomOps compares the backend with a map over random batches.
func testRandomOps(t *testing.T, open opener) {
	kv := open(t)
	rng := rand.New(rand.NewPCG(1, 2))
	model := map[string]string{}
	randKey := func() string {
		k := make([]byte, 1+rng.IntN(3))
		for i := range k {
			k[i] = "ab\x00\xff"[rng.IntN(4)]
		}
		return string(k)
	}
	for round := range 100 {
		b := kv.NewBatch()
		for range 1 + rng.IntN(8) {
			k := randKey()
			if rng.IntN(3) == 0 {
				b.Delete([]byte(k))
				delete(model, k)
			} else {
				v := fmt.Sprintf("%d-%d", round, rng.IntN(1000))
				b.Set([]byte(k), []byte(v))
				model[k] = v
			}
		}
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
		k := randKey()
		v, err := kv.Get([]byte(k))
		if want, ok := model[k]; ok != (err == nil) || string(v) != want {
			t.Fatalf("round %d: Get(%q) = %q, %v; model has %q, %v", round, k, v, err, want, ok)
		}
		var all []string
		for k := range model {
			all = append(all, k)
		}
		prefix, start := []byte(randKey()[:1]), []byte(randKey())
		if rng.IntN(2) == 0 {
			start = nil
		}
		reverse := rng.IntN(2) == 0
		if got, want := keys(t, kv, prefix, start, reverse), refIterate(all, prefix, start, reverse); !slices.Equal(got, want) {
			t.Fatalf("round %d: Iterate(%q, %q, %v) = %q, want %q", round, prefix, start, reverse, got, want)
		}
	}
}
