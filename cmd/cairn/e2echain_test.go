package main

import (
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/cairn-chain/cairn/consensus/pow"
)

// e2eChain is a new chain with 1 s blocks and an easy target, and a node
// mining it (one thread), run as processes with the keystore ks.
type e2eChain struct {
	t       *testing.T
	ks      string
	genesis string // path of the genesis file
	node    *runningNode
}

// startE2EChain writes a genesis funding allocs (ADDRESS=COINS) into dir
// and starts a node mining to miner.
func startE2EChain(t *testing.T, dir, ks, chainID, miner string, allocs ...string) *e2eChain {
	t.Helper()
	return startE2EChainWith(t, dir, ks, chainID, miner, nil, allocs...)
}

// startE2EChainWith is startE2EChain with more `genesis new` flags
// (genesisArgs, which may name wallets of ks).
func startE2EChainWith(t *testing.T, dir, ks, chainID, miner string, genesisArgs []string, allocs ...string) *e2eChain {
	t.Helper()
	target := new(big.Int).Lsh(big.NewInt(1), 256)
	target.Div(target, big.NewInt(2_000_000))
	args := []string{"genesis", "new", "--chain-id", chainID, "--block-time", "1s", "--initial-bits", fmt.Sprintf("0x%08x", pow.BigToCompact(target))}
	for _, a := range allocs {
		args = append(args, "--alloc", a)
	}
	args = append(args, genesisArgs...)
	r := run(t, []string{"CAIRN_KEYSTORE=" + ks}, "", args...)
	r.want(t, 0)
	g := filepath.Join(dir, "genesis.json")
	if err := os.WriteFile(g, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	n := startNode(t, freeAddr(t), "--datadir", filepath.Join(dir, "data"), "--genesis", g, "--mine", "--miner", miner, "--threads", "1")
	return &e2eChain{t: t, ks: ks, genesis: g, node: n}
}

// cairn runs a command against the node with the test keystore.
func (c *e2eChain) cairn(args ...string) result {
	c.t.Helper()
	return run(c.t, []string{testPass, "CAIRN_KEYSTORE=" + c.ks, "CAIRN_NODE=" + c.node.url}, "", args...)
}

// ok runs a command that must succeed and returns its stdout.
func (c *e2eChain) ok(args ...string) string {
	c.t.Helper()
	r := c.cairn(args...)
	r.want(c.t, 0)
	return r.stdout
}

// wantLines fails unless out has a whole line matching each pattern.
func wantLines(t *testing.T, what, out string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !regexp.MustCompile(`(?m)^` + l + `$`).MatchString(out) {
			t.Fatalf("%s: no line matching %q in:\n%s", what, l, out)
		}
	}
}
