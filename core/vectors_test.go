package core

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
)

func loadJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func mustHash(t *testing.T, s string) Hash {
	t.Helper()
	h, err := ParseHash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestAddressVectors checks the independent implementation's bech32m vectors.
func TestAddressVectors(t *testing.T) {
	var raw struct {
		Valid []struct {
			PublicKey string `json:"public_key"`
			Payload   string `json:"payload"`
			Prefix    string `json:"prefix"`
			Address   string `json:"address"`
		} `json:"valid"`
		Invalid []struct {
			Address string `json:"address"`
			Prefix  string `json:"prefix"`
			Why     string `json:"why"`
		} `json:"invalid"`
	}
	loadJSON(t, "testdata/address.json", &raw)
	if len(raw.Valid) == 0 || len(raw.Invalid) == 0 {
		t.Fatal("no vectors loaded")
	}
	for _, c := range raw.Valid {
		pk, err := ParsePublicKey(c.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		a := pk.Address()
		if got := hex.EncodeToString(a[:]); got != c.Payload {
			t.Errorf("payload of %s = %s, want %s", c.PublicKey, got, c.Payload)
		}
		if got := a.Encode(c.Prefix); got != c.Address {
			t.Errorf("Encode(%s) = %s, want %s", c.Prefix, got, c.Address)
		}
		back, err := ParseAddress(c.Address, c.Prefix)
		if err != nil || back != a {
			t.Errorf("ParseAddress(%s) = %x, %v", c.Address, back, err)
		}
	}
	for _, c := range raw.Invalid {
		t.Run(c.Why, func(t *testing.T) {
			_, err := ParseAddress(c.Address, c.Prefix)
			if err == nil {
				t.Fatalf("ParseAddress(%q) accepted an invalid address (%s)", c.Address, c.Why)
			}
			if CodeOf(err) != CodeMalformed || len(err.Error()) < 10 {
				t.Errorf("error %q: want a malformed error naming the problem", err)
			}
		})
	}
}

// TestMerkleVectors checks RFC 6962 roots and audit paths.
func TestMerkleVectors(t *testing.T) {
	var v struct {
		Leaves []string `json:"leaves"`
		Roots  []struct {
			N    int    `json:"n"`
			Root string `json:"root"`
		} `json:"roots"`
		Proofs []struct {
			N      int      `json:"n"`
			Index  int      `json:"index"`
			Leaf   string   `json:"leaf"`
			Root   string   `json:"root"`
			Branch []string `json:"branch"`
		} `json:"proofs"`
	}
	loadJSON(t, "testdata/merkle.json", &v)
	ids := make([]Hash, len(v.Leaves))
	for i, l := range v.Leaves {
		ids[i] = mustHash(t, l)
	}
	if len(v.Roots) == 0 || len(v.Proofs) == 0 {
		t.Fatal("no vectors loaded")
	}
	for _, r := range v.Roots {
		if got := MerkleRoot(ids[:r.N]); got.String() != r.Root {
			t.Errorf("root of %d leaves = %s, want %s", r.N, got, r.Root)
		}
	}
	for _, p := range v.Proofs {
		branch, err := MerkleProof(ids[:p.N], p.Index)
		if err != nil {
			t.Fatalf("proof n=%d index=%d: %v", p.N, p.Index, err)
		}
		if len(branch) != len(p.Branch) {
			t.Fatalf("proof n=%d index=%d: %d nodes, want %d", p.N, p.Index, len(branch), len(p.Branch))
		}
		for i := range branch {
			if branch[i].String() != p.Branch[i] {
				t.Errorf("proof n=%d index=%d node %d = %s, want %s", p.N, p.Index, i, branch[i], p.Branch[i])
			}
		}
		root, leaf := mustHash(t, p.Root), mustHash(t, p.Leaf)
		if err := VerifyMerkleProof(root, leaf, uint64(p.Index), uint64(p.N), branch); err != nil {
			t.Errorf("verify n=%d index=%d: %v", p.N, p.Index, err)
		}
		if len(branch) > 0 {
			bad := append([]Hash(nil), branch...)
			bad[0][0] ^= 1
			if VerifyMerkleProof(root, leaf, uint64(p.Index), uint64(p.N), bad) == nil {
				t.Errorf("tampered proof n=%d index=%d verified", p.N, p.Index)
			}
		}
		if p.N > 1 && VerifyMerkleProof(root, leaf, uint64((p.Index+1)%p.N), uint64(p.N), branch) == nil {
			t.Errorf("proof n=%d index=%d verified at the wrong index", p.N, p.Index)
		}
	}
	// Every index of every size round-trips.
	for n := 1; n <= len(ids); n++ {
		root := MerkleRoot(ids[:n])
		for i := 0; i < n; i++ {
			br, err := MerkleProof(ids[:n], i)
			if err != nil {
				t.Fatal(err)
			}
			if err := VerifyMerkleProof(root, ids[i], uint64(i), uint64(n), br); err != nil {
				t.Fatalf("n=%d i=%d: %v", n, i, err)
			}
		}
	}
}
