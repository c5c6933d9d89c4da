package wire

// Consensus engine names (GET /api/v1/consensus, GET /status).
const (
	EnginePoW = "pow"
	EnginePoA = "poa"
)

// Consensus is GET /api/v1/consensus: the chain's consensus engine and its
// state after the main chain's tip (Height, Hash). A proof-of-work chain
// fills Bits and Difficulty; a proof-of-authority chain the signer set,
// the pending votes and this node's proposals.
type Consensus struct {
	Engine string `json:"engine" enum:"pow,poa" doc:"pow (proof of work) or poa (proof of authority)"`
	Height uint64 `json:"height" doc:"The tip the view is after"`
	Hash   string `json:"hash"`
	// Proof of work.
	Bits       string  `json:"bits,omitempty" doc:"PoW: the tip's compact target, e.g. 0x1f00ffff"`
	Difficulty float64 `json:"difficulty,omitempty" doc:"PoW: the tip's difficulty (pow_limit / target)"`
	// Proof of authority.
	Signers   []Signer    `json:"signers,omitempty" doc:"PoA: the signer set after the tip, sorted by key bytes"`
	InTurn    *Signer     `json:"in_turn,omitempty" doc:"PoA: the signer in turn for the next height"`
	Votes     []VoteTally `json:"votes,omitempty" doc:"PoA: the votes counted since the epoch began, by target"`
	Needed    int         `json:"needed,omitempty" doc:"PoA: the votes that change the set (a majority of the signers)"`
	Proposals []Proposal  `json:"proposals,omitempty" doc:"PoA: this node's pending proposals (its signer's next headers vote for them)"`
	PeriodMs  uint64      `json:"period_ms,omitempty" doc:"PoA: the block interval"`
	Epoch     uint64      `json:"epoch,omitempty" doc:"PoA: blocks between vote resets"`
}

// Signer is one signer of a proof-of-authority chain.
type Signer struct {
	Key     string `json:"key" doc:"Ed25519 public key, 64 hex characters"`
	Address string `json:"address"`
}

// VoteTally is the count of the votes in the chain about one target.
type VoteTally struct {
	Target  string `json:"target" doc:"The public key voted on"`
	Address string `json:"address"`
	Add     bool   `json:"add" doc:"true: votes to add it; false: to drop it"`
	Votes   int    `json:"votes" doc:"Signers that voted so"`
}

// Proposal is a pending proposal of this node's signer.
type Proposal struct {
	Target  string `json:"target"`
	Address string `json:"address"`
	Add     bool   `json:"add"`
	// InEffect is true when the signer set at the tip already is what the
	// proposal asks for (the vote passed, or the signer was already in or
	// out): the signer casts no vote for it until the set changes back.
	InEffect bool `json:"in_effect" doc:"the signer set at the tip already is what this proposal asks for: no vote is cast for it"`
}

// VoteRequest is the body of POST /api/v1/consensus/votes: Signer (a
// public key), or for a drop Address (resolved against the current signer
// set: an address cannot be turned back into a key).
type VoteRequest struct {
	Signer  string `json:"signer,omitempty" doc:"The public key to add or drop (64 hex characters)"`
	Address string `json:"address,omitempty" doc:"Instead of signer, for a drop only: the address of a current signer"`
	Add     bool   `json:"add" doc:"true: propose adding it; false: dropping it"`
}

// Proposals is the 202 answer to POST /api/v1/consensus/votes.
type Proposals struct {
	Proposals []Proposal `json:"proposals"`
}
