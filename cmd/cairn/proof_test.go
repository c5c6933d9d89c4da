package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/core"
)

// provenBlock is a hand-built block of n txs with a valid header (easy
// proof of work) and the proof of its tx at index.
func provenBlock(t *testing.T, n, index int) (wire.Proof, wire.Block) {
	t.Helper()
	ids := make([]core.Hash, n)
	txs := make([]wire.Tx, n)
	for i := range ids {
		ids[i] = sha256.Sum256(fmt.Appendf(nil, "tx %d", i))
		txs[i] = wire.Tx{ID: ids[i].String()}
	}
	branch, err := core.MerkleProof(ids, index)
	if err != nil {
		t.Fatal(err)
	}
	h := core.Header{Version: core.BlockVersion, Height: 7, PrevHash: sha256.Sum256([]byte("parent")), Timestamp: 1_700_000_000_000,
		TxRoot: core.MerkleRoot(ids), Miner: core.Address{9}, Bits: 0x207fffff}
	target, err := pow.TargetHash(h.Bits)
	if err != nil {
		t.Fatal(err)
	}
	for !pow.CheckHash(h.Hash(), target) {
		h.Nonce++
	}
	p := wire.Proof{TxID: ids[index].String(), BlockHash: h.Hash().String(), Height: h.Height, TxRoot: h.TxRoot.String(),
		Index: uint32(index), Size: uint32(n)}
	for _, b := range branch {
		p.Branch = append(p.Branch, b.String())
	}
	b := wire.Block{
		BlockHeader: wire.BlockHeader{Hash: p.BlockHash, Height: h.Height, PrevHash: h.PrevHash.String(), Timestamp: h.Timestamp,
			TxRoot: p.TxRoot, Miner: h.Miner.Encode("cairn"), Bits: fmt.Sprintf("0x%08x", h.Bits), Nonce: h.Nonce, TxCount: n},
		MainChain: true, Confirmations: 3, Txs: txs,
	}
	return p, b
}

func handProof(t *testing.T, n, index int) wire.Proof {
	p, _ := provenBlock(t, n, index)
	return p
}

func writeProof(t *testing.T, dir string, p any) string {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(dir, "proof-*.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

func TestCLIVerifyProofOffline(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{1, 2, 5, 8} {
		for _, i := range []int{0, n / 2, n - 1} {
			p := handProof(t, n, i)
			r := run(t, nil, "", "verify-proof", writeProof(t, dir, p))
			r.want(t, 0)
			if !strings.Contains(r.stdout, "proof valid") {
				t.Fatalf("n=%d i=%d: %s", n, i, r.stdout)
			}
		}
	}
	good := handProof(t, 5, 3)
	flip := func(h string) string {
		c := "0"
		if h[0] == '0' {
			c = "1"
		}
		return c + h[1:]
	}
	cases := []struct {
		name   string
		tamper func(p *wire.Proof)
	}{
		{"branch byte", func(p *wire.Proof) { p.Branch[0] = flip(p.Branch[0]) }},
		{"last branch hash", func(p *wire.Proof) { p.Branch[len(p.Branch)-1] = flip(p.Branch[len(p.Branch)-1]) }},
		{"branch dropped", func(p *wire.Proof) { p.Branch = p.Branch[1:] }},
		{"branch extra", func(p *wire.Proof) { p.Branch = append(p.Branch, p.Branch[0]) }},
		{"index", func(p *wire.Proof) { p.Index = 2 }},
		{"index out of range", func(p *wire.Proof) { p.Index = 5 }},
		{"size", func(p *wire.Proof) { p.Size = 4 }},
		{"size zero", func(p *wire.Proof) { p.Size = 0 }},
		{"tx id", func(p *wire.Proof) { p.TxID = flip(p.TxID) }},
		{"tx root", func(p *wire.Proof) { p.TxRoot = flip(p.TxRoot) }},
		{"tx id not hex", func(p *wire.Proof) { p.TxID = "zz" }},
		{"branch not hex", func(p *wire.Proof) { p.Branch[0] = "xyz" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := good
			p.Branch = append([]string(nil), good.Branch...)
			c.tamper(&p)
			run(t, nil, "", "verify-proof", writeProof(t, dir, p)).want(t, 1, "proof INVALID")
		})
	}
	garbage := filepath.Join(dir, "garbage.json")
	os.WriteFile(garbage, []byte("{not json"), 0o600)
	run(t, nil, "", "verify-proof", garbage).want(t, 1, "not a proof JSON document")
	run(t, nil, "", "verify-proof", filepath.Join(dir, "missing.json")).want(t, 1, "missing.json")
	b, _ := json.Marshal(good)
	run(t, nil, string(b), "verify-proof", "-").want(t, 0)
}

func TestCLIVerifyProofWithNode(t *testing.T) {
	dir := t.TempDir()
	p, b := provenBlock(t, 4, 1)
	file := writeProof(t, dir, p)
	cases := []struct {
		name  string
		block func(b wire.Block) (wire.Block, bool) // the node's block, and whether it knows it
		code  int
		msg   string
	}{
		{"valid", func(b wire.Block) (wire.Block, bool) { return b, true }, 0, ""},
		{"side chain", func(b wire.Block) (wire.Block, bool) { b.MainChain = false; return b, true }, 1, "not on the node's main chain"},
		{"unknown block", func(b wire.Block) (wire.Block, bool) { return b, false }, 1, "does not know block"},
		{"header does not hash", func(b wire.Block) (wire.Block, bool) { b.Nonce++; return b, true }, 1, "hashes to"},
		{"other height", func(b wire.Block) (wire.Block, bool) { b.Height++; return b, true }, 1, "hashes to"},
		{"tx count", func(b wire.Block) (wire.Block, bool) { b.TxCount = 5; return b, true }, 1, "has 5 txs"},
		{"other tx at index", func(b wire.Block) (wire.Block, bool) {
			b.Txs = append([]wire.Tx(nil), b.Txs...)
			b.Txs[1].ID = b.Txs[2].ID
			return b, true
		}, 1, "holds tx"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeNode(t)
			if nb, ok := c.block(b); ok {
				f.blocks[p.BlockHash] = nb
			}
			r := run(t, nil, "", "verify-proof", file, "--node", f.url())
			if c.code == 0 {
				r.want(t, 0)
				if !strings.Contains(r.stdout, "on the main chain of "+f.url()) {
					t.Fatalf("stdout %q", r.stdout)
				}
				return
			}
			r.want(t, c.code, "proof INVALID", c.msg)
		})
	}
	// A tree size the path cannot tell apart (index 3 of 5 or of 6 has the
	// same audit path) passes offline; the node's tx count catches it.
	p5, b5 := provenBlock(t, 5, 3)
	p5.Size = 6
	f := newFakeNode(t)
	f.blocks[p5.BlockHash] = b5
	file5 := writeProof(t, dir, p5)
	run(t, nil, "", "verify-proof", file5).want(t, 0)
	run(t, nil, "", "verify-proof", file5, "--node", f.url()).want(t, 1, "proof INVALID", "has 5 txs, the proof says 6")

	// Without --node the check is offline even if CAIRN_NODE is set.
	r := run(t, []string{"CAIRN_NODE=" + closedURL(t)}, "", "verify-proof", file)
	r.want(t, 0)
	if !strings.Contains(r.stdout, "offline check only") {
		t.Fatalf("stdout %q", r.stdout)
	}
}
