package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/node"
)

// pollUntil polls cond every 50 ms until it holds or timeout passes.
func pollUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not synchronisation
	}
}

// TestEndToEndPoASigner (issue 13): `cairn genesis new --consensus poa
// --signer org1`, `cairn node --signer org1 --mine` seals blocks, `cairn
// consensus` marks org1 in turn, `cairn vote add KEY` prints the
// proposal; a node without --signer follows without sealing; --mine
// without --signer fails with a clear message.
func TestEndToEndPoASigner(t *testing.T) {
	if os.Getenv("CAIRN_E2E_PENDING") == "1" {
		t.Skip("CAIRN_E2E_PENDING=1: the node's REST API is not wired yet")
	}
	dir := t.TempDir()
	ks := filepath.Join(dir, "keystore")
	org1 := newWallet(t, ks, "org1")
	r := run(t, nil, "", "genesis", "new", "--chain-id", "poa-e2e", "--consensus", "poa", "--signer", "org1",
		"--block-time", "500ms", "--keystore", ks)
	r.want(t, 0)
	g, err := core.LoadGenesis(strings.NewReader(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	if !g.IsPoA() || len(g.PoA.Signers) != 1 || g.PoA.PeriodMs != 500 {
		t.Fatalf("genesis consensus %q, poa %+v", g.Consensus, g.PoA)
	}
	signerKey := g.PoA.Signers[0].String()
	genesisFile := filepath.Join(dir, "genesis.json")
	passFile := filepath.Join(dir, "pass.txt")
	for f, b := range map[string]string{genesisFile: r.stdout, passFile: strings.TrimPrefix(testPass, "CAIRN_PASSWORD=") + "\n"} {
		if err := os.WriteFile(f, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// --mine without --signer: refused, naming --signer.
	run(t, nil, "", "node", "--datadir", filepath.Join(dir, "nosigner"), "--genesis", genesisFile, "--mine",
		"--api", freeAddr(t), "--listen", "/ip4/127.0.0.1/tcp/0").want(t, 2, "--signer NAME")
	run(t, nil, "", "node", "--datadir", filepath.Join(dir, "nosigner2"), "--genesis", genesisFile, "--mine", "--miner", org1,
		"--api", freeAddr(t), "--listen", "/ip4/127.0.0.1/tcp/0").want(t, 1, "proof-of-authority", "--signer NAME")

	// The signer seals.
	d1 := filepath.Join(dir, "signer")
	s := startNode(t, freeAddr(t), "--datadir", d1, "--genesis", genesisFile, "--signer", "org1", "--mine",
		"--keystore", ks, "--password-file", passFile)
	sc := client.New(s.url, client.WithTimeout(5*time.Second))
	ctx := context.Background()
	height := func(c *client.Client) uint64 {
		st, err := c.Status(ctx)
		if err != nil {
			return 0
		}
		return st.Height
	}
	pollUntil(t, 30*time.Second, "the signer's height to reach 3", func() bool { return height(sc) >= 3 })
	if out := s.output(); !strings.Contains(out, "sealing   as signer "+signerKey+" ("+org1+"), a block every 500 ms") || strings.Contains(out, "all cores") {
		t.Fatalf("the signer's banner does not say it seals as org1 every 500 ms:\n%s", out)
	}
	blk, err := sc.Block(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	if blk.Signer != signerKey {
		t.Fatalf("block 2 signer %q, want org1's key %s", blk.Signer, signerKey)
	}

	r = run(t, nil, "", "consensus", "--node", s.url)
	r.want(t, 0)
	if !strings.Contains(r.stdout, "proof of authority (period 500ms") || !strings.Contains(r.stdout, "* "+signerKey+" "+org1) {
		t.Fatalf("cairn consensus does not mark org1 (%s %s) in turn:\n%s", signerKey, org1, r.stdout)
	}

	// A follower (no --signer) syncs and follows, and never seals.
	st, err := sc.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Listen) == 0 {
		t.Fatalf("the signer lists no p2p address: %+v", st)
	}
	peerAddr := st.Listen[0]
	if !strings.Contains(peerAddr, "/p2p/") {
		peerAddr += "/p2p/" + st.PeerID
	}
	f := startNode(t, freeAddr(t), "--datadir", filepath.Join(dir, "follower"), "--genesis", genesisFile, "--peer", peerAddr)
	fc := client.New(f.url, client.WithTimeout(5*time.Second))
	target := height(sc) + 2
	pollUntil(t, 30*time.Second, "the follower to follow the signer's new blocks", func() bool { return height(fc) >= target })
	fst, err := fc.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fst.Mining {
		t.Fatalf("the follower reports mining: %+v", fst)
	}
	for h := uint64(1); h <= fst.Height; h++ {
		b, err := fc.Block(ctx, fmt.Sprint(h))
		if err != nil {
			t.Fatal(err)
		}
		if b.Signer != signerKey {
			t.Fatalf("follower's block %d signed by %q, want %s", h, b.Signer, signerKey)
		}
	}
	if strings.Contains(f.output(), "mined block") {
		t.Fatalf("the follower sealed a block:\n%s", f.tail())
	}

	// vote add KEY prints the proposal. With one signer it passes at the
	// signer's next block, on both nodes.
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	newKey := hex.EncodeToString(pub)
	r = run(t, nil, "", "vote", "add", newKey, "--node", s.url, "--token-file", filepath.Join(d1, node.TokenFile))
	r.want(t, 0)
	if !strings.Contains(r.stdout, "this node's pending proposals:") || !strings.Contains(r.stdout, "add  "+newKey) {
		t.Fatalf("cairn vote add printed:\n%s", r.stdout)
	}
	for _, c := range []*client.Client{sc, fc} {
		pollUntil(t, 30*time.Second, "the vote to add the signer", func() bool {
			v, err := c.Consensus(ctx)
			return err == nil && len(v.Signers) == 2
		})
	}
	// block show names the signer and the vote of the block that carries it.
	voteHeight := uint64(0)
	for h := uint64(1); h <= height(sc) && voteHeight == 0; h++ {
		if b, err := sc.Block(ctx, fmt.Sprint(h)); err == nil && b.Vote != nil {
			voteHeight = h
		}
	}
	if voteHeight == 0 {
		t.Fatal("no block carries the vote that passed")
	}
	r = run(t, nil, "", "block", "show", fmt.Sprint(voteHeight), "--node", s.url)
	r.want(t, 0)
	wantLines(t, "block show", r.stdout, `signer     `+signerKey+` \(in turn, weight 2\)`, `vote       add cairn1[0-9a-z]+ \(`+newKey+`\)`)
	if strings.Contains(r.stdout, "nonce") {
		t.Fatalf("block show of a PoA block shows proof-of-work fields:\n%s", r.stdout)
	}
	// Once passed, the signer's proposal shows as in effect, not voting.
	r = run(t, nil, "", "consensus", "--node", s.url)
	r.want(t, 0)
	if !strings.Contains(r.stdout, "add  "+newKey) || !strings.Contains(r.stdout, "in effect at the tip") {
		t.Fatalf("cairn consensus after the vote passed printed:\n%s", r.stdout)
	}
	// The follower refuses votes: it has no signer key.
	r = run(t, nil, "", "vote", "add", newKey, "--node", f.url, "--token-file", filepath.Join(dir, "follower", node.TokenFile))
	if r.code == 0 {
		t.Fatalf("vote add on a follower succeeded:\n%s", r.stdout)
	}
	s.stop(t)
	f.stop(t)
}
