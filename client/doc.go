// Package client is a typed Go client of Cairn's REST API (docs/api.md), used by
// the cairn command line, the load generator and tests. Request and
// response bodies are the types of package api/wire; transactions are
// built and signed by the caller (package wallet) and submitted here, so
// private keys never reach a node.
//
// A Client talks to one node: New("http://127.0.0.1:8645") reaches the API
// under /api/v1 and the brief's routes (/chain, /mine) at the root. Every
// method takes a context; a per-request timeout (WithTimeout, default 30 s)
// applies to all requests except the event stream. Response bodies are
// read up to a size cap (WithMaxBodyBytes, default 32 MiB).
//
// Errors:
//   - *wire.Problem: the node answered with an RFC 9457 problem
//     (application/problem+json); its Code is the API's stable code
//     (insufficient_funds, nonce_gap, not_found, unauthorized, ...), so
//     errors.As(err, &p) and a switch on p.Code tell callers what went wrong.
//   - *StatusError: any other non-2xx answer (a proxy's HTML page, a
//     server without the route), naming the URL and the HTTP status.
//   - *ConnError: the node could not be reached or did not answer in time
//     ("cannot reach the node at http://127.0.0.1:8645: connection refused").
//   - *ResponseError: a 2xx answer whose body is not what the API promises
//     (not JSON, too large, a tx ID that does not match the tx sent).
//   - Context cancellation is returned as the context's error (wrapped).
package client
