package state

import (
	"bytes"
	"errors"
	"maps"
	"reflect"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
	"pgregory.net/rapid"
)

// testKey is a test key whose txs are on the "test" chain.
type testKey struct{ testkit.Key }

// key returns the i-th test key (testkit.NewKey).
func key(i int) testKey { return testKey{testkit.NewKey(i)} }

// tx returns a signed transfer.
func (k testKey) tx(to core.Address, amount, fee, nonce uint64) *core.Tx {
	return k.Transfer("test", to, amount, fee, nonce)
}

// testGenesis is testkit's genesis of the "test" chain funding alloc, with
// a reward of 1000 halving every 5 blocks.
func testGenesis(alloc map[core.Address]uint64) *core.Genesis {
	g := testkit.Genesis("test", alloc)
	g.InitialReward = 1000
	g.HalvingInterval = 5
	return g
}

// acctChange is an account's change.
func acctChange(a core.Address, old, nw core.Account) Change {
	return Change{Key: string(AccountKey(a)), Old: encodeAccount(old), New: encodeAccount(nw)}
}

// acct reads an account of a Memory.
func (m Memory) acct(a core.Address) core.Account {
	acct, _ := m.Account(a)
	return acct
}

// equal reports whether two states hold the same records.
func equal(a, b Memory) bool { return maps.EqualFunc(a, b, bytes.Equal) }

func genesisState(g *core.Genesis) Memory {
	m := Memory{}
	m.Apply(GenesisChanges(g))
	return m
}

func TestApplyBlockRules(t *testing.T) {
	a, b, miner := key(1), key(2), key(3)
	g := testGenesis(map[core.Address]uint64{a.Addr: 1000})
	cases := []struct {
		name string
		txs  []*core.Tx
		code core.Code
	}{
		{"valid", []*core.Tx{a.tx(b.Addr, 100, 10, 0), a.tx(b.Addr, 100, 10, 1)}, ""},
		{"replayed nonce", []*core.Tx{a.tx(b.Addr, 100, 10, 0), a.tx(b.Addr, 101, 10, 0)}, core.CodeNonceTooLow},
		{"nonce gap", []*core.Tx{a.tx(b.Addr, 100, 10, 1)}, core.CodeNonceGap},
		{"double spend in block", []*core.Tx{a.tx(b.Addr, 600, 10, 0), a.tx(miner.Addr, 600, 10, 1)}, core.CodeInsufficientFunds},
		{"overspend", []*core.Tx{a.tx(b.Addr, 991, 10, 0)}, core.CodeInsufficientFunds},
		{"unfunded sender", []*core.Tx{b.tx(a.Addr, 1, 10, 0)}, core.CodeInsufficientFunds},
		{"fee below minimum", []*core.Tx{a.tx(b.Addr, 1, 9, 0)}, core.CodeFeeTooLow},
		{"amount + fee overflow", []*core.Tx{a.tx(b.Addr, core.MaxMoney, 10, 0)}, core.CodeInvalidAmount},
		{"wrong chain", []*core.Tx{func() *core.Tx {
			tx := a.tx(b.Addr, 1, 10, 0)
			tx.ChainID = "other"
			tx.Sign(a.Priv)
			return tx
		}()}, core.CodeWrongChain},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := genesisState(g)
			before := maps.Clone(st)
			blk := &core.Block{Header: core.Header{Height: 1, Miner: miner.Addr}, Txs: c.txs}
			res, err := ApplyBlock(st, Rules{Genesis: g}, blk)
			if c.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				st.Apply(res.Changes)
				if st.acct(a.Addr) != (core.Account{Balance: 1000 - 220, Nonce: 2}) || st.acct(b.Addr).Balance != 200 || st.acct(miner.Addr).Balance != 1000+20 {
					t.Fatalf("state after block: %v", st)
				}
				return
			}
			if !errors.Is(err, c.code) || !errors.Is(err, core.CodeInvalidTx) {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			if !equal(st, before) {
				t.Fatal("a rejected block changed the state")
			}
		})
	}
}

// TestApplyBlockFrom: with the senders the chain derived, a block applies
// as ApplyBlock applies it; a senders list of the wrong length is refused.
func TestApplyBlockFrom(t *testing.T) {
	a, b, miner := key(1), key(2), key(3)
	g := testGenesis(map[core.Address]uint64{a.Addr: 1000})
	blk := &core.Block{Header: core.Header{Height: 1, Miner: miner.Addr}, Txs: []*core.Tx{a.tx(b.Addr, 100, 10, 0), a.tx(b.Addr, 100, 10, 1)}}
	want, err := ApplyBlock(genesisState(g), Rules{Genesis: g}, blk)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ApplyBlockFrom(genesisState(g), Rules{Genesis: g}, blk, []core.Address{a.Addr, a.Addr})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ApplyBlockFrom: %v, %+v; want %+v", err, got, want)
	}
	if _, err := ApplyBlockFrom(genesisState(g), Rules{Genesis: g}, blk, []core.Address{a.Addr}); err == nil || core.IsRuleError(err) {
		t.Fatalf("one sender for two txs: %v", err)
	}
}

func TestSelfTransferPaysOnlyFee(t *testing.T) {
	a := key(1)
	g := testGenesis(map[core.Address]uint64{a.Addr: 1000})
	st := genesisState(g)
	res, err := ApplyBlock(st, Rules{Genesis: g}, &core.Block{Header: core.Header{Height: 1}, Txs: []*core.Tx{a.tx(a.Addr, 500, 10, 0)}})
	if err != nil {
		t.Fatal(err)
	}
	st.Apply(res.Changes)
	if st.acct(a.Addr) != (core.Account{Balance: 990, Nonce: 1}) {
		t.Fatalf("self transfer: %+v", st.acct(a.Addr))
	}
}

func TestUndoEncoding(t *testing.T) {
	cs := []Change{acctChange(core.Address{1}, core.Account{Balance: 5}, core.Account{Balance: 3, Nonce: 1}), acctChange(core.Address{2}, core.Account{}, core.Account{Balance: 2}),
		{Key: string(HoldingKey(core.AssetID{1}, core.Address{2})), Old: []byte{1}, New: nil}}
	back, err := DecodeUndo(EncodeUndo(cs))
	if err != nil || len(back) != 3 {
		t.Fatalf("round trip: %v %v", back, err)
	}
	for i := range cs {
		if back[i].Key != cs[i].Key || !bytes.Equal(back[i].Old, cs[i].Old) || !bytes.Equal(back[i].New, cs[i].New) || (back[i].New == nil) != (cs[i].New == nil) || (back[i].Old == nil) != (cs[i].Old == nil) {
			t.Fatalf("change %d: %+v, want %+v", i, back[i], cs[i])
		}
	}
	// Version 1 (accounts only) still decodes.
	v1 := encodeUndoV1(cs[:2])
	back, err = DecodeUndo(v1)
	if err != nil || len(back) != 2 || back[0].Key != cs[0].Key || !bytes.Equal(back[1].New, cs[1].New) || back[1].Old != nil {
		t.Fatalf("version 1: %+v %v", back, err)
	}
	enc := EncodeUndo(cs)
	swapped := EncodeUndo([]Change{cs[1], cs[0]})
	for _, bad := range [][]byte{nil, enc[:len(enc)-1], append(enc, 0), {0x80, 0x00}, swapped} {
		if _, err := DecodeUndo(bad); err == nil {
			t.Fatalf("DecodeUndo(%x) accepted bad data", bad)
		}
	}
}

// TestBlockProperties: for random blocks of random txs over random
// accounts, applying then undoing is the identity, the supply grows by
// exactly the reward, and the incremental digest equals a from-scratch one.
func TestBlockProperties(t *testing.T) {
	keys := make([]testKey, 6)
	for i := range keys {
		keys[i] = key(i + 1)
	}
	rapid.Check(t, func(rt *rapid.T) {
		alloc := map[core.Address]uint64{}
		for i := range keys {
			if rapid.Bool().Draw(rt, "funded") {
				alloc[keys[i].Addr] = rapid.Uint64Range(1, 1_000_000).Draw(rt, "balance")
			}
		}
		g := testGenesis(alloc)
		st := genesisState(g)
		digest := st.Digest()
		supply := st.Supply()
		var rewards uint64
		for height := uint64(1); height <= 4; height++ {
			nonces := map[int]uint64{}
			var txs []*core.Tx
			for n := rapid.IntRange(0, 8).Draw(rt, "ntx"); n > 0; n-- {
				from := rapid.IntRange(0, len(keys)-1).Draw(rt, "from")
				to := rapid.IntRange(0, len(keys)-1).Draw(rt, "to")
				nonce := st.acct(keys[from].Addr).Nonce + nonces[from]
				if rapid.IntRange(0, 9).Draw(rt, "badnonce") == 0 {
					nonce++
				}
				nonces[from]++
				txs = append(txs, keys[from].tx(keys[to].Addr, rapid.Uint64Range(1, 300_000).Draw(rt, "amount"), rapid.Uint64Range(10, 1000).Draw(rt, "fee"), nonce))
			}
			miner := keys[rapid.IntRange(0, len(keys)-1).Draw(rt, "miner")].Addr
			blk := &core.Block{Header: core.Header{Height: height, Miner: miner}, Txs: txs}
			before := maps.Clone(st)
			res, err := ApplyBlock(st, Rules{Genesis: g}, blk)
			if err != nil {
				if !core.IsRuleError(err) {
					rt.Fatalf("non-rule error: %v", err)
				}
				if !equal(before, st) {
					rt.Fatal("failed block changed state")
				}
				continue
			}
			st.Apply(res.Changes)
			digest.Apply(res.Changes)
			if got := st.Supply(); got != supply+res.Reward {
				rt.Fatalf("supply %d, want %d + reward %d", got, supply, res.Reward)
			}
			supply += res.Reward
			rewards += res.Reward
			if digest.Sum() != st.Digest().Sum() {
				rt.Fatal("incremental digest differs from a fresh one")
			}
			// Undo then redo.
			undo, err := DecodeUndo(EncodeUndo(res.Changes))
			if err != nil {
				rt.Fatal(err)
			}
			st.Apply(Reverse(undo))
			d2 := digest
			d2.Apply(Reverse(undo))
			if !equal(before, st) || d2.Sum() != before.Digest().Sum() {
				rt.Fatal("apply then undo is not the identity")
			}
			st.Apply(undo)
		}
		if st.Supply() != g.AllocTotal()+rewards {
			rt.Fatalf("supply %d != alloc %d + rewards %d", st.Supply(), g.AllocTotal(), rewards)
		}
	})
}

func TestDigestOrderIndependent(t *testing.T) {
	var d1, d2 Digest
	accts := []core.Account{{Balance: 1}, {Balance: 2, Nonce: 3}, {Balance: 1 << 50}}
	for i, a := range accts {
		d1.Add(string(AccountKey(core.Address{byte(i)})), a.Encode())
	}
	for i := len(accts) - 1; i >= 0; i-- {
		d2.Add(string(AccountKey(core.Address{byte(i)})), accts[i].Encode())
	}
	if d1.Sum() != d2.Sum() {
		t.Fatal("digest depends on order")
	}
	d2.Remove(string(AccountKey(core.Address{1})), accts[1].Encode())
	if d1.Sum() == d2.Sum() {
		t.Fatal("removing an account did not change the digest")
	}
	d2.Add(string(AccountKey(core.Address{1})), core.Account{Balance: 2, Nonce: 4}.Encode())
	if d1.Sum() == d2.Sum() {
		t.Fatal("a different nonce gave the same digest")
	}
	var empty Digest
	back, err := DecodeDigest(d1.Encode())
	if err != nil || back.Sum() != d1.Sum() || !bytes.Equal(back.Encode(), d1.Encode()) {
		t.Fatal("digest encoding round trip")
	}
	if empty.Sum() == d1.Sum() {
		t.Fatal("empty digest equals a non-empty one")
	}
}

// TestDigestLaneArithmetic checks the SWAR lane sums against plain uint16
// arithmetic, carries and borrows included.
func TestDigestLaneArithmetic(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var d Digest
		ref := make([]uint16, DigestLanes)
		for n := rapid.IntRange(1, 6).Draw(rt, "n"); n > 0; n-- {
			a := string(AccountKey(core.Address{byte(rapid.IntRange(0, 3).Draw(rt, "a"))}))
			acct := core.Account{Balance: rapid.Uint64Range(1, 9).Draw(rt, "b")}.Encode()
			sub := rapid.Bool().Draw(rt, "sub")
			var e [DigestSize]byte
			expand(a, acct, &e)
			for i := range ref {
				x := uint16(e[2*i]) | uint16(e[2*i+1])<<8
				if sub {
					ref[i] -= x
				} else {
					ref[i] += x
				}
			}
			if sub {
				d.Remove(a, acct)
			} else {
				d.Add(a, acct)
			}
		}
		enc := d.Encode()
		for i := range ref {
			if got := uint16(enc[2*i]) | uint16(enc[2*i+1])<<8; got != ref[i] {
				rt.Fatalf("lane %d = %d, want %d", i, got, ref[i])
			}
		}
	})
}

// TestDigestApplyParallelMatchesSerial checks the multi-core Apply against
// one change at a time.
func TestDigestApplyParallelMatchesSerial(t *testing.T) {
	cs := make([]Change, 1000)
	for i := range cs {
		cs[i] = acctChange(core.Address{byte(i), byte(i >> 8)}, core.Account{Balance: uint64(i % 3)}, core.Account{Balance: uint64(i), Nonce: uint64(i % 2)})
	}
	var par, ser Digest
	par.Apply(cs)
	for _, c := range cs {
		ser.Remove(c.Key, c.Old)
		ser.Add(c.Key, c.New)
	}
	if par.Sum() != ser.Sum() {
		t.Fatal("parallel Apply differs from serial")
	}
}
