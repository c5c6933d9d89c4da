package anchor

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
)

// BenchmarkHashFiles hashes 10,000 files of 16 KiB (160 MiB) with
// HashFiles and, in the same run on the same files, with sha256sum; it
// reports the ratio of the rates (aim: >= 0.8).
func BenchmarkHashFiles(b *testing.B) {
	sha256sum, err := exec.LookPath("sha256sum")
	if err != nil {
		b.Skip("no sha256sum to compare with")
	}
	dir := b.TempDir()
	names := make([]string, 10000)
	block := make([]byte, 16<<10)
	for i := range names {
		names[i] = filepath.Join(dir, fmt.Sprintf("f%05d", i))
		copy(block, fmt.Sprintf("file %d", i))
		if err := os.WriteFile(names[i], block, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	ours, theirs := time.Duration(0), time.Duration(0)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := HashFiles(context.Background(), names, 0, nil); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		b.StopTimer()
		start = time.Now()
		cmd := exec.Command(sha256sum, names...)
		if out, err := cmd.Output(); err != nil || len(out) == 0 {
			b.Fatalf("sha256sum: %v", err)
		}
		theirs += time.Since(start)
		b.StartTimer()
	}
	mb := float64(len(names)*len(block)) / (1 << 20) * float64(b.N)
	b.ReportMetric(mb/ours.Seconds(), "MiB/s")
	b.ReportMetric(mb/theirs.Seconds(), "sha256sum-MiB/s")
	b.ReportMetric(theirs.Seconds()/ours.Seconds(), "ratio")
}

// BenchmarkVerifyHeaders1000 checks a receipt carrying 1,000 PoW headers
// offline, as verify-anchor --offline does (aim: < 100 ms).
func BenchmarkVerifyHeaders1000(b *testing.B) {
	names := writeFiles(b, b.TempDir(), 2)
	sums, err := HashFiles(context.Background(), names, 0, nil)
	if err != nil {
		b.Fatal(err)
	}
	job, err := NewJob(sums, "", randomSalt)
	if err != nil {
		b.Fatal(err)
	}
	memo, _ := job.Memo()
	c := powChain(b, 1000, 2, memo)
	rcs, err := job.Receipts(c.anchored(b), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	data, _ := rcs[0].Marshal()
	if n := len(rcs[0].Headers); n != 1000 {
		b.Fatalf("%d headers", n)
	}
	b.ResetTimer()
	for range b.N {
		rc, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		rec, err := rc.CheckRecord(sums[0].Sum)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rc.VerifyHeaders(rec.Proof, nil, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/receipt")
}

// BenchmarkVerifyHeaders1000PoA is the same for 1,000 PoA headers (one
// Ed25519 verification each).
func BenchmarkVerifyHeaders1000PoA(b *testing.B) {
	names := writeFiles(b, b.TempDir(), 2)
	sums, _ := HashFiles(context.Background(), names, 0, nil)
	job, _ := NewJob(sums, "", nil)
	memo, _ := job.Memo()
	c := poaChain(b, 1000, 2, memo)
	rcs, err := job.Receipts(c.anchored(b), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	data, _ := rcs[0].Marshal()
	// The machine's limit, in the same run: 1,000 Ed25519 verifications
	// on one core.
	hs := decodeHeaders(b, rcs[0])
	start := time.Now()
	for i := range hs {
		h := &hs[i]
		if !ed25519.Verify(h.Signer[:], h.SigningBytes(), h.Signature[:]) {
			b.Fatal("bad signature")
		}
	}
	limit := time.Since(start)
	b.ResetTimer()
	for range b.N {
		rc, _ := Parse(data)
		rec, err := rc.CheckRecord(sums[0].Sum)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rc.VerifyHeaders(rec.Proof, nil, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/receipt")
	b.ReportMetric(float64(limit.Microseconds())/1000, "ms/1000-ed25519-verifies")
}

// BenchmarkReceipts10000 builds and encodes the 10,000 receipts of one
// batch once the tx is confirmed (the part of `cairn anchor` after
// confirmation that is not file I/O; aim: all of it < 2 s).
func BenchmarkReceipts10000(b *testing.B) {
	sums := make([]FileSum, 10000)
	for i := range sums {
		sums[i] = FileSum{Name: fmt.Sprintf("f%05d", i), Sum: core.Sum(fmt.Appendf(nil, "%d", i)), Size: 1}
	}
	job, err := NewJob(sums, "LOT-7", randomSalt)
	if err != nil {
		b.Fatal(err)
	}
	memo, _ := job.Memo()
	c := powChain(b, 6, 2, memo)
	a := c.anchored(b)
	b.ResetTimer()
	for range b.N {
		rcs, err := job.Receipts(a, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := MarshalBatch(rcs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/batch")
}

// BenchmarkVerifyPoAVoteReceipt checks offline a PoA receipt as `cairn
// anchor` now writes it on a chain of 3,000 blocks (epoch 10, three votes
// passed): its 5 vote headers and the 1,001 headers from the block's
// parent to the tip. It reports the time per receipt and, in the same
// run, the time of its 1,006 Ed25519 verifications on one core (the seals the
// check cannot skip), and their ratio (VerifyHeaders spreads the seals
// over every core: below 1 means faster than one core verifying alone).
func BenchmarkVerifyPoAVoteReceipt(b *testing.B) {
	job, _, rcs := votingBatch(b, 3000, 2001)
	data, _ := rcs[0].Marshal()
	if n, v := len(rcs[0].Headers), len(rcs[0].VoteHeaders); n != 1001 || v != 5 {
		b.Fatalf("%d headers, %d vote headers", n, v)
	}
	hs := decodeHeaders(b, &Receipt{Headers: append(append([]string(nil), rcs[0].VoteHeaders...), rcs[0].Headers...)})
	sum := job.Entries[0].Sum
	// The limit is measured between the timed checks, so that both see
	// the same load on a shared machine.
	var limit time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		start := time.Now()
		for i := range hs {
			h := &hs[i]
			if !ed25519.Verify(h.Signer[:], h.SigningBytes(), h.Signature[:]) {
				b.Fatal("bad signature")
			}
		}
		limit += time.Since(start)
		b.StartTimer()
		rc, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		rec, err := rc.CheckRecord(sum)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rc.VerifyHeaders(rec.Proof, nil, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	per := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(per*1000, "ms/receipt")
	b.ReportMetric(limit.Seconds()*1000/float64(b.N), "ms/1-core-ed25519-of-its-seals")
	b.ReportMetric(b.Elapsed().Seconds()/limit.Seconds(), "ratio")
	b.ReportMetric(float64(len(data)), "receipt-bytes")
}
