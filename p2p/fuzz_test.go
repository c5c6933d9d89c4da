package p2p

import (
	"bufio"
	"bytes"
	"math/big"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// Round-trip property for every wire decoder: whatever decodes
// re-encodes to the same bytes.

func FuzzDecodeStatus(f *testing.F) {
	f.Add((&Status{Version: 1, Height: 9, Work: big.NewInt(1 << 40)}).Encode())
	f.Add((&Status{}).Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeStatus(b)
		if err != nil {
			return
		}
		if !bytes.Equal(s.Encode(), b) {
			t.Fatal("round trip changed the encoding")
		}
	})
}

func FuzzDecodeHeaders(f *testing.F) {
	f.Add(EncodeHeaders(testHeaders(2)))
	f.Add(EncodeHeaders(signedHeaders()))
	f.Add(EncodeHeaders(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		hs, err := DecodeHeaders(b)
		if err != nil {
			return
		}
		if !bytes.Equal(EncodeHeaders(hs), b) {
			t.Fatal("round trip changed the encoding")
		}
	})
}

func FuzzDecodeTxBatch(f *testing.F) {
	f.Add(EncodeTxBatch(7, testTxs(3)))
	f.Add(EncodeTxBatch(0, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, txs, err := DecodeTxBatch(b)
		if err != nil {
			return
		}
		if !bytes.Equal(EncodeTxBatch(n, txs), b) {
			t.Fatal("round trip changed the encoding")
		}
	})
}

func FuzzDecodePeers(f *testing.F) {
	f.Add(EncodePeers([]PeerRecord{{ID: []byte("id"), Addrs: [][]byte{{4, 127, 0, 0, 1}}}}))
	f.Add(EncodePeers(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := DecodePeers(b)
		if err != nil {
			return
		}
		if !bytes.Equal(EncodePeers(ps), b) {
			t.Fatal("round trip changed the encoding")
		}
	})
}

func FuzzDecodeRequest(f *testing.F) {
	f.Add((&GetHeaders{Locator: []core.Hash{{1}}, Max: 5}).Encode())
	f.Add(encodeHashRequest(reqBlocks, []core.Hash{{2}, {3}}))
	f.Add(encodeHashRequest(reqTxs, nil))
	f.Add(EncodeTxIDs([]core.Hash{{4}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := decodeGetHeaders(b); err == nil && !bytes.Equal(m.Encode()[1:], b) {
			t.Fatal("get_headers round trip changed the encoding")
		}
		if hs, err := decodeHashList("hashes", b, MaxTxsPerReq); err == nil && !bytes.Equal(appendHashes(nil, hs), b) {
			t.Fatal("hash list round trip changed the encoding")
		}
	})
}

func FuzzReadFrame(f *testing.F) {
	var buf bytes.Buffer
	_ = writeFrame(&buf, []byte("hello"))
	f.Add(buf.Bytes())
	f.Add([]byte{0x80, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		body, err := readFrame(bufio.NewReader(bytes.NewReader(b)), 1024)
		if err != nil {
			return
		}
		var out bytes.Buffer
		_ = writeFrame(&out, body)
		if !bytes.HasPrefix(b, out.Bytes()) {
			t.Fatal("frame does not re-encode to its input")
		}
	})
}
