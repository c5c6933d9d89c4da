package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/anchor"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// cairnInProcess runs a cairn command in this process (the receipts of a
// 1,000-file batch are too many for a process each), returning its
// stdout and error.
func cairnInProcess(args ...string) (string, error) {
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// TestVerifyAnchor1000 anchors 1,000 files in one tx on a hand-mined PoW
// chain, served by a fake node: every receipt verifies online and offline
// through the command, and a flipped byte in a file, its path, a header or
// the proof fails with the reason.
func TestVerifyAnchor1000(t *testing.T) {
	dir := t.TempDir()
	names := make([]string, 1000)
	for i := range names {
		names[i] = filepath.Join(dir, fmt.Sprintf("doc-%04d.txt", i))
		os.WriteFile(names[i], fmt.Appendf(nil, "record %d\n", i), 0o600)
	}
	sums, err := anchor.HashFiles(context.Background(), names, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	job, err := anchor.NewJob(sums, "SHIP-1000", func() ([]byte, error) {
		s := make([]byte, anchor.SaltSize)
		_, err := rand.Read(s)
		return s, err
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := job.Memo()
	if err != nil {
		t.Fatal(err)
	}

	// A PoW chain of 6 blocks on the easiest target at 5 s intervals, the
	// anchor tx second of three in block 3.
	g := core.NewGenesis("test", uint64(time.Now().Add(-time.Minute).UnixMilli()))
	g.InitialBits = testkit.TrivialBits
	e, err := pow.New(g)
	if err != nil {
		t.Fatal(err)
	}
	k := testkit.NewKey(1)
	tx := &core.Tx{Version: core.TxVersion, ChainID: "test", From: k.Pub, To: k.Addr, Fee: 1000, Memo: m}
	tx.Sign(k.Priv)
	ids := []core.Hash{core.Sum([]byte("a")), tx.ID(), core.Sum([]byte("b"))}
	branch, _ := core.MerkleProof(ids, 1)
	parent := g.Block().Header
	var headers []core.Header
	for h := uint64(1); h <= 6; h++ {
		hd := core.Header{Version: core.BlockVersion, Height: h, PrevHash: parent.Hash(), Timestamp: parent.Timestamp + g.TargetBlockTimeMs,
			TxRoot: core.Sum(fmt.Appendf(nil, "%d", h)), Miner: k.Addr, Bits: e.NextBits(&parent)}
		if h == 3 {
			hd.TxRoot = core.MerkleRoot(ids)
		}
		for e.VerifySeal(&hd) != nil {
			hd.Nonce++
		}
		headers = append(headers, hd)
		parent = hd
	}
	blk := headers[2]
	proof := wire.Proof{TxID: tx.ID().String(), BlockHash: blk.Hash().String(), Height: 3, TxRoot: blk.TxRoot.String(), Index: 1, Size: 3}
	for _, b := range branch {
		proof.Branch = append(proof.Branch, b.String())
	}
	gj, _ := json.Marshal(g)
	rcs, err := job.Receipts(&anchor.Anchored{Genesis: gj, Tx: tx, From: k.Addr.Encode("cairn"), Proof: proof, Headers: headers[1:]}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	encoded, err := anchor.MarshalBatch(rcs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range names {
		os.WriteFile(names[i]+".receipt.json", encoded[i], 0o600)
	}
	f := newFakeNode(t)
	f.status.Genesis = g.Hash().String()
	f.blocks[proof.BlockHash] = wire.Block{
		BlockHeader: wire.BlockHeader{Hash: proof.BlockHash, Height: 3, PrevHash: blk.PrevHash.String(), Timestamp: blk.Timestamp,
			TxRoot: proof.TxRoot, Miner: k.Addr.Encode("cairn"), Bits: fmt.Sprintf("0x%08x", blk.Bits), Nonce: blk.Nonce, TxCount: 3},
		MainChain: true, Confirmations: 4,
		Txs: []wire.Tx{{ID: ids[0].String()}, tx.JSON("cairn"), {ID: ids[2].String()}},
	}

	for i, n := range names {
		rc := n + ".receipt.json"
		out, err := cairnInProcess("verify-anchor", n, rc, "--node", f.url(), "--confirmations", "4")
		if err != nil || !strings.Contains(out, "anchor valid: on the main chain of "+f.url()+" in block 3 ") {
			t.Fatalf("receipt %d online: %v\n%s", i, err, out)
		}
		out, err = cairnInProcess("verify-anchor", n, rc, "--offline", "--genesis-hash", g.Hash().String(), "--confirmations", "4")
		if err != nil || !strings.Contains(out, "anchor valid offline: block 3 ") {
			t.Fatalf("receipt %d offline: %v\n%s", i, err, out)
		}
	}

	// Flipped bytes, each in a copy.
	flip := func(s string, at int) string {
		b := []byte(s)
		b[at] ^= 1 // hex digits stay hex: '0'<->'1', 'a'<->'`' is caught as not hex
		if b[at] == '`' || b[at] == 'g' {
			b[at] = '0'
		}
		return string(b)
	}
	i := 617
	bad := filepath.Join(dir, "bad.json")
	try := func(what, file string, mutate func(rc *anchor.Receipt), want string) {
		t.Helper()
		data, _ := os.ReadFile(names[i] + ".receipt.json")
		rc, err := anchor.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		mutate(rc)
		out, _ := rc.Marshal()
		os.WriteFile(bad, out, 0o600)
		for _, mode := range []string{"--offline", "--node=" + f.url()} {
			_, err := cairnInProcess("verify-anchor", file, bad, mode)
			if err == nil || !strings.Contains(err.Error(), "proof INVALID") || !strings.Contains(err.Error(), want) {
				t.Errorf("%s (%s): %v, want an invalid proof naming %q", what, mode, err, want)
			}
		}
	}
	changed := filepath.Join(dir, "changed.txt")
	content, _ := os.ReadFile(names[i])
	content[2] ^= 1
	os.WriteFile(changed, content, 0o600)
	try("a byte of the file", changed, func(*anchor.Receipt) {}, "not the anchored file")
	try("a byte of the path", names[i], func(rc *anchor.Receipt) { rc.Batch.Path[3] = flip(rc.Batch.Path[3], 10) }, "is not leaf 617 of 1000")
	try("a byte of the proof", names[i], func(rc *anchor.Receipt) { rc.Proof.Branch[0] = flip(rc.Proof.Branch[0], 0) }, "is not the leaf at index 1 of 3")
	try("a byte of the block's header", names[i], func(rc *anchor.Receipt) { rc.Headers[1] = flip(rc.Headers[1], 100) }, "height 3")
	try("a byte of a later header", names[i], func(rc *anchor.Receipt) { rc.Headers[3] = flip(rc.Headers[3], 30) }, "does not connect")
}
