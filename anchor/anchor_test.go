package anchor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
)

// writeFiles writes n small distinct files and returns their names.
func writeFiles(t testing.TB, dir string, n int) []string {
	t.Helper()
	names := make([]string, n)
	for i := range names {
		names[i] = filepath.Join(dir, fmt.Sprintf("doc-%05d.txt", i))
		if err := os.WriteFile(names[i], fmt.Appendf(nil, "document %d of the shipment\n", i), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

func randomSalt() ([]byte, error) {
	s := make([]byte, SaltSize)
	_, err := rand.Read(s)
	return s, err
}

// batch anchors files on a test chain (PoW unless poa) and returns the
// job, the chain and the receipts.
func batch(t testing.TB, names []string, topic string, salt func() ([]byte, error), poa bool) (*Job, *testChain, []*Receipt) {
	t.Helper()
	sums, err := HashFiles(context.Background(), names, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	job, err := NewJob(sums, topic, salt)
	if err != nil {
		t.Fatal(err)
	}
	memo, err := job.Memo()
	if err != nil {
		t.Fatal(err)
	}
	var c *testChain
	if poa {
		c = poaChain(t, 12, 5, memo)
	} else {
		c = powChain(t, 12, 5, memo)
	}
	rcs, err := job.Receipts(c.anchored(t), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return job, c, rcs
}

// verify checks a receipt as verify-anchor --offline does: it round-trips
// through its file form first.
func verify(rc *Receipt, fileSum core.Hash) (*Chain, error) {
	data, err := rc.Marshal()
	if err != nil {
		return nil, err
	}
	r, err := Parse(data)
	if err != nil {
		return nil, err
	}
	rec, err := r.CheckRecord(fileSum)
	if err != nil {
		return nil, err
	}
	return r.VerifyHeaders(rec.Proof, nil, time.Now())
}

func wantInvalid(t *testing.T, err error, reason string) {
	t.Helper()
	var ie *InvalidError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), reason) {
		t.Fatalf("got %v, want an invalid receipt naming %q", err, reason)
	}
}

// TestBatchOf1000 anchors 1,000 files in one tx: every receipt verifies,
// and a flipped byte in a file, a path, a header or the proof fails with
// its reason.
func TestBatchOf1000(t *testing.T) {
	names := writeFiles(t, t.TempDir(), 1000)
	job, c, rcs := batch(t, names, "SHIP-2026-0042", randomSalt, false)
	if len(rcs) != 1000 {
		t.Fatalf("%d receipts", len(rcs))
	}
	sums := make([]core.Hash, len(names))
	for i, rc := range rcs {
		sums[i] = job.Entries[i].Sum
		ch, err := verify(rc, sums[i])
		if err != nil {
			t.Fatalf("receipt %d: %v", i, err)
		}
		if rc.TxID != rcs[0].TxID || rc.Batch.Root != job.Root().String() || rc.Batch.Index != uint64(i) {
			t.Fatalf("receipt %d: tx %s root %s index %d", i, rc.TxID, rc.Batch.Root, rc.Batch.Index)
		}
		if ch.Block.Height != 5 || ch.Confirmations != 8 || ch.Tip.Height != 12 || ch.Work.Sign() <= 0 {
			t.Fatalf("receipt %d: block %d, %d confirmations, tip %d, work %v", i, ch.Block.Height, ch.Confirmations, ch.Tip.Height, ch.Work)
		}
	}
	// The date is the header's, read as milliseconds.
	if want := core.MillisTime(c.headers[4].Timestamp).Format(time.RFC3339); rcs[0].BlockTime != want || !strings.HasPrefix(want, time.Now().UTC().Format("2006")) && !strings.HasPrefix(want, time.Now().UTC().Add(-time.Hour).Format("2006")) {
		t.Fatalf("block_time %s, want %s (this year)", rcs[0].BlockTime, want)
	}

	flip := func(s string, at int) string {
		b := []byte(s)
		if b[at] == '0' {
			b[at] = '1'
		} else {
			b[at] = '0'
		}
		return string(b)
	}
	for _, i := range []int{0, 1, 500, 999} {
		// A flipped byte in the file.
		content, err := os.ReadFile(names[i])
		if err != nil {
			t.Fatal(err)
		}
		content[3] ^= 1
		if _, err := verify(rcs[i], core.Sum(content)); err == nil {
			t.Fatalf("file %d changed: verified", i)
		} else {
			wantInvalid(t, err, "not the anchored file")
		}
		cases := []struct {
			name, reason string
			mutate       func(r *Receipt)
		}{
			{"path", "is not leaf", func(r *Receipt) { r.Batch.Path[0] = flip(r.Batch.Path[0], 7) }},
			{"last path hash", "is not leaf", func(r *Receipt) { r.Batch.Path[len(r.Batch.Path)-1] = flip(r.Batch.Path[len(r.Batch.Path)-1], 0) }},
			{"index", "is not leaf", func(r *Receipt) { r.Batch.Index ^= 1 }},
			{"root", "is not leaf", func(r *Receipt) { r.Batch.Root = flip(r.Batch.Root, 5) }},
			{"leaf", "commitment", func(r *Receipt) { r.Leaf = flip(r.Leaf, 9) }},
			{"salt", "commitment", func(r *Receipt) { r.Salt = flip(r.Salt, 2) }},
			{"topic", "under topic", func(r *Receipt) { r.Topic = "SHIP-2026-0043" }},
			{"tx", "signature", func(r *Receipt) { r.Tx = flip(r.Tx, len(r.Tx)-3) }},
			{"proof branch", "not the leaf", func(r *Receipt) { r.Proof.Branch[0] = flip(r.Proof.Branch[0], 4) }},
			{"proof root", "not the leaf", func(r *Receipt) { r.Proof.TxRoot = flip(r.Proof.TxRoot, 4) }},
			{"header of the block", "height 5", func(r *Receipt) { r.Headers[1] = flip(r.Headers[1], 100) }},
			{"header nonce", "height 7", func(r *Receipt) { r.Headers[3] = flip(r.Headers[3], len(r.Headers[3])-1) }},
			{"tip header bits", "height 12", func(r *Receipt) { r.Headers[8] = flip(r.Headers[8], 206) }},
			{"header dropped", "does not connect", func(r *Receipt) { r.Headers = append(r.Headers[:3:3], r.Headers[4:]...) }},
			{"genesis", "genesis", func(r *Receipt) {
				r.Genesis = []byte(strings.Replace(string(r.Genesis), `"min_fee":1000`, `"min_fee":1001`, 1))
			}},
			{"block hash", "the proof is for block", func(r *Receipt) { r.BlockHash = flip(r.BlockHash, 1) }},
			{"block time", "not the block's time", func(r *Receipt) { r.BlockTime = "2020-01-01T00:00:00Z" }},
		}
		for _, tc := range cases {
			bad := clone(rcs[i])
			tc.mutate(bad)
			_, err := verify(bad, sums[i])
			if err == nil {
				t.Fatalf("file %d, %s changed: verified", i, tc.name)
			}
			wantInvalid(t, err, tc.reason)
		}
	}
}

// clone deep-copies a receipt's mutable parts.
func clone(rc *Receipt) *Receipt {
	c := *rc
	b := *rc.Batch
	b.Path = append([]string(nil), b.Path...)
	c.Batch = &b
	c.Headers = append([]string(nil), rc.Headers...)
	c.VoteHeaders = append([]string(nil), rc.VoteHeaders...)
	c.Proof.Branch = append([]string(nil), rc.Proof.Branch...)
	return &c
}

// TestSaltedReceiptDisclosesOnlyItsRecord: a salted receipt holds no
// value a guesser can compute from another file of the batch (its hash,
// its unsalted leaf or that leaf's tree hash); an unsalted one does, which
// is what salting is for. The same file anchored twice with different
// salts gets different leaves.
func TestSaltedReceiptDisclosesOnlyItsRecord(t *testing.T) {
	names := writeFiles(t, t.TempDir(), 8)
	guesses := func(i int) []string {
		data, err := os.ReadFile(names[i])
		if err != nil {
			t.Fatal(err)
		}
		sum := core.Sum(data)
		return []string{sum.String(), hex.EncodeToString(hasher.HashLeaf(sum[:]))}
	}
	leaks := func(rcs []*Receipt) int {
		n := 0
		for i, rc := range rcs {
			data, _ := rc.Marshal()
			for j := range names {
				if j == i {
					continue
				}
				for _, g := range guesses(j) {
					if strings.Contains(string(data), g) {
						n++
					}
				}
			}
		}
		return n
	}
	_, _, salted := batch(t, names, "", randomSalt, false)
	if n := leaks(salted); n != 0 {
		t.Fatalf("salted receipts disclose %d values computable from other files", n)
	}
	_, _, plain := batch(t, names, "", nil, false)
	if n := leaks(plain); n == 0 {
		t.Fatal("unsalted receipts disclose nothing: the leak check checks nothing")
	}
	// Same file, two batches, two random salts.
	_, _, again := batch(t, names, "", randomSalt, false)
	if salted[3].Leaf == again[3].Leaf || salted[3].Salt == again[3].Salt || salted[3].FileSHA256 != again[3].FileSHA256 {
		t.Fatalf("same file, salts %s and %s: leaves %s and %s", salted[3].Salt, again[3].Salt, salted[3].Leaf, again[3].Leaf)
	}
}

// TestVerifyHeadersPoW: headers re-mined with lower difficulty, headers
// that do not connect, a future tip and a genesis not the pinned one fail.
func TestVerifyHeadersPoW(t *testing.T) {
	names := writeFiles(t, t.TempDir(), 3)
	job, c, rcs := batch(t, names, "", randomSalt, false)
	sum := job.Entries[1].Sum
	rec, err := rcs[1].CheckRecord(sum)
	if err != nil {
		t.Fatal(err)
	}
	gh := c.g.Hash()
	if _, err := rcs[1].VerifyHeaders(rec.Proof, &gh, time.Now()); err != nil {
		t.Fatalf("pinned to its own genesis: %v", err)
	}
	other := core.Hash{1}
	_, err = rcs[1].VerifyHeaders(rec.Proof, &other, time.Now())
	wantInvalid(t, err, "not the pinned genesis")
	// A verifier whose clock is behind the chain by more than the drift.
	_, err = rcs[1].VerifyHeaders(rec.Proof, nil, time.Now().Add(-time.Hour))
	wantInvalid(t, err, "after the verifier's clock")

	// Re-mine the block's descendants with an easier target than ASERT
	// demands: each seal is valid, the bits are not.
	bad := clone(rcs[1])
	hs := decodeHeaders(t, bad)
	for i := 2; i < len(hs); i++ {
		hs[i].PrevHash = hs[i-1].Hash()
		hs[i].Bits = 0x207fffff
		if hs[i].Bits == hs[i-1].Bits {
			hs[i].Bits = 0x2000ffff
		}
		for engineSeal(t, c.g, &hs[i]) != nil {
			hs[i].Nonce++
		}
		bad.Headers[i] = hex.EncodeToString(hs[i].Encode())
	}
	_, err = bad.VerifyHeaders(rec.Proof, nil, time.Now())
	wantInvalid(t, err, "bits")

	// A PoW receipt must carry the block's parent.
	bad = clone(rcs[1])
	bad.Headers = bad.Headers[1:]
	_, err = bad.VerifyHeaders(rec.Proof, nil, time.Now())
	wantInvalid(t, err, "its parent must be in the receipt")
}

// TestVerifyHeadersPoA: a PoA receipt replays the signer set from the
// genesis; a header by a key that is not a signer, or by a signer out of
// its allowed turns, fails.
func TestVerifyHeadersPoA(t *testing.T) {
	names := writeFiles(t, t.TempDir(), 4)
	job, c, rcs := batch(t, names, "LOT-7", nil, true)
	for i, rc := range rcs {
		ch, err := verify(rc, job.Entries[i].Sum)
		if err != nil {
			t.Fatalf("receipt %d: %v", i, err)
		}
		if ch.Block.Height != 5 || ch.Confirmations != 8 || !ch.Genesis.IsPoA() {
			t.Fatalf("receipt %d: %+v", i, ch)
		}
	}
	// Re-sign the tip with a key outside the signer set.
	bad := clone(rcs[0])
	hs := decodeHeaders(t, bad)
	tip := hs[len(hs)-1]
	intruder := testkitKey(99)
	tip.Signer, tip.Miner = intruder.Pub, intruder.Addr
	signHeader(&tip, intruder.Priv)
	bad.Headers[len(hs)-1] = hex.EncodeToString(tip.Encode())
	_, err := verify(bad, job.Entries[0].Sum)
	wantInvalid(t, err, "unauthorized signer")
	// Headers from the block's parent: on this chain without votes the
	// signer set is the genesis's (no vote_headers), and they verify.
	bad = clone(rcs[0])
	bad.Headers = bad.Headers[3:]
	if ch, err := verify(bad, job.Entries[0].Sum); err != nil || ch.Confirmations != 8 {
		t.Fatalf("headers from the block's parent: %v %+v", err, ch)
	}
	// But not from the block itself.
	bad.Headers = bad.Headers[1:]
	_, err = verify(bad, job.Entries[0].Sum)
	wantInvalid(t, err, "its parent must be in the receipt")
	_ = c
}
