package poa_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/consensus/poa"
	"github.com/cairn-chain/cairn/core"
)

var voteVectors = []struct {
	name string
	vote *poa.Vote
	hex  string
}{
	{"no vote", nil, ""},
	{"add", &poa.Vote{Target: core.PublicKey{0: 0xaa, 31: 0x01}, Add: true}, "aa" + strings.Repeat("00", 30) + "01" + "01"},
	{"drop", &poa.Vote{Target: core.PublicKey{0: 0xaa, 31: 0x01}}, "aa" + strings.Repeat("00", 30) + "01" + "00"},
}

func TestVoteEncoding(t *testing.T) {
	for _, tc := range voteVectors {
		t.Run(tc.name, func(t *testing.T) {
			b := poa.EncodeVote(tc.vote)
			if got := hexString(b); got != tc.hex {
				t.Fatalf("EncodeVote = %s, want %s", got, tc.hex)
			}
			if got := poa.AppendVote([]byte{7}, tc.vote); !bytes.Equal(got, append([]byte{7}, b...)) {
				t.Fatalf("AppendVote = %x", got)
			}
			v, err := poa.DecodeVote(b)
			if err != nil {
				t.Fatal(err)
			}
			if (v == nil) != (tc.vote == nil) || (v != nil && *v != *tc.vote) {
				t.Fatalf("DecodeVote = %+v, want %+v", v, tc.vote)
			}
		})
	}
}

func TestDecodeVoteRejects(t *testing.T) {
	for _, b := range [][]byte{
		{0},
		make([]byte, poa.VoteSize-1),
		make([]byte, poa.VoteSize+1),
		append(make([]byte, core.PublicKeySize), 2),
		append(make([]byte, core.PublicKeySize), 0xff),
	} {
		if v, err := poa.DecodeVote(b); !errors.Is(err, core.CodeMalformed) || v != nil {
			t.Errorf("DecodeVote(%x) = %+v, %v; want %s", b, v, err, core.CodeMalformed)
		}
	}
}

// FuzzDecodeVote: DecodeVote never panics, and whatever it accepts
// re-encodes to the same bytes.
func FuzzDecodeVote(f *testing.F) {
	for _, tc := range voteVectors {
		f.Add(poa.EncodeVote(tc.vote))
	}
	f.Add(append(make([]byte, core.PublicKeySize), 2))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := poa.DecodeVote(b)
		if err != nil {
			if !errors.Is(err, core.CodeMalformed) {
				t.Fatalf("error without %s: %v", core.CodeMalformed, err)
			}
			return
		}
		if got := poa.EncodeVote(v); !bytes.Equal(got, b) {
			t.Fatalf("DecodeVote(%x) re-encodes to %x", b, got)
		}
	})
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	var s strings.Builder
	for _, c := range b {
		s.WriteByte(digits[c>>4])
		s.WriteByte(digits[c&15])
	}
	return s.String()
}
