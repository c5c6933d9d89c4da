package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
)

// v1Fixture copies the version-1 receipt fixture (as cairn wrote receipts
// before batches) and its file into dir, and returns their paths and the
// block a node serves for it.
func v1Fixture(t *testing.T, dir string) (file, receipt string, blk wire.Block) {
	t.Helper()
	src := filepath.Join("..", "..", "anchor", "testdata")
	for _, n := range []string{"v1.txt", "v1.receipt.json"} {
		data, err := os.ReadFile(filepath.Join(src, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(src, "v1.block.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &blk); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "v1.txt"), filepath.Join(dir, "v1.receipt.json"), blk
}

// TestCLIVerifyAnchorV1 checks a version-1 receipt against a node, as
// before batches; offline it has nothing to check its block with.
func TestCLIVerifyAnchorV1(t *testing.T) {
	dir := t.TempDir()
	file, receipt, blk := v1Fixture(t, dir)
	f := newFakeNode(t)
	f.status.ChainID = "cairn-v1"
	f.blocks[blk.Hash] = blk
	r := run(t, nil, "", "verify-anchor", file, receipt, "--node", f.url())
	r.want(t, 0)
	wantLines(t, "verify-anchor", r.stdout,
		`file .*v1.txt: sha256 96c52e847541d7b3ea243643703aeae7445a87d956923ae4584caf7a4a0d655a matches the receipt`,
		`anchor valid: on the main chain of http://127.0.0.1:\d+ in block 3 `+blk.Hash+`, mined 2023-11-14T22:13:20Z \(6 confirmations\)`)
	run(t, nil, "", "verify-anchor", file, receipt, "--offline").want(t, 1, "proof INVALID", "version-1 receipt carries no headers")
	run(t, nil, "", "verify-anchor", file, receipt, "--node", f.url(), "--confirmations", "7").want(t, 1, "fewer than the 7")
	changed := filepath.Join(dir, "changed.txt")
	os.WriteFile(changed, []byte("the parties agree.\n"), 0o600)
	run(t, nil, "", "verify-anchor", changed, receipt, "--node", f.url()).want(t, 1, "not the anchored file")
	side := blk
	side.MainChain = false
	f.blocks[blk.Hash] = side
	run(t, nil, "", "verify-anchor", file, receipt, "--node", f.url()).want(t, 1, "not on the node's main chain")
	f.blocks[blk.Hash] = blk
	// A receipt misdated by the old seconds-for-milliseconds bug still
	// verifies, with a note giving the real date.
	data, _ := os.ReadFile(receipt)
	misdated := filepath.Join(dir, "misdated.json")
	os.WriteFile(misdated, []byte(strings.Replace(string(data), "2023-11-14T22:13:20Z", time.Unix(1_700_000_000_000, 0).UTC().Format(time.RFC3339), 1)), 0o600)
	r = run(t, nil, "", "verify-anchor", file, misdated, "--node", f.url())
	r.want(t, 0)
	if !strings.Contains(r.stdout, "misdated by an older cairn") || !strings.Contains(r.stdout, "mined at 2023-11-14T22:13:20Z") {
		t.Fatalf("verify-anchor of a misdated receipt:\n%s", r.stdout)
	}
	f.status.ChainID = "other"
	run(t, nil, "", "verify-anchor", file, receipt, "--node", f.url()).want(t, 1, `is on chain "other"`)
}

// TestCLIAnchorUsage: what can be refused before the node is asked is
// refused, with what is wrong, and nothing is sent.
func TestCLIAnchorUsage(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	os.WriteFile(a, []byte("a"), 0o600)
	os.WriteFile(b, []byte("b"), 0o600)
	os.WriteFile(filepath.Join(dir, "c.txt.receipt.json"), []byte("{}"), 0o600)
	f := newFakeNode(t)
	node := []string{"--node", f.url(), "--from", "alice"}
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"anchor", "--node", f.url(), a}, 2, "--from"},
		{append([]string{"anchor"}, node...), 2, "name the FILEs"},
		{append([]string{"anchor", a, b, "--out", "x.json"}, node...), 2, "--out names one receipt, for 2 files"},
		{append([]string{"anchor", a, "--topic", "bad\ttopic"}, node...), 2, "control character"},
		{append([]string{"anchor", a, "--topic", strings.Repeat("x", 65)}, node...), 2, "at most 64"},
		{append([]string{"anchor", a, "--salt=zz"}, node...), 2, "--salt=zz: want 16 to 64 bytes of hex"},
		{append([]string{"anchor", a, a}, node...), 1, "named twice"},
		{append([]string{"anchor", filepath.Join(dir, "missing")}, node...), 1, "missing"},
		{append([]string{"anchor", a, "--confirmations", "0"}, node...), 2, "--confirmations"},
		{append([]string{"anchor", a, "--out-dir", a}, node...), 1, "not a directory"},
	}
	os.WriteFile(a+".receipt.json", []byte("{}"), 0o600)
	cases = append(cases, struct {
		args []string
		code int
		msg  string
	}{append([]string{"anchor", a}, node...), 1, "already exists"})
	for _, c := range cases {
		run(t, nil, "", c.args...).want(t, c.code, c.msg)
	}
	if n := len(f.submitted()); n != 0 {
		t.Fatalf("%d txs submitted by refused commands", n)
	}
	// Two files of the same name would write one receipt in --out-dir.
	os.MkdirAll(filepath.Join(dir, "sub"), 0o700)
	os.WriteFile(filepath.Join(dir, "sub", "b.txt"), []byte("b2"), 0o600)
	out := t.TempDir()
	run(t, nil, "", append([]string{"anchor", b, filepath.Join(dir, "sub", "b.txt"), "--out-dir", out}, node...)...).want(t, 1, "would both write")
	run(t, nil, "", "history", "--node", f.url()).want(t, 2, "--topic is required")
	run(t, nil, "", "history", "--topic", "", "--node", f.url()).want(t, 2, "topic: empty")
	run(t, nil, "", "verify-anchor", a, a+".receipt.json", "--offline").want(t, 1, "receipt version 0")
	run(t, nil, "", "verify-anchor", a, a+".receipt.json", "--genesis-hash", "xyz").want(t, 2, "--genesis-hash")
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestProgress: a line at most every progressEvery, none for the last
// item (the command's summary line follows).
func TestProgress(t *testing.T) {
	var buf strings.Builder
	p := newProgress(&buf, "hashed", "files", 3)
	p.last = time.Now().Add(-progressEvery)
	p.update(1, 3<<20)
	p.update(2, 4<<20) // too soon after the first line
	p.last = time.Now().Add(-progressEvery)
	p.update(3, 5<<20) // the last: the summary says it
	if got := buf.String(); got != "hashed 1 of 3 files (3.0 MiB)...\n" {
		t.Fatalf("progress printed %q", got)
	}
	buf.Reset()
	w := newProgress(&buf, "wrote", "receipts", 10)
	w.last = time.Now().Add(-progressEvery)
	w.update(4, 0)
	if got := buf.String(); got != "wrote 4 of 10 receipts...\n" {
		t.Fatalf("progress printed %q", got)
	}
}

// TestAndOnTop: a receipt check's sentence reads right with and without
// headers on top of the block.
func TestAndOnTop(t *testing.T) {
	for _, c := range []struct {
		above         uint64
		subject, note string
	}{
		{0, "it carries", " (the receipt has no headers on top of it)"},
		{1, "it and 1 header on top carry", ""},
		{5, "it and 5 headers on top carry", ""},
	} {
		if s, n := andOnTop(c.above, "carries", "carry"); s != c.subject || n != c.note {
			t.Errorf("andOnTop(%d) = %q, %q; want %q, %q", c.above, s, n, c.subject, c.note)
		}
	}
}
