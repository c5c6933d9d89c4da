// Package poaseal is the proof-of-authority sealer: it signs a prepared
// header with the node's signer key, at the header's timestamp when the
// signer is in turn and after a random delay when it is not (EIP-225's
// "wiggle", which lets the in-turn signer's block spread first). Unlike
// consensus/poa, which every node runs, it reads the clock and waits; only
// a signer runs it.
package poaseal

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/core"
)

// WiggleTime is EIP-225's wiggle unit: an out-of-turn signer waits a
// random delay in [0, SignerLimit × WiggleTime) past the header's
// timestamp before signing (Clique: (N/2+1) × 500 ms).
const WiggleTime = 500 * time.Millisecond

// AbortPoll is how often a waiting Seal polls SealOptions.Abort.
const AbortPoll = 20 * time.Millisecond

// ErrNoSnapshot: the header's parent has no cached snapshot; Prepare the
// header with the same engine first.
var ErrNoSnapshot = errors.New("no signer set for the parent: prepare the header with this engine first")

// Clock is the time source the sealer waits on; tests replace it.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Options are the sealer's hooks; the zero value uses the real clock and
// math/rand/v2.
type Options struct {
	Clock Clock
	// Rand returns a uniform value in [0, n), n > 0.
	Rand func(n int64) int64
}

// Sealer signs headers prepared by a poa.Engine with one signer key.
type Sealer struct {
	engine *poa.Engine
	key    ed25519.PrivateKey
	pub    core.PublicKey
	clock  Clock
	rand   func(int64) int64
}

var _ consensus.Sealer = (*Sealer)(nil)

// New returns the sealer of key's signer for e's headers. It does not make
// key e's local signer (see poa.Engine.SetSigner; consensus/engines does
// both).
func New(e *poa.Engine, key ed25519.PrivateKey, opts Options) (*Sealer, error) {
	if e == nil {
		return nil, errors.New("poaseal: no engine")
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("poaseal: signer key of %d bytes, want an Ed25519 private key of %d", len(key), ed25519.PrivateKeySize)
	}
	s := &Sealer{engine: e, key: key, clock: opts.Clock, rand: opts.Rand}
	copy(s.pub[:], key.Public().(ed25519.PublicKey))
	if s.clock == nil {
		s.clock = realClock{}
	}
	if s.rand == nil {
		s.rand = rand.Int64N
	}
	return s, nil
}

// Signer returns the sealer's public key.
func (s *Sealer) Signer() core.PublicKey { return s.pub }

// Delay returns how long after the header's timestamp a signer waits
// before signing: 0 in turn, a random [0, SignerLimit × WiggleTime) out of
// turn.
func (s *Sealer) delay(snap *poa.Snapshot, h *core.Header) time.Duration {
	if snap.InTurn(h.Height, s.pub) {
		return 0
	}
	return time.Duration(s.rand(int64(snap.SignerLimit()) * int64(WiggleTime)))
}

// Seal signs h, prepared by the engine for this sealer's key (version 2,
// signer, miner, bits, timestamp). It refuses with an error, unsealed, a
// header prepared for another signer or with a wrong weight, and when the
// key may not seal h now: not a signer (errors.Is poa.ErrUnauthorizedSigner)
// or sealed too recently (poa.ErrRecentlySigned: wait for the next tip). It
// waits until h's timestamp (plus the out-of-turn delay), then signs;
// it returns unsealed with no error if ctx ends (a new tip) or opts.Abort
// reports true first. opts.Threads and opts.Limit do not apply; Progress is
// not called.
func (s *Sealer) Seal(ctx context.Context, h core.Header, opts consensus.SealOptions) (core.Header, bool, error) {
	switch {
	case h.Version != core.BlockVersionSigned:
		return h, false, fmt.Errorf("poaseal: block %d version %d, want %d (prepare it with the poa engine)", h.Height, h.Version, core.BlockVersionSigned)
	case h.Signer != s.pub:
		return h, false, fmt.Errorf("poaseal: block %d prepared for signer %s, this node signs as %s", h.Height, h.Signer, s.pub)
	case h.Miner != s.pub.Address():
		return h, false, fmt.Errorf("poaseal: block %d miner %s, want the signer's address %s", h.Height, h.Miner, s.pub.Address())
	}
	snap, ok := s.engine.CachedSnapshot(h.PrevHash)
	if !ok {
		return h, false, fmt.Errorf("poaseal: block %d parent %s: %w", h.Height, h.PrevHash, ErrNoSnapshot)
	}
	if err := snap.MaySeal(h.Height, s.pub); err != nil {
		if errors.Is(err, poa.ErrRecentlySigned) {
			return h, false, fmt.Errorf("poaseal: %w (%w)", err, consensus.ErrWaitForTip)
		}
		return h, false, fmt.Errorf("poaseal: %w", err)
	}
	if want := snap.Weight(h.Height, s.pub); uint64(h.Bits) != want {
		return h, false, fmt.Errorf("poaseal: block %d weight %d, want %d", h.Height, h.Bits, want)
	}
	at := time.UnixMilli(int64(h.Timestamp)).Add(s.delay(snap, &h))
	for {
		if ctx.Err() != nil || opts.Abort != nil && opts.Abort() {
			return h, false, nil
		}
		wait := at.Sub(s.clock.Now())
		if wait <= 0 {
			break
		}
		if opts.Abort != nil {
			wait = min(wait, AbortPoll)
		}
		select {
		case <-ctx.Done():
			return h, false, nil
		case <-s.clock.After(wait):
		}
	}
	h.Nonce = 0
	h.Signature = core.Signature(ed25519.Sign(s.key, h.SigningBytes()))
	return h, true, nil
}
