package poa_test

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// validators returns n test keys sorted as the signer set sorts them, so
// that validators(n)[i] has index i (EIP-3436's examples number validators
// by their sorted position).
func validators(n int) []core.PublicKey {
	ks := make([]core.PublicKey, n)
	for i := range ks {
		ks[i] = testkit.NewKey(100 + i).Pub
	}
	slices.SortFunc(ks, func(a, b core.PublicKey) int { return slices.Compare(a[:], b[:]) })
	return ks
}

// branch is a chain built on real snapshots: each block's signer must be
// allowed and its weight is the snapshot's.
type branch struct {
	snap   *poa.Snapshot // after the tip
	parent *poa.Snapshot // before the tip
	total  uint64
	tip    poa.TipInfo
}

// extend seals one block per signer index on top of b, with hashes derived
// from tag so that forks differ.
func (b branch) extend(t *testing.T, vs []core.PublicKey, tag string, signers ...int) (branch, error) {
	t.Helper()
	for _, i := range signers {
		height := b.snap.Height() + 1
		w := b.snap.Weight(height, vs[i])
		next, err := b.snap.Apply(poa.HeaderInfo{Height: height, Signer: vs[i]})
		if err != nil {
			return b, err
		}
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], height)
		hash := core.Hash(sha256.Sum256(append([]byte(tag), buf[:]...)))
		tip, ok := b.snap.Tip(height, vs[i], hash, b.total+w)
		if !ok {
			t.Fatalf("no tip for signer %d", i)
		}
		b = branch{snap: next, parent: b.snap, total: b.total + w, tip: tip}
	}
	return b, nil
}

func genesisBranch(t *testing.T, vs []core.PublicKey) branch {
	t.Helper()
	s, err := poa.NewSnapshot(30000, vs)
	if err != nil {
		t.Fatal(err)
	}
	return branch{snap: s}
}

func mustExtend(t *testing.T, b branch, vs []core.PublicKey, tag string, signers ...int) branch {
	t.Helper()
	b, err := b.extend(t, vs, tag, signers...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkChoice asserts that want is preferred to other, whichever is seen
// first, and that they tie on every rule before the one named.
func checkChoice(t *testing.T, want, other poa.TipInfo, rule int) {
	t.Helper()
	if !poa.Prefer(want, other) || poa.Prefer(other, want) {
		t.Fatalf("Prefer(want, other)=%v Prefer(other, want)=%v; want %+v over %+v",
			poa.Prefer(want, other), poa.Prefer(other, want), want, other)
	}
	ties := []bool{
		want.TotalWeight == other.TotalWeight,
		want.Height == other.Height,
		want.InTurnDistance() == other.InTurnDistance(),
	}
	for i := 0; i < rule-1; i++ {
		if !ties[i] {
			t.Fatalf("decided before rule %d: rule %d does not tie (%+v vs %+v)", rule, i+1, want, other)
		}
	}
	if rule <= 3 && ties[rule-1] {
		t.Fatalf("rule %d ties (%+v vs %+v)", rule, want, other)
	}
}

// EIP-3436, Rationale, first scenario: 8 validators in order, validator 8
// has just sealed in turn; 5, 7 and 8 go offline. One fork has an in-order
// block from 1 then 3 out of turn, the other 2, 4 and 6 out of turn: equal
// total weight, and the shorter chain wins (rule 2).
func TestPreferEIP3436ShorterChain(t *testing.T) {
	vs := validators(8)
	common := mustExtend(t, genesisBranch(t, vs), vs, "common", 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7)
	fork1 := mustExtend(t, common, vs, "fork1", 0, 2) // validators 1, 3
	fork2 := mustExtend(t, common, vs, "fork2", 1, 3, 5)
	if fork1.total-common.total != 3 || fork2.total-common.total != 3 {
		t.Fatalf("fork weights %d and %d over the common chain, want 3 and 3", fork1.total-common.total, fork2.total-common.total)
	}
	checkChoice(t, fork1.tip, fork2.tip, 2)
}

// EIP-3436, Rationale, second scenario: validator 7 has just sealed in
// order; 7 and 8 go offline; forks 1, 3, 5 and 2, 4, 6. As written the
// second fork's third block is invalid (validator 6 sealed 4 blocks before,
// inside a window of 5), as found in the EIP's discussion; with two blocks
// per fork, equal weight and height, rule 3 decides.
func TestPreferEIP3436EqualForks(t *testing.T) {
	vs := validators(8)
	common := mustExtend(t, genesisBranch(t, vs), vs, "common", 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6)
	if _, err := common.extend(t, vs, "fork2", 1, 3, 5); !errors.Is(err, poa.ErrRecentlySigned) {
		t.Fatalf("validators 2, 4, 6 after the common chain: %v, want %v", err, poa.ErrRecentlySigned)
	}
	fork1 := mustExtend(t, common, vs, "fork1", 0, 2) // validators 1, 3
	fork2 := mustExtend(t, common, vs, "fork2", 1, 3) // validators 2, 4
	// Height 16: validator 3 (index 2) was in turn 6 blocks ago, validator
	// 4 (index 3) 5 blocks ago; the least recent wins.
	if d1, d2 := fork1.tip.InTurnDistance(), fork2.tip.InTurnDistance(); d1 != 6 || d2 != 5 {
		t.Fatalf("distances %d, %d; want 6, 5", d1, d2)
	}
	checkChoice(t, fork1.tip, fork2.tip, 3)
}

// The scenario the EIP's author gave in its discussion to replace the
// second one: 8 validators (zero-based) 0-6 seal in order, then a split:
// 0, 3, 2 on one fork and 1, 7, 4 on the other, 5 offline.
func TestPreferEIP3436RevisedScenario(t *testing.T) {
	vs := validators(8)
	common := mustExtend(t, genesisBranch(t, vs), vs, "common", 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6)
	fork1 := mustExtend(t, common, vs, "fork1", 0, 3, 2)
	fork2 := mustExtend(t, common, vs, "fork2", 1, 7, 4)
	if fork1.total != fork2.total || fork1.tip.Height != fork2.tip.Height {
		t.Fatalf("forks differ before rule 3: %+v vs %+v", fork1.tip, fork2.tip)
	}
	// Height 17: index 2 was in turn 7 blocks ago, index 4 5 blocks ago.
	checkChoice(t, fork1.tip, fork2.tip, 3)
}

// go-ethereum #24705: 4 signers; node2 seals block 102 in turn on one side,
// node3 and node0 seal 102 and 103 out of turn on the other. Equal total
// weight: the two halves stayed on their own tips. Rule 2 joins them.
func TestPreferGeth24705(t *testing.T) {
	vs := validators(4)
	common := mustExtend(t, genesisBranch(t, vs), vs, "common", 1, 2, 3, 0, 1) // height 5 = 101 mod 4
	inTurn := mustExtend(t, common, vs, "a", 2)
	outOfTurn := mustExtend(t, common, vs, "b", 3, 0)
	if inTurn.total != outOfTurn.total {
		t.Fatalf("total weights %d and %d, want equal", inTurn.total, outOfTurn.total)
	}
	checkChoice(t, inTurn.tip, outOfTurn.tip, 2)
}

func TestPreferRules(t *testing.T) {
	h := func(b byte) core.Hash { var x core.Hash; x[0] = b; return x }
	tip := func(weight, height uint64, idx, n int, hash core.Hash) poa.TipInfo {
		return poa.TipInfo{TotalWeight: weight, Height: height, Hash: hash, SignerIndex: idx, Signers: n}
	}
	tests := []struct {
		name        string
		want, other poa.TipInfo
		rule        int
	}{
		{"more weight wins over a shorter chain", tip(10, 9, 0, 3, h(9)), tip(9, 5, 0, 3, h(1)), 1},
		{"at equal weight the lower height wins", tip(10, 5, 1, 3, h(9)), tip(10, 6, 0, 3, h(1)), 2},
		{"then the least recent in-turn slot wins", tip(10, 7, 0, 4, h(9)), tip(10, 7, 3, 4, h(1)), 3}, // 7 vs 0 (in turn)
		{"an in-turn tip loses rule 3", tip(10, 7, 2, 4, h(9)), tip(10, 7, 3, 4, h(1)), 3},             // 1 vs 0
		{"then the lower hash wins", tip(10, 7, 1, 4, h(1)), tip(10, 7, 1, 4, h(2)), 4},
		{"the hash compares as a big-endian integer", tip(1, 1, 0, 1, core.Hash{31: 0xff}), tip(1, 1, 0, 1, core.Hash{0: 1}), 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkChoice(t, tc.want, tc.other, tc.rule) })
	}
}

func TestInTurnDistance(t *testing.T) {
	vs := validators(5)
	s, err := poa.NewSnapshot(100, vs)
	if err != nil {
		t.Fatal(err)
	}
	for height := uint64(1); height < 20; height++ {
		for i, v := range vs {
			tip, ok := s.Tip(height, v, core.Hash{}, 0)
			if !ok {
				t.Fatal("no tip")
			}
			want := (height + 5 - uint64(i)) % 5
			if d := tip.InTurnDistance(); d != want || (d == 0) != s.InTurn(height, v) {
				t.Fatalf("height %d index %d: distance %d, want %d (in turn %v)", height, i, d, want, s.InTurn(height, v))
			}
		}
	}
	if _, ok := s.Tip(1, testkit.NewKey(1).Pub, core.Hash{}, 0); ok {
		t.Fatal("Tip of a non-signer")
	}
	if d := (poa.TipInfo{Height: 3}).InTurnDistance(); d != 0 {
		t.Fatalf("distance with no signers %d", d)
	}
}

// TestPreferIsATotalOrder: whatever two tips, exactly one is preferred
// unless they are the same block, and the order is transitive, so every
// node picks the same best tip among any set whatever order it saw them in.
func TestPreferIsATotalOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := func() poa.TipInfo {
		var h core.Hash
		h[0] = byte(r.IntN(3))
		n := 1 + r.IntN(4)
		return poa.TipInfo{TotalWeight: uint64(r.IntN(3)), Height: uint64(r.IntN(3)), Hash: h, SignerIndex: r.IntN(n), Signers: n}
	}
	for range 20000 {
		a, b, c := random(), random(), random()
		ab, ba := poa.Prefer(a, b), poa.Prefer(b, a)
		if ab && ba {
			t.Fatalf("both preferred: %+v %+v", a, b)
		}
		if !ab && !ba && a.Hash != b.Hash {
			t.Fatalf("neither preferred: %+v %+v", a, b)
		}
		if ab && poa.Prefer(b, c) && !poa.Prefer(a, c) {
			t.Fatalf("not transitive: %+v > %+v > %+v", a, b, c)
		}
	}
	// Picking the best of a set does not depend on the order.
	tips := make([]poa.TipInfo, 50)
	for i := range tips {
		tips[i] = random()
		tips[i].Hash[1] = byte(i) // distinct blocks
	}
	best := func(ts []poa.TipInfo) poa.TipInfo {
		b := ts[0]
		for _, x := range ts[1:] {
			if poa.Prefer(x, b) {
				b = x
			}
		}
		return b
	}
	want := best(tips)
	for range 100 {
		r.Shuffle(len(tips), func(i, j int) { tips[i], tips[j] = tips[j], tips[i] })
		if got := best(tips); got != want {
			t.Fatalf("best tip depends on order: %+v vs %+v", got, want)
		}
	}
}
