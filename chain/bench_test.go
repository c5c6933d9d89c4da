package chain_test

import (
	"crypto/ed25519"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/mempool"
	"github.com/cairn-chain/cairn/store"
	"github.com/cairn-chain/cairn/store/pebble"
)

// verifyRate measures ed25519.Verify per second on all cores: the machine's
// limit for checking signatures.
func verifyRate(tx *core.Tx) float64 {
	msg := tx.SigningBytes()
	workers := runtime.GOMAXPROCS(0)
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < 300*time.Millisecond {
				for i := 0; i < 50; i++ {
					ed25519.Verify(tx.From[:], msg, tx.Signature[:])
				}
				n.Add(50)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// BenchmarkConnectBlock1000 connects blocks of 1,000 transfers that were
// admitted to the mempool first (so their signatures are in the SigCache),
// on Pebble with one synced batch per block. It reports txs/s and that rate
// over the all-core ed25519.Verify rate measured in the same run: a ratio
// above 1 shows the signatures were not verified a second time.
func BenchmarkConnectBlock1000(b *testing.B) { benchConnect(b, 1000, 0) }

// BenchmarkConnectScaling: the same at other sizes, for how block
// connection scales with txs per block (100, 1,000, 5,000) and with the
// number of accounts already in the state (1,000 senders plus 0 or
// 200,000 other funded accounts).
func BenchmarkConnectScaling(b *testing.B) {
	for _, perBlock := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("txs=%d", perBlock), func(b *testing.B) { benchConnect(b, perBlock, 0) })
	}
	for _, extra := range []int{0, 200_000} {
		b.Run(fmt.Sprintf("accounts=%d", 1000+extra), func(b *testing.B) { benchConnect(b, 1000, extra) })
	}
}

// benchConnect connects blocks of perBlock transfers from perBlock keys,
// with extra other funded accounts in the genesis state.
func benchConnect(b *testing.B, perBlock, extra int) {
	keys := make([]ed25519.PrivateKey, perBlock)
	g := core.NewGenesis("bench", uint64(time.Now().Add(-time.Hour).UnixMilli()))
	g.InitialBits = 0x207fffff
	g.MinFee = 1
	g.MaxBlockTxs = uint64(2 * perBlock)
	g.MaxBlockBytes = uint64(perBlock)*256 + 1<<16
	for i := range keys {
		seed := make([]byte, 32)
		seed[0], seed[1] = byte(i), byte(i>>8)
		keys[i] = ed25519.NewKeyFromSeed(seed)
		var pub core.PublicKey
		copy(pub[:], keys[i].Public().(ed25519.PublicKey))
		g.Alloc = append(g.Alloc, core.Alloc{Address: pub.Address(), Balance: 1 << 40})
	}
	for i := range extra {
		g.Alloc = append(g.Alloc, core.Alloc{Address: core.Address{0xee, byte(i), byte(i >> 8), byte(i >> 16)}, Balance: 1})
	}
	g.SortAlloc()
	eng, err := pow.New(g)
	if err != nil {
		b.Fatal(err)
	}
	kv, err := pebble.Open(b.TempDir(), pebble.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer kv.Close()
	db, err := store.New(kv)
	if err != nil {
		b.Fatal(err)
	}
	sigs := core.NewSigCache(1 << 20)
	c, err := chain.New(chain.Config{Genesis: g, Engine: eng, DB: db, Now: time.Now, SigCache: sigs})
	if err != nil {
		b.Fatal(err)
	}
	pool, err := mempool.New(mempool.Config{ChainID: g.ChainID, MinFee: g.MinFee, State: db, SigCache: sigs, MaxBytes: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	var sample *core.Tx
	nextBlock := func(round int) *core.Block {
		txs := make([]*core.Tx, perBlock)
		for i, k := range keys {
			var pub core.PublicKey
			copy(pub[:], k.Public().(ed25519.PublicKey))
			to := core.Address{byte(round), byte(round >> 8), byte(i), byte(i >> 8), 1}
			tx := &core.Tx{Version: core.TxVersion, ChainID: g.ChainID, From: pub, To: to, Amount: 100, Fee: 1 + uint64(i%5), Nonce: uint64(round)}
			tx.Sign(k)
			txs[i] = tx
		}
		for i, err := range pool.AddBatch(txs) {
			if err != nil {
				b.Fatalf("admit tx %d: %v", i, err)
			}
		}
		sample = txs[0]
		blk, err := c.Template(core.Address{9}, pool.Select(int(g.MaxBlockBytes), perBlock))
		if err != nil {
			b.Fatal(err)
		}
		if len(blk.Txs) != perBlock {
			b.Fatalf("template holds %d txs", len(blk.Txs))
		}
		for ; eng.VerifySeal(&blk.Header) != nil; blk.Header.Nonce++ {
		}
		return blk
	}
	b.ReportAllocs()
	b.ResetTimer()
	var connect time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		blk := nextBlock(i)
		b.StartTimer()
		start := time.Now()
		res, err := c.ProcessBlock(blk)
		connect += time.Since(start)
		if err != nil || res.Status != chain.StatusMainChain {
			b.Fatalf("block %d: %v", i, err)
		}
		b.StopTimer()
		pool.Update(nil, res.Connected)
		b.StartTimer()
	}
	b.StopTimer()
	txsPerSec := float64(perBlock*b.N) / connect.Seconds()
	b.ReportMetric(txsPerSec, "txs/s")
	b.ReportMetric(txsPerSec/verifyRate(sample), "x_allcore_verify")
}
