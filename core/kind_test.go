package core

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// sampleBodies returns a filled body of every version-2 kind.
func sampleBodies() []Body {
	a, b := Address{1, 2, 3}, Address{9, 8, 7}
	asset := NewAssetID(a, 4)
	return []Body{
		&AssetCreate{Symbol: "ACME", Name: "Acme points", Decimals: 2, MaxSupply: 1_000_000, InitialSupply: 500,
			MetadataHash: Sum([]byte("meta")), Flags: FlagMintable | FlagFreezable, Manager: a, Minter: a, Freezer: b},
		&AssetCreate{Symbol: "LOTS", Name: "", MaxSupply: 10, Flags: FlagUnique, Minter: a},
		&AssetTransfer{Asset: asset, To: b, Amount: 12},
		&AssetMint{Asset: asset, To: b, Amount: 1},
		&AssetBurn{Asset: asset, Amount: MaxMoney},
		&AssetFreeze{Asset: asset, Holder: b, Frozen: true},
		&AssetClawback{Asset: asset, From: b, Amount: 3},
		&AssetConfig{Asset: asset, Minter: &Address{}, Freezer: &b},
		&ItemMint{Collection: asset, ItemID: []byte("LOT-42"), To: b},
		&ItemMint{Collection: asset, ItemID: []byte{0, 1, 0xff}, MetadataHash: Sum([]byte("m")), To: b},
		&ItemTransfer{Collection: asset, ItemID: []byte("LOT-42"), To: a},
		&ItemAttest{Collection: asset, ItemID: []byte("LOT-42"), Tag: "shipped", DataHash: Sum([]byte("bill of lading"))},
		&ItemBurn{Collection: asset, ItemID: []byte("LOT-42")},
		&ContractDeploy{Code: append([]byte("\x00asm\x01\x00\x00\x00"), make([]byte, 40_000)...), InitInput: []byte{1, 2}},
		&ContractCall{Contract: b, Input: []byte("transfer"), Amount: 7, GasLimit: 100_000},
		&PermGrant{Role: "submit", Address: b},
		&PermRevoke{Role: "admin", Address: a},
	}
}

func testTx2(seed byte, nonce uint64, body Body) *Tx {
	k := testKey(seed)
	tx := &Tx{Version: TxVersion2, Kind: body.Kind(), ChainID: "test", Fee: 1000, Nonce: nonce, Body: body}
	copy(tx.From[:], k.Public().(ed25519.PublicKey))
	tx.Sign(k)
	return tx
}

// TestTxV2RoundTrip: every kind encodes, decodes to the same tx, passes
// sanity, and converts to JSON and back to the same bytes; every kind has
// a body and a name.
func TestTxV2RoundTrip(t *testing.T) {
	seen := map[Kind]bool{}
	for i, body := range sampleBodies() {
		seen[body.Kind()] = true
		tx := testTx2(byte(i+1), uint64(i), body)
		enc := tx.Encode()
		if len(enc) != tx.Size() || len(enc) > body.Kind().MaxTxSize() {
			t.Fatalf("%s: %d bytes, Size %d", body.Kind(), len(enc), tx.Size())
		}
		got, err := DecodeTx(enc)
		if err != nil {
			t.Fatalf("%s: decode: %v", body.Kind(), err)
		}
		if !bytes.Equal(got.Encode(), enc) || got.ID() != tx.ID() || got.Kind != body.Kind() {
			t.Fatalf("%s: round trip differs", body.Kind())
		}
		if err := got.CheckSanity("test", 1000, true); err != nil {
			t.Fatalf("%s: sanity: %v", body.Kind(), err)
		}
		j := tx.JSON("cairn")
		data, err := json.Marshal(j)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), `"to":`) && body.Kind() != KindAssetTransfer {
			// to appears only inside a body that has one
			if !strings.Contains(string(data), `"body":{`) {
				t.Fatalf("%s: version-2 JSON has an envelope to: %s", body.Kind(), data)
			}
		}
		var back TxJSON
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		tx2, err := back.Tx("cairn")
		if err != nil {
			t.Fatalf("%s: from JSON %s: %v", body.Kind(), data, err)
		}
		if !bytes.Equal(tx2.Encode(), enc) {
			t.Fatalf("%s: JSON round trip differs:\n%s", body.Kind(), data)
		}
	}
	for _, k := range Kinds() {
		if k != KindTransfer && !seen[k] {
			t.Errorf("kind %s has no sample", k)
		}
		if pk, err := ParseKind(k.String()); err != nil || pk != k {
			t.Errorf("kind %s does not parse back", k)
		}
	}
	// A version-1 tx keeps its JSON shape (amount 0 included) and gains
	// only kind.
	v1 := testTx(1, 0)
	v1.Amount = 0
	v1.Sign(testKey(1))
	data, _ := json.Marshal(v1.JSON("cairn"))
	for _, want := range []string{`"kind":"transfer"`, `"amount":0`, `"to":"cairn1`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("v1 JSON lacks %s: %s", want, data)
		}
	}
}

// TestTxV2Refused: each broken envelope or body fails with its code.
func TestTxV2Refused(t *testing.T) {
	good := testTx2(1, 0, &AssetTransfer{Asset: AssetID{1}, To: Address{2}, Amount: 5}).Encode()
	withKind := func(k byte) []byte { b := bytes.Clone(good); b[2] = k; return b }
	cases := []struct {
		name string
		raw  []byte
		code Code
	}{
		{"unknown version", append([]byte{0, 3}, good[2:]...), CodeBadVersion},
		{"kind transfer in v2", withKind(0), CodeBadVersion},
		{"unknown kind", withKind(200), CodeBadVersion},
		{"body of another kind", withKind(byte(KindAssetBurn)), CodeMalformed},
		{"trailing byte", append(bytes.Clone(good), 0), CodeMalformed},
		{"truncated", good[:len(good)-1], CodeMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeTx(c.raw)
			if !errors.Is(err, c.code) {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
	sanity := []struct {
		name string
		body Body
		code Code
	}{
		{"zero amount", &AssetTransfer{To: Address{1}, Amount: 0}, CodeInvalidAmount},
		{"zero recipient", &AssetTransfer{Amount: 1}, CodeMalformed},
		{"zero holder", &AssetFreeze{}, CodeMalformed},
		{"amount above MaxMoney", &AssetMint{To: Address{1}, Amount: MaxMoney + 1}, CodeInvalidAmount},
		{"lowercase symbol", &AssetCreate{Symbol: "acme", MaxSupply: 1}, CodeMalformed},
		{"long symbol", &AssetCreate{Symbol: "ABCDEFGHIJKLM", MaxSupply: 1}, CodeMalformed},
		{"19 decimals", &AssetCreate{Symbol: "A", Decimals: 19, MaxSupply: 1}, CodeMalformed},
		{"initial above max", &AssetCreate{Symbol: "A", MaxSupply: 1, InitialSupply: 2}, CodeSupplyExceeded},
		{"unknown flag", &AssetCreate{Symbol: "A", MaxSupply: 1, Flags: 0x80}, CodeMalformed},
		{"unique with decimals", &AssetCreate{Symbol: "A", MaxSupply: 1, Flags: FlagUnique, Decimals: 1, Minter: Address{1}}, CodeMalformed},
		{"unique without minter", &AssetCreate{Symbol: "A", MaxSupply: 1, Flags: FlagUnique}, CodeMalformed},
		{"config of nothing", &AssetConfig{}, CodeMalformed},
		{"empty item id", &ItemMint{To: Address{1}}, CodeMalformed},
		{"tag with a space", &ItemAttest{ItemID: []byte("x"), Tag: "in transit"}, CodeMalformed},
		{"long tag", &ItemAttest{ItemID: []byte("x"), Tag: strings.Repeat("a", 33)}, CodeMalformed},
	}
	for _, c := range sanity {
		t.Run(c.name, func(t *testing.T) {
			tx := testTx2(1, 0, c.body)
			if err := tx.CheckSanity("test", 0, true); !errors.Is(err, c.code) {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
}

// TestBodyJSONRefused: unknown, missing and mistyped fields name the field.
func TestBodyJSONRefused(t *testing.T) {
	cases := []struct {
		kind Kind
		json string
		want string
	}{
		{KindAssetTransfer, `{"asset":"` + strings.Repeat("ab", 20) + `","to":"","amount":1}`, "body.to"},
		{KindAssetTransfer, `{"asset":"zz","to":"","amount":1}`, "body.asset"},
		{KindAssetTransfer, `{"asset":"` + strings.Repeat("ab", 20) + `","amount":1}`, "body.to: missing"},
		{KindAssetBurn, `{"asset":"` + strings.Repeat("ab", 20) + `","amount":1,"memo":"x"}`, "body.memo: not a field"},
		{KindAssetBurn, `{"asset":"` + strings.Repeat("ab", 20) + `","amount":-1}`, "body.amount"},
		{KindAssetCreate, `{"symbol":"A","name":"","decimals":0,"max_supply":1,"initial_supply":0,"flags":["shiny"]}`, "unknown flag"},
		{KindItemBurn, `{"collection":"` + strings.Repeat("ab", 20) + `","item_id":"0xzz"}`, "body.item_id"},
		{KindItemBurn, `[]`, "want a JSON object"},
	}
	for _, c := range cases {
		_, err := ParseBodyJSON(c.kind, json.RawMessage(c.json), "cairn")
		if err == nil || !strings.Contains(err.Error(), c.want) || !IsRuleError(err) {
			t.Errorf("%s %s: got %v, want an error naming %q", c.kind, c.json, err, c.want)
		}
	}
}

func TestItemIDText(t *testing.T) {
	for _, id := range [][]byte{[]byte("LOT-42"), {0, 1}, []byte("0xabc"), []byte("line\nbreak"), []byte("Grüße")} {
		back, err := ParseItemID(ItemIDText(id))
		if err != nil || !bytes.Equal(back, id) {
			t.Errorf("%q -> %q -> %q (%v)", id, ItemIDText(id), back, err)
		}
	}
}

func TestAssetID(t *testing.T) {
	a := NewAssetID(Address{1}, 0)
	if a == NewAssetID(Address{1}, 1) || a == NewAssetID(Address{2}, 0) {
		t.Fatal("asset ids collide")
	}
	back, err := ParseAssetID(a.String())
	if err != nil || back != a || len(a.String()) != 40 {
		t.Fatalf("%s -> %v (%v)", a, back, err)
	}
}

// FuzzDecodeBody: for every kind, a body decodes only if it re-encodes to
// the same bytes, and a decoded body's JSON parses back to it.
func FuzzDecodeBody(f *testing.F) {
	for _, b := range sampleBodies() {
		f.Add(uint8(b.Kind()), AppendBody(nil, b))
	}
	f.Add(uint8(KindAssetConfig), []byte{})
	f.Fuzz(func(t *testing.T, k uint8, raw []byte) {
		body, err := DecodeBody(Kind(k), raw)
		if err != nil {
			if !IsRuleError(err) {
				t.Fatalf("not a rule error: %v", err)
			}
			return
		}
		if enc := AppendBody(nil, body); !bytes.Equal(enc, raw) || bodySize(body) != len(raw) {
			t.Fatalf("decode(b) re-encodes differently:\n%x\n%x", raw, enc)
		}
		if checkBody(body) != nil {
			return
		}
		back, err := ParseBodyJSON(Kind(k), BodyJSON(body, "cairn"), "cairn")
		if err != nil {
			t.Fatalf("JSON of a valid body does not parse: %v\n%s", err, BodyJSON(body, "cairn"))
		}
		if !bytes.Equal(AppendBody(nil, back), raw) {
			t.Fatalf("JSON round trip differs: %s", BodyJSON(body, "cairn"))
		}
	})
}
