// Package node wires a full node from a Config: the Pebble store in the
// data directory, the chain, the persisted mempool and the miner, all run
// under one errgroup by Run. Block and tx submission go through the Node so
// that the chain, the mempool and the miner move together.
//
// The REST API and the peer-to-peer network attach to a Node (later
// packages); this package itself opens no sockets.
package node
