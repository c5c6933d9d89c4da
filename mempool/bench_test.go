package mempool

import (
	"crypto/ed25519"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

// benchCorpus returns n signed, valid txs from n/perSender funded senders
// (sender by sender, nonces in order), signed on all cores: coin
// transfers, or with assets, transfers of an asset each sender holds.
func benchCorpus(b *testing.B, n, perSender int, assets bool) ([]*core.Tx, StateReader) {
	b.Helper()
	txs := make([]*core.Tx, n)
	senders := (n + perSender - 1) / perSender
	keys := make([]key, senders)
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 4 {
		wg.Go(func() {
			for s := int(next.Add(1) - 1); s < senders; s = int(next.Add(1) - 1) {
				keys[s] = newKey(1_000_000 + s)
				for j := 0; j < perSender && s*perSender+j < n; j++ {
					tx := keys[s].tx(sink, 1000, 1000+uint64(j), uint64(j))
					if assets {
						tx = keys[s].Tx2(testChain, &core.AssetTransfer{Asset: core.NewAssetID(keys[s].Addr, 0), To: sink, Amount: 1000}, 1000+uint64(j), uint64(j))
					}
					txs[s*perSender+j] = tx
				}
			}
		})
	}
	wg.Wait()
	if assets {
		// Each sender created an asset holding it all: the state a block
		// of asset_create txs would leave (the executor's own records).
		st := state.Memory{}
		var creates []*core.Tx
		for _, k := range keys {
			st.Apply([]state.Change{{Key: string(state.AccountKey(k.Addr)), New: core.Account{Balance: 1e12}.Encode()}})
			creates = append(creates, k.Tx2(testChain, &core.AssetCreate{Symbol: "B", MaxSupply: 1 << 50, InitialSupply: 1 << 50}, 1000, 0))
		}
		res, err := state.ApplyBlock(st, state.Rules{Genesis: &core.Genesis{ChainID: testChain, MinFee: testMinFee, HalvingInterval: 1}}, &core.Block{Txs: creates})
		if err != nil {
			b.Fatal(err)
		}
		st.Apply(res.Changes)
		for _, k := range keys { // back to nonce 0, so the corpus applies
			st.Apply([]state.Change{{Key: string(state.AccountKey(k.Addr)), New: core.Account{Balance: 1e12}.Encode()}})
		}
		return txs, st
	}
	st := newFakeState()
	for _, k := range keys {
		st.set(k.Addr, 1e12, 0)
	}
	return txs, st
}

// BenchmarkAdmit measures admission of pre-signed valid txs from many
// senders on all cores (txs/s), and in the same run the machine's
// ed25519.Verify rate on all cores over the same txs (verify/s, measured
// just before and just after admission, so a change in the machine's load
// affects both): admission verifies every signature, so admit/verify is
// the share of the machine's limit it reaches. ns/op is the wall time per
// admitted tx.
func BenchmarkAdmit(b *testing.B) { benchAdmit(b, false) }

// BenchmarkAdmitAssetTransfer is BenchmarkAdmit with asset transfers
// (each sender moves an asset it holds): admit/verify against the same
// all-core verify rate.
func BenchmarkAdmitAssetTransfer(b *testing.B) { benchAdmit(b, true) }

func benchAdmit(b *testing.B, assets bool) {
	b.ReportAllocs()
	txs, st := benchCorpus(b, b.N, 16, assets)
	msgs := make([][]byte, len(txs))
	for i, tx := range txs {
		msgs[i] = tx.SigningBytes()
	}
	p := newTestPool(b, st, func(c *Config) { c.SigCache = core.NewSigCache(1 << 20) })

	// The limit: ed25519.Verify of the same txs on all cores.
	var invalid atomic.Int64
	verifyAll := func() time.Duration {
		var vi atomic.Int64
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := vi.Add(1) - 1
				if !ed25519.Verify(txs[i].From[:], msgs[i], txs[i].Signature[:]) {
					invalid.Add(1)
				}
			}
		})
		return time.Since(start)
	}

	b.StopTimer()
	verifyTime := verifyAll()
	var ai, failed atomic.Int64
	b.ResetTimer()
	b.StartTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := p.Add(txs[ai.Add(1)-1]); err != nil {
				failed.Add(1)
			}
		}
	})
	b.StopTimer()
	admitRate := float64(b.N) / b.Elapsed().Seconds()
	verifyTime += verifyAll()
	verifyRate := float64(2*b.N) / verifyTime.Seconds()

	if n := invalid.Load(); n > 0 {
		b.Fatalf("%d signatures did not verify", n)
	}
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d valid txs rejected", n, b.N)
	}
	b.ReportMetric(admitRate, "txs/s")
	b.ReportMetric(verifyRate, "verify/s")
	b.ReportMetric(admitRate/verifyRate, "admit/verify")
}

// BenchmarkSelect measures Select of 1,000 txs (in a 1 MiB block) from a
// 50,000-tx pool of 5,000 senders with random fees. select/verify is how
// many txs one core selects in the time it verifies one signature
// (measured in the same run).
func BenchmarkSelect(b *testing.B) {
	const poolTxs, senders, take = 50_000, 5_000, 1_000
	st := newFakeState()
	cache := core.NewSigCache(2 * poolTxs)
	p := newTestPool(b, st, func(c *Config) { c.SigCache = cache })
	rng := rand.New(rand.NewPCG(1, 2))
	batch := make([]*core.Tx, 0, poolTxs)
	for s := range senders {
		var from core.PublicKey
		from[0], from[1] = byte(s), byte(s>>8)
		st.set(from.Address(), 1e12, 0)
		for n := range poolTxs / senders {
			// Unsigned: the planted SigCache entries stand for verification.
			tx := &core.Tx{Version: 1, ChainID: testChain, From: from, To: sink, Amount: 1,
				Fee: 1000 + rng.Uint64N(100_000), Nonce: uint64(n)}
			cache.Add(tx.ID())
			batch = append(batch, tx)
		}
	}
	for i, err := range p.AddBatch(batch) {
		if err != nil {
			b.Fatalf("setup tx %d: %v", i, err)
		}
	}
	if p.Count() != poolTxs {
		b.Fatalf("pool holds %d txs, want %d", p.Count(), poolTxs)
	}

	// The yardstick: one core's ed25519.Verify time.
	k := newKey(1)
	vtx := k.tx(sink, 1, 1000, 0)
	msg := vtx.SigningBytes()
	const verifies = 200
	b.ResetTimer()
	for range verifies {
		ed25519.Verify(k.Pub[:], msg, vtx.Signature[:])
	}
	verifyNs := float64(b.Elapsed().Nanoseconds()) / verifies

	b.ReportAllocs()
	got, rounds := 0, 0
	for b.Loop() {
		got = len(p.Select(1<<20, take))
		rounds++
	}
	if got != take {
		b.Fatalf("selected %d txs, want %d", got, take)
	}
	perTx := float64(b.Elapsed().Nanoseconds()) / float64(rounds) / take
	b.ReportMetric(1e9/perTx, "txs/s")
	b.ReportMetric(verifyNs/perTx, "select/verify")
}
