// Package poatest builds small in-memory proof-of-authority chains for the
// tests of consensus/poa and its sealer: a genesis with test signers, a
// ChainReader over a map of headers, and headers prepared and signed by a
// given key.
package poatest

import (
	"crypto/ed25519"
	"slices"
	"testing"

	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// PeriodMs is the test chains' block interval.
const PeriodMs = 1000

// Keys returns n test keys sorted as the signer set sorts them, so that
// Keys(n)[i] is in turn at heights i mod n.
func Keys(first, n int) []testkit.Key {
	ks := testkit.NewKeys(first, n)
	slices.SortFunc(ks, func(a, b testkit.Key) int { return slices.Compare(a.Pub[:], b.Pub[:]) })
	return ks
}

// Genesis returns a PoA genesis with signers, PeriodMs and epoch (0: the
// default).
func Genesis(signers []testkit.Key, epoch uint64) *core.Genesis {
	g := testkit.Genesis("poa-test", nil)
	g.Consensus = core.ConsensusPoA
	g.InitialBits = 0
	g.PoA = &core.PoAParams{PeriodMs: PeriodMs, Epoch: epoch}
	for _, k := range signers {
		g.PoA.Signers = append(g.PoA.Signers, k.Pub)
	}
	slices.SortFunc(g.PoA.Signers, func(a, b core.PublicKey) int { return slices.Compare(a[:], b[:]) })
	return g
}

// Chain is a consensus.ChainReader over a map of headers. Not safe for
// concurrent writes.
type Chain struct {
	Headers map[core.Hash]core.Header
	Genesis core.Header
}

// NewChain returns the chain holding g's genesis header.
func NewChain(g *core.Genesis) *Chain {
	gh := g.Block().Header
	return &Chain{Headers: map[core.Hash]core.Header{gh.Hash(): gh}, Genesis: gh}
}

// HeaderByHash implements consensus.ChainReader.
func (c *Chain) HeaderByHash(h core.Hash) (*core.Header, bool) {
	hd, ok := c.Headers[h]
	if !ok {
		return nil, false
	}
	return &hd, true
}

// Add stores h.
func (c *Chain) Add(h core.Header) { c.Headers[h.Hash()] = h }

// Next returns the header after parent, prepared by e for k (at parent's
// timestamp + the period) but not signed.
func Next(t testing.TB, e *poa.Engine, c *Chain, parent *core.Header, k testkit.Key) core.Header {
	t.Helper()
	h := core.Header{
		Version:   core.BlockVersionSigned,
		Height:    parent.Height + 1,
		PrevHash:  parent.Hash(),
		Timestamp: parent.Timestamp + PeriodMs,
		Signer:    k.Pub,
	}
	if err := e.Prepare(c, &h); err != nil {
		t.Fatalf("prepare block %d for %s: %v", h.Height, k.Pub, err)
	}
	return h
}

// Sign signs h with k.
func Sign(h *core.Header, k testkit.Key) {
	h.Signature = core.Signature(ed25519.Sign(k.Priv, h.SigningBytes()))
}

// Extend prepares, signs, checks and stores the block after parent sealed
// by k, and returns it.
func Extend(t testing.TB, e *poa.Engine, c *Chain, parent *core.Header, k testkit.Key) core.Header {
	t.Helper()
	h := Next(t, e, c, parent, k)
	Sign(&h, k)
	if err := Check(e, c, &h); err != nil {
		t.Fatalf("block %d by %s: %v", h.Height, k.Pub, err)
	}
	c.Add(h)
	return h
}

// Check runs the engine's checks of h as the chain does: VerifySeal, then
// CheckHeader against its parent in c.
func Check(e *poa.Engine, c *Chain, h *core.Header) error {
	if err := e.VerifySeal(h); err != nil {
		return err
	}
	parent, ok := c.HeaderByHash(h.PrevHash)
	if !ok {
		return core.Errorf(core.CodeUnknownParent, "parent %s unknown", h.PrevHash)
	}
	return e.CheckHeader(c, h, parent)
}
