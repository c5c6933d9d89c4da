package wallet

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
)

func newTestKeystore(t *testing.T) *Keystore {
	t.Helper()
	ks, err := Open(filepath.Join(t.TempDir(), "keystore"), LightParams())
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func testSeed(b byte) []byte { return bytes.Repeat([]byte{b}, SeedSize) }

func TestCreateLoadRoundTrip(t *testing.T) {
	ks := newTestKeystore(t)
	k, err := ks.Create("dev", "pass")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ks.Load("dev", "pass")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "dev" || !got.Private.Equal(k.Private) {
		t.Fatalf("loaded %v, created %v", got, k)
	}
	if got.Address() != got.PublicKey().Address() {
		t.Fatal("Address is not the public key's address")
	}
	if s := k.String() + k.GoString(); strings.Contains(s, string(k.Private.Seed())) ||
		!strings.Contains(s, k.PublicKey().String()) {
		t.Fatalf("String %q", s)
	}
}

func TestImportExportRoundTrip(t *testing.T) {
	ks := newTestKeystore(t)
	seed := testSeed(7)
	k, err := ks.Import("imported", seed, "pw")
	if err != nil {
		t.Fatal(err)
	}
	want := ed25519.NewKeyFromSeed(seed)
	if !k.Private.Equal(want) {
		t.Fatal("imported key differs from the seed's key")
	}
	out, err := ks.Export("imported", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, seed) {
		t.Fatalf("exported %x, imported %x", out, seed)
	}
	// The exported seed imports into another keystore as the same key.
	ks2 := newTestKeystore(t)
	k2, err := ks2.Import("again", out, "other")
	if err != nil {
		t.Fatal(err)
	}
	if k2.PublicKey() != k.PublicKey() {
		t.Fatal("re-import changed the key")
	}
}

func TestDefaultParamsRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("128 MiB scrypt")
	}
	ks, err := Open(t.TempDir(), DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Import("real", testSeed(1), "pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Load("real", "pw"); err != nil {
		t.Fatal(err)
	}
}

func TestList(t *testing.T) {
	ks := newTestKeystore(t)
	at := time.UnixMilli(1_700_000_000_123)
	ks.now = func() time.Time { return at }
	var keys []*Key
	for i, name := range []string{"b", "a-b", "a", "Z.z"} {
		k, err := ks.Import(name, testSeed(byte(i+1)), "pw")
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	// Files that are not keys are ignored.
	for _, junk := range []string{"notes.txt", ".hidden.json", "bad name.json"} {
		if err := os.WriteFile(filepath.Join(ks.Dir(), junk), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(ks.Dir(), "sub.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	list, err := ks.List()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name)
		if !e.Created.Equal(at) {
			t.Errorf("%s created %v, want %v", e.Name, e.Created, at)
		}
		if e.Address != e.PublicKey.Address() {
			t.Errorf("%s: address does not match public key", e.Name)
		}
	}
	if got := strings.Join(names, ","); got != "Z.z,a,a-b,b" {
		t.Fatalf("names %s", got)
	}
	if list[3].PublicKey != keys[0].PublicKey() {
		t.Fatal("entry b has the wrong key")
	}

	// An invalid key file makes List fail, naming it.
	if err := os.WriteFile(filepath.Join(ks.Dir(), "broken.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.List(); err == nil || !strings.Contains(err.Error(), "broken.json") {
		t.Fatalf("List with a broken file: %v", err)
	}
}

func TestEmptyList(t *testing.T) {
	list, err := newTestKeystore(t).List()
	if err != nil || len(list) != 0 {
		t.Fatalf("List = %v, %v", list, err)
	}
}

func TestFind(t *testing.T) {
	ks := newTestKeystore(t)
	k, err := ks.Import("dev", testSeed(3), "pw")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Import("other", testSeed(4), "pw"); err != nil {
		t.Fatal(err)
	}
	addr := k.Address().Encode("cairn")
	unknown := core.PublicKey{9}.Address().Encode("cairn")
	tests := []struct {
		name, query, prefix string
		want                string // entry name, or "" for an ErrNotFound error
		wantErr             string
	}{
		{"by name", "dev", "cairn", "dev", ""},
		{"by address", addr, "cairn", "dev", ""},
		{"unknown address", unknown, "cairn", "", "not found"},
		{"address with another prefix", addr, "test", "", "not found"},
		{"unknown name", "nobody", "cairn", "", "not found"},
		{"neither name nor address", "no/such", "cairn", "", "not an address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := ks.Find(tc.query, tc.prefix)
			if tc.want != "" {
				if err != nil || e.Name != tc.want || e.PublicKey != k.PublicKey() {
					t.Fatalf("Find = %+v, %v", e, err)
				}
				return
			}
			if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Find error %v, want ErrNotFound with %q", err, tc.wantErr)
			}
		})
	}
}

func TestWrongPassphrase(t *testing.T) {
	ks := newTestKeystore(t)
	if _, err := ks.Create("dev", "right"); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"wrong", "", "right "} {
		_, err := ks.Load("dev", pw)
		if !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("Load(%q) error %v, want ErrWrongPassphrase", pw, err)
		}
		if want := "keystore dev.json: wrong passphrase"; !strings.HasPrefix(err.Error(), want) {
			t.Fatalf("error %q, want prefix %q", err, want)
		}
		if _, err := ks.Export("dev", pw); !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("Export(%q) error %v", pw, err)
		}
	}
}

func TestExistingRefused(t *testing.T) {
	ks := newTestKeystore(t)
	k, err := ks.Import("dev", testSeed(1), "pw")
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(ks.Dir(), "dev.json"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ks.Create("dev", "pw2")
	if !errors.Is(err, ErrExists) || err.Error() != `key "dev" already exists` {
		t.Fatalf("Create over dev: %v", err)
	}
	_, err = ks.Import("dev2", testSeed(1), "pw")
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), `as "dev"`) {
		t.Fatalf("Import of a stored key under a new name: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(ks.Dir(), "dev.json"))
	if !bytes.Equal(before, after) {
		t.Fatal("existing key file changed")
	}
	if got, err := ks.Load("dev", "pw"); err != nil || !got.Private.Equal(k.Private) {
		t.Fatalf("original key: %v", err)
	}
	assertNoTempFiles(t, ks.Dir())
}

func TestWriteNewRefusesExisting(t *testing.T) {
	dir := t.TempDir()
	if err := writeNew(dir, "a.json", []byte("1")); err != nil {
		t.Fatal(err)
	}
	// The race path: the file appears after Import's existence check.
	if err := writeNew(dir, "a.json", []byte("2")); !errors.Is(err, os.ErrExist) {
		t.Fatalf("second write: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.json")); string(b) != "1" {
		t.Fatalf("content %q", b)
	}
	assertNoTempFiles(t, dir)
}

func TestConcurrentCreateSameName(t *testing.T) {
	ks := newTestKeystore(t)
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = ks.Import("dev", testSeed(byte(i+1)), "pw") })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrExists):
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d creates succeeded, want 1", ok)
	}
	assertNoTempFiles(t, ks.Dir())
}

func TestPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "keystore")
	ks, err := Open(dir, LightParams())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Create("dev", "pw"); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := st.Mode().Perm(); m != 0o700 {
		t.Errorf("dir mode %o, want 700", m)
	}
	st, err = os.Stat(filepath.Join(dir, "dev.json"))
	if err != nil {
		t.Fatal(err)
	}
	if m := st.Mode().Perm(); m != 0o600 {
		t.Errorf("file mode %o, want 600", m)
	}
	assertNoTempFiles(t, dir)
	if ks.Dir() != dir {
		t.Errorf("Dir %q, want %q", ks.Dir(), dir)
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		if strings.Contains(de.Name(), ".tmp") {
			t.Errorf("temp file left behind: %s", de.Name())
		}
	}
}

func TestBadNames(t *testing.T) {
	ks := newTestKeystore(t)
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"parent dir", "../x", "not allowed"},
		{"dotdot", "..", "start with '.'"},
		{"hidden", ".dev", "start with '.'"},
		{"slash", "a/b", "not allowed"},
		{"backslash", `a\b`, "not allowed"},
		{"space", "a b", "not allowed"},
		{"unicode", "clé", "not allowed"},
		{"nul", "a\x00", "not allowed"},
		{"too long", strings.Repeat("a", 65), "the limit is 64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ks.Create(tc.in, "pw"); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Create(%q): %v, want %q", tc.in, err, tc.want)
			}
			if _, err := ks.Load(tc.in, "pw"); err == nil || errors.Is(err, ErrNotFound) {
				t.Fatalf("Load(%q): %v", tc.in, err)
			}
		})
	}
	for _, ok := range []string{"a", "dev", "A.b_c-9", strings.Repeat("z", 64)} {
		if err := ValidName(ok); err != nil {
			t.Errorf("ValidName(%q): %v", ok, err)
		}
	}
	des, _ := os.ReadDir(filepath.Dir(ks.Dir()))
	if len(des) != 1 {
		t.Fatalf("files appeared next to the keystore: %v", des)
	}
}

func TestImportBadSeed(t *testing.T) {
	ks := newTestKeystore(t)
	for _, n := range []int{0, 31, 33, 64} {
		if _, err := ks.Import("k", make([]byte, n), "pw"); err == nil || !strings.Contains(err.Error(), "seed") {
			t.Errorf("Import of a %d-byte seed: %v", n, err)
		}
	}
}

func TestOpenBadParams(t *testing.T) {
	tests := []struct {
		name string
		p    Params
		want string
	}{
		{"zero", Params{}, "n 0 is not a power of two"},
		{"n not power of two", Params{N: 3000, R: 8, P: 1}, "not a power of two"},
		{"n too small", Params{N: 512, R: 8, P: 1}, "out of bounds"},
		{"n too large", Params{N: 1 << 21, R: 8, P: 1}, "out of bounds"},
		{"r zero", Params{N: 1 << 10, R: 0, P: 1}, "r 0"},
		{"p too large", Params{N: 1 << 10, R: 8, P: 17}, "p 17"},
		{"too costly", Params{N: 1 << 20, R: 8, P: 2}, "n*r*p"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.TempDir(), tc.p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open: %v, want %q", err, tc.want)
			}
		})
	}
	for _, p := range []Params{DefaultParams(), LightParams(), {N: 1 << 20, R: 8, P: 1}, {N: 1 << 10, R: 32, P: 16}} {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
}
