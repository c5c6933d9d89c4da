package p2p

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"testing"

	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
)

func testTxs(n int) []*core.Tx {
	b := scenarios.NewBuilder()
	var txs []*core.Tx
	for i := range n {
		tx := b.Tx(i%scenarios.NumKeys, scenarios.NewKey(50).Addr, uint64(100+i), scenarios.MinFee, uint64(i))
		if i%2 == 1 {
			tx.Memo = []byte("memo")
			tx.Sign(b.Keys[i%scenarios.NumKeys].Priv)
		}
		txs = append(txs, tx)
	}
	return txs
}

func testHeaders(n int) []core.Header {
	b := scenarios.NewBuilder()
	parent := scenarios.GenesisLabel
	var hs []core.Header
	for i := range n {
		name := string(rune('a' + i))
		hs = append(hs, b.Next(name, parent, nil, nil).Header)
		parent = name
	}
	return hs
}

func TestStatusRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		s    Status
	}{
		{"zero work", Status{Version: 1}},
		{"small", Status{Version: 1, Genesis: core.Hash{1}, Tip: core.Hash{2}, Height: 7, Work: big.NewInt(255)}},
		{"max work", Status{Version: 65535, Height: 1 << 63, Work: new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 264), big.NewInt(1))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			enc := c.s.Encode()
			got, err := DecodeStatus(enc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Encode(), enc) {
				t.Fatalf("round trip changed the encoding")
			}
			if got.Height != c.s.Height || got.Tip != c.s.Tip || got.Genesis != c.s.Genesis {
				t.Fatalf("got %+v, want %+v", got, c.s)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	st := (&Status{Version: 1, Work: big.NewInt(5)}).Encode()
	leadingZero := append(append([]byte(nil), st[:len(st)-2]...), 2, 0, 5)
	hdrs := EncodeHeaders(testHeaders(2))
	txs := EncodeTxs(testTxs(2))
	cases := []struct {
		name   string
		decode func([]byte) error
		in     []byte
		code   core.Code
	}{
		{"status truncated", statusErr, st[:len(st)-1], core.CodeMalformed},
		{"status trailing", statusErr, append(append([]byte(nil), st...), 0), core.CodeMalformed},
		{"status work leading zero", statusErr, leadingZero, core.CodeMalformed},
		{"status work too long", statusErr, append(append([]byte(nil), st[:len(st)-2]...), append([]byte{34}, make([]byte, 34)...)...), core.CodeTooLarge},
		{"headers truncated", headersErr, hdrs[:len(hdrs)-1], core.CodeMalformed},
		{"headers count too high", headersErr, binary.AppendUvarint(nil, MaxHeadersPerMsg+1), core.CodeTooLarge},
		{"headers count beyond input", headersErr, []byte{5}, core.CodeMalformed},
		{"headers non-minimal count", headersErr, append([]byte{0x82, 0x00}, hdrs[1:]...), core.CodeMalformed},
		{"txs trailing", txsErr, append(append([]byte(nil), txs...), 1), core.CodeMalformed},
		{"txs bad tx", txsErr, []byte{1, 3, 1, 2, 3}, core.CodeMalformed},
		{"tx batch short", batchErr, []byte{1, 2, 3}, core.CodeMalformed},
		{"peers empty id", peersErr, []byte{1, 0, 0}, core.CodeMalformed},
		{"peers too many addrs", peersErr, []byte{1, 1, 'x', MaxPeerAddrs + 1}, core.CodeTooLarge},
		{"get_headers max too high", getHeadersErr, append(append([]byte{0}, make([]byte, 32)...), 0xff, 0xff), core.CodeTooLarge},
		{"tx ids not multiple", txIDsErr, []byte{1, 1, 2}, core.CodeMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.decode(c.in)
			if !errors.Is(err, c.code) || !core.IsRuleError(err) {
				t.Fatalf("error %v, want code %s", err, c.code)
			}
		})
	}
}

func statusErr(b []byte) error     { _, err := DecodeStatus(b); return err }
func headersErr(b []byte) error    { _, err := DecodeHeaders(b); return err }
func txsErr(b []byte) error        { _, err := DecodeTxs(b, MaxTxsPerReq); return err }
func batchErr(b []byte) error      { _, _, err := DecodeTxBatch(b); return err }
func peersErr(b []byte) error      { _, err := DecodePeers(b); return err }
func getHeadersErr(b []byte) error { _, err := decodeGetHeaders(b); return err }
func txIDsErr(b []byte) error      { _, err := DecodeTxIDs(b); return err }

func TestMessagesRoundTrip(t *testing.T) {
	hs := testHeaders(3)
	txs := testTxs(5)
	peers := []PeerRecord{{ID: []byte("peer-a"), Addrs: [][]byte{{1, 2}, {3}}}, {ID: []byte("b")}}
	cases := []struct {
		name string
		enc  []byte
		dec  func([]byte) ([]byte, error) // decode and re-encode
	}{
		{"headers", EncodeHeaders(hs), func(b []byte) ([]byte, error) {
			v, err := DecodeHeaders(b)
			return EncodeHeaders(v), err
		}},
		{"signed headers", EncodeHeaders(signedHeaders()), func(b []byte) ([]byte, error) {
			v, err := DecodeHeaders(b)
			if err == nil && (len(v) != 3 || v[1] != signedHeaders()[1]) {
				err = fmt.Errorf("decoded %+v", v)
			}
			return EncodeHeaders(v), err
		}},
		{"no headers", EncodeHeaders(nil), func(b []byte) ([]byte, error) {
			v, err := DecodeHeaders(b)
			return EncodeHeaders(v), err
		}},
		{"txs", EncodeTxs(txs), func(b []byte) ([]byte, error) {
			v, err := DecodeTxs(b, MaxTxsPerReq)
			return EncodeTxs(v), err
		}},
		{"tx batch", EncodeTxBatch(42, txs), func(b []byte) ([]byte, error) {
			n, v, err := DecodeTxBatch(b)
			return EncodeTxBatch(n, v), err
		}},
		{"tx ids", EncodeTxIDs([]core.Hash{{1}, {2}}), func(b []byte) ([]byte, error) {
			v, err := DecodeTxIDs(b)
			return EncodeTxIDs(v), err
		}},
		{"peers", EncodePeers(peers), func(b []byte) ([]byte, error) {
			v, err := DecodePeers(b)
			return EncodePeers(v), err
		}},
		{"get headers", (&GetHeaders{Locator: []core.Hash{{1}, {2}}, Stop: core.Hash{3}, Max: 10}).Encode()[1:], func(b []byte) ([]byte, error) {
			v, err := decodeGetHeaders(b)
			if err != nil {
				return nil, err
			}
			return v.Encode()[1:], nil
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.dec(c.enc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, c.enc) {
				t.Fatal("round trip changed the encoding")
			}
		})
	}
}

func TestReadFrame(t *testing.T) {
	frame := func(body []byte) []byte { var b bytes.Buffer; _ = writeFrame(&b, body); return b.Bytes() }
	cases := []struct {
		name string
		in   []byte
		max  int
		want []byte
		code core.Code // "" for an I/O error or success
		io   error
	}{
		{"ok", frame([]byte("abc")), 10, []byte("abc"), "", nil},
		{"empty body", frame(nil), 10, []byte{}, "", nil},
		{"over cap", frame(make([]byte, 11)), 10, nil, core.CodeTooLarge, nil},
		{"huge length", binary.AppendUvarint(nil, 1<<62), 10, nil, core.CodeTooLarge, nil},
		{"non-minimal length", []byte{0x83, 0x00, 'a', 'b', 'c'}, 10, nil, core.CodeMalformed, nil},
		{"overflow", bytes.Repeat([]byte{0xff}, 10), 10, nil, core.CodeMalformed, nil},
		{"eof", nil, 10, nil, "", io.EOF},
		{"truncated length", []byte{0x80}, 10, nil, "", io.ErrUnexpectedEOF},
		{"truncated body", []byte{3, 'a'}, 10, nil, "", io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := readFrame(bufio.NewReader(bytes.NewReader(c.in)), c.max)
			switch {
			case c.code != "":
				if !errors.Is(err, c.code) {
					t.Fatalf("error %v, want %s", err, c.code)
				}
			case c.io != nil:
				if !errors.Is(err, c.io) || core.IsRuleError(err) {
					t.Fatalf("error %v, want %v", err, c.io)
				}
			case err != nil:
				t.Fatal(err)
			case !bytes.Equal(got, c.want):
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// signedHeaders is a list mixing version-2 headers with and without a
// vote and a version-1 one (a list is self-delimiting).
func signedHeaders() []core.Header {
	return []core.Header{
		{Version: core.BlockVersionSigned, Height: 1, Bits: 2, Signer: core.PublicKey{1}, Signature: core.Signature{2}},
		{Version: core.BlockVersionSigned, Height: 2, Bits: 1, Signer: core.PublicKey{3}, Vote: core.Vote{Kind: core.VoteDrop, Target: core.PublicKey{4}}, Signature: core.Signature{5}},
		{Version: core.BlockVersion, Height: 3, Bits: 0x207fffff},
	}
}
