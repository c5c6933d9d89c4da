package mempool

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

func TestNewConfig(t *testing.T) {
	st := newFakeState()
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"ok", Config{ChainID: testChain, State: st}, ""},
		{"no chain id", Config{State: st}, "ChainID is required"},
		{"long chain id", Config{ChainID: strings.Repeat("x", 33), State: st}, "ChainID of 33 bytes"},
		{"no state", Config{ChainID: testChain}, "State is required"},
		{"negative max bytes", Config{ChainID: testChain, State: st, MaxBytes: -1}, "MaxBytes -1"},
		{"negative per sender", Config{ChainID: testChain, State: st, MaxPerSender: -2}, "MaxPerSender -2"},
		{"huge bump", Config{ChainID: testChain, State: st, ReplaceBumpPercent: 5000}, "ReplaceBumpPercent 5000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(tc.cfg)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if p.cfg.MaxBytes != DefaultMaxBytes || p.cfg.MaxPerSender != DefaultMaxPerSender ||
					p.cfg.MaxNonceAhead != DefaultMaxNonceAhead || p.cfg.ReplaceBumpPercent != DefaultReplaceBumpPercent {
					t.Fatalf("defaults not applied: %+v", p.cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestAddRules covers every admission code.
func TestAddRules(t *testing.T) {
	alice, bob := newKey(1), newKey(2)
	type env struct {
		st *fakeState
		p  *Pool
	}
	tests := []struct {
		name  string
		cfg   func(*Config)
		setup func(t *testing.T, e env) // after alice has 1e9 units at nonce 5
		tx    func() *core.Tx
		code  core.Code // "" for admitted
		msg   string    // expected substring of the message
	}{
		{name: "admitted", tx: func() *core.Tx { return alice.tx(sink, 100, 1000, 5) }},
		{name: "data tx admitted", tx: func() *core.Tx {
			return alice.Sign(&core.Tx{Version: 1, ChainID: testChain, To: sink, Fee: 2000, Nonce: 5, Memo: bytes.Repeat([]byte{7}, 32)})
		}},
		{name: "nil tx", tx: func() *core.Tx { return nil }, code: core.CodeMalformed, msg: "no tx"},
		{name: "memo too large", tx: func() *core.Tx {
			return alice.Sign(&core.Tx{Version: 1, ChainID: testChain, To: sink, Amount: 1, Fee: 2000, Nonce: 5, Memo: make([]byte, 300)})
		}, code: core.CodeTooLarge, msg: "memo: 300 bytes, the limit is 256"},
		{name: "wrong chain", tx: func() *core.Tx {
			return alice.Sign(&core.Tx{Version: 1, ChainID: "other", To: sink, Amount: 1, Fee: 2000, Nonce: 5})
		}, code: core.CodeWrongChain, msg: `chain_id "other"`},
		{name: "bad version", tx: func() *core.Tx {
			return alice.Sign(&core.Tx{Version: 2, ChainID: testChain, To: sink, Amount: 1, Fee: 2000, Nonce: 5})
		}, code: core.CodeBadVersion, msg: "version 2"},
		{name: "zero amount without memo", tx: func() *core.Tx { return alice.tx(sink, 0, 2000, 5) },
			code: core.CodeInvalidAmount, msg: "amount 0 needs a memo"},
		{name: "amount above MaxMoney", tx: func() *core.Tx { return alice.tx(sink, core.MaxMoney+1, 2000, 5) },
			code: core.CodeInvalidAmount, msg: "above MaxMoney"},
		{name: "fee below minimum", tx: func() *core.Tx { return alice.tx(sink, 1, 999, 5) },
			code: core.CodeFeeTooLow, msg: "fee 999 below the minimum fee 1000"},
		{name: "bad signature", tx: func() *core.Tx {
			tx := alice.tx(sink, 1, 2000, 5)
			tx.Amount = 2 // no longer what was signed
			return tx
		}, code: core.CodeBadSignature, msg: "signature does not verify"},
		{name: "signed by another key", tx: func() *core.Tx {
			tx := alice.tx(sink, 1, 2000, 5)
			tx.From = bob.Pub
			return tx
		}, code: core.CodeBadSignature},
		{name: "duplicate", setup: func(t *testing.T, e env) { mustAdd(t, e.p, alice.tx(sink, 1, 2000, 5)) },
			tx: func() *core.Tx { return alice.tx(sink, 1, 2000, 5) }, code: core.CodeDuplicate, msg: "already in the mempool"},
		{name: "nonce too low", tx: func() *core.Tx { return alice.tx(sink, 1, 2000, 4) },
			code: core.CodeNonceTooLow, msg: "nonce 4 already used: the account's next nonce is 5"},
		{name: "nonce gap", tx: func() *core.Tx { return alice.tx(sink, 1, 2000, 90) },
			code: core.CodeNonceGap, msg: "nonce 90 is 85 ahead of the account's next nonce 5; at most 64"},
		{name: "nonce at the window's end", tx: func() *core.Tx { return alice.tx(sink, 1, 2000, 69) }},
		{name: "nonce past a smaller window", cfg: func(c *Config) { c.MaxNonceAhead = 2 },
			tx: func() *core.Tx { return alice.tx(sink, 1, 2000, 8) }, code: core.CodeNonceGap, msg: "at most 2"},
		{name: "insufficient funds alone", tx: func() *core.Tx { return alice.tx(sink, 1_000_000_000, 1000, 5) },
			code: core.CodeInsufficientFunds, msg: "balance 1000000000, needs 1000001000 (amount 1000000000 + fee 1000)"},
		{name: "insufficient funds with pending", setup: func(t *testing.T, e env) {
			e.st.set(alice.Addr, 500_000_000, 5)
			mustAdd(t, e.p, alice.tx(sink, 200_000_000, 3000, 5), alice.tx(sink, 200_000_000, 3000, 6))
		}, tx: func() *core.Tx { return alice.tx(sink, 300_000_000, 4000, 7) },
			code: core.CodeInsufficientFunds, msg: "after its 2 pending txs: insufficient funds: balance 99994000, needs 300004000"},
		{name: "funds counted for a gapped nonce", setup: func(t *testing.T, e env) {
			e.st.set(alice.Addr, 10_000, 5)
			mustAdd(t, e.p, alice.tx(sink, 4000, 1000, 5))
		}, tx: func() *core.Tx { return alice.tx(sink, 5000, 1000, 9) }, code: core.CodeInsufficientFunds, msg: "behind a nonce gap"},
		{name: "unknown sender has no funds", tx: func() *core.Tx { return bob.tx(sink, 1, 1000, 0) },
			code: core.CodeInsufficientFunds, msg: "balance 0"},
		{name: "replacement +9% rejected", setup: func(t *testing.T, e env) { mustAdd(t, e.p, alice.tx(sink, 1, 10_000, 5)) },
			tx: func() *core.Tx { return alice.tx(sink, 1, 10_900, 5) }, code: core.CodeFeeTooLow, msg: "needs a fee of at least 11000 (+10%)"},
		{name: "replacement +10% accepted", setup: func(t *testing.T, e env) { mustAdd(t, e.p, alice.tx(sink, 1, 10_000, 5)) },
			tx: func() *core.Tx { return alice.tx(sink, 1, 11_000, 5) }},
		{name: "replacement of a tiny fee must still pay more", cfg: func(c *Config) { c.MinFee = 1 },
			setup: func(t *testing.T, e env) { mustAdd(t, e.p, alice.tx(sink, 1, 1, 5)) },
			tx:    func() *core.Tx { return alice.tx(sink, 2, 1, 5) }, code: core.CodeFeeTooLow, msg: "at least 2"},
		{name: "replacement rechecks the balance", setup: func(t *testing.T, e env) {
			e.st.set(alice.Addr, 100_000, 5)
			mustAdd(t, e.p, alice.tx(sink, 50_000, 10_000, 5), alice.tx(sink, 20_000, 10_000, 6))
		}, tx: func() *core.Tx { return alice.tx(sink, 70_000, 11_000, 5) },
			code: core.CodeInsufficientFunds, msg: "would make pending tx"},
		{name: "replacement within balance", setup: func(t *testing.T, e env) {
			e.st.set(alice.Addr, 100_000, 5)
			mustAdd(t, e.p, alice.tx(sink, 50_000, 10_000, 5), alice.tx(sink, 20_000, 10_000, 6))
		}, tx: func() *core.Tx { return alice.tx(sink, 59_000, 11_000, 5) }},
		{name: "per-sender cap", cfg: func(c *Config) { c.MaxPerSender = 2 }, setup: func(t *testing.T, e env) {
			mustAdd(t, e.p, alice.tx(sink, 1, 1000, 5), alice.tx(sink, 1, 1000, 6))
		}, tx: func() *core.Tx { return alice.tx(sink, 1, 1000, 7) }, code: core.CodeMempoolFull, msg: "has 2 pending txs, the per-sender limit is 2"},
		{name: "per-sender cap allows a replacement", cfg: func(c *Config) { c.MaxPerSender = 2 }, setup: func(t *testing.T, e env) {
			mustAdd(t, e.p, alice.tx(sink, 1, 1000, 5), alice.tx(sink, 1, 1000, 6))
		}, tx: func() *core.Tx { return alice.tx(sink, 1, 5000, 6) }},
		{name: "pool full of better txs", cfg: func(c *Config) { c.MaxBytes = 2 * alice.tx(sink, 1, 1, 0).Size() },
			setup: func(t *testing.T, e env) {
				e.st.set(bob.Addr, 1e9, 0)
				mustAdd(t, e.p, bob.tx(sink, 1, 5000, 0), bob.tx(sink, 1, 5000, 1))
			}, tx: func() *core.Tx { return alice.tx(sink, 1, 5000, 5) }, code: core.CodeMempoolFull,
			msg: "308 of 308 bytes used; this tx pays 32.468 per byte, no more than the 32.468 per byte"},
		{name: "tx larger than the pool", cfg: func(c *Config) { c.MaxBytes = 100 },
			tx: func() *core.Tx { return alice.tx(sink, 1, 5000, 5) }, code: core.CodeMempoolFull, msg: "does not fit in its 100-byte capacity"},
		{name: "only own txs to evict", cfg: func(c *Config) { c.MaxBytes = alice.tx(sink, 1, 1, 0).Size() },
			setup: func(t *testing.T, e env) { mustAdd(t, e.p, alice.tx(sink, 1, 1000, 5)) },
			tx:    func() *core.Tx { return alice.tx(sink, 1, 9000, 6) }, code: core.CodeMempoolFull, msg: "no other sender's tx can be evicted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newFakeState()
			st.set(alice.Addr, 1_000_000_000, 5)
			p := newTestPool(t, st, tc.cfg)
			if tc.setup != nil {
				tc.setup(t, env{st, p})
			}
			before := p.Count()
			tx := tc.tx()
			err := p.Add(tx)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Add: %v", err)
				}
				if got, ok := p.Get(tx.ID()); !ok || got != tx {
					t.Fatal("admitted tx not pooled")
				}
			} else {
				if !errors.Is(err, tc.code) {
					t.Fatalf("Add: %v, want code %s", err, tc.code)
				}
				var re *core.RuleError
				if !errors.As(err, &re) || !strings.Contains(re.Msg, tc.msg) {
					t.Fatalf("message %q does not contain %q", err, tc.msg)
				}
				if p.Count() != before || tx != nil && tc.code != core.CodeDuplicate && p.Has(tx.ID()) {
					t.Fatalf("rejected tx changed the pool: %d txs, was %d", p.Count(), before)
				}
			}
			checkInvariants(t, p, st)
		})
	}
}

func TestAddStateError(t *testing.T) {
	alice := newKey(1)
	st := newFakeState()
	st.fail[alice.Addr] = errDisk
	p := newTestPool(t, st, nil)
	err := p.Add(alice.tx(sink, 1, 1000, 0))
	if !errors.Is(err, errDisk) || core.IsRuleError(err) {
		t.Fatalf("Add: %v, want an internal error wrapping %v", err, errDisk)
	}
}

func TestReplaceByFee(t *testing.T) {
	alice := newKey(1)
	tests := []struct {
		name    string
		bump    uint64
		oldFee  uint64
		newFee  uint64
		replace bool
	}{
		{"+9% rejected", 0, 100_000, 109_000, false},
		{"+10% accepted", 0, 100_000, 110_000, true},
		{"+10% rounds up", 0, 1_005, 1_105, false},
		{"+10% rounded up accepted", 0, 1_005, 1_106, true},
		{"+25% bump rejects +20%", 25, 10_000, 12_000, false},
		{"+25% bump accepts +25%", 25, 10_000, 12_500, true},
		{"same fee rejected", 0, 5_000, 5_000, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newFakeState()
			st.set(alice.Addr, 1e12, 0)
			p := newTestPool(t, st, func(c *Config) { c.ReplaceBumpPercent = tc.bump })
			old := alice.tx(sink, 1, tc.oldFee, 0)
			mustAdd(t, p, old)
			nw := alice.tx(sink, 2, tc.newFee, 0)
			err := p.Add(nw)
			if tc.replace {
				if err != nil {
					t.Fatal(err)
				}
				if p.Has(old.ID()) || !p.Has(nw.ID()) || p.Count() != 1 {
					t.Fatal("old tx not replaced by the new one")
				}
			} else if !errors.Is(err, core.CodeFeeTooLow) || !p.Has(old.ID()) {
				t.Fatalf("Add: %v, want fee_too_low and the old tx kept", err)
			}
			checkInvariants(t, p, st)
		})
	}
}

func TestReplaceFeeBounds(t *testing.T) {
	p := newTestPool(t, newFakeState(), nil)
	tests := []struct {
		name string
		old  uint64
		need uint64
		ok   bool
	}{
		{"zero", 0, 1, true},
		{"one", 1, 2, true},
		{"ten", 10, 11, true},
		{"rounds up", 11, 13, true},
		{"near MaxMoney", core.MaxMoney, 0, false},
		{"huge", 1 << 63, 0, false},
		{"max uint64", ^uint64(0), 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			need, ok := p.replaceFee(tc.old)
			if ok != tc.ok || ok && need != tc.need {
				t.Fatalf("replaceFee(%d) = %d, %v; want %d, %v", tc.old, need, ok, tc.need, tc.ok)
			}
		})
	}
}

// TestEviction fills a three-tx pool and checks that admission evicts the
// cheapest queue ends, never a queue's front, and rejects what pays no more.
func TestEviction(t *testing.T) {
	a, b, c := newKey(1), newKey(2), newKey(3)
	st := newFakeState()
	for _, k := range []key{a, b, c} {
		st.set(k.Addr, 1e9, 0)
	}
	size := a.tx(sink, 1, 1000, 0).Size()
	p := newTestPool(t, st, func(c *Config) { c.MaxBytes = 3 * size })
	a0, a1 := a.tx(sink, 1, 1100, 0), a.tx(sink, 1, 3000, 1) // cheap front, dear end
	b0 := b.tx(sink, 1, 2000, 0)
	mustAdd(t, p, a0, a1, b0)

	steps := []struct {
		name    string
		tx      *core.Tx
		code    core.Code
		evicted *core.Tx
	}{
		// a0 is the cheapest tx, but it is a queue's front: the cheapest
		// end is b0 (2000), which pays more than 1200.
		{"cheaper than every queue end", c.tx(sink, 1, 1200, 0), core.CodeMempoolFull, nil},
		{"same rate as the cheapest end", c.tx(sink, 1, 2000, 0), core.CodeMempoolFull, nil},
		{"evicts the cheapest end", c.tx(sink, 1, 2001, 0), "", b0},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			err := p.Add(s.tx)
			if s.code != "" {
				if !errors.Is(err, s.code) {
					t.Fatalf("Add: %v, want %s", err, s.code)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if s.evicted != nil && p.Has(s.evicted.ID()) {
				t.Fatal("expected eviction did not happen")
			}
			if !p.Has(a0.ID()) || !p.Has(a1.ID()) {
				t.Fatal("a queue front was evicted")
			}
			checkInvariants(t, p, st)
		})
	}

	t.Run("evicts several ends, lowest first", func(t *testing.T) {
		st := newFakeState()
		keys := []key{newKey(10), newKey(11), newKey(12), newKey(13)}
		for _, k := range keys {
			st.set(k.Addr, 1e9, 0)
		}
		p := newTestPool(t, st, func(c *Config) { c.MaxBytes = 4 * size })
		x0, x1 := keys[0].tx(sink, 1, 5000, 0), keys[0].tx(sink, 1, 1500, 1)
		y0 := keys[1].tx(sink, 1, 1600, 0)
		z0 := keys[2].tx(sink, 1, 9000, 0)
		mustAdd(t, p, x0, x1, y0, z0)
		// A tx twice as big (memo) needs two slots: x1 and y0 go.
		big := keys[3].Sign(&core.Tx{Version: 1, ChainID: testChain, To: sink, Amount: 1, Fee: 20_000, Nonce: 0,
			Memo: make([]byte, size-2)})
		if big.Size() > 2*size {
			t.Fatalf("test tx too big: %d", big.Size())
		}
		mustAdd(t, p, big)
		for _, tx := range []*core.Tx{x1, y0} {
			if p.Has(tx.ID()) {
				t.Fatalf("nonce %d fee %d not evicted", tx.Nonce, tx.Fee)
			}
		}
		for _, tx := range []*core.Tx{x0, z0, big} {
			if !p.Has(tx.ID()) {
				t.Fatalf("fee %d evicted", tx.Fee)
			}
		}
		checkInvariants(t, p, st)
	})
}

func TestPendingState(t *testing.T) {
	alice, bob := newKey(1), newKey(2)
	st := newFakeState()
	st.set(alice.Addr, 1_000_000, 3)
	st.set(bob.Addr, 500_000, 0)
	p := newTestPool(t, st, nil)
	mustAdd(t, p,
		alice.tx(bob.Addr, 100_000, 1000, 3),
		alice.tx(bob.Addr, 50_000, 1000, 4),
		alice.tx(sink, 10_000, 1000, 6), // after a gap
		bob.tx(alice.Addr, 7_000, 2000, 0),
	)
	tests := []struct {
		name      string
		addr      core.Address
		balance   uint64
		nextNonce uint64
	}{
		{"sender with a gap", alice.Addr, 1_000_000 - 163_000 + 7_000, 5},
		{"sender and recipient", bob.Addr, 500_000 - 9_000 + 150_000, 1},
		{"recipient only", sink, 10_000, 0},
		{"unknown", core.Address{9}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bal, next, err := p.PendingState(tc.addr)
			if err != nil {
				t.Fatal(err)
			}
			if bal != tc.balance || next != tc.nextNonce {
				t.Fatalf("PendingState = %d, %d; want %d, %d", bal, next, tc.balance, tc.nextNonce)
			}
		})
	}
	pending := p.Pending(alice.Addr)
	if len(pending) != 3 || pending[0].Nonce != 3 || pending[1].Nonce != 4 || pending[2].Nonce != 6 {
		t.Fatalf("Pending(alice) nonces wrong: %v", pending)
	}
	st.fail[alice.Addr] = errDisk
	if _, _, err := p.PendingState(alice.Addr); !errors.Is(err, errDisk) {
		t.Fatalf("PendingState with a failing state: %v", err)
	}
}

func TestAddBatch(t *testing.T) {
	alice, bob := newKey(1), newKey(2)
	st := newFakeState()
	st.set(alice.Addr, 1e9, 0)
	st.set(bob.Addr, 1e9, 0)
	store := newMemStore()
	p := newTestPool(t, st, func(c *Config) { c.Persist = store })
	dup := alice.tx(sink, 1, 1000, 0)
	bad := bob.tx(sink, 1, 1000, 0)
	bad.Fee = 5000
	txs := []*core.Tx{
		alice.tx(sink, 1, 1000, 1), // gapped until the next one
		dup,
		dup,
		bad,
		bob.tx(sink, 1, 1000, 0),
		alice.tx(sink, 1, 1000, 0), // the same tx as dup: Ed25519 signing is deterministic
		nil,
	}
	want := []core.Code{"", "", core.CodeDuplicate, core.CodeBadSignature, "", core.CodeDuplicate, core.CodeMalformed}
	errs := p.AddBatch(txs)
	if len(errs) != len(txs) {
		t.Fatalf("%d errors for %d txs", len(errs), len(txs))
	}
	for i, err := range errs {
		if core.CodeOf(err) != want[i] {
			t.Errorf("tx %d: %v, want code %q", i, err, want[i])
		}
	}
	if store.saveCalls != 1 {
		t.Fatalf("%d SaveTxs calls for one batch, want 1", store.saveCalls)
	}
	if len(store.ids()) != 3 || p.Count() != 3 {
		t.Fatalf("store has %d txs, pool %d; want 3", len(store.ids()), p.Count())
	}
	checkInvariants(t, p, st)
}

func TestSigCache(t *testing.T) {
	alice := newKey(1)
	st := newFakeState()
	st.set(alice.Addr, 1e9, 0)
	cache := core.NewSigCache(100)
	p := newTestPool(t, st, func(c *Config) { c.SigCache = cache })
	good := alice.tx(sink, 1, 1000, 0)
	mustAdd(t, p, good)
	if !cache.Has(good.ID()) {
		t.Fatal("admitted tx's ID not in the SigCache")
	}
	rejected := alice.tx(sink, 1, 1000, 500) // valid signature, nonce gap
	if err := p.Add(rejected); !errors.Is(err, core.CodeNonceGap) {
		t.Fatal(err)
	}
	if cache.Has(rejected.ID()) {
		t.Fatal("rejected tx's ID added to the SigCache")
	}
	// A cached ID skips verification: a forged signature under a cached
	// ID cannot exist (the ID covers the signature), so test the skip with
	// an unsigned tx whose ID is planted.
	unsigned := &core.Tx{Version: 1, ChainID: testChain, From: alice.Pub, To: sink, Amount: 1, Fee: 1000, Nonce: 1}
	cache.Add(unsigned.ID())
	if err := p.Add(unsigned); err != nil {
		t.Fatalf("cached ID was verified again: %v", err)
	}
}
