package testkit_test

import (
	"bytes"
	"crypto/ed25519"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

// TestNewKeySeeds pins NewKey's seed layout: tests rely on it giving the
// keys they have always used.
func TestNewKeySeeds(t *testing.T) {
	for _, c := range []struct {
		i    int
		seed []byte
	}{
		{0, nil},
		{1, []byte{1}},
		{0x0201, []byte{1, 2}},
		{0xa50003, []byte{3, 0, 0xa5}},
	} {
		seed := make([]byte, ed25519.SeedSize)
		copy(seed, c.seed)
		want := ed25519.NewKeyFromSeed(seed)
		k := testkit.NewKey(c.i)
		if !bytes.Equal(k.Priv, want) {
			t.Errorf("NewKey(%#x) is not the key of seed %x", c.i, seed)
		}
		if !bytes.Equal(k.Pub[:], want.Public().(ed25519.PublicKey)) || k.Addr != k.Pub.Address() || k.Addr != testkit.KeyFromSeed(seed).Addr {
			t.Errorf("NewKey(%#x): public key or address does not match the private key", c.i)
		}
	}
	if got := testkit.NewKey(0).Pub.String(); got != "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29" {
		t.Errorf("NewKey(0) public key %s", got)
	}
	ks := testkit.NewKeys(5, 3)
	if len(ks) != 3 || ks[0].Addr != testkit.NewKey(5).Addr || ks[2].Addr != testkit.NewKey(7).Addr || ks[0].Addr == ks[1].Addr {
		t.Errorf("NewKeys(5, 3): %v", ks)
	}
}

func TestKeyFromSeedPanicsOnShortSeed(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("KeyFromSeed of 31 bytes did not panic")
		}
	}()
	testkit.KeyFromSeed(make([]byte, 31))
}

// roundTrip decodes tx's encoding and checks it is tx, validly signed.
func roundTrip(t *testing.T, tx *core.Tx) *core.Tx {
	t.Helper()
	if !tx.VerifySignature() {
		t.Fatalf("bad signature on %+v", tx)
	}
	got, err := core.DecodeTx(tx.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if got.ID() != tx.ID() {
		t.Fatalf("decoded tx %+v differs from %+v", got, tx)
	}
	return got
}

func TestTxs(t *testing.T) {
	a, b := testkit.NewKey(1), testkit.NewKey(2)
	tx := roundTrip(t, a.Transfer("kit", b.Addr, 5, 10, 3))
	if tx.Version != core.TxVersion || tx.Kind != core.KindTransfer || tx.ChainID != "kit" || tx.From != a.Pub || tx.To != b.Addr ||
		tx.Amount != 5 || tx.Fee != 10 || tx.Nonce != 3 || tx.Memo != nil {
		t.Errorf("Transfer: %+v", tx)
	}

	body := &core.AssetCreate{Symbol: "KIT", MaxSupply: 10, InitialSupply: 10}
	tx = roundTrip(t, b.Tx2("kit", body, 20, 4))
	if tx.Version != core.TxVersion2 || tx.Kind != core.KindAssetCreate || tx.ChainID != "kit" || tx.From != b.Pub ||
		tx.Fee != 20 || tx.Nonce != 4 || tx.Sender() != b.Addr {
		t.Errorf("Tx2: %+v", tx)
	}

	// Sign sets From, whatever it was.
	tx = a.Sign(&core.Tx{Version: core.TxVersion, ChainID: "kit", From: b.Pub, To: b.Addr, Amount: 1, Fee: 10, Memo: []byte("m")})
	if roundTrip(t, tx).From != a.Pub {
		t.Errorf("Sign kept From %s", tx.From)
	}
}

func TestGenesis(t *testing.T) {
	ks := testkit.NewKeys(1, 4)
	funded := testkit.Fund(1000, ks...)
	funded[ks[0].Addr] = 7
	g := testkit.Genesis("kit", funded)
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	if g.ChainID != "kit" || g.Timestamp != testkit.GenesisTime || g.InitialBits != testkit.TrivialBits || g.MinFee != testkit.MinFee ||
		g.InitialReward != core.DefaultInitialReward || g.TargetBlockTimeMs != core.DefaultBlockTimeMs {
		t.Errorf("parameters: %+v", g)
	}
	if len(g.Alloc) != 4 || g.AllocTotal() != 3007 {
		t.Fatalf("alloc %v", g.Alloc)
	}
	for i, a := range g.Alloc {
		if i > 0 && bytes.Compare(g.Alloc[i-1].Address[:], a.Address[:]) >= 0 {
			t.Errorf("alloc not sorted: %v", g.Alloc)
		}
		if a.Balance != funded[a.Address] {
			t.Errorf("%s has %d, want %d", a.Address, a.Balance, funded[a.Address])
		}
	}
	if g2 := testkit.Genesis("kit", funded); g2.Hash() != g.Hash() {
		t.Error("the same arguments gave another genesis")
	}
	if g := testkit.Genesis("kit", nil); len(g.Alloc) != 0 || g.Validate() != nil {
		t.Errorf("unfunded genesis: %v %v", g.Alloc, g.Validate())
	}
}
