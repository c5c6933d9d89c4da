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
