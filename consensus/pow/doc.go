// Package pow is Cairn's proof-of-work consensus engine: Bitcoin's compact
// target encoding (nBits), work, the seal check, and the ASERT (aserti3-2d)
// difficulty algorithm anchored at the genesis block, all as specified in
// the "Block" and "Difficulty: ASERT" sections of the protocol.
//
// The maths are plain leaf functions (CompactToBig, BigToCompact,
// TargetHash, CheckHash, CalcWork, NextBitsASERT) usable on fake headers;
// Engine bundles them with a genesis's parameters and implements
// consensus.Engine (CheckHeader, Prepare, Author, PreferTie, Difficulty);
// consensus/pow/powseal seals its headers.
//
// pow is pure: no I/O, no goroutines, no clock. Difficulty uses integer
// arithmetic only, so every node computes the same bits.
//
// Errors: *core.RuleError with core.CodeBadPoW (bits that do not decode to a
// valid target, a target above pow_limit, a hash above its target),
// core.CodeBadBits (bits that differ from ASERT's output) or
// core.CodeBadGenesis (invalid PoW parameters in a genesis, from New).
package pow
