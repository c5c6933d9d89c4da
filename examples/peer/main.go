// Command peer is a Cairn peer written from docs/p2p.md and
// docs/protocol.md alone: it imports go-libp2p and the standard library,
// no Cairn package (a test checks it), so where the documents and the
// node disagree it fails.
//
// It connects to a node, answers the node's status handshake and runs its
// own, asks for the first headers after the genesis and for one block,
// checks what a peer can check without the chain's rules (each header
// links to the one before it, the first to the genesis; proof-of-work
// seals meet their bits; proof-of-authority signatures verify; the block
// is the one asked for and its Merkle root matches its txs; tx
// signatures verify), and prints them. Any mismatch exits with status 1
// and says what disagreed.
//
//	go run ./examples/peer [-headers N] [-block HEIGHT] [-genesis HASH] [-timeout D] \
//		[-identity FILE] [-swarm-key FILE] /ip4/127.0.0.1/tcp/30345/p2p/<peer ID>
//
// A node with a peer allowlist admits the example only if its peer ID
// (printed as "as=") is on the list: give it a fixed one with -identity.
// A private network's swarm key goes with -swarm-key.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/pnet"
	"github.com/libp2p/go-libp2p/core/protocol"
	yamux "github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// docs/p2p.md, "Protocols and topics", "Frames" and "Requests and replies".
const (
	protoStatus     = protocol.ID("/cairn/status/1")
	wireVersion     = 1
	capStatus       = 108
	capHeaders      = 486_003
	capBlockReply   = 32<<20 + 1 // protocol.md: no block is above 32 MiB; the node's cap is its max_block_bytes + 1
	maxHeadersAsked = 2000
	kindGetHeaders  = 1
	kindGetBlocks   = 2
	blockFound      = 1
	blockNotFound   = 0
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("peer", flag.ContinueOnError)
	fl.SetOutput(stderr)
	nHeaders := fl.Int("headers", 10, "headers to ask for after the genesis (1 to 2000)")
	blockAt := fl.Int64("block", 0, "height of the block to fetch (0: the last header received)")
	wantGenesis := fl.String("genesis", "", "the genesis block hash the node must be on (default: accept the node's)")
	timeout := fl.Duration("timeout", 30*time.Second, "give up after this long")
	identity := fl.String("identity", "", "libp2p identity key file (created if missing), for a node with a peer allowlist (default: a new identity each run)")
	swarmKey := fl.String("swarm-key", "", "swarm key file of a private network (libp2p pnet, /key/swarm/psk/1.0.0/)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: peer [flags] MULTIADDR (ending in /p2p/<peer ID>)")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() != 1 || *nHeaders < 1 || *nHeaders > maxHeadersAsked {
		fl.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	opts, err := hostOptions(*identity, *swarmKey)
	if err != nil {
		fmt.Fprintln(stderr, "peer:", err)
		return 1
	}
	if err := talk(ctx, stdout, opts, fl.Arg(0), *nHeaders, *blockAt, *wantGenesis); err != nil {
		fmt.Fprintln(stderr, "peer:", err)
		return 1
	}
	return 0
}

// hostOptions returns the identity and private-network options: the key
// in identityFile (written there, mode 0600, if the file does not exist)
// and the swarm key in swarmKeyFile.
func hostOptions(identityFile, swarmKeyFile string) ([]libp2p.Option, error) {
	var opts []libp2p.Option
	if identityFile != "" {
		data, err := os.ReadFile(identityFile)
		var key crypto.PrivKey
		switch {
		case err == nil:
			if key, err = crypto.UnmarshalPrivateKey(data); err != nil {
				return nil, fmt.Errorf("-identity %s: %w", identityFile, err)
			}
		case errors.Is(err, fs.ErrNotExist):
			if key, _, err = crypto.GenerateEd25519Key(nil); err != nil {
				return nil, err
			}
			if data, err = crypto.MarshalPrivateKey(key); err != nil {
				return nil, err
			}
			if err := os.WriteFile(identityFile, data, 0o600); err != nil {
				return nil, fmt.Errorf("-identity: %w", err)
			}
		default:
			return nil, fmt.Errorf("-identity: %w", err)
		}
		opts = append(opts, libp2p.Identity(key))
	}
	if swarmKeyFile != "" {
		f, err := os.Open(swarmKeyFile)
		if err != nil {
			return nil, fmt.Errorf("-swarm-key: %w", err)
		}
		defer f.Close()
		psk, err := pnet.DecodeV1PSK(f)
		if err != nil {
			return nil, fmt.Errorf("-swarm-key %s: not a swarm key file (want the lines /key/swarm/psk/1.0.0/, /base16/ and 64 hex digits): %w", swarmKeyFile, err)
		}
		opts = append(opts, libp2p.PrivateNetwork(psk))
	}
	return opts, nil
}

func talk(ctx context.Context, out io.Writer, opts []libp2p.Option, addr string, nHeaders int, blockAt int64, wantGenesis string) error {
	ai, err := peer.AddrInfoFromString(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w (want /ip4/HOST/tcp/PORT/p2p/<peer ID>)", addr, err)
	}
	// docs/p2p.md, "Transports and security": TCP, Noise, yamux, nothing else.
	h, err := libp2p.New(append([]libp2p.Option{
		libp2p.NoListenAddrs,
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.DisableRelay(),
		libp2p.UserAgent("cairn-example-peer"),
	}, opts...)...)
	if err != nil {
		return fmt.Errorf("libp2p host: %w", err)
	}
	defer h.Close()

	// The node opens a status stream to us as soon as we connect: answer
	// it (else it drops us) and learn its genesis from it.
	nodeStatus := make(chan status, 1)
	handlerErr := make(chan error, 1)
	h.SetStreamHandler(protoStatus, func(s network.Stream) {
		defer s.Close()
		st, err := answerStatus(s)
		if err != nil {
			s.Reset()
			select {
			case handlerErr <- err:
			default:
			}
			return
		}
		select {
		case nodeStatus <- st:
		default:
		}
	})
	// A node's gater refuses a peer right after the Noise handshake, which
	// the dialler may see succeed: watch for the connection closing.
	gone := make(chan struct{})
	var goneOnce sync.Once
	h.Network().Notify(&network.NotifyBundle{DisconnectedF: func(nw network.Network, c network.Conn) {
		if c.RemotePeer() == ai.ID && nw.Connectedness(ai.ID) != network.Connected {
			goneOnce.Do(func() { close(gone) })
		}
	}})
	if err := h.Connect(ctx, *ai); err != nil {
		return fmt.Errorf("connect to %s: %w (is the node up? a node of a private network also needs its -swarm-key)", addr, err)
	}
	if h.Network().Connectedness(ai.ID) != network.Connected {
		goneOnce.Do(func() { close(gone) })
	}
	fmt.Fprintf(out, "connected  peer=%s addr=%s as=%s\n", ai.ID, ai.Addrs[0], h.ID())

	var theirs status
	select {
	case theirs = <-nodeStatus:
	case err := <-handlerErr:
		return fmt.Errorf("the node's status request: %w", err)
	case <-gone:
		return fmt.Errorf("the node closed the connection before the handshake: it refuses this peer (banned, another chain, or not on its peer allowlist: see -identity) (docs/p2p.md, \"Transports and security\")")
	case <-ctx.Done():
		return fmt.Errorf("the node did not send its status request (docs/p2p.md: both sides open one): %w", ctx.Err())
	}
	genesis := theirs.genesis
	if wantGenesis != "" && hex.EncodeToString(genesis[:]) != strings.ToLower(wantGenesis) {
		return fmt.Errorf("the node is on genesis %x, not %s", genesis, wantGenesis)
	}
	// Our own exchange: the node must answer with the same chain.
	mine, err := requestStatus(ctx, h, ai.ID, ourStatus(genesis))
	if err != nil {
		return err
	}
	if mine.genesis != genesis || mine.version != wireVersion {
		return fmt.Errorf("the node answered our status with genesis %x version %d, but requested ours with genesis %x version %d",
			mine.genesis, mine.version, genesis, theirs.version)
	}
	rpc := protocol.ID("/cairn/" + hex.EncodeToString(genesis[:8]) + "/rpc/1")
	fmt.Fprintf(out, "status     version=%d genesis=%x height=%d tip=%x work=0x%s rpc=%s\n",
		mine.version, genesis, mine.height, mine.tip, mine.work.Text(16), rpc)

	// Headers from the genesis: locator [genesis], no stop.
	req := []byte{kindGetHeaders}
	req = binary.AppendUvarint(req, 1)
	req = append(req, genesis[:]...)
	req = append(req, make([]byte, 32)...)
	req = binary.BigEndian.AppendUint16(req, uint16(nHeaders))
	frames, err := request(ctx, h, ai.ID, rpc, req, 1, capHeaders)
	if err != nil {
		return fmt.Errorf("get_headers: %w", err)
	}
	headers, err := decodeHeaders(frames[0])
	if err != nil {
		return fmt.Errorf("headers reply: %w", err)
	}
	if len(headers) > nHeaders {
		return fmt.Errorf("headers reply: %d headers, %d asked for", len(headers), nHeaders)
	}
	if uint64(len(headers)) != min(uint64(nHeaders), mine.height) {
		return fmt.Errorf("headers reply: %d headers, but the node's status says height %d and %d were asked for", len(headers), mine.height, nHeaders)
	}
	prev := genesis
	for i, hd := range headers {
		if hd.height != uint64(i+1) {
			return fmt.Errorf("header %d: height %d, want %d (the reply starts after the genesis)", i, hd.height, i+1)
		}
		if hd.prevHash != prev {
			return fmt.Errorf("header %d: prev_hash %x is not the hash of the block before it (%x)", hd.height, hd.prevHash, prev)
		}
		if err := hd.checkSeal(); err != nil {
			return fmt.Errorf("header %d: %w", hd.height, err)
		}
		prev = hd.hash
		fmt.Fprintf(out, "header     %s\n", hd)
	}
	if len(headers) == 0 {
		fmt.Fprintln(out, "no blocks after the genesis yet")
		return nil
	}

	// One block by hash.
	want := headers[len(headers)-1]
	if blockAt != 0 {
		if blockAt < 1 || blockAt > int64(len(headers)) {
			return fmt.Errorf("-block %d: the headers received run from 1 to %d", blockAt, len(headers))
		}
		want = headers[blockAt-1]
	}
	req = []byte{kindGetBlocks}
	req = binary.AppendUvarint(req, 1)
	req = append(req, want.hash[:]...)
	frames, err = request(ctx, h, ai.ID, rpc, req, 1, capBlockReply)
	if err != nil {
		return fmt.Errorf("get_blocks: %w", err)
	}
	f := frames[0]
	switch {
	case len(f) == 1 && f[0] == blockNotFound:
		return fmt.Errorf("block %x (height %d): the node says not found, but it sent its header", want.hash, want.height)
	case len(f) < 2 || f[0] != blockFound:
		return fmt.Errorf("block reply: kind byte %x, want 00 or 01", f[:min(len(f), 1)])
	}
	blk, err := decodeBlock(f[1:])
	if err != nil {
		return fmt.Errorf("block reply: %w", err)
	}
	if blk.header.hash != want.hash || !bytes.Equal(blk.header.raw, want.raw) {
		return fmt.Errorf("block reply: block %x, asked for %x", blk.header.hash, want.hash)
	}
	if root := merkleRoot(blk.txIDs()); root != blk.header.txRoot {
		return fmt.Errorf("block %d: the Merkle root of its txs is %x, its header says %x", blk.header.height, root, blk.header.txRoot)
	}
	fmt.Fprintf(out, "block      %s txs=%d size=%d merkle=verified\n", blk.header, len(blk.txs), blk.size)
	for i, tx := range blk.txs {
		fmt.Fprintf(out, "tx         index=%d %s\n", i, tx)
	}
	return nil
}

// ---- status (docs/p2p.md, "The status handshake") ----

type status struct {
	version uint16
	genesis [32]byte
	tip     [32]byte
	height  uint64
	work    *big.Int
}

// ourStatus is a client's status: the node's genesis as tip, height 0,
// no work.
func ourStatus(genesis [32]byte) status {
	return status{version: wireVersion, genesis: genesis, tip: genesis, work: new(big.Int)}
}

func (s status) encode() []byte {
	b := binary.BigEndian.AppendUint16(nil, s.version)
	b = append(b, s.genesis[:]...)
	b = append(b, s.tip[:]...)
	b = binary.BigEndian.AppendUint64(b, s.height)
	w := s.work.Bytes() // shortest form; zero is empty
	b = binary.AppendUvarint(b, uint64(len(w)))
	return append(b, w...)
}

func decodeStatus(b []byte) (status, error) {
	r := &reader{b: b}
	var s status
	s.version = r.u16()
	r.fixed(s.genesis[:])
	r.fixed(s.tip[:])
	s.height = r.u64()
	w := r.bytes(33)
	if r.err == nil && len(w) > 0 && w[0] == 0 {
		r.fail("work has a leading zero byte")
	}
	if err := r.end(); err != nil {
		return status{}, fmt.Errorf("status: %w", err)
	}
	s.work = new(big.Int).SetBytes(w)
	return s, nil
}

// answerStatus serves the node's status request: read its status, reply
// with ours on its genesis.
func answerStatus(s network.Stream) (status, error) {
	_ = s.SetDeadline(time.Now().Add(10 * time.Second))
	body, err := readFrame(bufio.NewReader(s), capStatus)
	if err != nil {
		return status{}, fmt.Errorf("read: %w", err)
	}
	st, err := decodeStatus(body)
	if err != nil {
		return status{}, err
	}
	if st.version != wireVersion {
		return status{}, fmt.Errorf("the node speaks wire version %d, this peer %d", st.version, wireVersion)
	}
	if err := writeFrame(s, ourStatus(st.genesis).encode()); err != nil {
		return status{}, fmt.Errorf("write: %w", err)
	}
	return st, nil
}

// requestStatus runs our side of the exchange: send ours, read theirs.
func requestStatus(ctx context.Context, h host.Host, p peer.ID, ours status) (status, error) {
	frames, err := request(ctx, h, p, protoStatus, ours.encode(), 1, capStatus)
	if err != nil {
		return status{}, fmt.Errorf("status exchange: %w", err)
	}
	st, err := decodeStatus(frames[0])
	if err != nil {
		return status{}, err
	}
	return st, nil
}

// ---- streams and frames (docs/p2p.md, "Frames") ----

// request opens a stream, writes one frame, closes its write side and
// reads n reply frames of at most max bytes each; the stream must then
// end.
func request(ctx context.Context, h host.Host, p peer.ID, proto protocol.ID, body []byte, n, max int) ([][]byte, error) {
	s, err := h.NewStream(ctx, p, proto)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", proto, err)
	}
	defer s.Close()
	if d, ok := ctx.Deadline(); ok {
		_ = s.SetDeadline(d)
	}
	if err := writeFrame(s, body); err != nil {
		s.Reset()
		return nil, fmt.Errorf("write: %w", err)
	}
	_ = s.CloseWrite()
	r := bufio.NewReader(s)
	var out [][]byte
	for range n {
		f, err := readFrame(r, max)
		if err != nil {
			s.Reset()
			return nil, fmt.Errorf("read reply frame %d: %w", len(out), err)
		}
		out = append(out, f)
	}
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		s.Reset()
		return nil, fmt.Errorf("the reply goes on after its %d frame(s) (err %v)", n, err)
	}
	return out, nil
}

func writeFrame(w io.Writer, body []byte) error {
	_, err := w.Write(append(binary.AppendUvarint(nil, uint64(len(body))), body...))
	return err
}

// readFrame reads a minimal uvarint length, checks it against max before
// reading, then the body.
func readFrame(r *bufio.Reader, max int) ([]byte, error) {
	var n uint64
	for i := 0; ; i++ {
		c, err := r.ReadByte()
		if err != nil {
			return nil, err
		}
		if i == 9 && c > 1 {
			return nil, errors.New("frame length overflows 64 bits")
		}
		n |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			if i > 0 && c == 0 {
				return nil, errors.New("frame length is not a minimal uvarint")
			}
			break
		}
	}
	if n > uint64(max) {
		return nil, fmt.Errorf("frame of %d bytes, above its cap of %d", n, max)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("frame body: %w", err)
	}
	return b, nil
}

// ---- headers and blocks (docs/protocol.md, "Block header", "Block") ----

type header struct {
	raw       []byte
	hash      [32]byte
	version   uint16
	height    uint64
	prevHash  [32]byte
	timestamp uint64
	txRoot    [32]byte
	miner     [20]byte
	bits      uint32
	nonce     uint64
	// version 2
	signer     [32]byte
	voteKind   byte
	voteTarget [32]byte
	signature  [64]byte
}

func decodeHeaders(b []byte) ([]header, error) {
	r := &reader{b: b}
	n := r.uvarint(maxHeadersAsked)
	if r.err == nil && n*114 > uint64(len(b)-r.off) {
		r.fail(fmt.Sprintf("%d headers cannot fit in %d bytes", n, len(b)-r.off))
	}
	var hs []header
	for i := uint64(0); i < n && r.err == nil; i++ {
		hs = append(hs, readHeader(r))
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return hs, nil
}

// readHeader reads one self-delimiting header: version 2 adds to the 114
// bytes of version 1 a signer, a vote kind, a vote target when the kind
// is 1 or 2, and a signature; any other version is 114 bytes (checkSeal
// refuses versions other than 1 and 2, as the node's validation does).
func readHeader(r *reader) header {
	start := r.off
	var h header
	h.version = r.u16()
	h.height = r.u64()
	r.fixed(h.prevHash[:])
	h.timestamp = r.u64()
	r.fixed(h.txRoot[:])
	r.fixed(h.miner[:])
	h.bits = r.u32()
	h.nonce = r.u64()
	if h.version == 2 {
		r.fixed(h.signer[:])
		h.voteKind = r.u8()
		switch h.voteKind {
		case 0:
		case 1, 2:
			r.fixed(h.voteTarget[:])
		default:
			r.fail(fmt.Sprintf("vote kind %d", h.voteKind))
		}
		r.fixed(h.signature[:])
	}
	if r.err == nil {
		h.raw = r.b[start:r.off]
		h.hash = sha256.Sum256(h.raw)
	}
	return h
}

// checkSeal checks what a header proves alone: a version-1 hash meets its
// bits; a version-2 header is signed by its signer, whose address is the
// miner, with nonce 0.
func (h *header) checkSeal() error {
	switch h.version {
	case 1:
		target, err := compactTarget(h.bits)
		if err != nil {
			return err
		}
		if new(big.Int).SetBytes(h.hash[:]).Cmp(target) > 0 {
			return fmt.Errorf("hash %x is above the target of its bits 0x%08x", h.hash, h.bits)
		}
	case 2:
		if a := sha256.Sum256(h.signer[:]); !bytes.Equal(a[:20], h.miner[:]) {
			return fmt.Errorf("miner %x is not the signer's address %x", h.miner, a[:20])
		}
		if h.nonce != 0 {
			return fmt.Errorf("version-2 header with nonce %d", h.nonce)
		}
		if !ed25519.Verify(h.signer[:], h.raw[:len(h.raw)-64], h.signature[:]) {
			return errors.New("the signer's signature does not verify")
		}
	default:
		return fmt.Errorf("header version %d: Cairn headers are version 1 or 2", h.version)
	}
	return nil
}

// compactTarget decodes Bitcoin's nBits (docs/protocol.md, "Compact bits").
func compactTarget(bits uint32) (*big.Int, error) {
	mant, exp := bits&0x007fffff, bits>>24
	var t *big.Int
	if exp <= 3 {
		mant >>= 8 * (3 - exp)
		t = big.NewInt(int64(mant))
	} else {
		t = new(big.Int).Lsh(big.NewInt(int64(mant)), 8*uint(exp-3))
	}
	if bits&0x00800000 != 0 && mant != 0 || t.BitLen() > 256 || t.Sign() == 0 {
		return nil, fmt.Errorf("bits 0x%08x: no valid target", bits)
	}
	return t, nil
}

func (h header) String() string {
	s := fmt.Sprintf("height=%d hash=%x prev=%x time=%s timestamp_ms=%d tx_root=%x miner=%x bits=0x%08x nonce=%d version=%d",
		h.height, h.hash, h.prevHash, time.UnixMilli(int64(h.timestamp)).UTC().Format("2006-01-02T15:04:05.000Z"),
		h.timestamp, h.txRoot, h.miner, h.bits, h.nonce, h.version)
	if h.version == 2 {
		s += fmt.Sprintf(" signer=%x vote=%d", h.signer, h.voteKind)
	}
	return s
}

type block struct {
	header header
	txs    []tx
	size   int
}

type tx struct {
	raw       []byte
	id        [32]byte
	version   uint16
	kind      byte
	chainID   string
	from      [32]byte
	to        [20]byte
	amount    uint64
	fee       uint64
	nonce     uint64
	memo      []byte
	signature [64]byte
}

func (b *block) txIDs() [][32]byte {
	ids := make([][32]byte, len(b.txs))
	for i := range b.txs {
		ids[i] = b.txs[i].id
	}
	return ids
}

// decodeBlock reads header || uvarint count || count × var(tx).
func decodeBlock(b []byte) (*block, error) {
	r := &reader{b: b}
	blk := &block{header: readHeader(r), size: len(b)}
	n := r.uvarint(uint64(len(b)))
	for i := uint64(0); i < n && r.err == nil; i++ {
		raw := r.bytes(1024 + 8 + (1 << 18) + 400) // a contract deploy is the largest tx
		if r.err != nil {
			break
		}
		t, err := decodeTx(raw)
		if err != nil {
			return nil, fmt.Errorf("tx %d: %w", i, err)
		}
		blk.txs = append(blk.txs, t)
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return blk, nil
}

// decodeTx decodes a version-1 or version-2 tx (docs/protocol.md,
// "Transaction") and verifies its signature.
func decodeTx(raw []byte) (tx, error) {
	r := &reader{b: raw}
	t := tx{raw: raw, id: sha256.Sum256(raw)}
	t.version = r.u16()
	switch t.version {
	case 1:
		t.chainID = string(r.bytes(32))
		r.fixed(t.from[:])
		r.fixed(t.to[:])
		t.amount = r.u64()
		t.fee = r.u64()
		t.nonce = r.u64()
		t.memo = r.bytes(256)
	case 2:
		t.kind = r.u8()
		t.chainID = string(r.bytes(32))
		r.fixed(t.from[:])
		t.fee = r.u64()
		t.nonce = r.u64()
		r.bytes(1 << 19) // the body: its layout depends on the kind
		t.memo = r.bytes(256)
	default:
		r.fail(fmt.Sprintf("tx version %d", t.version))
	}
	r.fixed(t.signature[:])
	if err := r.end(); err != nil {
		return tx{}, err
	}
	if !ed25519.Verify(t.from[:], raw[:len(raw)-64], t.signature[:]) {
		return tx{}, fmt.Errorf("tx %x: the signature does not verify", t.id)
	}
	return t, nil
}

func (t tx) String() string {
	from := sha256.Sum256(t.from[:])
	s := fmt.Sprintf("id=%x version=%d from=%x fee=%d nonce=%d", t.id, t.version, from[:20], t.fee, t.nonce)
	if t.version == 1 {
		s += fmt.Sprintf(" to=%x amount=%d", t.to, t.amount)
	} else if t.kind < byte(len(kindNames)) && kindNames[t.kind] != "" {
		s += " kind=" + kindNames[t.kind]
	} else {
		s += fmt.Sprintf(" kind=%d", t.kind)
	}
	if len(t.memo) > 0 {
		s += fmt.Sprintf(" memo=%q", t.memo)
	}
	return s
}

// kindNames are the version-2 tx kinds by number (docs/protocol.md,
// "Transaction (protocol version 2)").
var kindNames = []string{1: "asset_create", 2: "asset_transfer", 3: "asset_mint", 4: "asset_burn", 5: "asset_freeze",
	6: "asset_clawback", 7: "asset_config", 8: "item_mint", 9: "item_transfer", 10: "item_attest", 11: "item_burn",
	12: "contract_deploy", 13: "contract_call"}

// merkleRoot is RFC 6962's Merkle tree hash over the tx IDs
// (docs/protocol.md, "Merkle root").
func merkleRoot(ids [][32]byte) [32]byte {
	if len(ids) == 0 {
		return sha256.Sum256(nil)
	}
	if len(ids) == 1 {
		return sha256.Sum256(append([]byte{0}, ids[0][:]...))
	}
	k := 1
	for k*2 < len(ids) {
		k *= 2
	}
	l, r := merkleRoot(ids[:k]), merkleRoot(ids[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

// ---- a strict reader (docs/protocol.md, "Conventions") ----

type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(why string) {
	if r.err == nil {
		r.err = fmt.Errorf("byte %d: %s", r.off, why)
	}
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.fail(fmt.Sprintf("%d bytes wanted, %d left", n, len(r.b)-r.off))
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *reader) fixed(dst []byte) {
	if v := r.take(len(dst)); v != nil {
		copy(dst, v)
	}
}

func (r *reader) u8() byte {
	if v := r.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if v := r.take(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if v := r.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if v := r.take(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// uvarint reads a minimal uvarint of at most max.
func (r *reader) uvarint(max uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	switch {
	case n <= 0:
		r.fail("bad uvarint")
		return 0
	case n != len(binary.AppendUvarint(nil, v)):
		r.fail("uvarint not minimal")
		return 0
	case v > max:
		r.fail(fmt.Sprintf("%d above the limit %d", v, max))
		return 0
	}
	r.off += n
	return v
}

func (r *reader) bytes(max uint64) []byte {
	n := r.uvarint(max)
	return r.take(int(n))
}

func (r *reader) end() error {
	if r.err == nil && r.off != len(r.b) {
		r.fail(fmt.Sprintf("%d trailing bytes", len(r.b)-r.off))
	}
	return r.err
}
