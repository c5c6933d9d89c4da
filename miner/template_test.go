package miner

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
)

func TestBuildTemplateRespectsBlockLimits(t *testing.T) {
	var txs sliceTxs
	for i := range 10 {
		txs = append(txs, testTx(i, 100))
	}
	txSize := txs[0].Size() + 2 // with its length prefix (2 bytes for ~250)
	tests := []struct {
		name             string
		maxBytes, maxTxs int
		wantTxs          int
	}{
		{"everything fits", 1 << 20, 100, 10},
		{"tx count limit", 1 << 20, 3, 3},
		{"byte limit", core.HeaderSize + 1 + 4*txSize, 100, 4},
		{"byte limit one short", core.HeaderSize + 1 + 4*txSize - 1, 100, 3},
		{"room for no tx", core.HeaderSize + 1, 100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFakeChain(easyBits)
			blk, err := buildTemplate(c, txs, addrA, tt.maxBytes, tt.maxTxs)
			if err != nil {
				t.Fatal(err)
			}
			if len(blk.Txs) != tt.wantTxs || blk.Size() > tt.maxBytes {
				t.Fatalf("%d txs, %d bytes; want %d txs within %d bytes", len(blk.Txs), blk.Size(), tt.wantTxs, tt.maxBytes)
			}
			if blk.Header.TxRoot != core.MerkleRoot(blk.TxIDs()) {
				t.Fatal("tx_root does not match the trimmed txs")
			}
		})
	}
}

func TestBuildTemplateErrors(t *testing.T) {
	c := newFakeChain(easyBits)
	c.failTemplates = 1
	if _, err := buildTemplate(c, nil, addrA, 1<<20, 10); err == nil {
		t.Fatal("no error from a failing chain")
	}
	if _, err := buildTemplate(nilChain{}, nil, addrA, 1<<20, 10); err == nil {
		t.Fatal("no error for a nil template")
	}
	// Too small for even an empty block.
	if _, err := buildTemplate(c, sliceTxs{testTx(1, 0)}, addrA, 10, 10); err == nil {
		t.Fatal("no error for a block over the byte limit")
	}
}

type nilChain struct{}

func (nilChain) Template(core.Address, []*core.Tx) (*core.Block, error) { return nil, nil }
func (nilChain) TipHash() core.Hash                                     { return core.Hash{} }

func TestMineOne(t *testing.T) {
	c := newFakeChain(easyBits)
	tip := c.TipHash()
	txs := sliceTxs{testTx(1, 5)}
	blk, err := MineOne(context.Background(), c, txs, testSealer, addrB, 2, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if h := blk.Hash(); bytes.Compare(h[:], easyTarget[:]) > 0 {
		t.Fatalf("hash %s above the target", h)
	}
	if blk.Header.PrevHash != tip || blk.Header.Height != 1 || blk.Header.Miner != addrB || len(blk.Txs) != 1 {
		t.Fatalf("block %+v with %d txs", blk.Header, len(blk.Txs))
	}
	if err := c.Submit(blk); err != nil {
		t.Fatalf("the chain rejects the mined block: %v", err)
	}
}

func TestMineOneErrors(t *testing.T) {
	c := newFakeChain(easyBits)
	if _, err := MineOne(context.Background(), nil, nil, testSealer, addrA, 1, 0, 0); err == nil {
		t.Error("nil chain: no error")
	}
	if _, err := MineOne(context.Background(), c, nil, nil, addrA, 1, 0, 0); err == nil {
		t.Error("nil sealer: no error")
	}
	if _, err := MineOne(context.Background(), newFakeChain(badBits), nil, testSealer, addrA, 1, 0, 0); err == nil {
		t.Error("bad bits: no error")
	}
	c.failTemplates = 1
	if _, err := MineOne(context.Background(), c, nil, testSealer, addrA, 1, 0, 0); err == nil {
		t.Error("failing template: no error")
	}
}

func TestMineOneStopsWithItsContext(t *testing.T) {
	leaks := noLeaks(t)
	c := newFakeChain(hardBits)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := MineOne(ctx, c, nil, testSealer, addrA, 2, 0, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("MineOne on a cancelled context: %v", err)
	}
	leaks()
}

func TestMineOneFollowsTheTip(t *testing.T) {
	leaks := noLeaks(t)
	c := newFakeChain(hardBits)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := MineOne(ctx, c, nil, testSealer, addrA, 2, 0, 0)
		done <- err
	}()
	c.wait(t, "a template", func(c *fakeChain) bool { return len(c.templates) >= 1 })
	tip := c.replaceTip(core.Header{Height: 50, Timestamp: 7})
	c.wait(t, "a template on the new tip", func(c *fakeChain) bool { return c.templates[len(c.templates)-1].PrevHash == tip })
	cancel()
	if err := receive(t, "MineOne to return", done); !errors.Is(err, context.Canceled) {
		t.Fatalf("MineOne: %v", err)
	}
	leaks()
}

func TestResumeContinuesTheNonceSequence(t *testing.T) {
	h := benchHeader()
	h.Nonce = 0
	var r resume
	first := h
	r.start(&first)
	if first.Nonce != 0 {
		t.Fatalf("first template starts at %d", first.Nonce)
	}
	r.done(first, 1000, 3)
	again := h
	r.start(&again)
	if again.Nonce != 3000 {
		t.Fatalf("same template again starts at %d, want 3000", again.Nonce)
	}
	r.done(again, 1000, 3)
	other := h
	other.Timestamp++
	r.start(&other)
	if other.Nonce != 0 {
		t.Fatalf("a new template starts at %d, want 0", other.Nonce)
	}
}
