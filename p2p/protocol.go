package p2p

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/cairn-chain/cairn/core"
)

// Wire protocol. Every message on a stream is a frame: a minimal uvarint
// length followed by that many bytes, the length checked against the
// message's cap before anything is read or allocated. Blocks, headers and
// txs inside frames use core's canonical encodings; the few other fields
// are fixed-width big-endian integers, fixed-size hashes and
// uvarint-counted lists. Decoding is strict (no truncation, no trailing
// bytes, no non-minimal varints, no counts above the caps), so for every
// message decode(b) succeeds only if encode(decode(b)) == b. Decode
// failures are *core.RuleError (CodeMalformed or CodeTooLarge): the peer's
// fault.

// ProtocolVersion is the version exchanged in the status handshake; a peer
// with another version is refused.
const ProtocolVersion = 1

// Caps of the wire messages.
const (
	MaxLocator       = 128   // hashes in a GetHeaders locator
	MaxHeadersPerMsg = 2000  // headers in one Headers reply (chain.MaxHeaders)
	MaxBlocksPerReq  = 32    // block hashes in one GetBlocks request
	MaxTxIDs         = 65536 // IDs in one TxIDs reply
	MaxTxsPerReq     = 512   // IDs in one GetTxs request and txs in one reply
	MaxTxBatch       = 512   // txs in one gossiped tx batch
	MaxPeerRecords   = 32    // records in one Peers reply
	MaxPeerAddrs     = 8     // addresses in one peer record
	maxPeerIDLen     = 128
	maxAddrLen       = 256
	maxWorkLen       = 33 // a cumulative work never exceeds 2^264

	// MaxTxBatchBytes caps a gossiped tx batch. Batches are cut near
	// txBatchTarget bytes, so one holding a contract deploy (up to
	// core.MaxDeployTxSize) still fits.
	MaxTxBatchBytes = 8 + 3 + MaxTxBatch*(3+core.MaxTxSize)
	maxRequestBytes = 1 + 2 + MaxTxsPerReq*core.HashSize + 64
	maxStatusBytes  = 2 + 2*core.HashSize + 8 + 1 + maxWorkLen
	maxHeadersBytes = 3 + MaxHeadersPerMsg*core.MaxHeaderSize
	maxTxIDsBytes   = 3 + MaxTxIDs*core.HashSize
	maxTxsBytes     = 3 + MaxTxsPerReq*(3+core.MaxTxSize)
	maxPeersBytes   = 1 + MaxPeerRecords*(2+maxPeerIDLen+1+MaxPeerAddrs*(2+maxAddrLen))
)

// Request kinds: the first byte of a request frame on the RPC protocol.
const (
	reqHeaders  byte = 1 + iota // GetHeaders -> Headers
	reqBlocks                   // GetBlocks -> one BlockReply frame per hash
	reqTxIDs                    // (empty) -> TxIDs
	reqTxs                      // GetTxs -> Txs
	reqPeers                    // (empty) -> Peers
	reqBlockTxn                 // GetBlockTxn -> BlockTxn (compact block relay)
)

// Status is the handshake message: what chain a node is on and how far.
type Status struct {
	Version uint16
	Genesis core.Hash
	Tip     core.Hash
	Height  uint64
	Work    *big.Int // total work of the tip's chain (nil reads as 0)
}

// Encode returns the status encoding.
func (s *Status) Encode() []byte {
	b := make([]byte, 0, maxStatusBytes)
	b = binary.BigEndian.AppendUint16(b, s.Version)
	b = append(b, s.Genesis[:]...)
	b = append(b, s.Tip[:]...)
	b = binary.BigEndian.AppendUint64(b, s.Height)
	var w []byte
	if s.Work != nil {
		w = s.Work.Bytes()
	}
	return appendBytes(b, w)
}

// DecodeStatus strictly decodes a status message.
func DecodeStatus(b []byte) (*Status, error) {
	r := core.NewReader("status", b)
	s := &Status{Version: r.U16("version")}
	r.Fixed("genesis", s.Genesis[:])
	r.Fixed("tip", s.Tip[:])
	s.Height = r.U64("height")
	w := r.Bytes("work", maxWorkLen)
	if len(w) > 0 && w[0] == 0 {
		r.Fail(core.CodeMalformed, "work", "leading zero byte")
	}
	if err := r.End(); err != nil {
		return nil, err
	}
	s.Work = new(big.Int).SetBytes(w)
	return s, nil
}

// GetHeaders asks for main-chain headers after the first locator hash the
// peer has on its main chain, up to Stop (zero: no stop) and Max.
type GetHeaders struct {
	Locator []core.Hash
	Stop    core.Hash
	Max     uint16
}

// Encode returns the request frame body (kind byte included).
func (m *GetHeaders) Encode() []byte {
	b := []byte{reqHeaders}
	b = appendHashes(b, m.Locator)
	b = append(b, m.Stop[:]...)
	return binary.BigEndian.AppendUint16(b, m.Max)
}

func decodeGetHeaders(b []byte) (*GetHeaders, error) {
	r := core.NewReader("get_headers", b)
	m := &GetHeaders{Locator: r.Hashes("locator", MaxLocator)}
	r.Fixed("stop", m.Stop[:])
	m.Max = r.U16("max")
	if m.Max > MaxHeadersPerMsg {
		r.Fail(core.CodeTooLarge, "max", "%d headers asked, the limit is %d", m.Max, MaxHeadersPerMsg)
	}
	return m, r.End()
}

// EncodeHeaders encodes a Headers reply.
func EncodeHeaders(hs []core.Header) []byte {
	b := make([]byte, 0, 3+len(hs)*core.HeaderSize)
	b = binary.AppendUvarint(b, uint64(len(hs)))
	for i := range hs {
		b = hs[i].AppendEncode(b)
	}
	return b
}

// DecodeHeaders strictly decodes a Headers reply.
func DecodeHeaders(b []byte) ([]core.Header, error) {
	r := core.NewReader("headers", b)
	n := r.Count("count", MaxHeadersPerMsg, core.HeaderSize)
	hs := make([]core.Header, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		// Headers are self-delimiting: the version says what follows (a
		// version-1 header is 114 bytes, a signed one more).
		h := core.DecodeHeaderFrom(r)
		if r.Err() != nil {
			break
		}
		hs = append(hs, *h)
	}
	return hs, r.End()
}

// encodeHashRequest encodes a request made of a kind and a hash list
// (GetBlocks, GetTxs).
func encodeHashRequest(kind byte, hs []core.Hash) []byte {
	return appendHashes([]byte{kind}, hs)
}

func decodeHashList(what string, b []byte, max int) ([]core.Hash, error) {
	r := core.NewReader(what, b)
	hs := r.Hashes("hashes", max)
	return hs, r.End()
}

// EncodeTxIDs encodes a TxIDs reply.
func EncodeTxIDs(ids []core.Hash) []byte { return appendHashes(nil, ids) }

// DecodeTxIDs strictly decodes a TxIDs reply.
func DecodeTxIDs(b []byte) ([]core.Hash, error) { return decodeHashList("tx_ids", b, MaxTxIDs) }

// blockReply frames: a kind byte, then the block encoding if found.
const (
	blockNotFound byte = 0
	blockFound    byte = 1
)

// EncodeTxs encodes a list of txs: a uvarint count, then each tx as a
// uvarint length and its canonical encoding. It is the Txs reply and the
// payload of the txs gossip topic.
func EncodeTxs(txs []*core.Tx) []byte {
	n := 3
	for _, tx := range txs {
		n += 3 + tx.Size()
	}
	b := make([]byte, 0, n)
	b = binary.AppendUvarint(b, uint64(len(txs)))
	for _, tx := range txs {
		b = binary.AppendUvarint(b, uint64(tx.Size()))
		b = tx.AppendEncode(b)
	}
	return b
}

// DecodeTxs strictly decodes a list of at most max txs.
func DecodeTxs(b []byte, max int) ([]*core.Tx, error) {
	r := core.NewReader("txs", b)
	n := r.Count("count", max, 2)
	txs := make([]*core.Tx, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		raw := r.BytesView("tx", core.MaxDeployTxSize) // DecodeTx applies each kind's cap
		if r.Err() != nil {
			break
		}
		tx, err := core.DecodeTx(raw)
		if err != nil {
			r.SetErr(core.Wrap(core.CodeMalformed, err, "txs: tx %d", i))
			break
		}
		txs = append(txs, tx)
	}
	return txs, r.End()
}

// EncodeTxBatch encodes a gossiped tx batch: an 8-byte publish nonce
// (random, so a batch gossiped again, e.g. after a reorg, is a new
// message for GossipSub's seen-cache), then the txs as EncodeTxs.
func EncodeTxBatch(nonce uint64, txs []*core.Tx) []byte {
	return append(binary.BigEndian.AppendUint64(nil, nonce), EncodeTxs(txs)...)
}

// DecodeTxBatch strictly decodes a gossiped tx batch.
func DecodeTxBatch(b []byte) (nonce uint64, txs []*core.Tx, err error) {
	if len(b) < 8 {
		return 0, nil, core.Errorf(core.CodeMalformed, "tx batch: %d bytes, shorter than its nonce", len(b))
	}
	txs, err = DecodeTxs(b[8:], MaxTxBatch)
	return binary.BigEndian.Uint64(b), txs, err
}

// PeerRecord is a peer's ID and listen addresses (binary multiaddrs).
type PeerRecord struct {
	ID    []byte   // binary peer ID
	Addrs [][]byte // binary multiaddrs
}

// EncodePeers encodes a Peers reply.
func EncodePeers(ps []PeerRecord) []byte {
	b := binary.AppendUvarint(nil, uint64(len(ps)))
	for _, p := range ps {
		b = appendBytes(b, p.ID)
		b = binary.AppendUvarint(b, uint64(len(p.Addrs)))
		for _, a := range p.Addrs {
			b = appendBytes(b, a)
		}
	}
	return b
}

// DecodePeers strictly decodes a Peers reply.
func DecodePeers(b []byte) ([]PeerRecord, error) {
	r := core.NewReader("peers", b)
	n := r.Count("count", MaxPeerRecords, 2)
	ps := make([]PeerRecord, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		p := PeerRecord{ID: r.Bytes("id", maxPeerIDLen)}
		if r.Err() == nil && len(p.ID) == 0 {
			r.Fail(core.CodeMalformed, "id", "empty peer ID")
		}
		na := r.Count("addr count", MaxPeerAddrs, 1)
		for j := 0; j < na && r.Err() == nil; j++ {
			p.Addrs = append(p.Addrs, r.Bytes("addr", maxAddrLen))
		}
		ps = append(ps, p)
	}
	return ps, r.End()
}

// ---- framing ----

// writeFrame writes a length-prefixed frame.
func writeFrame(w io.Writer, body []byte) error {
	var hdr [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(hdr[:], uint64(len(body)))
	if _, err := w.Write(hdr[:n]); err != nil {
		return err
	}
	_, err := w.Write(body)
	return err
}

// errOversized reports a frame above its cap.
var errOversized = core.Errorf(core.CodeTooLarge, "frame above its size cap")

// readFrame reads one frame of at most max bytes. A length above max is a
// *core.RuleError (CodeTooLarge) before anything else is read; a
// non-minimal length is CodeMalformed; io errors pass through (io.EOF
// before the first byte means the stream ended cleanly).
func readFrame(r *bufio.Reader, max int) ([]byte, error) {
	var v uint64
	for i := 0; ; i++ {
		c, err := r.ReadByte()
		if err != nil {
			if i > 0 && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if i == binary.MaxVarintLen64-1 && c > 1 {
			return nil, core.Errorf(core.CodeMalformed, "frame length overflows 64 bits")
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			if i > 0 && c == 0 {
				return nil, core.Errorf(core.CodeMalformed, "non-minimal frame length")
			}
			break
		}
	}
	if v > uint64(max) {
		return nil, core.Wrap(core.CodeTooLarge, errOversized, "frame of %d bytes, the cap is %d", v, max)
	}
	buf := make([]byte, v)
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("read frame body: %w", err)
	}
	return buf, nil
}

// ---- canonical field helpers ----

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendHashes(b []byte, hs []core.Hash) []byte {
	b = binary.AppendUvarint(b, uint64(len(hs)))
	for _, h := range hs {
		b = append(b, h[:]...)
	}
	return b
}
