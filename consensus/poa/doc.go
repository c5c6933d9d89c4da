// Package poa is the pure core of Cairn's proof-of-authority engine: the
// signer set derived from headers alone (Snapshot), the encoding of the vote
// a header carries (EncodeVote, DecodeVote) and the fork choice between two
// chain tips (Prefer), and the Engine (consensus.Engine) built on them:
// VerifySeal checks a version-2 header's Ed25519 signature, nonce 0 and
// miner = the signer's address; CheckHeader replays the signer set from the
// parent's cached Snapshot (rebuilt from the ChainReader when missing) and
// checks the signer may seal, bits = its weight and timestamp >= the
// parent's + period; Prepare fills in a header for the local signer
// (SetSigner, or Header.Signer set by the caller) with a vote from the
// proposals (Propose); PreferTie is Prefer. The sealer, which waits and
// signs, is consensus/poa/poaseal.
//
// # Signers and votes (EIP-225, Clique)
//
// The genesis names the signers (Ed25519 public keys; their addresses derive
// from them). A Snapshot is the set after a block; the block after it is
// checked against it:
//
//   - Only a signer may seal a block, and at most one of any
//     floor(N/2)+1 consecutive blocks (SignerLimit), N the number of
//     signers: a minority cannot out-produce the rest.
//   - A block at height h is in turn if h % N is its signer's index in the
//     set sorted by key bytes. It weighs 2 in turn, 1 out of turn (Weight);
//     a chain's score is the sum of its blocks' weights.
//   - A header may carry one vote: add a key to the set or drop a signer.
//     A signer's vote about a target replaces its earlier one about that
//     target. Votes that cannot change anything (adding a signer, dropping a
//     non-signer) are not counted. When the votes about a target reach a
//     strict majority (> N/2) of the current signers, the target is added
//     or dropped at once and every vote about it is discarded; a dropped
//     signer's own votes are discarded with it, and the recent-signer window
//     shrinks with the set. Only the target of the header being applied can
//     change (no cascades): a majority reached because the set shrank takes
//     effect the next time the target is voted on.
//   - Every epoch blocks (height % epoch == 0, a checkpoint) all pending
//     votes are discarded; a checkpoint header carries no vote. The
//     recent-signer window is not reset.
//
// The signer set and the pending votes depend only on the headers that
// carry a vote (an epoch boundary is a height, not a header): ApplyVotes
// (Engine.ReplayVotes, which also verifies their seals) replays them alone,
// with the same vote code as Apply, for an anchor receipt's offline check;
// NeededVotes leaves out the votes of a past epoch that changed nothing,
// and Engine.CheckHeaderAfter checks headers on from such a snapshot.
//
// Snapshots are immutable: Apply returns a new one, so a node keeps them by
// block hash and a reorg continues from the snapshot of the fork point.
// Cairn's checkpoint headers do not list the signers (EIP-225's extra-data
// list): the set is always replayed from the genesis or a cached snapshot.
// Apply costs O(N) for a header without a vote (well under 1% of an Ed25519
// verification for N up to 21) and O(N + pending votes) with one: a signer
// voting for a new target in every block it seals (EIP-225's "spamming
// signer") grows the pending votes until the next epoch, and every
// snapshot copies them. Headers-first sync should therefore replay batches
// with ApplyHeaders, which copies once, and keep per-block snapshots only
// near the tip.
//
// # Fork choice (EIP-3436)
//
// Clique's rule "most total difficulty, then first seen" deadlocks when two
// forks of equal weight each hold part of the signers: each side keeps its
// own tip and, having sealed recently on it, cannot seal on the other
// (go-ethereum issues #18402 and #24705; the Görli halts of March 2021).
// EIP-3436 makes the choice deterministic, so every node converges on the
// same tip whatever order the blocks arrived in: most total weight, then the
// lowest height, then the tip whose signer's in-turn slot is least recent,
// then the lowest hash (see Prefer).
//
// Rule 3 is stated in two ways across the EIP's revisions. The current text
// (and its author's reply in the EIP's discussion thread) asks for the
// largest (header_number - validator_index) % validator_count, "an in-turn
// block is considered to be the most recent in-turn block"; the first draft,
// and Besu's implementation of it, pick the smallest. Prefer follows the
// current text. Which one every node uses matters; which one it is does not
// matter for liveness, since either makes the choice total.
//
// # Purity and errors
//
// poa imports only core and the standard library: no clock, randomness, I/O
// or goroutines (the out-of-turn delay is the sealer's).
//
// Errors are *core.RuleError: core.CodeBadBlock wrapping
// ErrUnauthorizedSigner, ErrRecentlySigned or ErrCheckpointVote (so
// errors.Is works with both the code and the reason), core.CodeBadHeight for
// a header that does not follow the snapshot, core.CodeMalformed for an
// undecodable vote and core.CodeBadGenesis from NewSnapshot.
//
// References: EIP-225 (https://eips.ethereum.org/EIPS/eip-225), EIP-3436
// (https://eips.ethereum.org/EIPS/eip-3436), go-ethereum issues
// https://github.com/ethereum/go-ethereum/issues/18402 and
// https://github.com/ethereum/go-ethereum/issues/24705.
package poa
