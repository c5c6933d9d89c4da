package powseal

import (
	"context"
	"fmt"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/consensus/pow"
	"github.com/cairn-chain/cairn/core"
)

// Sealer is the proof-of-work sealer: the multi-core midstate nonce search
// (Solve) against the target of the header's bits. It is stateless and
// safe for concurrent use.
type Sealer struct {
	target func(bits uint32) (core.Hash, error)
}

var _ consensus.Sealer = (*Sealer)(nil)

// New returns the sealer of PoW headers: targets from pow.TargetHash.
func New() *Sealer { return &Sealer{target: pow.TargetHash} }

// NewWithTarget returns a sealer that maps bits to targets with target
// (tests stand in their own targets).
func NewWithTarget(target func(bits uint32) (core.Hash, error)) *Sealer {
	return &Sealer{target: target}
}

// Seal searches nonces from h.Nonce on opts.Threads goroutines (< 1: one
// per CPU, at most MaxThreads), worker i trying h.Nonce+i, h.Nonce+i+threads,
// ...; opts.Limit is hashes per thread, opts.Progress gets each batch's
// hash count (batches of at most 4096). It fails only if h.Bits has no
// valid target.
func (s *Sealer) Seal(ctx context.Context, h core.Header, opts consensus.SealOptions) (core.Header, bool, error) {
	target, err := s.target(h.Bits)
	if err != nil {
		return h, false, fmt.Errorf("pow: target of bits %#08x: %w", h.Bits, err)
	}
	sealed, found, _ := solve(ctx, h, target, opts.Threads, opts.Limit, opts.Abort, opts.Progress)
	return sealed, found, nil
}
