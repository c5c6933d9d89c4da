package chain

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

func TestNodeEncoding(t *testing.T) {
	for _, h := range []core.Header{
		{Version: 1, Height: 5, Timestamp: 99, Bits: 0x207fffff, Nonce: 7},
		{Version: core.BlockVersionSigned, Height: 6, Timestamp: 99, Bits: 2, Signer: core.PublicKey{3},
			Vote: core.Vote{Kind: core.VoteAdd, Target: core.PublicKey{4}}, Signature: core.Signature{5}},
	} {
		testNodeEncoding(t, h)
	}
}

func testNodeEncoding(t *testing.T, h core.Header) {
	n := &node{hash: h.Hash(), header: h, work: big.NewInt(123456789), status: statusValid, seq: 42}
	back, err := decodeNode(n.hash, encodeNode(n))
	if err != nil {
		t.Fatal(err)
	}
	if back.header != n.header || back.work.Cmp(n.work) != 0 || back.status != n.status || back.seq != n.seq {
		t.Fatalf("round trip: %+v", back)
	}
	if _, err := decodeNode(core.Hash{1}, encodeNode(n)); err == nil {
		t.Fatal("entry under the wrong hash accepted")
	}
	enc := encodeNode(n)
	for _, bad := range [][]byte{nil, enc[:len(enc)-1], append(append([]byte(nil), enc...), 0)} {
		if _, err := decodeNode(n.hash, bad); err == nil {
			t.Fatalf("bad entry %x accepted", bad)
		}
	}
}

// FuzzDecodeNode: stored index entries decode strictly and round-trip.
func FuzzDecodeNode(f *testing.F) {
	h := core.Header{Version: 1, Height: 5, Bits: 0x207fffff}
	f.Add(encodeNode(&node{hash: h.Hash(), header: h, work: big.NewInt(77), status: statusValid, seq: 1}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := core.NewReader("header", b)
		hd := core.DecodeHeaderFrom(r)
		if r.Err() != nil {
			_, _ = decodeNode(core.Hash{}, b)
			return
		}
		n, err := decodeNode(hd.Hash(), b)
		if err != nil {
			return
		}
		if !bytes.Equal(encodeNode(n), b) {
			t.Fatal("an accepted entry does not re-encode to the same bytes")
		}
	})
}
