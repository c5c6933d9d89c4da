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
