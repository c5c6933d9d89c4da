package anchor

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/core"
)

// TestV1Fixture: a receipt as cairn wrote it before batches still parses
// and checks against its file; it has no headers to check offline.
func TestV1Fixture(t *testing.T) {
	data, err := os.ReadFile("testdata/v1.receipt.json")
	if err != nil {
		t.Fatal(err)
	}
	content, err := os.ReadFile("testdata/v1.txt")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := rc.CheckRecord(core.Sum(content))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Root != core.Sum(content) || rec.Proof.Index != 1 || rec.Proof.Size != 3 {
		t.Fatalf("record %+v", rec)
	}
	_, err = rc.VerifyHeaders(rec.Proof, nil, time.Now())
	wantInvalid(t, err, "version-1 receipt carries no headers")
	content[0] ^= 1
	_, err = rc.CheckRecord(core.Sum(content))
	wantInvalid(t, err, "not the anchored file")
}

func TestParse(t *testing.T) {
	v1, err := os.ReadFile("testdata/v1.receipt.json")
	if err != nil {
		t.Fatal(err)
	}
	names := writeFiles(t, t.TempDir(), 2)
	_, _, rcs := batch(t, names, "T", randomSalt, false)
	v2, _ := rcs[0].Marshal()
	for _, good := range [][]byte{v1, v2} {
		if _, err := Parse(good); err != nil {
			t.Fatal(err)
		}
	}
	strip := func(field string) string {
		// Drops "field": value up to the next top-level field.
		s := string(v2)
		i := strings.Index(s, "\n  \""+field+"\"")
		j := strings.Index(s[i+1:], "\n  \"")
		return s[:i] + s[i+1+j:]
	}
	for in, want := range map[string]string{
		`[]`:                           "not an anchor receipt",
		`{"version": 1, "x": 2}`:       "unknown field",
		string(v1) + `{}`:              "data after",
		`{"version": 3}`:               "receipt version 3",
		`{"version": 1, "tx": 5}`:      "not an anchor receipt",
		`{"version": 1, "height":-1}`:  "not an anchor receipt",
		`{"version": 1, "leaf": "00"}`: "version-2 fields",
		strings.Replace(string(v2), `"version": 2`, `"version": 1`, 1): "version-2 fields",
		strip("leaf"):    "without its leaf",
		strip("batch"):   "without its batch path",
		strip("genesis"): "without its genesis",
		strip("headers"): "without headers",
	} {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%.80s...) = %v, want %q", in, err, want)
		}
	}
	if _, err := Parse(bytes.Repeat([]byte(" "), MaxReceiptSize+1)); err == nil {
		t.Error("an oversized receipt parsed")
	}
}

// TestMaxFutureDrift: the offline check allows the drift every node does.
func TestMaxFutureDrift(t *testing.T) {
	if MaxFutureDrift != chain.MaxFutureDrift {
		t.Fatalf("anchor.MaxFutureDrift %s, chain.MaxFutureDrift %s", MaxFutureDrift, chain.MaxFutureDrift)
	}
}

// FuzzParse: no panics on any input, v1 and v2 seeds; a receipt that
// parses and checks for a file hash still does after a round trip through
// its file form, and for no other hash.
func FuzzParse(f *testing.F) {
	v1, err := os.ReadFile("testdata/v1.receipt.json")
	if err != nil {
		f.Fatal(err)
	}
	content, _ := os.ReadFile("testdata/v1.txt")
	sum := core.Sum(content)
	f.Add(v1, sum[:])
	v2, err := os.ReadFile("testdata/v2.receipt.json")
	if err != nil {
		f.Fatal(err)
	}
	content2, _ := os.ReadFile("testdata/v2.txt")
	s2 := core.Sum(content2)
	f.Add(v2, s2[:])
	for _, name := range []string{"v2-poa-full", "v2-poa-votes"} {
		rc, _ := os.ReadFile("testdata/" + name + ".receipt.json")
		content, _ := os.ReadFile("testdata/" + name + ".txt")
		s := core.Sum(content)
		f.Add(rc, s[:])
	}
	f.Add([]byte(`{"version":2}`), []byte{})
	now := time.Now()
	f.Fuzz(func(t *testing.T, in, hash []byte) {
		r, err := Parse(in)
		if err != nil {
			return
		}
		var h core.Hash
		copy(h[:], hash)
		rec, err := r.CheckRecord(h)
		if err != nil {
			return
		}
		_, herr := r.VerifyHeaders(rec.Proof, nil, now)
		again, err := r.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		r2, err := Parse(again)
		if err != nil {
			t.Fatalf("a valid receipt stopped parsing after a round trip: %v", err)
		}
		rec2, err := r2.CheckRecord(h)
		if err != nil {
			t.Fatalf("a valid receipt stopped checking after a round trip: %v", err)
		}
		if _, herr2 := r2.VerifyHeaders(rec2.Proof, nil, now); (herr == nil) != (herr2 == nil) {
			t.Fatalf("headers checked %v, after a round trip %v", herr, herr2)
		}
		h[0] ^= 1
		if _, err := r.CheckRecord(h); err == nil {
			t.Fatal("a receipt checked for two file hashes")
		}
	})
}

// TestV2Fixture: a version-2 receipt written by this package earlier
// verifies offline from its file alone.
func TestV2Fixture(t *testing.T) {
	data, err := os.ReadFile("testdata/v2.receipt.json")
	if err != nil {
		t.Fatal(err)
	}
	content, err := os.ReadFile("testdata/v2.txt")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := verify(rc, core.Sum(content))
	if err != nil {
		t.Fatal(err)
	}
	if rc.Topic != "SHIP-2026-0042" || ch.Block.Height != rc.Height || ch.Confirmations != 8 {
		t.Fatalf("topic %q, block %d, %d confirmations", rc.Topic, ch.Block.Height, ch.Confirmations)
	}
}

// TestMarshalBatch: the batch encoding is byte for byte each receipt's
// own, including a receipt whose shared fields differ.
func TestMarshalBatch(t *testing.T) {
	names := writeFiles(t, t.TempDir(), 5)
	_, _, rcs := batch(t, names, "SHIP-1", randomSalt, false)
	odd := clone(rcs[3])
	odd.Node = "http://10.0.0.1:8645"
	odd.Headers = odd.Headers[1:]
	rcs[3] = odd
	got, err := MarshalBatch(rcs)
	if err != nil {
		t.Fatal(err)
	}
	for i, rc := range rcs {
		want, err := rc.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[i], want) {
			t.Fatalf("receipt %d:\n%s\nwant\n%s", i, got[i], want)
		}
		if _, err := Parse(got[i]); err != nil {
			t.Fatalf("receipt %d: %v", i, err)
		}
	}
}
