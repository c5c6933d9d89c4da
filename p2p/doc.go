// Package p2p is the node's peer-to-peer layer, built on go-libp2p: a
// host (TCP, Noise, yamux; a persistent identity key in the data
// directory; no mDNS, NAT mapping, relays or public bootstrap peers) with
// connection limits through libp2p's resource and connection managers and
// one connection gater whose independent policies refuse banned peers,
// peers outside a devnet partition and peers outside the peer allowlist
// (gate.go, allowlist.go); an optional swarm key (libp2p's private-network
// pre-shared key, swarmkey.go); a status handshake
// (protocol version, genesis, tip, height, total work) that refuses peers
// of another chain; GossipSub topics per chain for blocks and txs whose
// validators run the node's block processing and mempool admission, so
// invalid data is never relayed; headers-first sync over a small
// request/response protocol (headers by block locator, blocks by hash,
// bodies from several peers in parallel, applied in order); mempool
// reconciliation on connect; a persisted peer store with reconnection
// backoff and peer exchange; and misbehaviour scoring with persisted bans.
//
// A private network (Config.Allowlist) accepts, dials and learns by peer
// exchange only the peers on its allowlist, by peer ID; the gater refuses
// the others right after the secured handshake, before the muxer, so a
// refused connection costs one Noise handshake. Allow and Revoke change
// the list live (Revoke disconnects at once) and persist it.
//
// It owns the files KeyFile, PeersFile, BansFile and AllowlistFile in
// Config.DataDir. It
// reaches the node only through Config (Chain, SubmitBlock, SubmitTxs,
// HasTx, GetTx, PoolTxs) and never imports node or api (nor api/wire:
// its answers, like Peers' PeerInfo, are its own types, which the node
// converts). A peer's penalty for an invalid block or tx derives from the
// class of its code in core's code table (core.Code.Info).
//
// The wire messages (protocol.go) use core's canonical encodings inside
// length-prefixed frames with per-message size caps. Their decoders, and
// any rule a peer breaks, return *core.RuleError (the peer's fault);
// other errors are local or I/O failures. ErrWrongChain (a RuleError with
// CodeWrongChain) reports a peer of another chain, ErrUnreachable a peer
// that could not be dialled or did not finish the handshake.
//
// Misbehaviour (see BanThreshold) is scored per peer ID: data no honest
// node sends (bad PoW, a block breaking a rule checked before relaying,
// undecodable or oversized messages, txs with bad signatures) bans at
// once; a block failing only state validation, a non-connecting header
// reply, a request flood, orphans that the sync with their sender does
// not connect, or a flood of gossip copies of known blocks and txs costs
// less. A banned peer's messages still queued are dropped unprocessed.
// Bans are by peer ID, persisted in BansFile; peers of another chain are
// refused for RefuseDuration.
//
// Not done here: QUIC and a Kademlia DHT (peer exchange covers discovery
// on small networks).
//
// The node calls AnnounceBlock for blocks it mined or got from its API,
// and BroadcastTxs for txs its API admitted; blocks and txs from peers
// are relayed by GossipSub after the validators accepted them.
package p2p
