package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/anchor"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/node"
)

// runningNode is a `cairn node` process started by a test.
type runningNode struct {
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	out    bytes.Buffer // stdout and stderr, for failure messages
	exited chan struct{}
	err    error // Wait's result, after exited is closed
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (n *runningNode) output() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.out.String()
}

// tail returns the last lines of the node's output, for failure messages.
func (n *runningNode) tail() string {
	lines := strings.Split(strings.TrimRight(n.output(), "\n"), "\n")
	if len(lines) > 30 {
		lines = append([]string{"..."}, lines[len(lines)-30:]...)
	}
	return strings.Join(lines, "\n")
}

// startNode starts `cairn node` with args and waits until its API answers
// GET /healthz and GET /api/v1/status.
func startNode(t *testing.T, apiAddr string, args ...string) *runningNode {
	t.Helper()
	n := &runningNode{url: "http://" + apiAddr, exited: make(chan struct{})}
	n.cmd = exec.Command(buildCairn(t), append([]string{"node", "--api", apiAddr, "--listen", "/ip4/127.0.0.1/tcp/0"}, args...)...)
	w := lockedWriter{&n.mu, &n.out}
	n.cmd.Stdout, n.cmd.Stderr = w, w
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.err = n.cmd.Wait(); close(n.exited) }()
	t.Cleanup(func() {
		select {
		case <-n.exited:
		default:
			n.cmd.Process.Kill()
			<-n.exited
		}
	})
	c := client.New(n.url, client.WithTimeout(2*time.Second))
	deadline := time.Now().Add(30 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-n.exited:
			t.Fatalf("cairn node exited early (%v):\n%s", n.err, n.tail())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		lastErr = c.Healthz(ctx)
		if lastErr == nil {
			_, lastErr = c.Status(ctx)
		}
		cancel()
		if lastErr == nil {
			return n
		}
		select {
		case <-n.exited:
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("cairn node does not serve GET /healthz and /api/v1/status at %s within 30 s (last error: %v).\n"+
		"Is the REST API wired into node.Run via Config.APIAddr? (CAIRN_E2E_PENDING=1 skips this test until it is.)\nnode output:\n%s",
		n.url, lastErr, n.tail())
	return nil
}

// stop interrupts the node and waits for a clean exit.
func (n *runningNode) stop(t *testing.T) {
	t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-n.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("cairn node did not stop within 60 s of SIGINT:\n%s", n.tail())
	}
	if n.err != nil {
		t.Fatalf("cairn node exit after SIGINT: %v\n%s", n.err, n.tail())
	}
	if !strings.Contains(n.output(), "stopped at height") {
		t.Fatalf("no stop line:\n%s", n.tail())
	}
}

// freeAddr returns a 127.0.0.1 address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var submittedRe = regexp.MustCompile(`submitted ([0-9a-f]{64})`)

// includedRe matches --wait's last line: usually 1 confirmation, more when
// a block followed before the command looked (the chain mines on).
var includedRe = regexp.MustCompile(`included in block (\d+) \((1 confirmation|[2-9]\d* confirmations)\)`)

// TestEndToEnd runs the whole client side against a real node: a genesis
// funding a wallet made by `cairn wallet new`, a mining node, `cairn send
// --wait`, both balances, the tx's status, `cairn verify-proof` of the
// served proof (and of a tampered one), then a restart that finds
// everything again.
func TestEndToEnd(t *testing.T) {
	if os.Getenv("CAIRN_E2E_PENDING") == "1" {
		t.Skip("CAIRN_E2E_PENDING=1: the node's REST API is not wired yet")
	}
	dir := t.TempDir()
	ks := filepath.Join(dir, "keystore")
	alice := newWallet(t, ks, "alice")
	bob := newWallet(t, ks, "bob")
	miner := newWallet(t, ks, "miner")

	// About one block per second for one thread at ~2 MH/s; ASERT adapts.
	target := new(big.Int).Lsh(big.NewInt(1), 256)
	target.Div(target, big.NewInt(2_000_000))
	r := run(t, nil, "", "genesis", "new", "--chain-id", "e2e", "--alloc", alice+"=1000", "--block-time", "1s",
		"--initial-bits", fmt.Sprintf("0x%08x", pow.BigToCompact(target)))
	r.want(t, 0)
	genesisFile := filepath.Join(dir, "genesis.json")
	if err := os.WriteFile(genesisFile, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}

	dataDir := filepath.Join(dir, "data")
	apiAddr := freeAddr(t)
	// --miner names the wallet; its address is paid.
	n := startNode(t, apiAddr, "--datadir", dataDir, "--genesis", genesisFile, "--mine", "--miner", "miner", "--keystore", ks, "--threads", "1")
	url := n.url
	c := client.New(url)
	ctx := context.Background()
	pollUntil(t, 60*time.Second, "the first block", func() bool {
		st, err := c.Status(ctx)
		return err == nil && st.Height >= 1
	})
	if b, err := c.Block(ctx, "1"); err != nil || b.Miner != miner {
		t.Fatalf("block 1 pays %+v (%v), want the miner wallet %s", b, err, miner)
	}
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.ChainID != "e2e" || st.AddressPrefix != "cairn" || st.Decimals != 8 {
		t.Fatalf("status %+v", st)
	}
	if !strings.Contains(n.output(), "chain e2e") || !strings.Contains(n.output(), apiAddr) {
		t.Fatalf("no start-up banner naming the chain and the API:\n%s", n.tail())
	}
	if fi, err := os.Stat(filepath.Join(dataDir, node.TokenFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin token file: %v, %v", fi, err)
	}

	// Send and wait.
	r = run(t, []string{testPass}, "", "send", "--from", "alice", "--to", bob, "--amount", "12.5", "--wait", "--timeout", "2m",
		"--node", url, "--keystore", ks)
	r.want(t, 0)
	m := submittedRe.FindStringSubmatch(r.stdout)
	if m == nil || !includedRe.MatchString(r.stdout) {
		t.Fatalf("send --wait printed:\n%s", r.stdout)
	}
	id := m[1]
	info, err := c.Tx(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != wire.StatusConfirmed || info.Confirmations < 1 {
		t.Fatalf("tx %s: %+v", id, info)
	}
	aliceTxs := uint64(1) // txs alice has sent, each paying the minimum fee
	checkBalances := func() {
		t.Helper()
		b, err := c.Account(ctx, bob)
		if err != nil {
			t.Fatal(err)
		}
		a, err := c.Account(ctx, alice)
		if err != nil {
			t.Fatal(err)
		}
		if b.Balance != 1_250_000_000 {
			t.Fatalf("bob's balance %d, want 1250000000", b.Balance)
		}
		if want := 100_000_000_000 - 1_250_000_000 - aliceTxs*st.MinFee; a.Balance != want || a.Nonce != aliceTxs {
			t.Fatalf("alice: %+v, want balance %d nonce %d", a, want, aliceTxs)
		}
	}
	checkBalances()
	r = run(t, nil, "", "tx", "show", id, "--json", "--node", url)
	r.want(t, 0)
	var shown wire.TxInfo
	if err := json.Unmarshal([]byte(r.stdout), &shown); err != nil || shown.Status != wire.StatusConfirmed || shown.BlockHash != info.BlockHash {
		t.Fatalf("tx show --json: %v\n%s", err, r.stdout)
	}
	r = run(t, nil, "", "block", "show", fmt.Sprint(info.Height), "--node", url)
	r.want(t, 0)
	if !strings.Contains(r.stdout, id) {
		t.Fatalf("block show %d does not list the tx:\n%s", info.Height, r.stdout)
	}

	// The served proof verifies, offline and against the node; a tampered
	// one does not.
	proof, err := c.Proof(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	proofFile := writeProof(t, dir, proof)
	r = run(t, nil, "", "verify-proof", proofFile, "--node", url)
	r.want(t, 0)
	if !strings.Contains(r.stdout, "on the main chain") {
		t.Fatalf("verify-proof:\n%s", r.stdout)
	}
	bad := *proof
	bad.TxID = strings.Repeat("0", 64)
	run(t, nil, "", "verify-proof", writeProof(t, dir, bad), "--node", url).want(t, 1, "proof INVALID")
	bad = *proof
	bad.TxRoot = strings.Repeat("1", 64)
	run(t, nil, "", "verify-proof", writeProof(t, dir, bad)).want(t, 1, "proof INVALID")

	// Anchor a document, verify it, and see a changed file, a tampered
	// receipt and too few confirmations refused.
	doc := filepath.Join(dir, "contract.txt")
	if err := os.WriteFile(doc, []byte("the parties agree\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = run(t, []string{testPass}, "", "anchor", doc, "--from", "alice", "--node", url, "--keystore", ks, "--timeout", "2m")
	r.want(t, 0)
	receiptFile := doc + ".receipt.json"
	aliceTxs++
	for _, want := range []string{"sha256 ", "submitted data tx", "included in block", "receipt written to " + receiptFile} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("anchor output lacks %q:\n%s", want, r.stdout)
		}
	}
	var rc anchor.Receipt
	if data, err := os.ReadFile(receiptFile); err != nil || json.Unmarshal(data, &rc) != nil {
		t.Fatalf("receipt: %v\n%s", err, data)
	}
	anchored, err := c.Tx(ctx, rc.TxID)
	if err != nil || anchored.Tx.Amount != 0 || rc.Version != anchor.Version2 || rc.Batch == nil || anchored.Tx.Memo != rc.Batch.Root || anchored.BlockHash != rc.BlockHash {
		t.Fatalf("anchored tx %+v (%v), receipt %+v", anchored, err, rc)
	}
	// The block was mined moments ago: its date in the receipt and in the
	// output must be today's (a receipt once said the year 58892).
	if bt, err := time.Parse(time.RFC3339, rc.BlockTime); err != nil || time.Since(bt).Abs() > time.Minute {
		t.Fatalf("receipt block_time %q (%v), want within a minute of now (%s)", rc.BlockTime, err, time.Now().UTC().Format(time.RFC3339))
	}
	if !strings.Contains(r.stdout, " at "+rc.BlockTime+"\n") {
		t.Fatalf("anchor output does not give the block time %s:\n%s", rc.BlockTime, r.stdout)
	}
	run(t, []string{testPass}, "", "anchor", doc, "--from", "alice", "--node", url, "--keystore", ks).want(t, 1, "already exists")
	r = run(t, nil, "", "verify-anchor", doc, receiptFile, "--node", url)
	r.want(t, 0)
	if !strings.Contains(r.stdout, "anchor valid") {
		t.Fatalf("verify-anchor:\n%s", r.stdout)
	}
	run(t, nil, "", "verify-anchor", doc, receiptFile, "--node", url, "--confirmations", "1000000").want(t, 1, "fewer than the 1000000")
	changed := filepath.Join(dir, "changed.txt")
	os.WriteFile(changed, []byte("the parties agree.\n"), 0o600)
	run(t, nil, "", "verify-anchor", changed, receiptFile, "--node", url).want(t, 1, "not the anchored file")
	badRc := rc
	badRc.Height++
	badRc.Proof.Height++
	badFile := filepath.Join(dir, "bad.receipt.json")
	os.WriteFile(badFile, mustJSON(badRc), 0o600)
	run(t, nil, "", "verify-anchor", doc, badFile, "--node", url).want(t, 1, "proof INVALID")
	badRc = rc
	badRc.BlockTime = "2020-01-01T00:00:00Z"
	os.WriteFile(badFile, mustJSON(badRc), 0o600)
	run(t, nil, "", "verify-anchor", doc, badFile, "--node", url).want(t, 1, "is not the block's time")

	// The admin route, with the token file the node wrote.
	r = run(t, nil, "", "mine", "--node", url, "--token-file", filepath.Join(dataDir, node.TokenFile))
	r.want(t, 0)
	run(t, nil, "", "mine", "--node", url, "--token", "wrong").want(t, 1, "unauthorized")

	// Restart on the same data directory, without --genesis.
	heightBefore := mustStatus(t, c).Height
	n.stop(t)
	n = startNode(t, apiAddr, "--datadir", dataDir, "--mine", "--miner", miner, "--threads", "1")
	if h := mustStatus(t, c).Height; h < heightBefore {
		t.Fatalf("height %d after restart, was %d", h, heightBefore)
	}
	info2, err := c.Tx(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if info2.Status != wire.StatusConfirmed || info2.BlockHash != info.BlockHash || info2.Height != info.Height {
		t.Fatalf("after restart tx %+v, was %+v", info2, info)
	}
	checkBalances()
	run(t, nil, "", "verify-proof", proofFile, "--node", url).want(t, 0)
	run(t, nil, "", "verify-anchor", doc, receiptFile, "--node", url).want(t, 0)
	n.stop(t)
}

func mustStatus(t *testing.T, c *client.Client) *wire.Status {
	t.Helper()
	st, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}
