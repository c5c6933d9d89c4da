// Package consensus defines the narrow interfaces through which the rest
// of the node uses a consensus mechanism, so proof of work and a future
// proof of authority are two plain implementations and the chain package
// never names either:
//
//   - Engine: the rules every node applies to headers. VerifySeal checks a
//     header's seal alone; CheckHeader checks its consensus fields against
//     its parent and, through a ChainReader, any ancestor (an authority
//     engine needs the signer history); Prepare sets a new header's
//     consensus fields (PoW: bits); Author names who a block pays (PoW: the
//     miner); Work is its fork-choice weight; PreferTie breaks ties between
//     branches of equal total weight (PoW: never, the first seen is kept).
//   - ChainReader: the chain's known headers by hash, valid during one
//     engine call.
//   - Sealer: produces a prepared header's seal (PoW: the nonce search),
//     driven by the miner with SealOptions (threads, work limit, abort,
//     progress). It is apart from Engine because it is the impure part:
//     goroutines, keys, waiting.
//   - DifficultyReporter: optional, for engines with a difficulty to show
//     (PoW); the API omits difficulty for the others.
//   - Voter and Authority: optional, for engines with a signer set (PoA):
//     the local signer's proposals (POST /api/v1/consensus/votes) and the
//     signer set, in-turn signer and votes after a block (GET
//     /api/v1/consensus).
//
// Implementations: consensus/pow (proof of work, with Bitcoin's compact
// targets and ASERT) sealed by consensus/pow/powseal; consensus/poa (proof
// of authority, EIP-225 with EIP-3436's fork choice) sealed by
// consensus/poa/poaseal with the node's signer key; consensus/fake (any
// seal, fixed weight, instant sealing: tests). consensus/engines is the
// factory: it builds a genesis's engine and sealer, and is the only package
// outside consensus/... that names a concrete engine.
//
// consensus, consensus/pow, consensus/poa and consensus/fake are pure: they
// import only core, consensus and the standard library, do no I/O, start no
// goroutines and read no clock. powseal, poaseal and engines are not
// (goroutines, unsafe, the clock, randomness).
//
// Errors: engines report rule violations as *core.RuleError, with
// core.CodeBadPoW for a bad seal and core.CodeBadBits for consensus fields
// that differ from what the parent requires; errors.Is(err, core.CodeBadPoW)
// tells them apart.
package consensus
