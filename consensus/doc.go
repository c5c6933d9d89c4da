// Package consensus defines Engine, the narrow interface through which the
// chain package applies a consensus mechanism's rules to block headers: the
// seal check, the difficulty (or other consensus field) a child must carry,
// and the fork-choice weight of a header. The chain package depends only on
// this interface, so another engine (e.g. proof of authority) can be added
// without touching it.
//
// The proof-of-work engine, with Bitcoin's compact targets and the ASERT
// (aserti3-2d) difficulty algorithm, is in the sub-package consensus/pow.
//
// consensus is pure: it imports only core and the standard library, does no
// I/O, starts no goroutines and reads no clock.
//
// Errors: engines report rule violations as *core.RuleError, with
// core.CodeBadPoW for a bad seal and core.CodeBadBits for consensus fields
// that differ from what the parent requires; errors.Is(err, core.CodeBadPoW)
// tells them apart.
package consensus
