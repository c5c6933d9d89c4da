package pow

import (
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// The vectors in testdata/ are copies of shared/testdata, computed by an
// independent implementation of the protocol.

type compactVectors struct {
	Encode []struct {
		Target       string `json:"target"`
		Bits         string `json:"bits"`
		TargetOfBits string `json:"target_of_bits"`
	} `json:"encode"`
	Decode []struct {
		Bits   string `json:"bits"`
		Target string `json:"target"`
	} `json:"decode"`
	Invalid []struct {
		Bits string `json:"bits"`
		Why  string `json:"why"`
	} `json:"invalid"`
}

type asertVectors struct {
	Sets []asertSet `json:"sets"`
}

type asertSet struct {
	Name              string `json:"name"`
	TargetBlockTimeMs uint64 `json:"target_block_time_ms"`
	AsertHalflifeMs   uint64 `json:"asert_halflife_ms"`
	PowLimitBits      string `json:"pow_limit_bits"`
	PowLimit          string `json:"pow_limit"`
	Anchor            struct {
		Height      uint64 `json:"height"`
		TimestampMs uint64 `json:"timestamp_ms"`
		Bits        string `json:"bits"`
	} `json:"anchor"`
	Cases []struct {
		Case              string `json:"case"`
		ParentHeight      uint64 `json:"parent_height"`
		ParentTimestampMs uint64 `json:"parent_timestamp_ms"`
		Bits              string `json:"bits"`
	} `json:"cases"`
}

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func parseBits(t testing.TB, s string) uint32 {
	t.Helper()
	v, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		t.Fatalf("bits %q: %v", s, err)
	}
	return uint32(v)
}

func parseTarget(t testing.TB, s string) *big.Int {
	t.Helper()
	h, err := core.ParseHash(s)
	if err != nil {
		t.Fatalf("target %q: %v", s, err)
	}
	return HashToBig(h)
}
