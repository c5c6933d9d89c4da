// Package core holds Cairn's consensus data types (Hash, Address, Tx,
// Header, Block, Account, Genesis), their canonical binary encoding with
// strict decoding, transaction signing, the RFC 6962 Merkle tree over tx IDs,
// and the typed rule errors shared by every layer above.
//
// core imports only the standard library and the bech32 and Merkle
// libraries; it does no I/O beyond reading a genesis file the caller opened.
//
// Errors: decoders and validators return *RuleError, whose Code (e.g.
// CodeMalformed, CodeBadSignature) is stable and matches the REST API's
// problem `code`; errors.Is(err, CodeX) tells which rule failed.
package core
