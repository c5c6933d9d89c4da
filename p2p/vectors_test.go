package p2p

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Wire test vectors (docs/p2p.md, "Test vectors"): TestWireVectors
// encodes fixed inputs with this package's encoders and compares them with
// testdata/p2p/wire.json, then decodes every vector of the file with this
// package's decoders. -update rewrites the file after a deliberate wire
// change (which updates docs/p2p.md in the same commit).

var updateVectors = flag.Bool("update", false, "rewrite testdata/p2p/wire.json from the encoders")

const vectorsFile = "../testdata/p2p/wire.json"

type wireVectors struct {
	About     string        `json:"about"`
	Genesis   vecGenesis    `json:"genesis"`
	Protocols vecProtocols  `json:"protocols"`
	Caps      vecCaps       `json:"caps"`
	Messages  []vecMessage  `json:"messages"`
	Gossip    []vecGossip   `json:"gossip"`
	Invalid   []vecInvalid  `json:"invalid"`
	Keys      []vecKeyNotes `json:"keys"`
}

type vecGenesis struct {
	About   string `json:"about"`
	JSON    string `json:"json"` // the genesis file the hash is of
	Hash    string `json:"hash"`
	Prefix  string `json:"prefix"` // <g16>
	ChainID string `json:"chain_id"`
}

type vecProtocols struct {
	Status       string `json:"status"`
	RPC          string `json:"rpc"`
	BlockTopic   string `json:"block_topic"`
	TxTopic      string `json:"tx_topic"`
	CompactTopic string `json:"compact_block_topic"`
}

type vecCaps struct {
	StatusFrame     int    `json:"status_frame"`
	RequestFrame    int    `json:"request_frame"`
	HeadersFrame    int    `json:"headers_frame"`
	BlockReplyFrame string `json:"block_reply_frame"`
	TxIDsFrame      int    `json:"tx_ids_frame"`
	TxsFrame        int    `json:"txs_frame"`
	PeersFrame      int    `json:"peers_frame"`
	TxBatchMessage  int    `json:"tx_batch_message"`
	BlockMessage    string `json:"block_message"`
	Locator         int    `json:"locator_hashes"`
	Headers         int    `json:"headers_per_reply"`
	Blocks          int    `json:"blocks_per_request"`
	TxIDs           int    `json:"tx_ids_per_reply"`
	Txs             int    `json:"txs_per_request"`
	TxBatch         int    `json:"txs_per_batch"`
	BlockTxnFrame   string `json:"block_txn_frame"`
	CompactMessage  string `json:"compact_block_message"`
	BlockTxnIndexes int    `json:"get_block_txn_indexes"`
	PeerRecords     int    `json:"peer_records"`
	PeerAddrs       int    `json:"addrs_per_record"`
	PeerIDBytes     int    `json:"peer_id_bytes"`
	AddrBytes       int    `json:"addr_bytes"`
	WorkBytes       int    `json:"work_bytes"`
}

// vecMessage is one frame on a stream: its body, the frame (length
// prefix + body) and what the body decodes to.
type vecMessage struct {
	Name     string          `json:"name"`
	Protocol string          `json:"protocol"`
	Sender   string          `json:"sender"` // "either", "client" or "server"
	About    string          `json:"about,omitempty"`
	Fields   json.RawMessage `json:"fields"`
	Body     string          `json:"body"`
	Frame    string          `json:"frame"`
}

// vecGossip is a GossipSub message's data and its message ID.
type vecGossip struct {
	Name      string          `json:"name"`
	Topic     string          `json:"topic"`
	Fields    json.RawMessage `json:"fields"`
	Data      string          `json:"data"`
	MessageID string          `json:"message_id"`
}

// vecInvalid is an encoding a decoder must refuse, with the code.
type vecInvalid struct {
	Name    string `json:"name"`
	Decoder string `json:"decoder"`
	Hex     string `json:"hex"`
	Code    string `json:"code"`
	Why     string `json:"why"`
}

type vecKeyNotes struct {
	Use     string `json:"use"`
	Seed    string `json:"ed25519_seed"`
	Public  string `json:"public_key"`
	PeerID  string `json:"peer_id,omitempty"`
	Address string `json:"address,omitempty"`
}

// ---- fixed inputs ----

func vecSeed(name string) []byte {
	s := sha256.Sum256([]byte("cairn/p2p/vectors/" + name))
	return s[:]
}

func vecKey(name string) ed25519.PrivateKey { return ed25519.NewKeyFromSeed(vecSeed(name)) }

func vecPub(k ed25519.PrivateKey) core.PublicKey {
	var p core.PublicKey
	copy(p[:], k.Public().(ed25519.PublicKey))
	return p
}

func vecGenesisOf() *core.Genesis {
	g := core.NewGenesis("vectors", 1767225600000) // 2026-01-01T00:00:00Z
	g.InitialBits = 0x207fffff
	return g
}

// vecMine returns h with the first nonce from 0 that meets its bits.
func vecMine(h core.Header) core.Header {
	exp := h.Bits >> 24
	target := new(big.Int).Lsh(big.NewInt(int64(h.Bits&0x007fffff)), 8*uint(exp-3))
	for h.Nonce = 0; ; h.Nonce++ {
		hash := h.Hash()
		if new(big.Int).SetBytes(hash[:]).Cmp(target) <= 0 {
			return h
		}
	}
}

type vecInputs struct {
	g        *core.Genesis
	genesis  core.Hash
	txs      []*core.Tx
	blocks   []*core.Block // heights 1 and 2
	signed   []core.Header // proof-of-authority headers (version 2)
	peerKey  crypto.PrivKey
	peerID   peer.ID
	addrs    []ma.Multiaddr
	nodeWork *big.Int
}

func vecBuild(t *testing.T) *vecInputs {
	t.Helper()
	in := &vecInputs{g: vecGenesisOf()}
	in.genesis = in.g.Hash()
	alice, bob := vecKey("alice"), vecKey("bob")
	transfer := &core.Tx{Version: core.TxVersion, ChainID: in.g.ChainID, From: vecPub(alice), To: vecPub(bob).Address(),
		Amount: 250_000_000, Fee: 1000, Nonce: 0}
	transfer.Sign(alice)
	data := &core.Tx{Version: core.TxVersion, ChainID: in.g.ChainID, From: vecPub(alice), To: vecPub(alice).Address(),
		Fee: 1200, Nonce: 1, Memo: []byte("hello, peers")}
	data.Sign(alice)
	in.txs = []*core.Tx{transfer, data}
	miner := vecPub(vecKey("miner")).Address()
	prev := in.genesis
	for i, txs := range [][]*core.Tx{in.txs, nil} {
		blk := &core.Block{Txs: txs}
		ids := blk.TxIDs()
		blk.Header = vecMine(core.Header{Version: core.BlockVersion, Height: uint64(i + 1), PrevHash: prev,
			Timestamp: in.g.Timestamp + uint64(i+1)*5000, TxRoot: core.MerkleRoot(ids), Miner: miner, Bits: uint32(in.g.InitialBits)})
		in.blocks = append(in.blocks, blk)
		prev = blk.Hash()
	}
	signer, target := vecKey("signer"), vecKey("new-signer")
	sprev := core.Hash{0x5a}
	for i, vote := range []core.Vote{{}, {Kind: core.VoteAdd, Target: vecPub(target)}} {
		h := core.Header{Version: core.BlockVersionSigned, Height: uint64(7 + i), PrevHash: sprev,
			Timestamp: in.g.Timestamp + uint64(7+i)*1000, TxRoot: core.MerkleRoot(nil), Miner: vecPub(signer).Address(),
			Bits: uint32(2 - i), Signer: vecPub(signer), Vote: vote}
		copy(h.Signature[:], ed25519.Sign(signer, h.SigningBytes()))
		in.signed = append(in.signed, h)
		sprev = h.Hash()
	}
	var err error
	if in.peerKey, err = crypto.UnmarshalEd25519PrivateKey(vecKey("peer")); err != nil {
		t.Fatal(err)
	}
	if in.peerID, err = peer.IDFromPrivateKey(in.peerKey); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"/ip4/127.0.0.1/tcp/30345", "/ip6/::1/tcp/30345"} {
		in.addrs = append(in.addrs, ma.StringCast(s))
	}
	in.nodeWork, _ = new(big.Int).SetString("1d2c3b4a59687", 16)
	return in
}

// ---- fields: what a body decodes to, as JSON ----

func vecHex(b []byte) string { return hex.EncodeToString(b) }

func vecHashes(hs []core.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.String()
	}
	return out
}

func vecStatusFields(s *Status) map[string]any {
	w := ""
	if s.Work != nil && s.Work.Sign() > 0 {
		w = vecHex(s.Work.Bytes())
	}
	wd := "0"
	if s.Work != nil {
		wd = s.Work.String()
	}
	return map[string]any{"version": s.Version, "genesis": s.Genesis.String(), "tip": s.Tip.String(),
		"height": s.Height, "work_hex": w, "work": wd}
}

func vecHeaderFields(h *core.Header) map[string]any {
	m := map[string]any{"version": h.Version, "height": h.Height, "prev_hash": h.PrevHash.String(),
		"timestamp_ms": h.Timestamp, "tx_root": h.TxRoot.String(), "miner": vecHex(h.Miner[:]),
		"bits": fmt.Sprintf("0x%08x", h.Bits), "nonce": h.Nonce, "size": h.Size(), "hash": h.Hash().String()}
	if h.Version == core.BlockVersionSigned {
		m["signer"] = vecHex(h.Signer[:])
		m["vote_kind"] = h.Vote.Kind
		if h.Vote.Kind != core.VoteNone {
			m["vote_target"] = vecHex(h.Vote.Target[:])
		}
		m["signature"] = vecHex(h.Signature[:])
	}
	return m
}

func vecTxFields(tx *core.Tx) map[string]any {
	return map[string]any{"id": tx.ID().String(), "size": tx.Size(), "version": tx.Version, "chain_id": tx.ChainID,
		"from": vecHex(tx.From[:]), "to": vecHex(tx.To[:]), "amount": tx.Amount, "fee": tx.Fee, "nonce": tx.Nonce,
		"memo": vecHex(tx.Memo), "signature": vecHex(tx.Signature[:])}
}

func vecTxsFields(txs []*core.Tx) []any {
	out := make([]any, len(txs))
	for i, tx := range txs {
		out[i] = vecTxFields(tx)
	}
	return out
}

func vecBlockFields(b *core.Block) map[string]any {
	return map[string]any{"header": vecHeaderFields(&b.Header), "txs": vecTxsFields(b.Txs), "size": b.Size()}
}

func vecPeersFields(t *testing.T, ps []PeerRecord) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		id, err := peer.IDFromBytes(p.ID)
		if err != nil {
			t.Fatalf("peer record %d: %v", i, err)
		}
		var addrs []any
		for _, a := range p.Addrs {
			m, err := ma.NewMultiaddrBytes(a)
			if err != nil {
				t.Fatalf("peer record %d: %v", i, err)
			}
			addrs = append(addrs, map[string]any{"text": m.String(), "hex": vecHex(a)})
		}
		out[i] = map[string]any{"id": id.String(), "id_hex": vecHex(p.ID), "addrs": addrs}
	}
	return out
}

func vecJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func vecFrame(body []byte) []byte {
	var buf bytes.Buffer
	_ = writeFrame(&buf, body)
	return buf.Bytes()
}

// ---- the vectors, from the encoders ----

func vecBuildAll(t *testing.T) *wireVectors {
	in := vecBuild(t)
	gj, err := json.Marshal(in.g)
	if err != nil {
		t.Fatal(err)
	}
	rpc := RPCProtocol(in.genesis)
	v := &wireVectors{
		About: "Cairn peer-to-peer wire vectors (docs/p2p.md). Hex is lowercase. 'body' is a message, 'frame' the " +
			"uvarint length + body as sent on a stream; gossip 'data' is sent unframed and its message_id is SHA-256(data). " +
			"Produced and checked by p2p/vectors_test.go (go test ./p2p -run TestWireVectors [-update]).",
		Genesis: vecGenesis{About: "the genesis block hash of this genesis file names the chain's protocols and topics",
			JSON: string(gj), Hash: in.genesis.String(), Prefix: in.genesis.String()[:16], ChainID: in.g.ChainID},
		Protocols: vecProtocols{Status: string(protoStatus), RPC: rpc, BlockTopic: BlockTopic(in.genesis), TxTopic: TxTopic(in.genesis),
			CompactTopic: CompactTopic(in.genesis)},
		Caps: vecCaps{StatusFrame: maxStatusBytes, RequestFrame: maxRequestBytes, HeadersFrame: maxHeadersBytes,
			BlockReplyFrame: "genesis max_block_bytes + 1", TxIDsFrame: maxTxIDsBytes, TxsFrame: maxTxsBytes, PeersFrame: maxPeersBytes,
			TxBatchMessage: MaxTxBatchBytes, BlockMessage: "genesis max_block_bytes",
			Locator: MaxLocator, Headers: MaxHeadersPerMsg, Blocks: MaxBlocksPerReq, TxIDs: MaxTxIDs, Txs: MaxTxsPerReq,
			TxBatch: MaxTxBatch, BlockTxnFrame: "genesis max_block_bytes + 16", CompactMessage: "genesis max_block_bytes",
			BlockTxnIndexes: MaxBlockTxnIndexes, PeerRecords: MaxPeerRecords, PeerAddrs: MaxPeerAddrs, PeerIDBytes: maxPeerIDLen,
			AddrBytes: maxAddrLen, WorkBytes: maxWorkLen},
	}
	b1, b2 := in.blocks[0], in.blocks[1]
	msg := func(name, proto, sender, about string, body []byte) {
		f := vecDecodeBody(t, name, body)
		v.Messages = append(v.Messages, vecMessage{Name: name, Protocol: proto, Sender: sender, About: about,
			Fields: vecJSON(t, f), Body: vecHex(body), Frame: vecHex(vecFrame(body))})
	}
	nodeStatus := &Status{Version: ProtocolVersion, Genesis: in.genesis, Tip: b2.Hash(), Height: 2, Work: in.nodeWork}
	msg("status", string(protoStatus), "either", "a node at height 2", nodeStatus.Encode())
	msg("status", string(protoStatus), "either", "a client with no chain of its own (examples/peer): tip = genesis, height 0, work zero (empty)",
		(&Status{Version: ProtocolVersion, Genesis: in.genesis, Tip: in.genesis}).Encode())
	msg("get_headers", rpc, "client", "headers from the start: locator [genesis], no stop, at most 2000",
		(&GetHeaders{Locator: []core.Hash{in.genesis}, Max: MaxHeadersPerMsg}).Encode())
	msg("get_headers", rpc, "client", "a locator of two hashes, stop at block 2, max 0 (= 2000)",
		(&GetHeaders{Locator: []core.Hash{b1.Hash(), in.genesis}, Stop: b2.Hash()}).Encode())
	msg("headers", rpc, "server", "proof-of-work headers 1 and 2", EncodeHeaders([]core.Header{b1.Header, b2.Header}))
	msg("headers", rpc, "server", "proof-of-authority (version 2) headers: in turn without a vote (211 bytes), out of turn with an add vote (243 bytes)",
		EncodeHeaders(in.signed))
	msg("headers", rpc, "server", "nothing after the locator", EncodeHeaders(nil))
	msg("get_blocks", rpc, "client", "blocks 1 and an unknown hash", encodeHashRequest(reqBlocks, []core.Hash{b1.Hash(), {0xee}}))
	msg("block_reply", rpc, "server", "found: 01 || block 1 (two txs)", append([]byte{blockFound}, b1.Encode()...))
	msg("block_reply", rpc, "server", "not found", []byte{blockNotFound})
	msg("get_tx_ids", rpc, "client", "", []byte{reqTxIDs})
	msg("tx_ids", rpc, "server", "", EncodeTxIDs([]core.Hash{in.txs[0].ID(), in.txs[1].ID()}))
	msg("get_txs", rpc, "client", "", encodeHashRequest(reqTxs, []core.Hash{in.txs[1].ID()}))
	msg("txs", rpc, "server", "", EncodeTxs(in.txs[1:]))
	msg("get_block_txn", rpc, "client", "compact block relay: txs 0 and 1 of block 1 (index deltas 0, 0)",
		(&GetBlockTxn{Block: b1.Hash(), Indexes: []int{0, 1}}).Encode())
	msg("block_txn", rpc, "server", "found: 01 || txs, exactly those asked, in order", encodeBlockTxn(in.txs, true))
	msg("block_txn", rpc, "server", "not found", encodeBlockTxn(nil, false))
	msg("get_peers", rpc, "client", "", []byte{reqPeers})
	var ab [][]byte
	for _, a := range in.addrs {
		ab = append(ab, a.Bytes())
	}
	msg("peers", rpc, "server", "one record: a peer ID (identity multihash of an Ed25519 key) and two binary multiaddrs",
		EncodePeers([]PeerRecord{{ID: []byte(in.peerID), Addrs: ab}}))

	gossip := func(name, topic string, data []byte) {
		id := msgID(&pb.Message{Data: data})
		v.Gossip = append(v.Gossip, vecGossip{Name: name, Topic: topic, Fields: vecJSON(t, vecDecodeGossip(t, name, data)),
			Data: vecHex(data), MessageID: vecHex([]byte(id))})
	}
	gossip("block", BlockTopic(in.genesis), b1.Encode())
	gossip("tx_batch", TxTopic(in.genesis), EncodeTxBatch(0x0123456789abcdef, in.txs))
	gossip("compact_block", CompactTopic(in.genesis),
		NewCompactBlock(b1, 0x0123456789abcdef, func(i int, _ *core.Tx) bool { return i == 1 }).Encode())

	v.Invalid = vecInvalidCases(in)
	for _, k := range []struct{ use, name string }{{"alice: sends both txs", "alice"}, {"bob: the transfer's recipient", "bob"},
		{"miner: blocks 1 and 2 pay its address", "miner"}, {"signer: seals the proof-of-authority headers", "signer"},
		{"new-signer: the add vote's target", "new-signer"}} {
		p := vecPub(vecKey(k.name))
		a := p.Address()
		v.Keys = append(v.Keys, vecKeyNotes{Use: k.use, Seed: vecHex(vecSeed(k.name)), Public: vecHex(p[:]), Address: vecHex(a[:])})
	}
	peerPub := vecPub(vecKey("peer"))
	v.Keys = append(v.Keys, vecKeyNotes{Use: "peer: the libp2p identity in the peers reply", Seed: vecHex(vecSeed("peer")),
		Public: vecHex(peerPub[:]), PeerID: in.peerID.String()})
	return v
}

func vecInvalidCases(in *vecInputs) []vecInvalid {
	st := (&Status{Version: 1, Genesis: in.genesis, Tip: in.genesis, Height: 0, Work: big.NewInt(1)}).Encode()
	leadingZero := append(st[:len(st)-2:len(st)-2], 2, 0, 1) // work = 00 01
	gh := (&GetHeaders{Locator: []core.Hash{in.genesis}, Max: 2000}).Encode()
	ghMax := append(gh[:len(gh)-2:len(gh)-2], 0x07, 0xd1) // max 2001
	locator := binary.AppendUvarint([]byte{reqHeaders}, MaxLocator+1)
	locator = append(locator, make([]byte, (MaxLocator+1)*core.HashSize+core.HashSize+2)...)
	hs := EncodeHeaders(in.signed[:1])
	badVote := bytes.Clone(hs)
	badVote[1+146] = 3 // vote kind 3
	cb := NewCompactBlock(in.blocks[0], 0x0123456789abcdef, func(i int, _ *core.Tx) bool { return i == 1 }).Encode()
	cb[core.HeaderSize+8+1+ShortIDSize+1] = 2 // prefilled index delta 1 -> 2: index 2 in a block of 2 txs
	b1h := in.blocks[0].Hash()
	blockTxn := binary.AppendUvarint(append([]byte{reqBlockTxn}, b1h[:]...), MaxBlockTxnIndexes+1)
	blockTxn = append(blockTxn, make([]byte, MaxBlockTxnIndexes+1)...)
	getBlocks := binary.AppendUvarint([]byte{reqBlocks}, MaxBlocksPerReq+1)
	getBlocks = append(getBlocks, make([]byte, (MaxBlocksPerReq+1)*core.HashSize)...)
	return []vecInvalid{
		{"status with a trailing byte", "status", vecHex(append(bytes.Clone(st), 0)), "malformed", "trailing bytes"},
		{"status cut short", "status", vecHex(st[:len(st)-3]), "malformed", "truncated"},
		{"status work with a leading zero byte", "status", vecHex(leadingZero), "malformed", "work is in its shortest form"},
		{"status work of 34 bytes", "status", vecHex(append(st[:len(st)-2:len(st)-2], append([]byte{34, 1}, make([]byte, 33)...)...)), "too_large", "work is at most 33 bytes"},
		{"get_headers asking 2001", "request", vecHex(ghMax), "too_large", "max is at most 2000"},
		{"get_headers with 129 locator hashes", "request", vecHex(locator), "too_large", "the locator holds at most 128 hashes"},
		{"get_blocks of 33 hashes", "request", vecHex(getBlocks), "too_large", "at most 32 blocks per request"},
		{"get_tx_ids with a payload", "request", "0300", "malformed", "get_tx_ids has an empty payload"},
		{"unknown request kind 255", "request", "ff", "malformed", "a server bans a client that sends a kind it does not know (docs/p2p.md, Versioning)"},
		{"empty request", "request", "", "malformed", "a request has at least its kind byte"},
		{"headers count not minimal", "headers", "8000", "malformed", "uvarints are minimal"},
		{"headers count above what the bytes hold", "headers", "05" + vecHex(in.blocks[0].Header.Encode()), "malformed", "5 headers cannot fit"},
		{"headers with vote kind 3", "headers", vecHex(badVote), "malformed", "vote kinds are 0, 1, 2"},
		{"tx batch shorter than its nonce", "tx_batch", "00010203", "malformed", "the 8-byte nonce comes first"},
		{"peers record with an empty ID", "peers", "010000", "malformed", "a peer ID is not empty"},
		{"frame length not minimal", "frame", "8000", "malformed", "the frame length is a minimal uvarint"},
		{"compact block with a prefilled index outside the block", "compact_block", vecHex(cb), "malformed", "every index is below the block's tx count"},
		{"get_block_txn of 4097 indexes", "request", vecHex(blockTxn), "too_large", "at most 4096 indexes; a node missing more fetches the full block"},
		{"block_txn with kind byte 2", "block_txn", "02", "malformed", "a BlockTxn reply starts with 00 or 01"},
		{"status frame of 109 bytes", "status_frame", "6d" + strings.Repeat("00", 109), "too_large", "the status frame cap is 108"},
	}
}

// ---- the decoders, on the vectors ----

// decodeVectorBody decodes a stream message by name with this package's
// decoders and returns its fields; it fails the test if the body does not
// decode or does not re-encode to itself.
func vecDecodeBody(t *testing.T, name string, body []byte) any {
	t.Helper()
	var f any
	var re []byte
	switch name {
	case "status":
		s, err := DecodeStatus(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, re = vecStatusFields(s), s.Encode()
	case "get_headers":
		if len(body) == 0 || body[0] != reqHeaders {
			t.Fatalf("%s: kind byte %x", name, body)
		}
		m, err := decodeGetHeaders(body[1:])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f = map[string]any{"kind": reqHeaders, "locator": vecHashes(m.Locator), "stop": m.Stop.String(), "max": m.Max}
		re = m.Encode()
	case "headers":
		hs, err := DecodeHeaders(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		l := make([]any, len(hs))
		for i := range hs {
			l[i] = vecHeaderFields(&hs[i])
		}
		f, re = map[string]any{"headers": l}, EncodeHeaders(hs)
	case "get_blocks", "get_txs":
		kind, max := reqBlocks, MaxBlocksPerReq
		if name == "get_txs" {
			kind, max = reqTxs, MaxTxsPerReq
		}
		if len(body) == 0 || body[0] != kind {
			t.Fatalf("%s: kind byte %x", name, body)
		}
		hs, err := decodeHashList(name, body[1:], max)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, re = map[string]any{"kind": kind, "hashes": vecHashes(hs)}, encodeHashRequest(kind, hs)
	case "block_reply":
		switch {
		case len(body) == 1 && body[0] == blockNotFound:
			f, re = map[string]any{"found": false}, body
		case len(body) > 1 && body[0] == blockFound:
			b, err := core.DecodeBlock(body[1:])
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			f, re = map[string]any{"found": true, "block": vecBlockFields(b)}, append([]byte{blockFound}, b.Encode()...)
		default:
			t.Fatalf("%s: bad kind %x", name, body)
		}
	case "get_block_txn":
		if len(body) == 0 || body[0] != reqBlockTxn {
			t.Fatalf("%s: kind byte %x", name, body)
		}
		m, err := decodeGetBlockTxn(body[1:])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, re = map[string]any{"kind": reqBlockTxn, "block": m.Block.String(), "indexes": m.Indexes}, m.Encode()
	case "block_txn":
		want := 0
		if len(body) > 1 {
			n, _ := binary.Uvarint(body[1:])
			want = int(n)
		}
		txs, found, err := decodeBlockTxn(body, want)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, re = map[string]any{"found": found, "txs": vecTxsFields(txs)}, encodeBlockTxn(txs, found)
	case "get_tx_ids", "get_peers":
		f, re = map[string]any{"kind": body[0]}, body[:1]
	case "tx_ids":
		ids, err := DecodeTxIDs(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, re = map[string]any{"ids": vecHashes(ids)}, EncodeTxIDs(ids)
	case "txs":
		txs, err := DecodeTxs(body, MaxTxsPerReq)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, re = map[string]any{"txs": vecTxsFields(txs)}, EncodeTxs(txs)
	case "peers":
		ps, err := DecodePeers(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, re = map[string]any{"peers": vecPeersFields(t, ps)}, EncodePeers(ps)
	default:
		t.Fatalf("no decoder for message %q", name)
	}
	if !bytes.Equal(re, body) {
		t.Fatalf("%s: re-encodes to %x, not %x", name, re, body)
	}
	return f
}

func vecDecodeGossip(t *testing.T, name string, data []byte) any {
	t.Helper()
	switch name {
	case "block":
		b, err := core.DecodeBlock(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(b.Encode(), data) {
			t.Fatalf("%s: does not re-encode", name)
		}
		return vecBlockFields(b)
	case "tx_batch":
		nonce, txs, err := DecodeTxBatch(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(EncodeTxBatch(nonce, txs), data) {
			t.Fatalf("%s: does not re-encode", name)
		}
		return map[string]any{"nonce": fmt.Sprintf("0x%016x", nonce), "txs": vecTxsFields(txs)}
	case "compact_block":
		cb, err := DecodeCompactBlock(data, 1<<16)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(cb.Encode(), data) {
			t.Fatalf("%s: does not re-encode", name)
		}
		salt := CompactSalt(&cb.Header, cb.Nonce)
		ids := make([]string, len(cb.ShortIDs))
		for i, id := range cb.ShortIDs {
			ids[i] = vecHex(id[:])
		}
		pre := make([]any, len(cb.Prefilled))
		for i, p := range cb.Prefilled {
			pre[i] = map[string]any{"index": p.Index, "tx": vecTxFields(p.Tx)}
		}
		return map[string]any{"header": vecHeaderFields(&cb.Header), "nonce": fmt.Sprintf("0x%016x", cb.Nonce),
			"salt": vecHex(salt[:]), "short_ids": ids, "prefilled": pre, "tx_count": cb.TxCount()}
	}
	t.Fatalf("no decoder for gossip %q", name)
	return nil
}

// decodeInvalid runs the decoder a vector names; it returns its error.
func vecDecodeInvalid(decoder string, b []byte) error {
	switch decoder {
	case "status":
		_, err := DecodeStatus(b)
		return err
	case "request":
		// The server's own dispatch; these requests fail before it
		// touches the chain, the mempool or the stream.
		return (&Network{}).serve(nil, "", b)
	case "headers":
		_, err := DecodeHeaders(b)
		return err
	case "tx_batch":
		_, _, err := DecodeTxBatch(b)
		return err
	case "peers":
		_, err := DecodePeers(b)
		return err
	case "compact_block":
		_, err := DecodeCompactBlock(b, 1<<16)
		return err
	case "block_txn":
		_, _, err := decodeBlockTxn(b, 1)
		return err
	case "frame":
		_, err := readFrame(bufio.NewReader(bytes.NewReader(b)), 1<<20)
		return err
	case "status_frame":
		_, err := readFrame(bufio.NewReader(bytes.NewReader(b)), maxStatusBytes)
		return err
	}
	return fmt.Errorf("no decoder %q", decoder)
}

func vecUnhex(t *testing.T, what, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return b
}

func TestWireVectors(t *testing.T) {
	want := vecBuildAll(t)
	enc, err := json.MarshalIndent(want, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	enc = append(enc, '\n')
	if *updateVectors {
		if err := os.MkdirAll(filepath.Dir(vectorsFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorsFile, enc, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", vectorsFile)
	}
	raw, err := os.ReadFile(vectorsFile)
	if err != nil {
		t.Fatalf("%v (generate it with -update)", err)
	}

	// Encoders: the file is what this package's encoders produce.
	if !bytes.Equal(raw, enc) {
		var got wireVectors
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%s: %v", vectorsFile, err)
		}
		vecDiff(t, &got, want)
		t.Fatalf("%s differs from the encoders' output: a wire change? Update docs/p2p.md and rerun with -update", vectorsFile)
	}

	// Decoders: every vector of the file decodes to its fields and frames
	// read back to their bodies.
	var file wireVectors
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Messages) < 18 || len(file.Gossip) != 3 || len(file.Invalid) < 10 {
		t.Fatalf("vectors file too short: %d messages, %d gossip, %d invalid", len(file.Messages), len(file.Gossip), len(file.Invalid))
	}
	g, err := core.ParseGenesis([]byte(file.Genesis.JSON))
	if err != nil {
		t.Fatalf("genesis: %v", err)
	}
	if h := g.Hash().String(); h != file.Genesis.Hash || RPCProtocol(g.Hash()) != file.Protocols.RPC ||
		BlockTopic(g.Hash()) != file.Protocols.BlockTopic || TxTopic(g.Hash()) != file.Protocols.TxTopic ||
		CompactTopic(g.Hash()) != file.Protocols.CompactTopic {
		t.Fatalf("genesis hash %s / protocols do not match the file's %s / %+v", h, file.Genesis.Hash, file.Protocols)
	}
	caps := map[string]int{"status": maxStatusBytes, "get_headers": maxRequestBytes, "get_blocks": maxRequestBytes,
		"get_tx_ids": maxRequestBytes, "get_txs": maxRequestBytes, "get_peers": maxRequestBytes, "headers": maxHeadersBytes,
		"block_reply": int(g.MaxBlockBytes) + 1, "tx_ids": maxTxIDsBytes, "txs": maxTxsBytes, "peers": maxPeersBytes,
		"get_block_txn": maxRequestBytes, "block_txn": int(g.MaxBlockBytes) + 16}
	for i, m := range file.Messages {
		what := fmt.Sprintf("message %d (%s)", i, m.Name)
		body, frame := vecUnhex(t, what, m.Body), vecUnhex(t, what, m.Frame)
		read, err := readFrame(bufio.NewReader(bytes.NewReader(frame)), caps[m.Name])
		if err != nil || !bytes.Equal(read, body) {
			t.Fatalf("%s: frame reads back as %x, %v; want the body %x", what, read, err, body)
		}
		if got := vecJSON(t, vecDecodeBody(t, m.Name, body)); !vecJSONEqual(got, m.Fields) {
			t.Errorf("%s: decodes to\n%s\nthe file says\n%s", what, got, m.Fields)
		}
	}
	for _, gm := range file.Gossip {
		data := vecUnhex(t, gm.Name, gm.Data)
		if id := vecHex([]byte(msgID(&pb.Message{Data: data}))); id != gm.MessageID {
			t.Errorf("gossip %s: message id %s, the file says %s", gm.Name, id, gm.MessageID)
		}
		if got := vecJSON(t, vecDecodeGossip(t, gm.Name, data)); !vecJSONEqual(got, gm.Fields) {
			t.Errorf("gossip %s: decodes to\n%s\nthe file says\n%s", gm.Name, got, gm.Fields)
		}
	}
	// The compact block's salt and short IDs, recomputed from
	// docs/p2p.md's rule with SHA-256 alone: salt = SHA-256(header ||
	// nonce), short ID = SHA-256(salt || tx ID)[:6].
	var cf struct {
		Header   struct{ Hash string }
		Nonce    string
		Salt     string
		ShortIDs []string `json:"short_ids"`
	}
	if err := json.Unmarshal(file.Gossip[2].Fields, &cf); err != nil || file.Gossip[2].Name != "compact_block" {
		t.Fatalf("gossip 2 is not the compact block: %v", err)
	}
	data := vecUnhex(t, "compact block", file.Gossip[2].Data)
	var blk1 struct{ Txs []struct{ ID string } }
	if err := json.Unmarshal(file.Gossip[0].Fields, &blk1); err != nil || len(blk1.Txs) != 2 {
		t.Fatalf("gossip 0's txs: %v", err)
	}
	salt := sha256.Sum256(data[:core.HeaderSize+8])
	tx0 := vecUnhex(t, "tx id", blk1.Txs[0].ID)
	sid := sha256.Sum256(append(salt[:], tx0...))
	if vecHex(salt[:]) != cf.Salt || len(cf.ShortIDs) != 1 || cf.ShortIDs[0] != vecHex(sid[:ShortIDSize]) {
		t.Errorf("compact block: salt %s short IDs %v, SHA-256 gives %x and [%x]", cf.Salt, cf.ShortIDs, salt, sid[:ShortIDSize])
	}

	for _, iv := range file.Invalid {
		err := vecDecodeInvalid(iv.Decoder, vecUnhex(t, iv.Name, iv.Hex))
		var re *core.RuleError
		switch {
		case err == nil:
			t.Errorf("invalid %q: the %s decoder accepted it", iv.Name, iv.Decoder)
		case !errors.As(err, &re):
			t.Errorf("invalid %q: %v is not a rule error (the peer's fault)", iv.Name, err)
		case string(core.CodeOf(err)) != iv.Code:
			t.Errorf("invalid %q: code %s, the file says %s (%v)", iv.Name, core.CodeOf(err), iv.Code, err)
		}
	}
}

func vecJSONEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// diffVectors names the first vectors that differ, to make a failure
// readable.
func vecDiff(t *testing.T, got, want *wireVectors) {
	t.Helper()
	if got.Genesis != want.Genesis || got.Protocols != want.Protocols || got.Caps != want.Caps {
		t.Errorf("genesis, protocols or caps differ:\nfile    %+v %+v %+v\nencoder %+v %+v %+v",
			got.Genesis, got.Protocols, got.Caps, want.Genesis, want.Protocols, want.Caps)
	}
	for i := range min(len(got.Messages), len(want.Messages)) {
		if g, w := got.Messages[i], want.Messages[i]; g.Body != w.Body || g.Frame != w.Frame || !vecJSONEqual(g.Fields, w.Fields) {
			t.Errorf("message %d (%s): file body %s frame %s fields %s\nencoder body %s frame %s fields %s",
				i, w.Name, g.Body, g.Frame, g.Fields, w.Body, w.Frame, w.Fields)
		}
	}
	for i := range min(len(got.Gossip), len(want.Gossip)) {
		if g, w := got.Gossip[i], want.Gossip[i]; g.Data != w.Data || g.MessageID != w.MessageID {
			t.Errorf("gossip %d (%s): file %s id %s, encoder %s id %s", i, w.Name, g.Data, g.MessageID, w.Data, w.MessageID)
		}
	}
	if len(got.Messages) != len(want.Messages) || len(got.Gossip) != len(want.Gossip) || len(got.Invalid) != len(want.Invalid) {
		t.Errorf("counts differ: file %d/%d/%d, encoder %d/%d/%d messages/gossip/invalid",
			len(got.Messages), len(got.Gossip), len(got.Invalid), len(want.Messages), len(want.Gossip), len(want.Invalid))
	}
}

// TestDocMatchesWire reads docs/p2p.md for the numbers and names the
// code fixes: the frame caps, every request kind the server knows, the
// protocol IDs and topics, the penalties and the limits. A wire change
// that leaves the document behind fails here.
func TestDocMatchesWire(t *testing.T) {
	raw, err := os.ReadFile("../docs/p2p.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	// row returns the table row that starts with "| label |".
	row := func(label string) string {
		for _, l := range strings.Split(doc, "\n") {
			if strings.HasPrefix(l, "| "+label+" |") {
				return l
			}
		}
		t.Errorf("docs/p2p.md has no table row %q", "| "+label+" |")
		return ""
	}
	wantIn := func(label string, values ...any) {
		r := row(label)
		for _, v := range values {
			if s := vecNum(v); r != "" && !strings.Contains(r, s) {
				t.Errorf("docs/p2p.md row %q does not say %s", r, s)
			}
		}
	}
	wantIn("Status", maxStatusBytes)
	wantIn("any request", maxRequestBytes)
	wantIn("Headers reply", maxHeadersBytes, MaxHeadersPerMsg, core.MaxHeaderSize)
	wantIn("TxIDs reply", maxTxIDsBytes, fmt.Sprintf("list(hash, %d)", MaxTxIDs))
	wantIn("Txs reply", maxTxsBytes)
	wantIn("Peers reply", maxPeersBytes)
	wantIn("tx gossip", MaxTxBatchBytes)
	wantIn("1 GetHeaders", MaxLocator)
	wantIn("2 GetBlocks", MaxBlocksPerReq)
	wantIn("4 GetTxs", MaxTxsPerReq)
	wantIn("BlockTxn reply", "`max_block_bytes` + 16")
	wantIn("compact block gossip", "`max_block_bytes`")
	if s := vecNum(MaxBlockTxnIndexes) + " indexes"; !strings.Contains(doc, s) {
		t.Errorf("docs/p2p.md does not say %q (GetBlockTxn's cap)", s)
	}
	wantIn("status frame above 108 bytes, or undecodable", pointsFatal)
	wantIn("sync: a header that does not connect", pointsMinor)
	wantIn("block already known to be invalid", pointsInvalidState)
	wantIn("more than 100 requests/s (a bucket of 400, refilled at 100/s): the stream is reset", pointsFlood, int(rpcRate), int(rpcBurst))
	wantIn("inbound connections", DefaultMaxInbound)
	wantIn("outbound peers dialled", DefaultMaxOutbound)
	wantIn("connections per IPv4 address or IPv6 /56", DefaultMaxPerIP)
	wantIn("requests", int(rpcRate), int(rpcBurst))
	wantIn("stale gossip", int(staleRate), int(staleBurst))
	wantIn("known peers kept", maxBookEntries)
	wantIn("orphans remembered per peer between syncs", maxOrphansNoted)
	wantIn("handshake / request / dial timeouts", fmt.Sprintf("%d s / %d s / %d s",
		int(handshakeTimeout.Seconds()), int(rpcTimeout.Seconds()), int(dialTimeout.Seconds())))
	for _, s := range []string{fmt.Sprintf("At\n**%d**", BanThreshold), fmt.Sprintf("for %d h", int(DefaultBanDuration.Hours())),
		fmt.Sprintf("**refused** for %d minutes", int(RefuseDuration.Minutes())), "**1**", DefaultListen} {
		if !strings.Contains(doc, s) {
			t.Errorf("docs/p2p.md does not say %q", s)
		}
	}
	// The annotated status frame is the vectors' first message.
	if i := strings.Index(doc, "The status frame of the vectors' first message"); i < 0 {
		t.Error("docs/p2p.md has no annotated status frame")
	} else {
		block := doc[i:]
		block = block[strings.Index(block, "```\n")+4:]
		block = block[:strings.Index(block, "```")]
		var hexs strings.Builder
		for _, l := range strings.Split(strings.TrimSpace(block), "\n") {
			hexs.WriteString(strings.Fields(l)[0])
		}
		raw, err := os.ReadFile(vectorsFile)
		if err != nil {
			t.Fatal(err)
		}
		var v wireVectors
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		if hexs.String() != v.Messages[0].Frame {
			t.Errorf("docs/p2p.md's annotated status frame\n%s\nis not the vectors' first message\n%s", hexs.String(), v.Messages[0].Frame)
		}
	}
	if ProtocolVersion != 1 {
		t.Errorf("ProtocolVersion %d: docs/p2p.md documents wire version 1", ProtocolVersion)
	}

	// Protocol IDs and topics, as the document writes them for <g16>.
	var g core.Hash
	for i := range g {
		g[i] = byte(i)
	}
	g16 := g.String()[:16]
	for _, id := range []string{string(protoStatus), RPCProtocol(g), BlockTopic(g), TxTopic(g), CompactTopic(g)} {
		if d := strings.ReplaceAll(id, g16, "<g16>"); !strings.Contains(doc, "`"+d+"`") {
			t.Errorf("docs/p2p.md does not name %s", d)
		}
	}

	// Every request kind the server knows has its row in the requests
	// table ("| <kind> <Name> |").
	for k := 1; k < 256; k++ {
		if vecKnownKind(byte(k)) && !regexp.MustCompile(`(?m)^\| `+strconv.Itoa(k)+` [A-Z][A-Za-z]* \|`).MatchString(doc) {
			t.Errorf("the server knows request kind %d, docs/p2p.md's requests table has no row for it", k)
		}
	}
	if vecKnownKind(0xff) || !vecKnownKind(reqHeaders) {
		t.Fatal("vecKnownKind cannot tell known request kinds from unknown ones")
	}
}

// vecKnownKind reports whether the server's dispatch knows a request kind:
// with an empty payload a known kind fails to decode it or gets as far as
// writing its reply (which panics on this empty Network); an unknown one
// is refused as such.
func vecKnownKind(k byte) (known bool) {
	defer func() {
		if recover() != nil {
			known = true
		}
	}()
	err := (&Network{}).serve(nil, "", []byte{k})
	return err == nil || !strings.Contains(err.Error(), "unknown request kind")
}

// vecNum writes an int as the document's tables do (thousands separated
// by commas: 16,451, 1,024); other values with %v.
func vecNum(v any) string {
	n, ok := v.(int)
	if !ok {
		return fmt.Sprint(v)
	}
	s := strconv.Itoa(n)
	if n < 1000 {
		return s
	}
	var out []byte
	for i, c := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, c)
	}
	return string(out)
}
