package state

import (
	"errors"
	"maps"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// tx2 signs a version-2 tx of body from k.
func (k testKey) tx2(body core.Body, nonce uint64) *core.Tx {
	return k.Tx2("test", body, 10, nonce)
}

// assetWorld is a state with an issuer (key 1) that created a mintable,
// freezable, clawback asset (all roles its own) with 1,000 units, and a
// unique collection (minter: the issuer) holding item "LOT-1" owned by
// key 2; keys 1-4 have coins.
type assetWorld struct {
	st            Memory
	g             *core.Genesis
	issuer, alice testKey
	bob, carol    testKey
	asset, coll   core.AssetID
	nonces        map[core.Address]uint64
}

func newAssetWorld(t *testing.T) *assetWorld {
	w := &assetWorld{issuer: key(1), alice: key(2), bob: key(3), carol: key(4), nonces: map[core.Address]uint64{}}
	w.g = testGenesis(map[core.Address]uint64{w.issuer.Addr: 1e6, w.alice.Addr: 1e6, w.bob.Addr: 1e6, w.carol.Addr: 1e6})
	w.st = genesisState(w.g)
	i := w.issuer.Addr
	w.asset = core.NewAssetID(i, 0)
	w.coll = core.NewAssetID(i, 1)
	w.mustApply(t, w.issuer, &core.AssetCreate{Symbol: "ACME", Name: "Acme", Decimals: 2, MaxSupply: 10_000, InitialSupply: 1000,
		Flags: core.FlagMintable | core.FlagFreezable | core.FlagClawback, Manager: i, Minter: i, Freezer: i, Clawback: i})
	w.mustApply(t, w.issuer, &core.AssetCreate{Symbol: "LOTS", MaxSupply: 3, Flags: core.FlagUnique | core.FlagFreezable, Manager: i, Minter: i, Freezer: i})
	w.mustApply(t, w.issuer, &core.ItemMint{Collection: w.coll, ItemID: []byte("LOT-1"), To: w.alice.Addr})
	w.mustApply(t, w.issuer, &core.AssetTransfer{Asset: w.asset, To: w.alice.Addr, Amount: 100})
	return w
}

// apply applies one tx from k in a block and returns the error; on
// success the state moves on.
func (w *assetWorld) apply(k testKey, body core.Body) error {
	tx := k.tx2(body, w.nonces[k.Addr])
	res, err := ApplyBlock(w.st, Rules{Genesis: w.g}, &core.Block{Header: core.Header{Height: 1, Miner: key(9).Addr}, Txs: []*core.Tx{tx}})
	if err != nil {
		return err
	}
	w.st.Apply(res.Changes)
	w.nonces[k.Addr]++
	return nil
}

func (w *assetWorld) mustApply(t *testing.T, k testKey, body core.Body) {
	t.Helper()
	if err := w.apply(k, body); err != nil {
		t.Fatalf("%s: %v", body.Kind(), err)
	}
}

func (w *assetWorld) holding(t *testing.T, id core.AssetID, k testKey) Holding {
	t.Helper()
	h, err := ReadHolding(w.st, id, k.Addr)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (w *assetWorld) assetRec(t *testing.T, id core.AssetID) *Asset {
	t.Helper()
	a, err := ReadAsset(w.st, id)
	if err != nil || a == nil {
		t.Fatalf("asset %s: %v", id, err)
	}
	return a
}

// checkSupply: for every asset, the sum of its holdings is its supply, not
// above max_supply.
func checkSupply(t interface {
	Fatal(...any)
	Fatalf(string, ...any)
}, st Memory) {
	for _, k := range st.WithPrefix([]byte{PrefixAsset}) {
		var id core.AssetID
		copy(id[:], k[1:])
		a, err := DecodeAsset(id, st[k])
		if err != nil {
			t.Fatal(err)
		}
		var sum uint64
		for _, hk := range st.WithPrefix(HoldingPrefix(id)) {
			h, err := DecodeHolding(st[hk])
			if err != nil {
				t.Fatal(err)
			}
			sum += h.Balance
		}
		if sum != a.Supply || a.Supply > a.MaxSupply {
			t.Fatalf("asset %s: holdings sum %d, supply %d, max %d", a.Symbol, sum, a.Supply, a.MaxSupply)
		}
	}
}

// TestAssetRules: each rule and role, with its refusal code; a refused tx
// changes nothing.
func TestAssetRules(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, w *assetWorld)
		from  func(w *assetWorld) testKey
		body  func(w *assetWorld) core.Body
		code  core.Code // "" = accepted
		check func(t *testing.T, w *assetWorld)
	}{
		{name: "transfer", from: alice, body: func(w *assetWorld) core.Body {
			return &core.AssetTransfer{Asset: w.asset, To: w.bob.Addr, Amount: 40}
		}, check: func(t *testing.T, w *assetWorld) {
			if w.holding(t, w.asset, w.alice).Balance != 60 || w.holding(t, w.asset, w.bob).Balance != 40 {
				t.Fatal("balances after transfer")
			}
		}},
		{name: "transfer of everything drops the holder", from: alice, body: func(w *assetWorld) core.Body {
			return &core.AssetTransfer{Asset: w.asset, To: w.bob.Addr, Amount: 100}
		}, check: func(t *testing.T, w *assetWorld) {
			if _, ok := w.st[string(HoldingKey(w.asset, w.alice.Addr))]; ok {
				t.Fatal("an emptied holding keeps a record")
			}
		}},
		{name: "transfer above holding", from: alice, body: func(w *assetWorld) core.Body {
			return &core.AssetTransfer{Asset: w.asset, To: w.bob.Addr, Amount: 101}
		}, code: core.CodeInsufficientFunds},
		{name: "transfer of no holding", from: bob, body: func(w *assetWorld) core.Body {
			return &core.AssetTransfer{Asset: w.asset, To: w.alice.Addr, Amount: 1}
		}, code: core.CodeInsufficientFunds},
		{name: "unknown asset", from: alice, body: func(w *assetWorld) core.Body {
			return &core.AssetTransfer{Asset: core.AssetID{7}, To: w.bob.Addr, Amount: 1}
		}, code: core.CodeAssetNotFound},
		{name: "collection units move as items", from: alice, body: func(w *assetWorld) core.Body {
			return &core.AssetTransfer{Asset: w.coll, To: w.bob.Addr, Amount: 1}
		}, code: core.CodeIsUnique},
		{name: "frozen sender", setup: freezeAlice, from: alice, body: func(w *assetWorld) core.Body {
			return &core.AssetTransfer{Asset: w.asset, To: w.bob.Addr, Amount: 1}
		}, code: core.CodeFrozen},
		{name: "frozen recipient", setup: freezeAlice, from: issuer, body: func(w *assetWorld) core.Body {
			return &core.AssetTransfer{Asset: w.asset, To: w.alice.Addr, Amount: 1}
		}, code: core.CodeFrozen},
		{name: "frozen holder may not burn", setup: freezeAlice, from: alice, body: func(w *assetWorld) core.Body {
			return &core.AssetBurn{Asset: w.asset, Amount: 1}
		}, code: core.CodeFrozen},
		{name: "unfreeze", setup: freezeAlice, from: issuer, body: func(w *assetWorld) core.Body {
			return &core.AssetFreeze{Asset: w.asset, Holder: w.alice.Addr, Frozen: false}
		}, check: func(t *testing.T, w *assetWorld) {
			if err := w.apply(w.alice, &core.AssetTransfer{Asset: w.asset, To: w.bob.Addr, Amount: 1}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "freeze by another", from: alice, body: func(w *assetWorld) core.Body {
			return &core.AssetFreeze{Asset: w.asset, Holder: w.bob.Addr, Frozen: true}
		}, code: core.CodeNotFreezer},
		{name: "freeze a holder with nothing yet", from: issuer, body: func(w *assetWorld) core.Body {
			return &core.AssetFreeze{Asset: w.asset, Holder: w.carol.Addr, Frozen: true}
		}, check: func(t *testing.T, w *assetWorld) {
			if !w.holding(t, w.asset, w.carol).Frozen || w.holding(t, w.asset, w.carol).Balance != 0 {
				t.Fatal("freeze of an empty holding")
			}
		}},
		{name: "mint", from: issuer, body: func(w *assetWorld) core.Body {
			return &core.AssetMint{Asset: w.asset, To: w.bob.Addr, Amount: 9000}
		}, check: func(t *testing.T, w *assetWorld) {
			if a := w.assetRec(t, w.asset); a.Supply != 10_000 {
				t.Fatalf("supply %d", a.Supply)
			}
		}},
		{name: "mint above max_supply", from: issuer, body: func(w *assetWorld) core.Body {
			return &core.AssetMint{Asset: w.asset, To: w.bob.Addr, Amount: 9001}
		}, code: core.CodeSupplyExceeded},
		{name: "mint by another", from: alice, body: func(w *assetWorld) core.Body {
			return &core.AssetMint{Asset: w.asset, To: w.alice.Addr, Amount: 1}
		}, code: core.CodeNotMinter},
		{name: "mint of a fixed asset", setup: func(t *testing.T, w *assetWorld) {
			w.mustApply(t, w.alice, &core.AssetCreate{Symbol: "FIX", MaxSupply: 10, InitialSupply: 5, Minter: w.alice.Addr})
		}, from: alice, body: func(w *assetWorld) core.Body {
			return &core.AssetMint{Asset: core.NewAssetID(w.alice.Addr, 0), To: w.alice.Addr, Amount: 1}
		}, code: core.CodeNotPermitted},
		{name: "burn", from: alice, body: func(w *assetWorld) core.Body {
			return &core.AssetBurn{Asset: w.asset, Amount: 30}
		}, check: func(t *testing.T, w *assetWorld) {
			if w.assetRec(t, w.asset).Supply != 970 {
				t.Fatal("burn did not lower the supply")
			}
		}},
		{name: "clawback", setup: freezeAlice, from: issuer, body: func(w *assetWorld) core.Body {
			return &core.AssetClawback{Asset: w.asset, From: w.alice.Addr, Amount: 100}
		}, check: func(t *testing.T, w *assetWorld) {
			if w.holding(t, w.asset, w.issuer).Balance != 1000 || w.holding(t, w.asset, w.alice).Balance != 0 {
				t.Fatal("clawback balances")
			}
		}},
		{name: "clawback by another", from: bob, body: func(w *assetWorld) core.Body {
			return &core.AssetClawback{Asset: w.asset, From: w.alice.Addr, Amount: 1}
		}, code: core.CodeNotClawback},
		{name: "clawback without the flag", setup: func(t *testing.T, w *assetWorld) {
			w.mustApply(t, w.bob, &core.AssetCreate{Symbol: "NOCB", MaxSupply: 10, InitialSupply: 10, Clawback: w.bob.Addr})
			w.mustApply(t, w.bob, &core.AssetTransfer{Asset: core.NewAssetID(w.bob.Addr, 0), To: w.alice.Addr, Amount: 5})
		}, from: bob, body: func(w *assetWorld) core.Body {
			return &core.AssetClawback{Asset: core.NewAssetID(w.bob.Addr, 0), From: w.alice.Addr, Amount: 1}
		}, code: core.CodeNotPermitted},
		{name: "config by another", from: alice, body: func(w *assetWorld) core.Body {
			return &core.AssetConfig{Asset: w.asset, Minter: addrPtr(w.alice.Addr)}
		}, code: core.CodeNotManager},
		{name: "config hands the minter role over", from: issuer, body: func(w *assetWorld) core.Body {
			return &core.AssetConfig{Asset: w.asset, Minter: addrPtr(w.bob.Addr)}
		}, check: func(t *testing.T, w *assetWorld) {
			if err := w.apply(w.bob, &core.AssetMint{Asset: w.asset, To: w.bob.Addr, Amount: 1}); err != nil {
				t.Fatalf("the new minter cannot mint: %v", err)
			}
			if err := w.apply(w.issuer, &core.AssetMint{Asset: w.asset, To: w.bob.Addr, Amount: 1}); !errors.Is(err, core.CodeNotMinter) {
				t.Fatalf("the old minter still mints: %v", err)
			}
		}},
		{name: "a cleared role is gone for ever", setup: func(t *testing.T, w *assetWorld) {
			w.mustApply(t, w.issuer, &core.AssetConfig{Asset: w.asset, Freezer: addrPtr(core.Address{})})
		}, from: issuer, body: func(w *assetWorld) core.Body {
			return &core.AssetConfig{Asset: w.asset, Freezer: addrPtr(w.issuer.Addr)}
		}, code: core.CodeNotPermitted},
		{name: "no manager, no config", setup: func(t *testing.T, w *assetWorld) {
			w.mustApply(t, w.issuer, &core.AssetConfig{Asset: w.asset, Manager: addrPtr(core.Address{})})
		}, from: issuer, body: func(w *assetWorld) core.Body {
			return &core.AssetConfig{Asset: w.asset, Minter: addrPtr(core.Address{})}
		}, code: core.CodeNotManager},
		{name: "item mint", from: issuer, body: func(w *assetWorld) core.Body {
			return &core.ItemMint{Collection: w.coll, ItemID: []byte("LOT-2"), To: w.bob.Addr}
		}, check: func(t *testing.T, w *assetWorld) {
			if a := w.assetRec(t, w.coll); a.Supply != 2 || w.holding(t, w.coll, w.bob).Balance != 1 {
				t.Fatalf("collection supply %d", a.Supply)
			}
		}},
		{name: "item id taken", from: issuer, body: func(w *assetWorld) core.Body {
			return &core.ItemMint{Collection: w.coll, ItemID: []byte("LOT-1"), To: w.bob.Addr}
		}, code: core.CodeItemExists},
		{name: "burned item id stays taken", setup: func(t *testing.T, w *assetWorld) {
			w.mustApply(t, w.alice, &core.ItemBurn{Collection: w.coll, ItemID: []byte("LOT-1")})
		}, from: issuer, body: func(w *assetWorld) core.Body {
			return &core.ItemMint{Collection: w.coll, ItemID: []byte("LOT-1"), To: w.bob.Addr}
		}, code: core.CodeItemExists},
		{name: "item mint by another", from: alice, body: func(w *assetWorld) core.Body {
			return &core.ItemMint{Collection: w.coll, ItemID: []byte("X"), To: w.bob.Addr}
		}, code: core.CodeNotMinter},
		{name: "item mint in a fungible asset", from: issuer, body: func(w *assetWorld) core.Body {
			return &core.ItemMint{Collection: w.asset, ItemID: []byte("X"), To: w.bob.Addr}
		}, code: core.CodeNotUnique},
		{name: "collection full", setup: func(t *testing.T, w *assetWorld) {
			w.mustApply(t, w.issuer, &core.ItemMint{Collection: w.coll, ItemID: []byte("LOT-2"), To: w.bob.Addr})
			w.mustApply(t, w.issuer, &core.ItemMint{Collection: w.coll, ItemID: []byte("LOT-3"), To: w.bob.Addr})
		}, from: issuer, body: func(w *assetWorld) core.Body {
			return &core.ItemMint{Collection: w.coll, ItemID: []byte("LOT-4"), To: w.bob.Addr}
		}, code: core.CodeSupplyExceeded},
		{name: "item transfer", from: alice, body: func(w *assetWorld) core.Body {
			return &core.ItemTransfer{Collection: w.coll, ItemID: []byte("LOT-1"), To: w.bob.Addr}
		}, check: func(t *testing.T, w *assetWorld) {
			it, _ := ReadItem(w.st, w.coll, []byte("LOT-1"))
			if it.Owner != w.bob.Addr || w.holding(t, w.coll, w.bob).Balance != 1 || w.holding(t, w.coll, w.alice).Balance != 0 {
				t.Fatal("item owner after transfer")
			}
		}},
		{name: "item transfer by another", from: bob, body: func(w *assetWorld) core.Body {
			return &core.ItemTransfer{Collection: w.coll, ItemID: []byte("LOT-1"), To: w.bob.Addr}
		}, code: core.CodeNotOwner},
		{name: "item transfer of an unknown item", from: alice, body: func(w *assetWorld) core.Body {
			return &core.ItemTransfer{Collection: w.coll, ItemID: []byte("LOT-9"), To: w.bob.Addr}
		}, code: core.CodeItemNotFound},
		{name: "item transfer from a frozen owner", setup: func(t *testing.T, w *assetWorld) {
			w.mustApply(t, w.issuer, &core.AssetFreeze{Asset: w.coll, Holder: w.alice.Addr, Frozen: true})
		}, from: alice, body: func(w *assetWorld) core.Body {
			return &core.ItemTransfer{Collection: w.coll, ItemID: []byte("LOT-1"), To: w.bob.Addr}
		}, code: core.CodeFrozen},
		{name: "attest by the owner", from: alice, body: func(w *assetWorld) core.Body {
			return &core.ItemAttest{Collection: w.coll, ItemID: []byte("LOT-1"), Tag: "shipped", DataHash: core.Sum([]byte("bol"))}
		}},
		{name: "attest by the minter", from: issuer, body: func(w *assetWorld) core.Body {
			return &core.ItemAttest{Collection: w.coll, ItemID: []byte("LOT-1"), Tag: "inspected", DataHash: core.Sum([]byte("report"))}
		}},
		{name: "attest by another", from: bob, body: func(w *assetWorld) core.Body {
			return &core.ItemAttest{Collection: w.coll, ItemID: []byte("LOT-1"), Tag: "received", DataHash: core.Sum([]byte("x"))}
		}, code: core.CodeNotOwner},
		{name: "attest a burned item", setup: func(t *testing.T, w *assetWorld) {
			w.mustApply(t, w.alice, &core.ItemBurn{Collection: w.coll, ItemID: []byte("LOT-1")})
		}, from: issuer, body: func(w *assetWorld) core.Body {
			return &core.ItemAttest{Collection: w.coll, ItemID: []byte("LOT-1"), Tag: "x", DataHash: core.Sum([]byte("x"))}
		}, code: core.CodeItemBurned},
		{name: "item burn", from: alice, body: func(w *assetWorld) core.Body {
			return &core.ItemBurn{Collection: w.coll, ItemID: []byte("LOT-1")}
		}, check: func(t *testing.T, w *assetWorld) {
			it, _ := ReadItem(w.st, w.coll, []byte("LOT-1"))
			if !it.Burned || w.assetRec(t, w.coll).Supply != 0 || w.holding(t, w.coll, w.alice).Balance != 0 {
				t.Fatal("burned item")
			}
		}},
		{name: "item burn by another", from: issuer, body: func(w *assetWorld) core.Body {
			return &core.ItemBurn{Collection: w.coll, ItemID: []byte("LOT-1")}
		}, code: core.CodeNotOwner},
		{name: "fee unaffordable", setup: func(t *testing.T, w *assetWorld) {
			w.st.Apply([]Change{acctChange(w.carol.Addr, core.Account{Balance: 1e6}, core.Account{Balance: 5})})
		}, from: carol, body: func(w *assetWorld) core.Body {
			return &core.AssetBurn{Asset: w.asset, Amount: 1}
		}, code: core.CodeInsufficientFunds},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newAssetWorld(t)
			if c.setup != nil {
				c.setup(t, w)
			}
			before := maps.Clone(w.st)
			err := w.apply(c.from(w), c.body(w))
			if c.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
			} else {
				if !errors.Is(err, c.code) || !errors.Is(err, core.CodeInvalidTx) {
					t.Fatalf("got %v, want %s", err, c.code)
				}
				if !equal(before, w.st) {
					t.Fatal("a refused tx changed the state")
				}
			}
			if c.check != nil {
				c.check(t, w)
			}
			checkSupply(t, w.st)
		})
	}
}

func issuer(w *assetWorld) testKey { return w.issuer }
func alice(w *assetWorld) testKey  { return w.alice }
func bob(w *assetWorld) testKey    { return w.bob }
func carol(w *assetWorld) testKey  { return w.carol }

func freezeAlice(t *testing.T, w *assetWorld) {
	w.mustApply(t, w.issuer, &core.AssetFreeze{Asset: w.asset, Holder: w.alice.Addr, Frozen: true})
}

func addrPtr(a core.Address) *core.Address { return &a }
