package state

import (
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// BenchmarkDigestAdd measures one account's lattice expansion and sum,
// the per-changed-account cost of maintaining the state digest.
func BenchmarkDigestAdd(b *testing.B) {
	var d Digest
	b.ReportAllocs()
	i := uint64(0)
	for b.Loop() {
		i++
		d.Add(string(AccountKey(core.Address{byte(i), byte(i >> 8)})), core.Account{Balance: i}.Encode())
	}
}

// BenchmarkDigestApply1000 applies 2,000 account changes (a block of 1,000
// transfers between distinct accounts) to the digest.
func BenchmarkDigestApply1000(b *testing.B) {
	cs := make([]Change, 2000)
	for i := range cs {
		cs[i] = acctChange(core.Address{byte(i), byte(i >> 8)}, core.Account{Balance: uint64(i + 1)}, core.Account{Balance: uint64(i), Nonce: 1})
	}
	var d Digest
	b.ReportAllocs()
	for b.Loop() {
		d.Apply(cs)
	}
}

// BenchmarkApplyBlock1000 applies blocks of 1,000 coin transfers and of
// 1,000 asset transfers (distinct senders, new recipients) to an in-memory
// state: the executor's share of connecting a block, without storage,
// digest or signatures. asset/coin in the same run is its cost ratio.
func BenchmarkApplyBlock1000(b *testing.B) {
	const n = 1000
	alloc := map[core.Address]uint64{}
	var keys []testKey
	for i := range n {
		k := key(100 + i)
		keys = append(keys, k)
		alloc[k.Addr] = 1e12
	}
	g := testGenesis(alloc)
	st := genesisState(g)
	creates := &core.Block{Header: core.Header{Height: 1}}
	for _, k := range keys {
		creates.Txs = append(creates.Txs, k.tx2(&core.AssetCreate{Symbol: "B", MaxSupply: 1 << 40, InitialSupply: 1 << 40}, 0))
	}
	res, err := ApplyBlock(st, Rules{Genesis: g}, creates)
	if err != nil {
		b.Fatal(err)
	}
	st.Apply(res.Changes)
	coins := &core.Block{Header: core.Header{Height: 2}}
	assets := &core.Block{Header: core.Header{Height: 2}}
	for i, k := range keys {
		to := core.Address{byte(i), byte(i >> 8), 0xee}
		coins.Txs = append(coins.Txs, k.tx(to, 100, 10, 1))
		assets.Txs = append(assets.Txs, k.tx2(&core.AssetTransfer{Asset: core.NewAssetID(k.Addr, 0), To: to, Amount: 100}, 1))
	}
	for _, c := range []struct {
		name string
		blk  *core.Block
	}{{"coin", coins}, {"asset", assets}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ApplyBlock(st, Rules{Genesis: g}, c.blk); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "txs/s")
		})
	}
}
