// Package anchor puts the hashes of many files on chain in one data tx and
// proves, later and to anyone, that a file was among them: the library
// behind `cairn anchor`, `cairn verify-anchor` and `cairn history --topic`.
//
// A batch's leaves are the files' commitments: SHA-256(file), or with a
// salt SHA-256(salt || SHA-256(file)), so that a receipt discloses its own
// record only. The tx's memo carries the RFC 6962 root of the leaves, and
// optionally a topic (package anchor/memo). Each file gets a Receipt: its audit path in
// the batch tree, the signed tx and its Merkle proof in the block, and
// (version 2) the chain's genesis and the headers from the tx's block's
// parent to the tip at anchoring time (proof of authority: and the
// vote-bearing headers below, from which poa.Engine.ReplayVotes replays
// the signer set), so that VerifyHeaders checks proof of work or the
// proof-of-authority signatures without any node, through the consensus
// engines' own checks. docs/receipts.md documents the format and what each
// check proves.
//
// The package has no network code: the command line fetches what a
// receipt needs from a node and hands it to Build.
package anchor
