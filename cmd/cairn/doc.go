// Command cairn runs a Cairn node and its client tools: one binary for
// `cairn node` (a full node), `cairn devnet` (a local development chain),
// `cairn genesis new` (a custom chain's genesis), `cairn wallet ...` (the
// encrypted keystore), and the client commands that talk to a node's REST
// API through package client: send, tx sign|submit|show, block show,
// status, account, mine and verify-proof (the commands of docs/api.md and the README),
// and anchor, verify-anchor and history --topic (package anchor does the
// work: docs/receipts.md).
//
// Transactions are built and signed here with keystore keys (package
// wallet); a node only ever sees signed txs. Amounts are typed and shown
// in coins with the chain's decimals (wallet.ParseCoins, FormatCoins);
// the chain's parameters come from the node's GET /status.
//
// Errors and exit status: 0 success; 1 an error, printed on stderr as one
// sentence (the node's problem codes are reworded by describe, e.g.
// "insufficient funds: ...", and an unreachable node is named by URL);
// 2 a usage error (usageError: an unknown command or flag, a missing
// required flag or argument, an amount that is not a decimal number).
package main
