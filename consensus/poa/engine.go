package poa

import (
	"crypto/ed25519"
	"errors"
	"math/big"
	"slices"
	"sync"

	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/core"
)

// Reasons VerifySeal rejects a header. They are the Err of a
// *core.RuleError with core.CodeBadPoW (the engines' "bad seal" code), so
// both errors.Is(err, core.CodeBadPoW) and errors.Is(err, ErrBadSignature)
// hold.
var (
	// ErrBadSignature: the signature does not verify for the header's signer.
	ErrBadSignature = errors.New("signature does not verify")
	// ErrMinerNotSigner: the header's miner is not its signer's address.
	ErrMinerNotSigner = errors.New("miner is not the signer's address")
	// ErrNonceNotZero: a PoA header's nonce must be 0.
	ErrNonceNotZero = errors.New("nonce is not 0")
	// ErrNoLocalSigner: Prepare has no signer to prepare the header for.
	ErrNoLocalSigner = errors.New("no local signer (cairn node --signer NAME)")
)

// Cache sizes.
const (
	// SnapshotCacheSize bounds the snapshots kept by block hash (the last
	// blocks checked or prepared, on any branch).
	SnapshotCacheSize = 4096
	// sealCacheSize bounds the hashes of headers whose signature verified
	// (a header checked in headers-first sync is checked again with its
	// block).
	sealCacheSize = 8192
)

// Engine is the proof-of-authority engine (consensus.Engine), with the
// local signer's proposals (consensus.Voter) and a read-only view of the
// signer set (consensus.Authority). It is safe for concurrent use.
//
// Its state besides the genesis parameters is caches (snapshots by block
// hash, verified seals) and the local producer's settings (SetSigner,
// Propose): none of it affects which headers are valid.
type Engine struct {
	periodMs    uint64
	epoch       uint64
	genesisHash core.Hash
	genesis     *Snapshot
	seals       *core.SigCache

	mu        sync.Mutex
	snaps     map[core.Hash]*Snapshot
	ring      []core.Hash // FIFO of snaps' keys
	next      int
	local     core.PublicKey
	hasLocal  bool
	proposals map[core.PublicKey]bool
}

var (
	_ consensus.Engine    = (*Engine)(nil)
	_ consensus.Voter     = (*Engine)(nil)
	_ consensus.Authority = (*Engine)(nil)
)

// New returns the engine of a proof-of-authority genesis. It fails with
// core.CodeBadGenesis if g is not one or its signers are invalid.
func New(g *core.Genesis) (*Engine, error) {
	if g == nil || !g.IsPoA() || g.PoA == nil {
		return nil, core.Errorf(core.CodeBadGenesis, "poa: genesis is not proof of authority")
	}
	if g.PoA.PeriodMs == 0 {
		return nil, core.Errorf(core.CodeBadGenesis, "poa: period_ms is 0")
	}
	snap, err := NewSnapshot(g.PoA.PoAEpoch(), g.PoA.Signers)
	if err != nil {
		return nil, err
	}
	return &Engine{
		periodMs:    g.PoA.PeriodMs,
		epoch:       g.PoA.PoAEpoch(),
		genesisHash: g.Hash(),
		genesis:     snap,
		seals:       core.NewSigCache(sealCacheSize),
		snaps:       make(map[core.Hash]*Snapshot),
		ring:        make([]core.Hash, SnapshotCacheSize),
		proposals:   make(map[core.PublicKey]bool),
	}, nil
}

// PeriodMs returns the block interval in milliseconds.
func (e *Engine) PeriodMs() uint64 { return e.periodMs }

// Epoch returns the number of blocks between vote resets.
func (e *Engine) Epoch() uint64 { return e.epoch }

// SetSigner sets the local signer: Prepare prepares headers for it when
// the caller leaves Header.Signer zero. consensus/engines sets it when it
// builds the sealer from the node's key.
func (e *Engine) SetSigner(k core.PublicKey) {
	e.mu.Lock()
	e.local, e.hasLocal = k, true
	e.mu.Unlock()
}

// LocalSigner returns the signer SetSigner set.
func (e *Engine) LocalSigner() (core.PublicKey, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.local, e.hasLocal
}

// VerifySeal checks h's seal alone: version 2, nonce 0, miner the
// signer's address, a well-formed vote and the signer's Ed25519 signature
// over h.SigningBytes(). Whether the signer may seal h is CheckHeader's. A
// failure is a *core.RuleError: core.CodeBadVersion for another version,
// core.CodeMalformed for a malformed vote, else core.CodeBadPoW wrapping
// ErrNonceNotZero, ErrMinerNotSigner or ErrBadSignature.
func (e *Engine) VerifySeal(h *core.Header) error {
	if h == nil {
		return core.Errorf(core.CodeMalformed, "poa: no header")
	}
	if h.Version != core.BlockVersionSigned {
		return core.Errorf(core.CodeBadVersion, "poa: block %d version %d, want %d", h.Height, h.Version, core.BlockVersionSigned)
	}
	switch h.Vote.Kind {
	case core.VoteAdd, core.VoteDrop:
	case core.VoteNone:
		if h.Vote.Target != (core.PublicKey{}) {
			return core.Errorf(core.CodeMalformed, "poa: block %d has no vote but a vote target", h.Height)
		}
	default:
		return core.Errorf(core.CodeMalformed, "poa: block %d vote kind %d", h.Height, h.Vote.Kind)
	}
	if h.Nonce != 0 {
		return core.Wrap(core.CodeBadPoW, ErrNonceNotZero, "poa: block %d nonce %d", h.Height, h.Nonce)
	}
	if want := h.Signer.Address(); h.Miner != want {
		return core.Wrap(core.CodeBadPoW, ErrMinerNotSigner, "poa: block %d miner %s, signer %s has address %s", h.Height, h.Miner, h.Signer, want)
	}
	var buf [core.MaxHeaderSize]byte
	enc := h.AppendEncode(buf[:0]) // SigningBytes, then the signature
	hash := core.Sum(enc)
	if e.seals.Has(hash) {
		return nil
	}
	if !ed25519.Verify(h.Signer[:], enc[:len(enc)-core.SignatureSize], h.Signature[:]) {
		return core.Wrap(core.CodeBadPoW, ErrBadSignature, "poa: block %d signature by %s", h.Height, h.Signer)
	}
	e.seals.Add(hash)
	return nil
}

// info is what a Snapshot needs of h.
func info(h *core.Header) HeaderInfo {
	hi := HeaderInfo{Height: h.Height, Signer: h.Signer}
	if h.Vote.Kind == core.VoteAdd || h.Vote.Kind == core.VoteDrop {
		hi.Vote = &Vote{Target: h.Vote.Target, Add: h.Vote.Kind == core.VoteAdd}
	}
	return hi
}

// CheckHeader checks h, whose seal VerifySeal accepted, against the
// snapshot after its parent: its signer may seal it (a signer, not too
// recently, no vote at an epoch boundary: core.CodeBadBlock wrapping
// ErrUnauthorizedSigner, ErrRecentlySigned or ErrCheckpointVote), its bits
// are its weight (core.CodeBadBits) and it comes at least a period after
// its parent (core.CodeBadTimestamp). The snapshot after h is cached by
// h's hash. Snapshots not cached are rebuilt from chain (core.CodeUnknownParent
// if an ancestor is missing).
func (e *Engine) CheckHeader(chain consensus.ChainReader, h, parent *core.Header) error {
	if h == nil || parent == nil {
		return core.Errorf(core.CodeMalformed, "poa: no header or parent")
	}
	if h.Version != core.BlockVersionSigned {
		return core.Errorf(core.CodeBadVersion, "poa: block %d version %d, want %d", h.Height, h.Version, core.BlockVersionSigned)
	}
	snap, err := e.snapshotOf(chain, parent.Hash(), parent)
	if err != nil {
		return err
	}
	next, err := e.CheckHeaderAfter(snap, h, parent)
	if err != nil {
		return err
	}
	e.remember(h.Hash(), next)
	return nil
}

func turn(w uint64) string {
	if w == WeightInTurn {
		return "in turn"
	}
	return "out of turn"
}

// Prepare makes h, whose height, prev_hash and timestamp are set, a
// version-2 header for its signer: h.Signer if the caller set it, else the
// local signer (SetSigner; ErrNoLocalSigner if none). It sets the miner to
// the signer's address (fees and any reward go to the signer), bits to the
// signer's weight at h's height, the timestamp to at least the parent's
// plus the period, the vote from the pending proposals (none at an epoch
// boundary) and clears nonce and signature. It fails with
// core.CodeBadBlock wrapping ErrUnauthorizedSigner if the signer is not in
// the set; whether it sealed too recently is the Sealer's to refuse (a
// template is still useful to show).
func (e *Engine) Prepare(chain consensus.ChainReader, h *core.Header) error {
	if h == nil || chain == nil {
		return core.Errorf(core.CodeMalformed, "poa: no header or chain")
	}
	parent, ok := chain.HeaderByHash(h.PrevHash)
	if !ok {
		return core.Errorf(core.CodeUnknownParent, "poa: parent %s of block %d unknown", h.PrevHash, h.Height)
	}
	signer := h.Signer
	if signer == (core.PublicKey{}) {
		var has bool
		if signer, has = e.LocalSigner(); !has {
			return ErrNoLocalSigner
		}
	}
	snap, err := e.snapshotOf(chain, h.PrevHash, parent)
	if err != nil {
		return err
	}
	w := snap.Weight(h.Height, signer)
	if w == 0 {
		return core.Wrap(core.CodeBadBlock, ErrUnauthorizedSigner, "poa: block %d: %s is not a signer", h.Height, signer)
	}
	h.Version = core.BlockVersionSigned
	h.Signer = signer
	h.Miner = signer.Address()
	h.Bits = uint32(w)
	h.Nonce = 0
	h.Signature = core.Signature{}
	h.Timestamp = max(h.Timestamp, parent.Timestamp+e.periodMs)
	h.Vote = core.Vote{}
	if h.Height%e.epoch != 0 {
		if v, ok := e.pickVote(snap, signer, h.Height); ok {
			h.Vote = v
		}
	}
	return nil
}

// pickVote chooses the vote of signer's header at height: among the
// proposals that would change the set and that signer's pending votes do
// not already count, the one at height % their number, so that several
// proposals take turns.
func (e *Engine) pickVote(snap *Snapshot, signer core.PublicKey, height uint64) (core.Vote, bool) {
	counted := make(map[Vote]bool)
	for _, p := range snap.votes {
		if p.Voter == signer {
			counted[Vote{Target: p.Target, Add: p.Add}] = true
		}
	}
	var cands []consensus.Proposal
	for _, p := range e.Proposals() {
		v := Vote{Target: p.Target, Add: p.Add}
		if snap.ValidVote(v) && !counted[v] {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 {
		return core.Vote{}, false
	}
	p := cands[height%uint64(len(cands))]
	kind := core.VoteDrop
	if p.Add {
		kind = core.VoteAdd
	}
	return core.Vote{Kind: kind, Target: p.Target}, true
}

// Author returns h.Miner, which VerifySeal requires to be the signer's
// address.
func (e *Engine) Author(h *core.Header) core.Address { return h.Miner }

// Work returns h's weight, its bits (2 in turn, 1 out of turn; CheckHeader
// checks them).
func (e *Engine) Work(h *core.Header) *big.Int {
	if h == nil || h.Version != core.BlockVersionSigned {
		return new(big.Int) // the genesis header (version 1: its bits are PoW's) weighs nothing
	}
	return new(big.Int).SetUint64(uint64(h.Bits))
}

// PreferTie breaks a tie between branches of equal total weight by
// EIP-3436 (Prefer): the lower height, then the tip whose signer's in-turn
// slot is least recent, then the lower hash. It does not depend on which
// branch is current, so every node picks the same tip. A tip whose parent's
// snapshot cannot be built counts as having no signer index.
func (e *Engine) PreferTie(chain consensus.ChainReader, current, candidate *core.Header) bool {
	a, b := e.tipInfo(chain, candidate), e.tipInfo(chain, current)
	if a.Hash == b.Hash {
		return false
	}
	return Prefer(a, b)
}

func (e *Engine) tipInfo(chain consensus.ChainReader, h *core.Header) TipInfo {
	t := TipInfo{Height: h.Height, Hash: h.Hash(), SignerIndex: -1}
	if h.Height == 0 {
		return t
	}
	parent, ok := (*core.Header)(nil), false
	if chain != nil {
		parent, ok = chain.HeaderByHash(h.PrevHash)
	}
	if !ok {
		return t
	}
	snap, err := e.snapshotOf(chain, h.PrevHash, parent)
	if err != nil {
		return t
	}
	if tip, ok := snap.Tip(h.Height, h.Signer, t.Hash, 0); ok {
		return tip
	}
	return t
}

// Propose makes the local signer's headers vote to add or drop target
// (consensus.Voter).
func (e *Engine) Propose(target core.PublicKey, add bool) {
	e.mu.Lock()
	e.proposals[target] = add
	e.mu.Unlock()
}

// Discard withdraws the proposal about target.
func (e *Engine) Discard(target core.PublicKey) {
	e.mu.Lock()
	delete(e.proposals, target)
	e.mu.Unlock()
}

// Proposals returns the pending proposals sorted by target.
func (e *Engine) Proposals() []consensus.Proposal {
	e.mu.Lock()
	ps := make([]consensus.Proposal, 0, len(e.proposals))
	for t, add := range e.proposals {
		ps = append(ps, consensus.Proposal{Target: t, Add: add})
	}
	e.mu.Unlock()
	slices.SortFunc(ps, func(a, b consensus.Proposal) int { return compareKeys(a.Target, b.Target) })
	return ps
}

// Snapshot returns the snapshot after the block hash, from the cache or
// rebuilt from chain (which may be nil when the block's snapshot is cached,
// as it is for every block CheckHeader accepted recently). It fails with
// core.CodeUnknownParent if an ancestor cannot be read.
func (e *Engine) Snapshot(chain consensus.ChainReader, hash core.Hash) (*Snapshot, error) {
	return e.snapshotOf(chain, hash, nil)
}

// CachedSnapshot returns the cached snapshot after the block hash.
func (e *Engine) CachedSnapshot(hash core.Hash) (*Snapshot, bool) {
	if hash == e.genesisHash {
		return e.genesis, true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.snaps[hash]
	return s, ok
}

// Signers returns the signer set after the block hash, sorted by key
// bytes.
func (e *Engine) Signers(chain consensus.ChainReader, hash core.Hash) ([]core.PublicKey, error) {
	s, err := e.Snapshot(chain, hash)
	if err != nil {
		return nil, err
	}
	return s.Signers(), nil
}

// Authority returns the view after the block hash for the API
// (consensus.Authority).
func (e *Engine) Authority(chain consensus.ChainReader, hash core.Hash) (*consensus.AuthorityInfo, error) {
	s, err := e.Snapshot(chain, hash)
	if err != nil {
		return nil, err
	}
	info := &consensus.AuthorityInfo{
		Engine: core.ConsensusPoA, Hash: hash, Height: s.Height(), Signers: s.Signers(),
		PeriodMs: e.periodMs, Epoch: e.epoch,
	}
	if n := uint64(s.Len()); n > 0 {
		info.InTurn = s.signers[(s.Height()+1)%n]
	}
	for _, t := range s.Tallies() {
		info.Votes = append(info.Votes, consensus.VoteTally{Target: t.Target, Add: t.Add, Votes: t.Votes})
	}
	return info, nil
}

// snapshotOf returns the snapshot after the block hash (whose header is
// known, if not nil): cached, or rebuilt by walking back through chain to a
// cached snapshot or the genesis and replaying the headers since.
func (e *Engine) snapshotOf(chain consensus.ChainReader, hash core.Hash, known *core.Header) (*Snapshot, error) {
	if s, ok := e.CachedSnapshot(hash); ok {
		return s, nil
	}
	var back []HeaderInfo // newest first
	cur := hash
	h := known
	for {
		if h == nil {
			var ok bool
			if chain != nil {
				h, ok = chain.HeaderByHash(cur)
			}
			if !ok {
				return nil, core.Errorf(core.CodeUnknownParent, "poa: block %s unknown: cannot build its signer set", cur)
			}
		}
		if h.Height == 0 {
			return nil, core.Errorf(core.CodeUnknownParent, "poa: block %s at height 0 is not the genesis %s", cur, e.genesisHash)
		}
		back = append(back, info(h))
		cur = h.PrevHash
		if s, ok := e.CachedSnapshot(cur); ok {
			slices.Reverse(back)
			out, err := s.ApplyHeaders(back)
			if err != nil {
				return nil, err
			}
			e.remember(hash, out)
			return out, nil
		}
		h = nil
	}
}

// remember caches s as the snapshot after the block hash.
func (e *Engine) remember(hash core.Hash, s *Snapshot) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.snaps[hash]; ok {
		return
	}
	if old := e.ring[e.next]; old != (core.Hash{}) {
		delete(e.snaps, old)
	}
	e.ring[e.next] = hash
	e.next = (e.next + 1) % len(e.ring)
	e.snaps[hash] = s
}
