package wallet

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

func TestNewTx(t *testing.T) {
	k := newKey("dev", testSeed(1))
	to := newKey("to", testSeed(2)).Address()
	tests := []struct {
		name               string
		chainID            string
		amount, fee, nonce uint64
		memo               []byte
		wantCode           core.Code
	}{
		{"transfer", "cairn-devnet", 150_000_000, 1000, 0, nil, ""},
		{"with memo", "c", 1, 0, 7, []byte("hello"), ""},
		{"data tx", "c", 0, 10, 1, bytes.Repeat([]byte{1}, 32), ""},
		{"max memo", "c", 1, 0, 1, make([]byte, core.MaxMemoLen), ""},
		{"max money", "c", core.MaxMoney, 0, 1, nil, ""},
		{"max chain id", strings.Repeat("x", core.MaxChainIDLen), 1, 0, 1, nil, ""},
		{"amount 0 without memo", "c", 0, 10, 1, nil, core.CodeInvalidAmount},
		{"amount above max", "c", core.MaxMoney + 1, 0, 1, nil, core.CodeInvalidAmount},
		{"fee above max", "c", 1, core.MaxMoney + 1, 1, nil, core.CodeInvalidAmount},
		{"sum above max", "c", core.MaxMoney, 1, 1, nil, core.CodeInvalidAmount},
		{"memo too long", "c", 1, 0, 1, make([]byte, core.MaxMemoLen+1), core.CodeTooLarge},
		{"chain id too long", strings.Repeat("x", core.MaxChainIDLen+1), 1, 0, 1, nil, core.CodeTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := k.NewTx(tc.chainID, to, tc.amount, tc.fee, tc.nonce, tc.memo)
			if tc.wantCode != "" {
				if !errors.Is(err, tc.wantCode) {
					t.Fatalf("NewTx: %v, want %s", err, tc.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tx.VerifySignature() {
				t.Fatal("signature does not verify")
			}
			if err := tx.CheckSanity(tc.chainID, 0, true); err != nil {
				t.Fatal(err)
			}
			if tx.Version != core.TxVersion || tx.From != k.PublicKey() || tx.To != to ||
				tx.Amount != tc.amount || tx.Fee != tc.fee || tx.Nonce != tc.nonce || !bytes.Equal(tx.Memo, tc.memo) {
				t.Fatalf("tx fields %+v", tx)
			}
			if len(tc.memo) == 0 && tx.Memo != nil {
				t.Fatal("empty memo should be nil")
			}
			// Round trip through the canonical encoding.
			dec, err := core.DecodeTx(tx.Encode())
			if err != nil || dec.ID() != tx.ID() || !dec.VerifySignature() {
				t.Fatalf("decode: %v", err)
			}
			// The tx does not alias the caller's memo.
			if len(tc.memo) > 0 {
				tc.memo[0] ^= 0xff
				if !tx.VerifySignature() {
					t.Fatal("tx memo aliases the caller's slice")
				}
				tc.memo[0] ^= 0xff
			}
		})
	}
}

func TestSignTx(t *testing.T) {
	k := newKey("dev", testSeed(1))
	other := newKey("other", testSeed(2))
	tx := &core.Tx{Version: core.TxVersion, ChainID: "c", From: k.PublicKey(), To: other.Address(), Amount: 5, Nonce: 1}
	if err := k.SignTx(tx); err != nil {
		t.Fatal(err)
	}
	if !tx.VerifySignature() {
		t.Fatal("signature does not verify")
	}
	err := other.SignTx(tx)
	if err == nil || !strings.Contains(err.Error(), "from is") {
		t.Fatalf("SignTx with another key: %v", err)
	}
	if !tx.VerifySignature() {
		t.Fatal("refused SignTx changed the signature")
	}
}

func TestLoadedKeySigns(t *testing.T) {
	ks := newTestKeystore(t)
	if _, err := ks.Create("dev", "pw"); err != nil {
		t.Fatal(err)
	}
	k, err := ks.Load("dev", "pw")
	if err != nil {
		t.Fatal(err)
	}
	e, err := ks.Find("dev", "cairn")
	if err != nil {
		t.Fatal(err)
	}
	tx, err := k.NewTx("cairn-devnet", e.Address, 1, 1, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tx.From != e.PublicKey || tx.Sender() != e.Address || tx.CheckSanity("cairn-devnet", 1, true) != nil {
		t.Fatal("tx from the loaded key does not check")
	}
}
