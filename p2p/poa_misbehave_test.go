package p2p_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/consensus/poa/poatest"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/libp2p/go-libp2p/core/peer"
)

// penalty is one "peer misbehaved" record of a victim's log.
type penalty struct {
	reason        string
	points, score float64
}

// scoreLog keeps the victim's "peer misbehaved" records with their
// points and the peer's score after them.
type scoreLog struct {
	mu  sync.Mutex
	log map[string][]penalty // by peer ID
}

func (l *scoreLog) Enabled(_ context.Context, lvl slog.Level) bool { return lvl >= slog.LevelWarn }
func (l *scoreLog) WithAttrs([]slog.Attr) slog.Handler             { return l }
func (l *scoreLog) WithGroup(string) slog.Handler                  { return l }

func (l *scoreLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "peer misbehaved" {
		return nil
	}
	var p string
	var pen penalty
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "peer":
			p = a.Value.String()
		case "reason":
			pen.reason = a.Value.String()
		case "points":
			pen.points = toFloat(a.Value)
		case "score":
			pen.score = toFloat(a.Value)
		}
		return true
	})
	l.mu.Lock()
	if l.log == nil {
		l.log = map[string][]penalty{}
	}
	l.log[p] = append(l.log[p], pen)
	l.mu.Unlock()
	return nil
}

func toFloat(v slog.Value) float64 {
	switch v.Kind() {
	case slog.KindInt64:
		return float64(v.Int64())
	case slog.KindFloat64:
		return v.Float64()
	case slog.KindUint64:
		return float64(v.Uint64())
	}
	return -1
}

func (l *scoreLog) of(p peer.ID) []penalty {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.log[p.String()])
}

// poaBlock returns the empty block of header h, its tx root set, signed by
// k.
func poaBlock(h core.Header, k testkit.Key) *core.Block {
	blk := &core.Block{Header: h}
	blk.Header.TxRoot = core.MerkleRoot(blk.TxIDs())
	poatest.Sign(&blk.Header, k)
	return blk
}

// TestPoARejectionsPenalised (issue 13): on a proof-of-authority chain of
// 3 signers, a peer that gossips a block signed by a non-signer, by a
// signer too soon again (it sealed the parent), with a bad signature or
// with the wrong weight, or that serves a header batch holding a
// non-signer's header during sync, is penalised as the rejection code's
// class says: a broken block or header (bad seal, wrong weight, any
// header a sync source serves on its main chain) gets it banned and
// disconnected; a block breaking a rule of the signer set it meets
// (ClassRejected: not a signer, signed too recently) costs it the
// invalid-block penalty, below the ban threshold.
func TestPoARejectionsPenalised(t *testing.T) {
	ks := poatest.Keys(1, 3)
	outsider := testkit.NewKey(77)
	g := poatest.Genesis(ks, 0)
	g.Timestamp = uint64(time.Now().Add(-time.Hour).UnixMilli())
	eng, err := poa.New(g)
	if err != nil {
		t.Fatal(err)
	}
	rc := poatest.NewChain(g)
	gh := rc.Genesis

	// Block 1, sealed in turn by ks[1]: valid, known to the victim.
	b1 := poaBlock(poatest.Next(t, eng, rc, &gh, ks[1]), ks[1])
	if err := poatest.Check(eng, rc, &b1.Header); err != nil {
		t.Fatal(err)
	}
	rc.Add(b1.Header)

	// Block 2 variants on b1 (ks[2] is in turn at height 2).
	next := func(k testkit.Key) core.Header { return poatest.Next(t, eng, rc, &b1.Header, k) }
	h := next(ks[2])
	h.Signer, h.Miner = outsider.Pub, outsider.Addr
	nonSigner := poaBlock(h, outsider)
	tooSoon := poaBlock(next(ks[1]), ks[1]) // ks[1] sealed b1: one block in floor(3/2)+1
	badSig := poaBlock(next(ks[2]), ks[2])
	badSig.Header.Signature[5] ^= 1
	h = next(ks[2])
	if h.Bits != 2 {
		t.Fatalf("in-turn weight %d, want 2", h.Bits)
	}
	h.Bits = 1
	wrongWeight := poaBlock(h, ks[2])

	// A sync batch from a lying peer: a valid block 2, then a block 3 by
	// a non-signer.
	valid2 := poaBlock(next(ks[2]), ks[2])
	if err := poatest.Check(eng, rc, &valid2.Header); err != nil {
		t.Fatal(err)
	}
	rc.Add(valid2.Header)
	h = poatest.Next(t, eng, rc, &valid2.Header, ks[0])
	h.Signer, h.Miner = outsider.Pub, outsider.Addr
	lying3 := poaBlock(h, outsider)

	var log scoreLog
	victim := startNode(t, 0, g, t.TempDir(), func(c *p2p.Config) {
		c.DisablePEX = true
		c.Logger = slog.New(&log)
	})
	if _, err := victim.Node.SubmitBlock(b1); err != nil {
		t.Fatalf("block 1: %v", err)
	}

	cases := []struct {
		name    string
		blk     *core.Block   // gossiped by the evil node
		headers []core.Header // else served by its sync protocol
		want    error         // the engine's refusal
		code    core.Code
		reason  string // in the penalty's reason
	}{
		{name: "non-signer", blk: nonSigner, want: poa.ErrUnauthorizedSigner, code: core.CodeBadBlock, reason: poa.ErrUnauthorizedSigner.Error()},
		{name: "signer too soon", blk: tooSoon, want: poa.ErrRecentlySigned, code: core.CodeBadBlock, reason: poa.ErrRecentlySigned.Error()},
		{name: "bad signature", blk: badSig, want: poa.ErrBadSignature, code: core.CodeBadPoW, reason: poa.ErrBadSignature.Error()},
		{name: "wrong weight", blk: wrongWeight, want: core.CodeBadBits, code: core.CodeBadBits, reason: "has weight 1, want 2"},
		{name: "lying header batch", headers: []core.Header{valid2.Header, lying3.Header}, want: poa.ErrUnauthorizedSigner,
			code: core.CodeBadBlock, reason: "invalid header in sync"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The engine refuses it with its code.
			hd := c.blk
			if hd == nil {
				hd = &core.Block{Header: c.headers[len(c.headers)-1]}
			}
			err := poatest.Check(eng, rc, &hd.Header)
			if !errors.Is(err, c.want) || !errors.Is(err, c.code) {
				t.Fatalf("engine check: %v, want %v with code %s", err, c.want, c.code)
			}
			class := c.code.Info().Class
			// A header from a sync source is on its main chain: any
			// invalid one is a lie, whatever its class.
			wantBan := class == core.ClassBroken || c.headers != nil

			evil := startNode(t, 200+i, g, t.TempDir(), func(cfg *p2p.Config) {
				// A v1 peer (no compact relay): full blocks are gossiped
				// to it and by it on the block topic.
				cfg.DisablePEX, cfg.DisableCompactRelay = true, true
				if c.headers != nil {
					cfg.Chain = &evilChain{Chain: cfg.Chain, headers: c.headers}
				}
			})
			id := evil.Net.Host().ID()
			connect(t, evil, victim)
			if c.blk != nil {
				waitFor(t, 20*time.Second, "the victim in the evil node's block topic", func() bool {
					return slices.Contains(evil.Net.BlockTopicPeers(), victim.Net.Host().ID())
				})
				if err := evil.Net.PublishRawBlock(context.Background(), c.blk.Encode()); err != nil {
					t.Fatal(err)
				}
			}
			var got []penalty
			waitFor(t, 20*time.Second, "the penalty", func() bool { got = log.of(id); return len(got) > 0 })
			pen := got[0]
			t.Logf("penalty: %v points (score %v): %s", pen.points, pen.score, pen.reason)
			if !strings.Contains(pen.reason, c.reason) {
				t.Fatalf("penalty %+v: reason does not contain %q", pen, c.reason)
			}
			if wantBan {
				if pen.points < p2p.BanThreshold {
					t.Fatalf("a %s rejection (%s) cost %v points, want a full penalty (%d)", class, c.code, pen.points, p2p.BanThreshold)
				}
				waitFor(t, 20*time.Second, "the ban", func() bool { return banned(victim, id) })
				waitFor(t, 20*time.Second, "the disconnection", func() bool {
					return !connected(victim, evil) && !connected(evil, victim)
				})
				return
			}
			if pen.points <= 0 || pen.score >= p2p.BanThreshold {
				t.Fatalf("a %s rejection (%s): %+v, want the invalid-block penalty, below the ban threshold %d", class, c.code, pen, p2p.BanThreshold)
			}
			if banned(victim, id) {
				t.Fatal("banned for a block a peer may relay from another view of the signer set")
			}
			if len(got) != 1 {
				t.Fatalf("penalised %d times for one block: %+v", len(got), got)
			}
		})
	}
	// The victim's chain never took a bad block.
	if tip := victim.tip(); tip.Hash != b1.Hash() {
		t.Fatalf("victim's tip %d %s, want block 1 %s", tip.Height, tip.Hash, b1.Hash())
	}
}
