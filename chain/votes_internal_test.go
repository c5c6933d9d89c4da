package chain

import (
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// BenchmarkVoteHeadersScan is one GET /consensus/votes/headers page over a
// main chain of 1,000,000 headers (separately allocated, as the chain
// holds them) with a vote every 10,000: the scan of maxVoteScan = 100,000
// heights that the API bounds a request to.
func BenchmarkVoteHeadersScan(b *testing.B) {
	c := &Chain{}
	for h := range uint64(1_000_000) {
		n := &node{header: core.Header{Height: h}}
		if h%10_000 == 5 {
			n.header.Vote = core.Vote{Kind: core.VoteAdd}
		}
		c.main = append(c.main, n)
	}
	b.ResetTimer()
	for i := range b.N {
		from := uint64(i%9)*100_000 + 1
		hs, _, next := c.VoteHeaders(from, 1_000_000, 100, 100_000)
		if len(hs) != 10 || next != from+100_000 {
			b.Fatalf("%d headers, next %d", len(hs), next)
		}
	}
}
