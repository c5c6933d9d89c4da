package state

import (
	"bytes"
	"encoding/binary"
	"maps"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// FuzzApplyBlock drives the state transition with arbitrary tx fields:
// it never panics, a rejected block changes nothing, and an accepted one
// conserves supply (only the reward is new money) and undoes exactly.
func FuzzApplyBlock(f *testing.F) {
	f.Add([]byte{0, 1, 100, 10, 0, 1, 0, 200, 10, 1}, uint8(2))
	f.Add([]byte{0, 0, 255, 255, 255}, uint8(0))
	keys := []testKey{key(1), key(2), key(3)}
	f.Fuzz(func(t *testing.T, script []byte, minerIdx uint8) {
		g := testGenesis(map[core.Address]uint64{keys[0].Addr: 100_000, keys[1].Addr: 5_000})
		st := genesisState(g)
		var txs []*core.Tx
		for len(script) >= 5 && len(txs) < 20 {
			from, to := keys[int(script[0])%3], keys[int(script[1])%3]
			amount := uint64(script[2]) * uint64(script[2]) * 7
			if script[2] == 255 {
				amount = core.MaxMoney
			}
			fee := uint64(script[3])
			nonce := uint64(script[4] % 4)
			tx := from.tx(to.Addr, amount, fee, nonce)
			if script[4]&0x80 != 0 {
				tx.Memo = []byte{script[4]}
			}
			txs = append(txs, tx)
			script = script[5:]
		}
		blk := &core.Block{Header: core.Header{Height: 1, Miner: keys[int(minerIdx)%3].Addr}, Txs: txs}
		before := maps.Clone(st)
		res, err := ApplyBlock(st, Rules{Genesis: g}, blk)
		if err != nil {
			if !core.IsRuleError(err) {
				t.Fatalf("non-rule error %v", err)
			}
			if !equal(st, before) {
				t.Fatal("rejected block changed state")
			}
			return
		}
		st.Apply(res.Changes)
		if st.Supply() != before.Supply()+res.Reward {
			t.Fatalf("supply %d != %d + %d", st.Supply(), before.Supply(), res.Reward)
		}
		st.Apply(Reverse(res.Changes))
		if !equal(st, before) {
			t.Fatal("undo is not exact")
		}
	})
}

// FuzzDecodeUndo: anything that decodes re-encodes to the same bytes.
func FuzzDecodeUndo(f *testing.F) {
	f.Add(EncodeUndo([]Change{acctChange(core.Address{1}, core.Account{}, core.Account{Balance: 1})}))
	f.Add(encodeUndoV1([]Change{acctChange(core.Address{1}, core.Account{}, core.Account{Balance: 1})}))
	f.Add(EncodeUndo([]Change{{Key: "k", Old: []byte{}, New: []byte{1}}}))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := DecodeUndo(b)
		if err != nil {
			return
		}
		enc := EncodeUndo
		if !bytes.HasPrefix(b, undoV2) {
			enc = encodeUndoV1
		}
		if string(enc(cs)) != string(b) {
			t.Fatal("round trip")
		}
	})
}

// encodeUndoV1 writes account changes as version-1 undo data.
func encodeUndoV1(cs []Change) []byte {
	b := binary.AppendUvarint(nil, uint64(len(cs)))
	for _, c := range cs {
		a, _ := addressOfAccountKey(c.Key)
		old, _ := core.DecodeAccount(c.Old)
		nw, _ := core.DecodeAccount(c.New)
		if c.Old == nil {
			old = core.Account{}
		}
		if c.New == nil {
			nw = core.Account{}
		}
		b = append(append(append(b, a[:]...), old.Encode()...), nw.Encode()...)
	}
	return b
}

// FuzzDecodeRecords: the asset, holding and item record decoders never
// panic, and what decodes re-encodes to the same bytes.
func FuzzDecodeRecords(f *testing.F) {
	a := &Asset{Symbol: "ACME", Name: "x", MaxSupply: 9, Supply: 3, Flags: core.FlagMintable, Minter: core.Address{1}}
	f.Add(a.encode())
	f.Add(Holding{Balance: 5, Frozen: true}.encode())
	f.Add((&Item{Owner: core.Address{2}, Burned: true, MintedHeight: 7}).encode())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if a, err := DecodeAsset(core.AssetID{}, b); err == nil && !bytes.Equal(a.encode(), b) {
			t.Fatal("asset record round trip")
		}
		if h, err := DecodeHolding(b); err == nil && !bytes.Equal(h.encode(), b) {
			t.Fatal("holding record round trip")
		}
		if it, err := DecodeItem(b); err == nil && !bytes.Equal(it.encode(), b) {
			t.Fatal("item record round trip")
		}
	})
}

// FuzzDecodeReceipts: what decodes re-encodes to the same bytes.
func FuzzDecodeReceipts(f *testing.F) {
	f.Add(EncodeReceipts([]Receipt{{Status: ReceiptSuccess}, {Status: ReceiptFailed, GasUsed: 9, Error: "out of gas", Events: []Event{{Topic: "t", Data: []byte{1}}}}}))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, err := DecodeReceipts(b)
		if err == nil && !bytes.Equal(EncodeReceipts(rs), b) {
			t.Fatal("receipts round trip")
		}
	})
}
