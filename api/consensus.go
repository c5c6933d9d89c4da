package api

import (
	"context"
	"fmt"
	"net/http"
	"reflect"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/consensus"
	"github.com/cairn-chain/cairn/core"
)

const tagConsensus = "consensus"

// Consensus is the chain's consensus engine as the API reads and steers
// it, for an engine with a signer set (proof of authority). The node fills
// it in from the engine's optional interfaces (consensus.Authority,
// consensus.Voter); a proof-of-work chain has none.
type Consensus interface {
	// Authority is the signer set's view after the main chain's tip.
	Authority() (*consensus.AuthorityInfo, error)
	// Proposals are this node's pending proposals, sorted by target.
	Proposals() []consensus.Proposal
	// Propose makes this node's signer vote to add or drop key. It fails
	// with a core.CodeNotVoting rule error when the node has no signer key.
	Propose(key core.PublicKey, add bool) error
}

type (
	consensusOut struct{ Body wire.Consensus }
	proposalsOut struct{ Body wire.Proposals }
)

func (s *Server) registerConsensus() {
	register(s, route{
		id: "get-consensus", method: http.MethodGet, path: "/api/v1/consensus", tag: tagConsensus,
		summary: "The consensus engine and its state at the tip",
		desc: "engine is pow or poa. Proof of work: the tip's bits and difficulty. Proof of authority: the signer set after the tip " +
			"(height, hash), the signer in turn for the next height, the votes counted since the epoch began and the number needed " +
			"(a majority of the signers), this node's pending proposals, period_ms and epoch.",
	}, s.getConsensus)
	register(s, route{
		id: "propose-vote", method: http.MethodPost, path: "/api/v1/consensus/votes", tag: tagConsensus, admin: true, status: http.StatusAccepted,
		summary: "Propose adding or dropping a signer (admin, proof of authority)",
		desc: "This node's signer votes for the proposal in every header it seals until the set changes (a majority of the signers " +
			"voted alike) or the epoch ends. signer is the public key; to drop a signer its address may be given instead (resolved " +
			"against the current set). Answers this node's pending proposals. 409 not_voting on a proof-of-work chain or a node without a signer key.",
		body: reflect.TypeFor[wire.VoteRequest](),
		errs: []int{http.StatusConflict},
	}, s.postVote)
	s.registerVoteHeaders()
}

// engine names the chain's engine.
func (s *Server) engine() string {
	if s.cfg.Genesis.IsPoA() {
		return wire.EnginePoA
	}
	return wire.EnginePoW
}

func (s *Server) getConsensus(context.Context, *struct{}) (*consensusOut, error) {
	b := &s.cfg.Backend
	if s.engine() != wire.EnginePoA || b.Consensus == nil {
		tip := b.Chain.Tip()
		out := wire.Consensus{Engine: s.engine(), Height: tip.Height, Hash: tip.Hash.String(), Bits: fmt.Sprintf("0x%08x", tip.Header.Bits)}
		if b.Difficulty != nil {
			out.Difficulty = b.Difficulty(tip.Header.Bits)
		}
		return &consensusOut{Body: out}, nil
	}
	info, err := b.Consensus.Authority()
	if err != nil {
		return nil, s.fail(err)
	}
	out := wire.Consensus{
		Engine: wire.EnginePoA, Height: info.Height, Hash: info.Hash.String(),
		Signers: make([]wire.Signer, 0, len(info.Signers)), Votes: []wire.VoteTally{},
		Needed: len(info.Signers)/2 + 1, Proposals: s.proposals(), PeriodMs: info.PeriodMs, Epoch: info.Epoch,
	}
	for _, k := range info.Signers {
		out.Signers = append(out.Signers, s.signer(k))
	}
	if info.InTurn != (core.PublicKey{}) {
		in := s.signer(info.InTurn)
		out.InTurn = &in
	}
	for _, v := range info.Votes {
		out.Votes = append(out.Votes, wire.VoteTally{Target: v.Target.String(), Address: v.Target.Address().Encode(s.prefix), Add: v.Add, Votes: v.Votes})
	}
	return &consensusOut{Body: out}, nil
}

func (s *Server) signer(k core.PublicKey) wire.Signer {
	return wire.Signer{Key: k.String(), Address: k.Address().Encode(s.prefix)}
}

// proposals is this node's pending proposals (never nil), each marked
// in effect when the signer set at the tip already is what it asks for.
func (s *Server) proposals() []wire.Proposal {
	out := []wire.Proposal{}
	if s.cfg.Consensus == nil {
		return out
	}
	signers := map[core.PublicKey]bool{}
	if info, err := s.cfg.Consensus.Authority(); err == nil {
		for _, k := range info.Signers {
			signers[k] = true
		}
	}
	for _, p := range s.cfg.Consensus.Proposals() {
		out = append(out, wire.Proposal{Target: p.Target.String(), Address: p.Target.Address().Encode(s.prefix), Add: p.Add, InEffect: signers[p.Target] == p.Add})
	}
	return out
}

func (s *Server) postVote(ctx context.Context, _ *struct{}) (*proposalsOut, error) {
	var in wire.VoteRequest
	if p := decodeStrict(bodyOf(ctx), &in); p != nil {
		return nil, p
	}
	var key core.PublicKey
	switch {
	case in.Signer != "" && in.Address != "":
		return nil, malformed("give signer (a public key) or address, not both")
	case in.Signer != "":
		k, err := core.ParsePublicKey(in.Signer)
		if err != nil {
			return nil, malformed("signer: %v (want a public key: 64 hex characters)", err)
		}
		key = k
	case in.Address != "" && in.Add:
		return nil, malformed("address: adding a signer needs its public key (signer): an address cannot be turned back into a key")
	case in.Address != "":
		a, err := s.parseAddress(in.Address)
		if err != nil {
			return nil, err
		}
		k, err := s.signerByAddress(a)
		if err != nil {
			return nil, err
		}
		key = k
	default:
		return nil, malformed("signer: required (a public key, 64 hex characters; or address to drop a current signer)")
	}
	if s.engine() != wire.EnginePoA || s.cfg.Consensus == nil {
		return nil, problem(string(core.CodeNotVoting), "this is a proof-of-work chain: it has no signers to vote on")
	}
	if err := s.cfg.Consensus.Propose(key, in.Add); err != nil {
		return nil, s.fail(err)
	}
	s.log.Info("signer vote proposed", "target", key.String(), "add", in.Add)
	return &proposalsOut{Body: wire.Proposals{Proposals: s.proposals()}}, nil
}

// signerByAddress finds the current signer with address a.
func (s *Server) signerByAddress(a core.Address) (core.PublicKey, error) {
	if s.engine() != wire.EnginePoA || s.cfg.Consensus == nil {
		return core.PublicKey{}, problem(string(core.CodeNotVoting), "this is a proof-of-work chain: it has no signers to vote on")
	}
	info, err := s.cfg.Consensus.Authority()
	if err != nil {
		return core.PublicKey{}, s.fail(err)
	}
	for _, k := range info.Signers {
		if k.Address() == a {
			return k, nil
		}
	}
	return core.PublicKey{}, malformed("address %s is not a current signer: give the key (signer) to vote on it", a.Encode(s.prefix))
}
