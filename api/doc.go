// Package api is Cairn's REST API (docs/api.md): net/http with huma v2, so
// the OpenAPI 3.1 document served at GET /api/v1/openapi.json is generated
// from the handlers themselves.
//
// It owns:
//   - the /api/v1 endpoints that need no peer-to-peer layer: status (with
//     the tip's state digest), blocks, txs and their Merkle proofs,
//     accounts and their history, the mempool, mining (GET and an admin
//     POST), Server-Sent Events with resumable IDs, peers through optional
//     Backend hooks, and the OpenAPI document;
//   - the product brief's routes at the root (GET /chain, POST
//     /transactions/new, GET /mine, and /nodes/... when the hooks are set),
//     served by the same handlers as /api/v1;
//   - GET /metrics (Prometheus, on the Config's registry) and GET /healthz;
//   - the protections: strict request decoding (unknown fields, wrong
//     types and trailing data are rejected), body size caps, a per-client
//     token-bucket rate limit on POSTs, the admin bearer token (compared in
//     constant time), and the http.Server timeouts of Serve.
//
// The root path "/" is left free for the block explorer.
//
// It reaches the node only through Backend: the Chain, Pool and Miner
// interfaces and the hooks defined here, which package node implements.
// It imports none of node, chain, mempool, miner, store or the PoW engine
// (internal/depcheck checks it).
//
// Errors: every failure, including huma's own parameter validation and
// unknown routes, is an RFC 9457 problem (application/problem+json) with
// status, title, a detail naming what was wrong, and a stable code: the
// core.Code of a *core.RuleError, or one of the API's own codes
// (core.CodeUnauthorized, core.CodeRateLimited, core.CodeInternal, ...;
// the same strings in package wire). StatusOf reads the status from
// core's code table (core.Code.Info); a code missing from it is 500. Non-rule errors are internal: the client gets a generic 500 and
// the real error goes to the log. A bad request never changes state.
package api
