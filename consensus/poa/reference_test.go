package poa_test

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// refSnapshot is a deliberately plain model of go-ethereum's Clique
// snapshot (consensus/clique/snapshot.go's apply): maps for the signers,
// the recents by block number and the tallies, mutated in place, with
// Cairn's explicit "no vote" and its rejection of checkpoint votes.
type refSnapshot struct {
	epoch   uint64
	number  uint64
	signers map[core.PublicKey]bool
	recents map[uint64]core.PublicKey
	votes   []poa.PendingVote
	tally   map[core.PublicKey]poa.Tally
}

func newRef(epoch uint64, signers []core.PublicKey) *refSnapshot {
	r := &refSnapshot{epoch: epoch, signers: map[core.PublicKey]bool{}, recents: map[uint64]core.PublicKey{}, tally: map[core.PublicKey]poa.Tally{}}
	for _, k := range signers {
		r.signers[k] = true
	}
	return r
}

func (r *refSnapshot) clone() *refSnapshot {
	c := &refSnapshot{epoch: r.epoch, number: r.number, signers: map[core.PublicKey]bool{}, recents: map[uint64]core.PublicKey{},
		votes: slices.Clone(r.votes), tally: map[core.PublicKey]poa.Tally{}}
	for k, v := range r.signers {
		c.signers[k] = v
	}
	for k, v := range r.recents {
		c.recents[k] = v
	}
	for k, v := range r.tally {
		c.tally[k] = v
	}
	return c
}

// mayInclude reports whether signer may seal the next block.
func (r *refSnapshot) check(signer core.PublicKey) error {
	number := r.number + 1
	if !r.signers[signer] {
		return poa.ErrUnauthorizedSigner
	}
	limit := uint64(len(r.signers)/2 + 1)
	for seen, recent := range r.recents {
		if recent == signer && (number < limit || seen > number-limit) {
			return poa.ErrRecentlySigned
		}
	}
	return nil
}

func (r *refSnapshot) uncast(target core.PublicKey, add bool) {
	t, ok := r.tally[target]
	if !ok || t.Add != add {
		return
	}
	if t.Votes > 1 {
		t.Votes--
		r.tally[target] = t
	} else {
		delete(r.tally, target)
	}
}

// apply mutates r; on error r must be discarded.
func (r *refSnapshot) apply(h poa.HeaderInfo) error {
	number := h.Height
	if err := r.check(h.Signer); err != nil {
		return err
	}
	if number%r.epoch == 0 {
		if h.Vote != nil {
			return poa.ErrCheckpointVote
		}
		r.votes = nil
		r.tally = map[core.PublicKey]poa.Tally{}
	}
	if limit := uint64(len(r.signers)/2 + 1); number >= limit {
		delete(r.recents, number-limit)
	}
	r.recents[number] = h.Signer
	r.number = number
	if h.Vote == nil {
		return nil
	}
	target, add := h.Vote.Target, h.Vote.Add
	for i, v := range r.votes {
		if v.Voter == h.Signer && v.Target == target {
			r.uncast(v.Target, v.Add)
			r.votes = append(r.votes[:i], r.votes[i+1:]...)
			break
		}
	}
	if r.signers[target] != add {
		t := r.tally[target]
		t.Target, t.Add = target, add
		t.Votes++
		r.tally[target] = t
		r.votes = append(r.votes, poa.PendingVote{Voter: h.Signer, Target: target, Add: add})
	}
	if t := r.tally[target]; t.Votes > len(r.signers)/2 {
		if t.Add {
			r.signers[target] = true
		} else {
			delete(r.signers, target)
			if limit := uint64(len(r.signers)/2 + 1); number >= limit {
				delete(r.recents, number-limit)
			}
			for i := 0; i < len(r.votes); i++ {
				if r.votes[i].Voter == target {
					r.uncast(r.votes[i].Target, r.votes[i].Add)
					r.votes = append(r.votes[:i], r.votes[i+1:]...)
					i--
				}
			}
		}
		for i := 0; i < len(r.votes); i++ {
			if r.votes[i].Target == target {
				r.votes = append(r.votes[:i], r.votes[i+1:]...)
				i--
			}
		}
		delete(r.tally, target)
	}
	return nil
}

// compare fails t unless s holds what r does. Clique's recents map keeps
// one entry more than the next block is checked against (it is pruned at
// the start of the next block); Snapshot keeps only the window.
func compareRef(t *testing.T, step int, s *poa.Snapshot, r *refSnapshot) {
	t.Helper()
	var signers []core.PublicKey
	for k := range r.signers {
		signers = append(signers, k)
	}
	slices.SortFunc(signers, func(a, b core.PublicKey) int { return slices.Compare(a[:], b[:]) })
	if !slices.Equal(s.Signers(), signers) {
		t.Fatalf("step %d: signers %d, reference %d", step, len(s.Signers()), len(signers))
	}
	var recents []poa.Recent
	limit := uint64(len(r.signers)/2 + 1)
	for h, k := range r.recents {
		if h+limit > r.number+1 {
			recents = append(recents, poa.Recent{Height: h, Signer: k})
		}
	}
	slices.SortFunc(recents, func(a, b poa.Recent) int { return int(a.Height) - int(b.Height) })
	if got := s.Recents(); !slices.Equal(got, recents) {
		t.Fatalf("step %d: recents %v, reference %v", step, got, recents)
	}
	if got := s.Votes(); !slices.Equal(got, r.votes) {
		t.Fatalf("step %d: votes %v, reference %v", step, got, r.votes)
	}
	var tallies []poa.Tally
	for _, tl := range r.tally {
		tallies = append(tallies, tl)
	}
	slices.SortFunc(tallies, func(a, b poa.Tally) int { return slices.Compare(a.Target[:], b.Target[:]) })
	if got := s.Tallies(); !slices.Equal(got, tallies) {
		t.Fatalf("step %d: tallies %v, reference %v", step, got, tallies)
	}
}

// TestSnapshotMatchesReference runs random vote-heavy chains, with some
// invalid headers, through Snapshot and the reference model and compares
// them after every header; the batch form must reach the same snapshot.
func TestSnapshotMatchesReference(t *testing.T) {
	pool := make([]core.PublicKey, 7)
	for i := range pool {
		pool[i] = testkit.NewKey(200 + i).Pub
	}
	r := rand.New(rand.NewPCG(3, 4))
	for run := range 300 {
		epoch := []uint64{2, 3, 5, 8, 1000}[r.IntN(5)]
		initial := pool[:1+r.IntN(5)]
		snap, err := poa.NewSnapshot(epoch, initial)
		if err != nil {
			t.Fatal(err)
		}
		genesis, ref := snap, newRef(epoch, initial)
		var accepted []poa.HeaderInfo
		for step := range 120 {
			var allowed []core.PublicKey
			for _, k := range pool {
				if ref.check(k) == nil {
					allowed = append(allowed, k)
				}
			}
			h := poa.HeaderInfo{Height: snap.Height() + 1}
			if len(allowed) == 0 || r.IntN(20) == 0 {
				h.Signer = pool[r.IntN(len(pool))]
			} else {
				h.Signer = allowed[r.IntN(len(allowed))]
			}
			if r.IntN(3) > 0 {
				h.Vote = &poa.Vote{Target: pool[r.IntN(len(pool))], Add: r.IntN(2) == 0}
			}
			next, err := snap.Apply(h)
			refNext := ref.clone()
			refErr := refNext.apply(h)
			if (err == nil) != (refErr == nil) || (err != nil && !errors.Is(err, refErr)) {
				t.Fatalf("run %d step %d: %v, reference %v", run, step, err, refErr)
			}
			if err != nil {
				if len(allowed) == 0 {
					break
				}
				continue
			}
			snap, ref = next, refNext
			accepted = append(accepted, h)
			compareRef(t, step, snap, ref)
		}
		batch, err := genesis.ApplyHeaders(accepted)
		if err != nil {
			t.Fatalf("run %d: ApplyHeaders: %v", run, err)
		}
		if a, b := snapshotText(snap), snapshotText(batch); a != b {
			t.Fatalf("run %d: Apply one by one:\n%s\nApplyHeaders:\n%s", run, a, b)
		}
	}
}

// TestApplyRejectsWrongHeight: a snapshot only takes the next height.
func TestApplyRejectsWrongHeight(t *testing.T) {
	vs := validators(3)
	s, _ := poa.NewSnapshot(10, vs)
	for _, h := range []uint64{0, 2, 5} {
		if _, err := s.Apply(poa.HeaderInfo{Height: h, Signer: vs[1]}); !errors.Is(err, core.CodeBadHeight) {
			t.Errorf("height %d after 0: %v, want %s", h, err, core.CodeBadHeight)
		}
	}
}

func TestNewSnapshotRejects(t *testing.T) {
	vs := validators(2)
	for _, tc := range []struct {
		name    string
		epoch   uint64
		signers []core.PublicKey
	}{
		{"epoch 0", 0, vs},
		{"no signers", 10, nil},
		{"a signer twice", 10, []core.PublicKey{vs[0], vs[1], vs[0]}},
	} {
		if _, err := poa.NewSnapshot(tc.epoch, tc.signers); !errors.Is(err, core.CodeBadGenesis) {
			t.Errorf("%s: %v, want %s", tc.name, err, core.CodeBadGenesis)
		}
	}
}

func TestSnapshotQueries(t *testing.T) {
	vs := validators(3)
	// Given unsorted, kept sorted.
	s, err := poa.NewSnapshot(10, []core.PublicKey{vs[2], vs[0], vs[1]})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Signers(), vs) || s.Len() != 3 || s.SignerLimit() != 2 || s.Epoch() != 10 {
		t.Fatalf("signers %v limit %d", s.Signers(), s.SignerLimit())
	}
	out := testkit.NewKey(1).Pub
	for i, v := range vs {
		if k, ok := s.SignerByAddress(v.Address()); !ok || k != v {
			t.Errorf("SignerByAddress(%d)", i)
		}
		// Height 4: 4 % 3 == 1 is in turn.
		wantW := uint64(poa.WeightOutOfTurn)
		if i == 1 {
			wantW = poa.WeightInTurn
		}
		if w := s.Weight(4, v); w != wantW || s.InTurn(4, v) != (i == 1) {
			t.Errorf("signer %d at 4: weight %d in turn %v", i, w, s.InTurn(4, v))
		}
	}
	if _, ok := s.SignerByAddress(out.Address()); ok || s.Weight(4, out) != 0 || s.InTurn(1, out) || s.IsSigner(out) {
		t.Error("a non-signer is a signer")
	}
	if !s.ValidVote(poa.Vote{Target: out, Add: true}) || s.ValidVote(poa.Vote{Target: out}) ||
		!s.ValidVote(poa.Vote{Target: vs[0]}) || s.ValidVote(poa.Vote{Target: vs[0], Add: true}) {
		t.Error("ValidVote")
	}
	// The accessors return copies.
	s.Signers()[0] = out
	if s.Signers()[0] != vs[0] {
		t.Error("Signers shares its slice")
	}
}
