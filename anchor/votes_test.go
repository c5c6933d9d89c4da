package anchor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/consensus/poa/poatest"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// votingChain is a PoA chain (epoch 10) of n blocks, each sealed by the
// signer in turn if it may, whose votes change the set: A and B add D at heights 2
// and 3 (3 signers: 2 votes pass); a vote at 5 to add E is discarded at
// the checkpoint 10; at 12, 13 and 14 the signers sealing drop X, one of
// the first three (4 signers: 3 votes pass). The tx is in block at.
type votingChain struct {
	*testChain
	keys    map[core.PublicKey]testkit.Key
	dropped testkit.Key // X
	added   testkit.Key // D
}

func newVotingChain(t testing.TB, n int, at uint64, memo []byte) *votingChain {
	t.Helper()
	ks := poatest.Keys(10, 5)
	g := poatest.Genesis(ks[:3], 10)
	e, err := poa.New(g)
	if err != nil {
		t.Fatal(err)
	}
	vc := &votingChain{testChain: &testChain{g: g}, keys: map[core.PublicKey]testkit.Key{}, added: ks[3], dropped: ks[0]}
	for _, k := range ks {
		vc.keys[k.Pub] = k
	}
	ch := poatest.NewChain(g)
	tx := anchorTx(g.ChainID, memo)
	ids, branch := blockTxs(t, tx)
	parent := g.Block().Header
	for i := 1; i <= n; i++ {
		snap, err := e.Snapshot(ch, parent.Hash())
		if err != nil {
			t.Fatal(err)
		}
		signers := snap.Signers()
		// In turn, or (just after the set changed) the next one allowed.
		k := vc.keys[signers[uint64(i)%uint64(len(signers))]]
		for j := 0; snap.MaySeal(uint64(i), k.Pub) != nil; j++ {
			k = vc.keys[signers[j]]
		}
		h := poatest.Next(t, e, ch, &parent, k)
		h.TxRoot = sha256.Sum256(fmt.Appendf(nil, "block %d", i))
		if uint64(i) == at {
			h.TxRoot = core.MerkleRoot(ids)
		}
		switch i {
		case 2, 3:
			h.Vote = core.Vote{Kind: core.VoteAdd, Target: vc.added.Pub}
		case 5:
			h.Vote = core.Vote{Kind: core.VoteAdd, Target: ks[4].Pub}
		case 12, 13, 14:
			h.Vote = core.Vote{Kind: core.VoteDrop, Target: vc.dropped.Pub}
		}
		poatest.Sign(&h, k)
		if err := poatest.Check(e, ch, &h); err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		ch.Add(h)
		vc.headers = append(vc.headers, h)
		parent = h
	}
	snap, err := e.Snapshot(ch, parent.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Len() != 3 || !snap.IsSigner(vc.added.Pub) || snap.IsSigner(vc.dropped.Pub) || snap.IsSigner(ks[4].Pub) {
		t.Fatalf("the votes did not play out: signers %v", snap.Signers())
	}
	vc.setProof(&vc.headers[at-1], tx, branch)
	return vc
}

// sparse returns what `cairn anchor` hands Receipts for a PoA chain: the
// headers from the block's parent and the vote headers below it.
func (vc *votingChain) sparse(t testing.TB) *Anchored {
	a := vc.anchored(t)
	from := vc.proof.Height - 1
	a.Headers = vc.headers[from-1:]
	for _, h := range vc.headers[:from-1] {
		if h.Vote.Kind != core.VoteNone {
			a.VoteHeaders = append(a.VoteHeaders, h)
		}
	}
	return a
}

func votingBatch(t testing.TB, n int, at uint64) (*Job, *votingChain, []*Receipt) {
	t.Helper()
	names := writeFiles(t, t.TempDir(), 3)
	sums, err := HashFiles(context.Background(), names, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	job, err := NewJob(sums, "", randomSalt)
	if err != nil {
		t.Fatal(err)
	}
	memo, err := job.Memo()
	if err != nil {
		t.Fatal(err)
	}
	vc := newVotingChain(t, n, at, memo)
	rcs, err := job.Receipts(vc.sparse(t), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return job, vc, rcs
}

// TestVerifyHeadersPoAVotes: a receipt carries the vote headers and the
// headers from the block's parent; it verifies offline, and fails with its
// reason when a vote header is altered, omitted, or signed by a key that
// is not a signer at its height, when the tail is signed by the signer
// voted out, and when the tail does not connect.
func TestVerifyHeadersPoAVotes(t *testing.T) {
	job, vc, rcs := votingBatch(t, 40, 30)
	sum := job.Entries[0].Sum
	rc := rcs[0]
	// The vote at 5 changed nothing before its epoch ended: left out.
	var heights []uint64
	for _, h := range decodeHeaders(t, &Receipt{Headers: rc.VoteHeaders}) {
		heights = append(heights, h.Height)
	}
	if !slices.Equal(heights, []uint64{2, 3, 12, 13, 14}) || len(rc.Headers) != 12 {
		t.Fatalf("receipt with vote headers at %v and %d headers, want 2, 3, 12, 13, 14 and 12 (29..40)", heights, len(rc.Headers))
	}
	ch, err := verify(rc, sum)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Block.Height != 30 || ch.Confirmations != 11 || ch.Work.Sign() <= 0 {
		t.Fatalf("chain %+v", ch)
	}
	votes := func(rc *Receipt) []core.Header {
		return decodeHeaders(t, &Receipt{Headers: rc.VoteHeaders})
	}
	put := func(field []string, i int, h *core.Header) { field[i] = hex.EncodeToString(h.Encode()) }

	// A vote changed after signing: drop instead of add.
	bad := clone(rc)
	vs := votes(bad)
	vs[0].Vote.Kind = core.VoteDrop
	put(bad.VoteHeaders, 0, &vs[0])
	_, err = verify(bad, sum)
	wantInvalid(t, err, "vote header at height 2")
	wantInvalid(t, err, "signature")

	// A vote header re-signed by a key outside the set.
	bad = clone(rc)
	vs = votes(bad)
	intruder := testkitKey(99)
	vs[1].Signer, vs[1].Miner = intruder.Pub, intruder.Addr
	signHeader(&vs[1], intruder.Priv)
	put(bad.VoteHeaders, 1, &vs[1])
	_, err = verify(bad, sum)
	wantInvalid(t, err, "vote headers (below height 29)")
	wantInvalid(t, err, "unauthorized signer")

	// The votes that added D omitted: D, sealing in the tail, is no signer.
	bad = clone(rc)
	bad.VoteHeaders = bad.VoteHeaders[2:]
	_, err = verify(bad, sum)
	wantInvalid(t, err, "unauthorized signer")

	// A vote header at or above the tail's first height.
	bad = clone(rc)
	bad.VoteHeaders = append(bad.VoteHeaders, bad.Headers[0])
	_, err = verify(bad, sum)
	wantInvalid(t, err, "vote header")

	// The tip re-sealed by X, voted out at height 14.
	bad = clone(rc)
	hs := decodeHeaders(t, bad)
	tip := &hs[len(hs)-1]
	tip.Signer, tip.Miner = vc.dropped.Pub, vc.dropped.Addr
	signHeader(tip, vc.dropped.Priv)
	put(bad.Headers, len(hs)-1, tip)
	_, err = verify(bad, sum)
	wantInvalid(t, err, "unauthorized signer")

	// A header missing from the tail.
	bad = clone(rc)
	bad.Headers = append(bad.Headers[:5:5], bad.Headers[6:]...)
	_, err = verify(bad, sum)
	wantInvalid(t, err, "does not connect")

	// The block as first header: its parent is needed.
	bad = clone(rc)
	bad.Headers = bad.Headers[1:]
	_, err = verify(bad, sum)
	wantInvalid(t, err, "its parent must be in the receipt")

	// Vote headers on a proof-of-work receipt.
	_, _, pw := batch(t, writeFiles(t, t.TempDir(), 1), "", nil, false)
	bad = clone(pw[0])
	bad.VoteHeaders = rc.VoteHeaders
	if _, err := bad.VerifyHeaders(nil, nil, time.Now()); err == nil {
		t.Fatal("a PoW receipt with vote headers verified")
	} else {
		wantInvalid(t, err, "proof-of-work receipt with vote_headers")
	}

	// The same chain as a receipt of every header from height 1 (as
	// written before vote_headers) still verifies.
	full, err := job.Receipts(vc.anchored(t), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(full[0].VoteHeaders) != 0 || len(full[0].Headers) != 40 {
		t.Fatalf("full receipt: %d vote headers, %d headers", len(full[0].VoteHeaders), len(full[0].Headers))
	}
	if ch, err := verify(full[0], sum); err != nil || ch.Confirmations != 11 {
		t.Fatalf("full receipt: %v %+v", err, ch)
	}
}

// TestPoAReceiptSize: a receipt of a block on a 2,000-block PoA chain with
// five vote headers (three votes passed, one vote left out) is a few kilobytes, where one with
// every header would be about a megabyte.
func TestPoAReceiptSize(t *testing.T) {
	job, vc, rcs := votingBatch(t, 2000, 1990)
	data, err := rcs[0].Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verify(rcs[0], job.Entries[0].Sum); err != nil {
		t.Fatal(err)
	}
	full, err := job.Receipts(vc.anchored(t), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	fullData, err := full[0].Marshal()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("receipt: %d bytes (%d vote headers, %d headers); with every header: %d bytes", len(data), len(rcs[0].VoteHeaders), len(rcs[0].Headers), len(fullData))
	if len(data) > 16<<10 || len(fullData) < 500_000 {
		t.Fatalf("receipt of %d bytes (want at most 16 KiB), with every header %d", len(data), len(fullData))
	}
}

// TestV2PoAFixtures: two receipts `cairn anchor` wrote on a two-signer
// PoA network whose second signer was voted in at height 9: one by cairn
// before vote_headers (every header from height 1), one by this version
// (the vote header and the headers from the block's parent). Both verify
// offline from their files alone, and the new one is a fraction of the
// size.
func TestV2PoAFixtures(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		votes, first, confirm int
	}{
		{"v2-poa-full", 0, 1, 2},
		{"v2-poa-votes", 1, 16, 3},
	} {
		data, err := os.ReadFile("testdata/" + tc.name + ".receipt.json")
		if err != nil {
			t.Fatal(err)
		}
		content, err := os.ReadFile("testdata/" + tc.name + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		rc, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		ch, err := verify(rc, core.Sum(content))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		first := decodeHeaders(t, rc)[0].Height
		if !ch.Genesis.IsPoA() || len(rc.VoteHeaders) != tc.votes || first != uint64(tc.first) || ch.Confirmations != uint64(tc.confirm) {
			t.Fatalf("%s: PoA %v, %d vote headers, headers from %d, %d confirmations", tc.name, ch.Genesis.IsPoA(), len(rc.VoteHeaders), first, ch.Confirmations)
		}
	}
}
