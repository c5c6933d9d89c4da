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
		d.Add(core.Address{byte(i), byte(i >> 8)}, core.Account{Balance: i})
	}
}
