package core

import (
	"errors"
	"strings"
	"testing"
)

const addr0 = "cairn1ve584t0cv27hwmy0cx9ca8uwyqyfw9y96sywx6"

func TestParseGenesis(t *testing.T) {
	g, err := ParseGenesis([]byte(`{"chain_id":"acme-1","timestamp":1700000000000,"alloc":{"` + addr0 + `":500000000}}`))
	if err != nil {
		t.Fatal(err)
	}
	if g.TargetBlockTimeMs != DefaultBlockTimeMs || g.MaxBlockTxs != DefaultMaxBlockTxs || g.AddressPrefix != "cairn" {
		t.Fatal("defaults not applied")
	}
	if g.AllocTotal() != 500000000 {
		t.Fatal("alloc lost")
	}
	blk := g.Block()
	if blk.Header.Height != 0 || blk.Header.PrevHash != g.ParamsHash() || blk.Header.TxRoot != MerkleRoot(nil) {
		t.Fatal("genesis block fields")
	}
	// The genesis hash commits to every parameter, alloc included.
	g2 := *g
	g2.Alloc = append([]Alloc(nil), g.Alloc...)
	g2.Alloc[0].Balance++
	if g2.Hash() == g.Hash() {
		t.Fatal("genesis hash does not commit to alloc")
	}
	g3 := *g
	g3.MinFee++
	if g3.Hash() == g.Hash() {
		t.Fatal("genesis hash does not commit to min_fee")
	}
	if g.Reward(0) != 0 || g.Reward(1) != DefaultInitialReward || g.Reward(DefaultHalvingInterval) != DefaultInitialReward/2 || g.Reward(64*DefaultHalvingInterval) != 0 {
		t.Fatal("reward schedule")
	}
}

func TestParseGenesisRejects(t *testing.T) {
	cases := []struct{ name, json, want string }{
		{"not json", `{`, "invalid JSON"},
		{"unknown field", `{"chain_id":"a","timestamp":1,"colour":1}`, "colour"},
		{"missing chain id", `{"timestamp":1}`, "chain_id"},
		{"bad chain id", `{"chain_id":"A B","timestamp":1}`, "chain_id"},
		{"missing timestamp", `{"chain_id":"a"}`, "timestamp"},
		{"negative reward", `{"chain_id":"a","timestamp":1,"initial_reward":-5}`, "initial_reward"},
		{"fractional fee", `{"chain_id":"a","timestamp":1,"min_fee":1.5}`, "min_fee"},
		{"bad prefix", `{"chain_id":"a","timestamp":1,"address_prefix":"Bad!"}`, "address_prefix"},
		{"bad alloc address", `{"chain_id":"a","timestamp":1,"alloc":{"cairn1xyz":1}}`, "alloc"},
		{"alloc of another prefix", `{"chain_id":"a","timestamp":1,"address_prefix":"acme","alloc":{"` + addr0 + `":1}}`, "prefix"},
		{"alloc above MaxMoney", `{"chain_id":"a","timestamp":1,"alloc":{"` + addr0 + `":9007199254740992}}`, "MaxMoney"},
		{"alloc negative", `{"chain_id":"a","timestamp":1,"alloc":{"` + addr0 + `":-1}}`, "balance"},
		{"supply overflow", `{"chain_id":"a","timestamp":1,"initial_reward":9007199254740991}`, "supply"},
		{"zero halving", `{"chain_id":"a","timestamp":1,"halving_interval":0}`, "halving_interval"},
		{"zero block time", `{"chain_id":"a","timestamp":1,"target_block_time_ms":0}`, "target_block_time_ms"},
		{"tiny block", `{"chain_id":"a","timestamp":1,"max_block_bytes":10}`, "max_block_bytes"},
		{"bad bits", `{"chain_id":"a","timestamp":1,"initial_bits":"zz"}`, "bits"},
		{"trailing data", `{"chain_id":"a","timestamp":1} {}`, "after"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseGenesis([]byte(c.json))
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, CodeBadGenesis) {
				t.Fatalf("code: %v", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestGenesisJSONRoundTrip(t *testing.T) {
	g := NewGenesis("rt", 1700000000000)
	a, _ := ParseAddress(addr0, "cairn")
	g.Alloc = []Alloc{{Address: a, Balance: 7}}
	out, err := g.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseGenesis(out)
	if err != nil {
		t.Fatal(err)
	}
	if back.Hash() != g.Hash() {
		t.Fatalf("round trip changed the genesis: %s", out)
	}
}

// TestGenesisPoA: a proof-of-authority genesis loads from JSON with its
// signers sorted, is part of the chain's identity, and bad parameters are
// refused with what is wrong; a PoW genesis keeps its hash.
func TestGenesisPoA(t *testing.T) {
	a, b := PublicKey{2}, PublicKey{1}
	doc := `{"chain_id":"auth","timestamp":1700000000000,"consensus":"poa","poa":{"signers":["` + a.String() + `","` + b.String() + `"],"period_ms":1000}}`
	g, err := LoadGenesis(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if !g.IsPoA() || g.PoA.Signers[0] != b || g.PoA.PoAEpoch() != DefaultPoAEpoch {
		t.Fatalf("loaded %+v", g.PoA)
	}
	if g.InitialReward != 0 {
		t.Fatalf("a PoA genesis without initial_reward pays %d a block, want no reward", g.InitialReward)
	}
	withReward, err := LoadGenesis(strings.NewReader(strings.Replace(doc, `"consensus"`, `"initial_reward":7,"consensus"`, 1)))
	if err != nil || withReward.InitialReward != 7 {
		t.Fatalf("a PoA genesis with a reward: %v, %v", withReward, err)
	}
	pow := NewGenesis("auth", 1_700_000_000_000)
	if g.Hash() == pow.Hash() {
		t.Fatal("the engine is not part of the chain's identity")
	}
	other := *g
	other.PoA = &PoAParams{Signers: []PublicKey{a}, PeriodMs: 1000}
	if other.Hash() == g.Hash() {
		t.Fatal("the signers are not part of the chain's identity")
	}
	for name, c := range map[string]string{
		"unknown engine":   `"consensus":"pos"`,
		"no signers":       `"consensus":"poa","poa":{"signers":[],"period_ms":1000}`,
		"period too short": `"consensus":"poa","poa":{"signers":["` + a.String() + `"],"period_ms":10}`,
		"twice":            `"consensus":"poa","poa":{"signers":["` + a.String() + `","` + a.String() + `"],"period_ms":1000}`,
		"poa without poa":  `"poa":{"signers":["` + a.String() + `"],"period_ms":1000}`,
		"bad key":          `"consensus":"poa","poa":{"signers":["zz"],"period_ms":1000}`,
	} {
		_, err := LoadGenesis(strings.NewReader(`{"chain_id":"auth","timestamp":1700000000000,` + c + `}`))
		if err == nil || !strings.Contains(err.Error(), "genesis") && !strings.Contains(err.Error(), "signers") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
