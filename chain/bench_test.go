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
	"github.com/cairn-chain/cairn/contracts"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/cairn-chain/cairn/mempool"
	"github.com/cairn-chain/cairn/state"
	"github.com/cairn-chain/cairn/store"
	"github.com/cairn-chain/cairn/store/pebble"
	"github.com/cairn-chain/cairn/vm"
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
func BenchmarkConnectBlock1000(b *testing.B) { benchConnect(b, 1000, 0, coinTxs) }

// BenchmarkConnectAssetBlock1000 is BenchmarkConnectBlock1000 with asset
// transfers: each of the 1,000 senders created an asset before the timer
// starts, and each block moves 100 units of each to a new holder. Its
// txs/s over BenchmarkConnectBlock1000's in the same run is the cost of
// an asset transfer (asset record, two holdings) against a coin transfer.
func BenchmarkConnectAssetBlock1000(b *testing.B) { benchConnect(b, 1000, 0, assetTxs) }

// BenchmarkConnectContractBlock1000 is BenchmarkConnectBlock1000 with
// calls of the example token contract (contracts/token.wasm): each of the
// 1,000 senders holds tokens, and each block has every sender transfer 1
// to a new holder (a metered run: 4 storage reads and writes, an event).
// Its txs/s over BenchmarkConnectBlock1000's in the same run is the cost
// of a contract call against a coin transfer.
func BenchmarkConnectContractBlock1000(b *testing.B) { benchConnect(b, 1000, 0, contractTxs) }

// BenchmarkConnectScaling: the same at other sizes, for how block
// connection scales with txs per block (100, 1,000, 5,000) and with the
// number of accounts already in the state (1,000 senders plus 0 or
// 200,000 other funded accounts).
func BenchmarkConnectScaling(b *testing.B) {
	for _, perBlock := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("txs=%d", perBlock), func(b *testing.B) { benchConnect(b, perBlock, 0, coinTxs) })
	}
	for _, extra := range []int{0, 200_000} {
		b.Run(fmt.Sprintf("accounts=%d", 1000+extra), func(b *testing.B) { benchConnect(b, 1000, extra, coinTxs) })
	}
}

// What a benchmark's blocks move.
const (
	coinTxs     = iota
	assetTxs    // asset transfers
	contractTxs // token contract calls
)

// benchConnect connects blocks of perBlock transfers from perBlock keys,
// with extra other funded accounts in the genesis state; of coins, of an
// asset each key created first, or of a token contract's units.
func benchConnect(b *testing.B, perBlock, extra int, what int) {
	assets := what == assetTxs
	keys := testkit.NewKeys(0, perBlock)
	deployer := testkit.NewKeys(perBlock, 1)[0] // deploys the token (contractTxs)
	g := testkit.Genesis("bench", testkit.Fund(1<<40, append(keys, deployer)...))
	g.Timestamp = uint64(time.Now().Add(-time.Hour).UnixMilli())
	g.MinFee = 1
	g.MaxBlockTxs = uint64(2 * perBlock)
	g.MaxBlockBytes = uint64(perBlock)*256 + 1<<16
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
	machine, err := vm.New(vm.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer machine.Close()
	rules := state.Rules{Genesis: g, VM: machine}
	c, err := chain.New(chain.Config{Genesis: g, Engine: eng, DB: db, Now: time.Now, SigCache: sigs, VM: machine})
	if err != nil {
		b.Fatal(err)
	}
	pool, err := mempool.New(mempool.Config{ChainID: g.ChainID, MinFee: g.MinFee, State: db, SigCache: sigs, MaxBytes: 1 << 30, Rules: rules})
	if err != nil {
		b.Fatal(err)
	}
	var sample *core.Tx
	nonce := 0 // each key's next nonce: every block has one tx of every key
	token := core.ContractAddress(deployer.Addr, 0)
	const callGas = 20_000
	txOf := func(round, i int, k testkit.Key) *core.Tx {
		to := core.Address{byte(round), byte(round >> 8), byte(i), byte(i >> 8), 1}
		fee, n := 1+uint64(i%5), uint64(nonce)
		switch {
		case assets && round < 0:
			return k.Tx2(g.ChainID, &core.AssetCreate{Symbol: "B", MaxSupply: 1 << 40, InitialSupply: 1 << 40}, fee, n)
		case assets:
			return k.Tx2(g.ChainID, &core.AssetTransfer{Asset: core.NewAssetID(k.Addr, 0), To: to, Amount: 100}, fee, n)
		case what == contractTxs:
			input := append(append([]byte{1}, to[:]...), 0, 0, 0, 0, 0, 0, 0, 1)
			return k.Tx2(g.ChainID, &core.ContractCall{Contract: token, Input: input, GasLimit: callGas}, callGas+fee, n)
		}
		return k.Transfer(g.ChainID, to, 100, fee, n)
	}
	nextBlock := func(round int) *core.Block {
		txs := make([]*core.Tx, perBlock)
		for i, k := range keys {
			txs[i] = txOf(round, i, k)
		}
		nonce++
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
	if what == contractTxs { // the token and its holders, before the timer starts
		connect := func(txs []*core.Tx) {
			blk, err := c.Template(core.Address{9}, txs)
			if err != nil || len(blk.Txs) != len(txs) {
				b.Fatalf("setup template: %d of %d txs, %v", len(blk.Txs), len(txs), err)
			}
			for ; eng.VerifySeal(&blk.Header) != nil; blk.Header.Nonce++ {
			}
			if res, err := c.ProcessBlock(blk); err != nil || res.Status != chain.StatusMainChain {
				b.Fatalf("setup block: %v", err)
			}
		}
		connect([]*core.Tx{deployer.Tx2(g.ChainID, &core.ContractDeploy{Code: contracts.Token, InitInput: []byte{0, 0, 1, 0, 0, 0, 0, 0}}, 5_000_000, 0)})
		var txs []*core.Tx
		for i, k := range keys {
			input := append(append([]byte{1}, k.Addr[:]...), 0, 0, 0, 0, 0, 1, 0, 0)
			txs = append(txs, deployer.Tx2(g.ChainID, &core.ContractCall{Contract: token, Input: input, GasLimit: callGas}, callGas+1, uint64(i+1)))
		}
		connect(txs)
	}
	if assets { // the assets the blocks move, created before the timer starts
		res, err := c.ProcessBlock(nextBlock(-1))
		if err != nil || res.Status != chain.StatusMainChain {
			b.Fatalf("asset creation block: %v", err)
		}
		pool.Update(nil, res.Connected)
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
