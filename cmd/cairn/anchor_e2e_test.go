package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/anchor"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/consensus/engines"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/node"
)

// TestEndToEndAnchorBatch anchors a shipment's documents in one tx under
// a topic on a real node, then a second batch under the same topic:
// history lists both in chain order, every receipt verifies online and
// offline, and with the node stopped the offline check still passes and
// fails for headers re-mined with lower difficulty or that do not connect.
func TestEndToEndAnchorBatch(t *testing.T) {
	dir := t.TempDir()
	ks := filepath.Join(dir, "keystore")
	alice := newWallet(t, ks, "alice")
	miner := newWallet(t, ks, "miner")
	ch := startE2EChain(t, dir, ks, "anchors", miner, alice+"=1000")

	docs := filepath.Join(dir, "shipment")
	if err := os.MkdirAll(filepath.Join(docs, "customs"), 0o700); err != nil {
		t.Fatal(err)
	}
	var files []string
	for i := range 24 {
		sub := docs
		if i%3 == 0 {
			sub = filepath.Join(docs, "customs")
		}
		f := filepath.Join(sub, fmt.Sprintf("doc-%02d.txt", i))
		if err := os.WriteFile(f, fmt.Appendf(nil, "shipment document %d\n", i), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	listed := filepath.Join(dir, "bill-of-lading.pdf")
	os.WriteFile(listed, []byte("bill of lading\n"), 0o600)
	files = append(files, listed)
	receipts := filepath.Join(dir, "receipts", "ship-42") // made by cairn anchor

	// The directory as an argument, one more file from standard input.
	r := run(t, []string{testPass, "CAIRN_KEYSTORE=" + ks, "CAIRN_NODE=" + ch.node.url}, listed+"\n",
		"anchor", docs, "--files-from", "-", "--from", "alice", "--topic", "SHIP-2026-0042", "--salt", "--out-dir", receipts, "--confirmations", "3", "--timeout", "2m")
	r.want(t, 0)
	wantLines(t, "anchor", r.stdout,
		`hashed 25 files, \d+ bytes, in .*`,
		`batch root [0-9a-f]{64} of 25 commitments \(salted\) under topic "SHIP-2026-0042"`,
		`submitted data tx [0-9a-f]{64}; waiting for 3 confirmations...`,
		`anchored in block \d+ [0-9a-f]{64} at 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ`,
		`25 receipts written in `+receipts+`, .* after confirmation`)
	rcPath := func(f string) string { return filepath.Join(receipts, filepath.Base(f)+".receipt.json") }
	var first anchor.Receipt
	if data, err := os.ReadFile(rcPath(files[0])); err != nil || json.Unmarshal(data, &first) != nil {
		t.Fatalf("receipt: %v", err)
	}

	// A second batch under the topic: one file, unsalted.
	later := filepath.Join(dir, "delivery-note.txt")
	os.WriteFile(later, []byte("delivered\n"), 0o600)
	out := ch.ok("anchor", later, "--from", "alice", "--topic", "SHIP-2026-0042", "--timeout", "2m")
	wantLines(t, "anchor", out, `receipt written to `+later+`.receipt.json`)
	var second anchor.Receipt
	if data, err := os.ReadFile(later + ".receipt.json"); err != nil || json.Unmarshal(data, &second) != nil {
		t.Fatalf("receipt: %v", err)
	}
	hist := ch.ok("history", "--topic", "SHIP-2026-0042")
	wantLines(t, "history", hist, `topic "SHIP-2026-0042": 2 anchors, oldest first`,
		`    root  `+first.Batch.Root, `    tx    `+first.TxID, `    root  `+second.Batch.Root, `    tx    `+second.TxID)
	if strings.Index(hist, first.TxID) > strings.Index(hist, second.TxID) {
		t.Fatalf("history not in chain order:\n%s", hist)
	}
	wantLines(t, "history", ch.ok("history", "--topic", "SHIP-2026-0042", "--limit", "1"), `    tx    `+first.TxID)
	wantLines(t, "history", ch.ok("history", "--topic", "LOT-0"), `topic "LOT-0": 0 anchors, oldest first`)
	wantLines(t, "tx show", ch.ok("tx", "show", second.TxID),
		`anchor   batch root `+second.Batch.Root+` under topic "SHIP-2026-0042" \(cairn history --topic\)`)
	wantLines(t, "block show", ch.ok("block", "show", second.BlockHash),
		`  +\d+  `+second.TxID+`  .* -> .*  0\.00000000 \(fee [0-9.]+\)  anchor under topic "SHIP-2026-0042"`)

	// Every receipt verifies offline, pinned to the chain's genesis file,
	// and a sample against the node (package anchor checks 1,000).
	for i, f := range files {
		if i%6 == 0 {
			wantLines(t, "verify-anchor", ch.ok("verify-anchor", f, rcPath(f), "--confirmations", "3"),
				`anchor valid: on the main chain of .* \(\d+ confirmations\)`)
		}
		wantLines(t, "verify-anchor --offline", ch.ok("verify-anchor", f, rcPath(f), "--offline", "--genesis", ch.genesis),
			`chain "anchors", genesis [0-9a-f]{64} \(pinned\)`,
			`block \d+ [0-9a-f]{64}, mined 20.*: (it and [1-9]\d* headers? on top carry|it carries) valid proof of work with the bits ASERT demands, about 2\^[0-9.]+ hashes in all( \(the receipt has no headers on top of it\))?`,
			`anchor valid offline: .*`)
	}
	// Another file's receipt does not verify this file.
	ch.cairn("verify-anchor", files[1], rcPath(files[2]), "--offline").want(t, 1, "not the anchored file")

	// Node stopped: offline still passes; asking the node fails.
	ch.node.stop(t)
	f := files[4]
	wantLines(t, "verify-anchor --offline", ch.ok("verify-anchor", f, rcPath(f), "--offline"), `anchor valid offline: .*`)
	ch.cairn("verify-anchor", f, rcPath(f)).want(t, 1, "cannot reach the node")

	data, err := os.ReadFile(rcPath(f))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := anchor.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.receipt.json")
	try := func(mutate func(rc *anchor.Receipt, hs []core.Header), msgs ...string) {
		t.Helper()
		c := *rc
		c.Headers = append([]string(nil), rc.Headers...)
		hs := make([]core.Header, len(c.Headers))
		for i, s := range c.Headers {
			raw, _ := hex.DecodeString(s)
			h, err := core.DecodeHeader(raw)
			if err != nil {
				t.Fatal(err)
			}
			hs[i] = *h
		}
		mutate(&c, hs)
		out, _ := c.Marshal()
		os.WriteFile(bad, out, 0o600)
		ch.cairn("verify-anchor", f, bad, "--offline").want(t, 1, msgs...)
	}
	// The headers after the block re-mined at the easiest target: every
	// seal holds and they connect, but their bits are not ASERT's.
	try(func(c *anchor.Receipt, hs []core.Header) {
		g, _ := core.ParseGenesis(c.Genesis)
		e, _ := engines.New(g)
		k := c.Height - hs[0].Height
		for i := k + 1; i < uint64(len(hs)); i++ {
			hs[i].PrevHash = hs[i-1].Hash()
			hs[i].Bits = 0x207fffff // the genesis pow_limit's: the easiest
			for e.VerifySeal(&hs[i]) != nil {
				hs[i].Nonce++
			}
			c.Headers[i] = hex.EncodeToString(hs[i].Encode())
		}
	}, "proof INVALID", "bits 0x207fffff, want")
	// A header left out: the next does not connect.
	try(func(c *anchor.Receipt, hs []core.Header) {
		c.Headers = append(c.Headers[:2:2], c.Headers[3:]...)
	}, "proof INVALID", "does not connect")
	// Pinned to another chain.
	ch.cairn("verify-anchor", f, rcPath(f), "--offline", "--genesis-hash", strings.Repeat("ab", 32)).want(t, 1, "proof INVALID", "not the pinned genesis")
}

// TestEndToEndAnchorPoA anchors on a proof-of-authority network of two
// signer nodes, the second added by a vote: the receipt carries that vote
// header and the headers from the block's parent (not every header from
// height 1), and with the nodes stopped the offline check replays the
// signer set from the genesis through the vote, and fails without the
// vote header, for a header re-signed by a key that is not a signer and
// for a receipt whose headers start at the block.
func TestEndToEndAnchorPoA(t *testing.T) {
	dir := t.TempDir()
	ks := filepath.Join(dir, "keystore")
	org1 := newWallet(t, ks, "org1")
	newWallet(t, ks, "org2")
	r := run(t, nil, "", "genesis", "new", "--chain-id", "anchor-poa", "--consensus", "poa", "--signer", "org1",
		"--block-time", "500ms", "--keystore", ks, "--alloc", org1+"=100")
	r.want(t, 0)
	genesisFile := filepath.Join(dir, "genesis.json")
	passFile := filepath.Join(dir, "pass.txt")
	for f, b := range map[string]string{genesisFile: r.stdout, passFile: strings.TrimPrefix(testPass, "CAIRN_PASSWORD=") + "\n"} {
		if err := os.WriteFile(f, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	n := startNode(t, freeAddr(t), "--datadir", filepath.Join(dir, "signer"), "--genesis", genesisFile, "--signer", "org1", "--mine",
		"--keystore", ks, "--password-file", passFile)
	nc := client.New(n.url, client.WithTimeout(5*time.Second))
	ctx := context.Background()
	st, err := nc.Status(ctx)
	if err != nil || len(st.Listen) == 0 {
		t.Fatalf("status %+v %v", st, err)
	}
	peerAddr := st.Listen[0]
	if !strings.Contains(peerAddr, "/p2p/") {
		peerAddr += "/p2p/" + st.PeerID
	}
	n2 := startNode(t, freeAddr(t), "--datadir", filepath.Join(dir, "signer2"), "--genesis", genesisFile, "--signer", "org2", "--mine",
		"--keystore", ks, "--password-file", passFile, "--peer", peerAddr)
	run(t, nil, "", "vote", "add", "org2", "--keystore", ks, "--node", n.url, "--token-file", filepath.Join(dir, "signer", node.TokenFile)).want(t, 0)
	var added uint64
	pollUntil(t, 60*time.Second, "the vote adding org2", func() bool {
		v, err := nc.Consensus(ctx)
		if err != nil || len(v.Signers) != 2 {
			return false
		}
		added = v.Height
		return true
	})
	// Both sign: the chain goes on past the vote (org1 alone may seal only
	// one block in two now).
	pollUntil(t, 60*time.Second, "two blocks past the vote", func() bool {
		st, err := nc.Status(ctx)
		return err == nil && st.Height >= added+2
	})
	env := []string{testPass, "CAIRN_KEYSTORE=" + ks, "CAIRN_NODE=" + n.url}
	doc := filepath.Join(dir, "lot-9.txt")
	os.WriteFile(doc, []byte("lot 9 inspection report\n"), 0o600)
	other := filepath.Join(dir, "lot-9-photo.txt")
	os.WriteFile(other, []byte("lot 9 photo\n"), 0o600)
	r = run(t, env, "", "anchor", doc, other, "--from", "org1", "--topic", "LOT-9", "--salt", "--confirmations", "3", "--timeout", "2m")
	r.want(t, 0)
	wantLines(t, "anchor", r.stdout, `2 receipts written next to each file, .* after confirmation`)
	wantLines(t, "history", run(t, env, "", "history", "--topic", "LOT-9").stdout, `topic "LOT-9": 1 anchor, oldest first`)
	n2.stop(t)
	n.stop(t)

	rcFile := doc + ".receipt.json"
	r = run(t, nil, "", "verify-anchor", doc, rcFile, "--offline", "--genesis", genesisFile, "--confirmations", "3")
	r.want(t, 0)
	wantLines(t, "verify-anchor --offline", r.stdout,
		`chain "anchor-poa", genesis [0-9a-f]{64} \(pinned\)`,
		`block \d+ [0-9a-f]{64}, mined 20.*: (it and [1-9]\d* headers? on top are|it is) signed by the chain's signers in their turns \(the signer set replayed from the genesis through 1 vote header below them\)( \(the receipt has no headers on top of it\))?`,
		`anchor valid offline: .*`)

	data, err := os.ReadFile(rcFile)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := anchor.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := hex.DecodeString(rc.Headers[0]); len(raw) == 0 {
		t.Fatal("no headers")
	} else if h, err := core.DecodeHeader(raw); err != nil || h.Height != rc.Height-1 || len(rc.VoteHeaders) != 1 {
		t.Fatalf("a PoA receipt's first header: %+v %v, want the block's parent at %d; %d vote headers, want 1", h, err, rc.Height-1, len(rc.VoteHeaders))
	}
	bad := filepath.Join(dir, "bad.receipt.json")
	write := func(c anchor.Receipt) {
		out, _ := c.Marshal()
		os.WriteFile(bad, out, 0o600)
	}
	// The tip re-signed by a key that is not a signer.
	c := *rc
	c.Headers = append([]string(nil), rc.Headers...)
	raw, _ := hex.DecodeString(c.Headers[len(c.Headers)-1])
	tip, err := core.DecodeHeader(raw)
	if err != nil {
		t.Fatal(err)
	}
	intruder := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	copy(tip.Signer[:], intruder.Public().(ed25519.PublicKey))
	tip.Miner = tip.Signer.Address()
	tip.Signature = core.Signature(ed25519.Sign(intruder, tip.SigningBytes()))
	c.Headers[len(c.Headers)-1] = hex.EncodeToString(tip.Encode())
	write(c)
	run(t, nil, "", "verify-anchor", doc, bad, "--offline").want(t, 1, "proof INVALID", "unauthorized signer")
	// Without the vote header the set is org1 alone: org2's blocks in the
	// tail are an intruder's, and org1's out-of-turn ones weigh wrong (a
	// lone signer is always in turn); whichever comes first fails.
	c = *rc
	c.VoteHeaders = nil
	write(c)
	r = run(t, nil, "", "verify-anchor", doc, bad, "--offline")
	r.want(t, 1, "proof INVALID", "header at height")
	if !strings.Contains(r.stderr, "unauthorized signer") && !strings.Contains(r.stderr, "want 2 (in turn)") {
		t.Fatalf("without the vote header: %s", r.stderr)
	}
	// Headers that start at the block: its parent is needed.
	c = *rc
	c.Headers = rc.Headers[1:]
	write(c)
	run(t, nil, "", "verify-anchor", doc, bad, "--offline").want(t, 1, "proof INVALID", "its parent must be in the receipt")
}
