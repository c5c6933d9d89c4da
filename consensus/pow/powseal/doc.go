// Package powseal is the proof-of-work sealer: the nonce search that
// produces a PoW seal, behind consensus.Sealer.
//
// The 114-byte header ends with the 8-byte nonce, so the first 64 bytes are
// compressed once per template (the SHA-256 midstate) and each nonce costs
// exactly one SHA-256 compression of the last 50 bytes plus padding
// (kernel.go). Search scans one interleaved nonce sequence; Solve runs it on
// several goroutines; Sealer wraps Solve with pow.TargetHash.
//
// Unlike consensus/pow, which every node runs to check seals, powseal is
// only for block producers: it starts goroutines and uses package unsafe
// (a digest-struct copy, checked with reflect at start-up). It compares
// hashes against a 32-byte big-endian target itself (hash <= target).
package powseal
