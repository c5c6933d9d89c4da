package chain_test

import (
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/consensus/poa/poatest"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/store"
)

// BenchmarkPoASyncHeaders10000 runs 10,000 signed proof-of-authority
// headers (3 signers, in turn) through headers-first sync's acceptance
// path, Chain.CheckHeaders (seal, context, signer set replayed from the
// headers alone), on a fresh chain and engine per pass so that no seal or
// snapshot is cached. It reports headers/s and that rate over the all-core
// ed25519.Verify rate measured in the same run (x-all-core-verify):
//
//	go test ./chain -run '^$' -bench PoASyncHeaders -benchtime 3x
func BenchmarkPoASyncHeaders10000(b *testing.B) {
	const count, signers = 10_000, 3
	ks := poatest.Keys(1, signers)
	g := poatest.Genesis(ks, 0)
	g.Timestamp = uint64(time.Now().Add(-24 * time.Hour).UnixMilli())
	e, err := poa.New(g)
	if err != nil {
		b.Fatal(err)
	}
	rc := poatest.NewChain(g)
	tip := rc.Genesis
	hs := make([]core.Header, 0, count)
	for i := 1; i <= count; i++ {
		k := ks[i%signers]
		h := poatest.Next(b, e, rc, &tip, k)
		poatest.Sign(&h, k)
		rc.Add(h)
		hs = append(hs, h)
		tip = h
	}
	// A transfer's signature over a tx-sized message: the rate verifyRate
	// measures is the machine's all-core limit.
	sample := ks[0].Transfer(g.ChainID, core.Address{1}, 1, 1, 0)
	rate := verifyRate(sample)

	var checked time.Duration
	for b.Loop() {
		b.StopTimer()
		eng, err := poa.New(g)
		if err != nil {
			b.Fatal(err)
		}
		db, err := store.New(store.NewMemory())
		if err != nil {
			b.Fatal(err)
		}
		c, err := chain.New(chain.Config{Genesis: g, Engine: eng, DB: db, Now: time.Now})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		n, err := c.CheckHeaders(hs)
		checked += time.Since(start)
		if err != nil || n != count {
			b.Fatalf("%d of %d headers valid: %v", n, count, err)
		}
	}
	perSec := float64(count*b.N) / checked.Seconds()
	b.ReportMetric(perSec, "headers/s")
	b.ReportMetric(perSec/rate, "x-all-core-verify")
	b.ReportMetric(rate, "verify/s")
}
