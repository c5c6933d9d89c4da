package poa_test

import (
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/consensus/poa/poatest"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// BenchmarkPoA compares the snapshot work per PoA header with the
// signature check every PoA header also needs, in the same run:
//
//	go test -run XXX -bench PoA -benchtime 2s ./consensus/poa/
//
// Verify: ed25519.Verify over a header-sized message (the seal check).
// Apply: Snapshot.Apply per header on a running chain (N signers in turn,
// no votes, or a vote in every header with epoch 8 so that pending votes
// stay few). ApplyHeaders10000: headers-first sync replaying 10,000 headers
// in one batch, reported per header. Spam: every header votes for a new
// target, so pending votes grow to 10,000 (EIP-225's "spamming signer",
// bounded by the epoch): Apply copies them per header, ApplyHeaders does
// not.
func BenchmarkPoA(b *testing.B) {
	k := testkit.NewKey(1)
	msg := make([]byte, 114+32+1) // a v1 header plus the signer key and a vote
	sig := ed25519.Sign(k.Priv, msg)
	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !ed25519.Verify(k.Pub[:], msg, sig) {
				b.Fatal("bad signature")
			}
		}
	})
	for _, n := range []int{3, 21} {
		vs := validators(n)
		b.Run("Apply/N="+itoa(uint64(n))+"/no-vote", func(b *testing.B) {
			s, _ := poa.NewSnapshot(30000, vs)
			b.ReportAllocs()
			for b.Loop() {
				h := s.Height() + 1
				next, err := s.Apply(poa.HeaderInfo{Height: h, Signer: vs[h%uint64(n)]})
				if err != nil {
					b.Fatal(err)
				}
				s = next
			}
		})
		b.Run("Apply/N="+itoa(uint64(n))+"/vote", func(b *testing.B) {
			targets := make([]core.PublicKey, 8)
			for i := range targets {
				targets[i] = testkit.NewKey(500 + i).Pub
			}
			s, _ := poa.NewSnapshot(8, vs)
			b.ReportAllocs()
			for b.Loop() {
				h := s.Height() + 1
				info := poa.HeaderInfo{Height: h, Signer: vs[h%uint64(n)]}
				if h%8 != 0 {
					info.Vote = &poa.Vote{Target: targets[h%8], Add: true}
				}
				next, err := s.Apply(info)
				if err != nil {
					b.Fatal(err)
				}
				s = next
			}
		})
		b.Run("ApplyHeaders10000/N="+itoa(uint64(n)), func(b *testing.B) {
			genesis, _ := poa.NewSnapshot(30000, vs)
			hs := make([]poa.HeaderInfo, 10000)
			for i := range hs {
				h := uint64(i + 1)
				hs[i] = poa.HeaderInfo{Height: h, Signer: vs[h%uint64(n)]}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := genesis.ApplyHeaders(hs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(hs)), "ns/header")
		})
	}
	vs := validators(3)
	spam := make([]poa.HeaderInfo, 10000)
	for i := range spam {
		h := uint64(i + 1)
		var target core.PublicKey
		target[0], target[1], target[2] = 0xee, byte(i), byte(i>>8)
		spam[i] = poa.HeaderInfo{Height: h, Signer: vs[h%3], Vote: &poa.Vote{Target: target, Add: true}}
	}
	b.Run("Spam10000/Apply", func(b *testing.B) {
		genesis, _ := poa.NewSnapshot(30000, vs)
		for b.Loop() {
			s := genesis
			for _, h := range spam {
				next, err := s.Apply(h)
				if err != nil {
					b.Fatal(err)
				}
				s = next
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(spam)), "ns/header")
	})
	b.Run("Spam10000/ApplyHeaders", func(b *testing.B) {
		genesis, _ := poa.NewSnapshot(30000, vs)
		for b.Loop() {
			if _, err := genesis.ApplyHeaders(spam); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(spam)), "ns/header")
	})
	b.Run("Prefer", func(b *testing.B) {
		x := poa.TipInfo{TotalWeight: 10, Height: 7, SignerIndex: 1, Signers: 4, Hash: core.Hash{1}}
		y := poa.TipInfo{TotalWeight: 10, Height: 7, SignerIndex: 1, Signers: 4, Hash: core.Hash{2}}
		for b.Loop() {
			if !poa.Prefer(x, y) {
				b.Fatal("order")
			}
		}
	})
}

// BenchmarkCheckHeader measures what a node does per PoA header it
// receives, VerifySeal (Ed25519 and the hash) plus CheckHeader (the
// parent's snapshot from the cache, Apply, weight, period), against
// ed25519.Verify of the same header's signing bytes in the same run; the
// ratio is reported as x-verify:
//
//	go test -run XXX -bench CheckHeader ./consensus/poa/
func BenchmarkCheckHeader(b *testing.B) {
	for _, n := range []int{3, 21} {
		b.Run("N="+itoa(uint64(n)), func(b *testing.B) {
			ks := poatest.Keys(1, n)
			g := poatest.Genesis(ks, 0)
			e, err := poa.New(g)
			if err != nil {
				b.Fatal(err)
			}
			c := poatest.NewChain(g)
			tip := c.Genesis
			const length = 256
			hs := make([]core.Header, 0, length)
			for i := 1; i <= length; i++ {
				h := poatest.Next(b, e, c, &tip, ks[i%n])
				poatest.Sign(&h, ks[i%n])
				c.Add(h)
				hs = append(hs, h)
				tip = h
			}
			msg := hs[0].SigningBytes()
			// ed25519.Verify timed in the same run (testing.Benchmark
			// cannot nest).
			const verifies = 3000
			start := time.Now()
			for range verifies {
				if !ed25519.Verify(hs[0].Signer[:], msg, hs[0].Signature[:]) {
					b.Fatal("bad signature")
				}
			}
			verifyNs := float64(time.Since(start).Nanoseconds()) / verifies
			b.ResetTimer()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				// A fresh engine per pass over the headers, so that the
				// seal cache never hits; the parent's snapshot is cached by
				// the previous header's check, as in sync.
				if i%length == 0 {
					b.StopTimer()
					e, _ = poa.New(g)
					b.StartTimer()
				}
				h := &hs[i%length]
				parent := &c.Genesis
				if i%length > 0 {
					parent = &hs[i%length-1]
				}
				if err := e.VerifySeal(h); err != nil {
					b.Fatal(err)
				}
				if err := e.CheckHeader(c, h, parent); err != nil {
					b.Fatal(err)
				}
				i++
			}
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(perOp/verifyNs, "x-verify")
			b.ReportMetric(verifyNs, "verify-ns")
		})
	}
}
