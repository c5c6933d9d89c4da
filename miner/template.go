package miner

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/core"
)

// Chain is what the miner needs from the chain. The chain package implements
// it; the miner never imports chain, mempool or the network.
type Chain interface {
	// Template returns a block extending the current tip for the given
	// miner address, with the given candidate txs filtered to those valid
	// in order against the tip state, header fields set (height,
	// prev_hash, timestamp, bits, tx_root), nonce 0.
	Template(miner core.Address, txs []*core.Tx) (*core.Block, error)
	// TipHash returns the hash of the current tip.
	TipHash() core.Hash
}

// TxSource supplies candidate transactions, best first (the mempool).
type TxSource interface {
	// Select returns at most maxTxs txs whose encodings, each with its
	// uvarint length prefix, total at most maxBytes.
	Select(maxBytes, maxTxs int) []*core.Tx
}

// buildTemplate asks src for candidates and chain for a template, then
// makes sure the block respects maxBytes and maxTxs: if the chain returned
// more, it asks again with the longest prefix of its txs that fits (a
// prefix of txs valid in order is valid in order).
func buildTemplate(chain Chain, src TxSource, addr core.Address, maxBytes, maxTxs int) (*core.Block, error) {
	var cand []*core.Tx
	if src != nil && maxTxs > 0 {
		if budget := maxBytes - core.HeaderSize - binary.MaxVarintLen64; budget > 0 {
			cand = src.Select(budget, maxTxs)
		}
	}
	blk, err := template(chain, addr, cand)
	if err != nil {
		return nil, err
	}
	if k := fitting(blk.Txs, maxBytes, maxTxs); k < len(blk.Txs) {
		if blk, err = template(chain, addr, blk.Txs[:k]); err != nil {
			return nil, err
		}
	}
	if size := blk.Size(); len(blk.Txs) > maxTxs || size > maxBytes {
		return nil, fmt.Errorf("miner: block template: %d txs and %d bytes, the limits are %d txs and %d bytes",
			len(blk.Txs), size, maxTxs, maxBytes)
	}
	return blk, nil
}

func template(chain Chain, addr core.Address, txs []*core.Tx) (*core.Block, error) {
	blk, err := chain.Template(addr, txs)
	if err != nil {
		return nil, fmt.Errorf("miner: block template: %w", err)
	}
	if blk == nil {
		return nil, errors.New("miner: block template: the chain returned no block")
	}
	return blk, nil
}

// fitting returns how many of txs, from the start, fit a block of at most
// maxBytes encoded bytes and maxTxs txs.
func fitting(txs []*core.Tx, maxBytes, maxTxs int) int {
	size := core.HeaderSize // plus the tx count's uvarint, added per k below
	for k, tx := range txs {
		s := tx.Size()
		size += uvarintLen(uint64(s)) + s
		if k+1 > maxTxs || size+uvarintLen(uint64(k+1)) > maxBytes {
			return k
		}
	}
	return len(txs)
}

func uvarintLen(v uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], v)
}

// resume continues the nonce sequence when the next template has the same
// header as the last one (same timestamp, txs and tip), so a refresh within
// the same millisecond does not hash the same nonces again.
type resume struct {
	last core.Header // nonce zeroed
	next uint64
	ok   bool
}

// start sets h's starting nonce.
func (r *resume) start(h *core.Header) {
	key := *h
	key.Nonce = 0
	if r.ok && key == r.last {
		h.Nonce = r.next
	}
}

// done records that nonces [h.Nonce, h.Nonce+perThread*threads) were
// searched (or abandoned: skipping them is harmless).
func (r *resume) done(h core.Header, perThread uint64, threads int) {
	r.next = h.Nonce + perThread*uint64(threads) // wraps: the space restarts
	h.Nonce = 0
	r.last, r.ok = h, true
}

// MineOne mines one block extending chain's tip now, for GET /mine: it
// builds a template paying addr with txs from src (nil: an empty block),
// searches on threads goroutines (< 1: runtime.NumCPU()), re-building the
// template when the tip moves or after DefaultRefreshEvery hashes per
// thread, and returns the solved block without submitting it. maxBytes and
// maxTxs < 1 mean core.DefaultMaxBlockBytes and core.DefaultMaxBlockTxs. It
// returns ctx's error if ctx ends first.
func MineOne(ctx context.Context, chain Chain, src TxSource, sealer consensus.Sealer,
	addr core.Address, threads int, maxBytes, maxTxs int) (*core.Block, error) {
	if chain == nil {
		return nil, errors.New("miner: MineOne: chain is nil")
	}
	if sealer == nil {
		return nil, errors.New("miner: MineOne: sealer is nil")
	}
	maxBytes, maxTxs = blockLimits(maxBytes, maxTxs)
	threads = clampThreads(threads)
	var r resume
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		blk, err := buildTemplate(chain, src, addr, maxBytes, maxTxs)
		if err != nil {
			return nil, err
		}
		h := blk.Header
		r.start(&h)
		prev := h.PrevHash
		solved, found, err := sealer.Seal(ctx, h, consensus.SealOptions{Threads: threads, Limit: DefaultRefreshEvery,
			Abort: func() bool { return chain.TipHash() != prev }})
		if err != nil {
			return nil, fmt.Errorf("miner: seal block %d: %w", h.Height, err)
		}
		if found {
			blk.Header = solved
			return blk, nil
		}
		r.done(h, DefaultRefreshEvery, threads)
	}
}

// blockLimits applies the defaults to block limits < 1.
func blockLimits(maxBytes, maxTxs int) (int, int) {
	if maxBytes < 1 {
		maxBytes = core.DefaultMaxBlockBytes
	}
	if maxTxs < 1 {
		maxTxs = core.DefaultMaxBlockTxs
	}
	return maxBytes, maxTxs
}
