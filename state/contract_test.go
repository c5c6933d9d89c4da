package state

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm"
)

// contractWorld is a state with keys 1-3 funded and a VM, where blocks of
// one tx are applied and kept for undoing.
type contractWorld struct {
	t      *testing.T
	st     Memory
	g      *core.Genesis
	rules  Rules
	nonces map[core.Address]uint64
	undo   [][]Change // applied blocks' changes, oldest first
	height uint64
}

func newContractWorld(t *testing.T) *contractWorld {
	t.Helper()
	m, err := vm.New(vm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	g := testGenesis(map[core.Address]uint64{key(1).Addr: 1e8, key(2).Addr: 1e8, key(3).Addr: 1e8})
	return &contractWorld{t: t, st: genesisState(g), g: g, rules: Rules{Genesis: g, VM: m}, nonces: map[core.Address]uint64{}}
}

// block applies a block of one tx from k and returns its receipt, or the
// error of an invalid tx (then nothing changed).
func (w *contractWorld) block(k testKey, body core.Body, fee uint64) (Receipt, error) {
	tx := k.Tx2("test", body, fee, w.nonces[k.Addr])
	w.height++
	res, err := ApplyBlock(w.st, w.rules, &core.Block{Header: core.Header{Height: w.height, Timestamp: 1_700_000_000_000 + w.height, Miner: key(9).Addr}, Txs: []*core.Tx{tx}})
	if err != nil {
		w.height--
		return Receipt{}, err
	}
	w.st.Apply(res.Changes)
	w.undo = append(w.undo, res.Changes)
	w.nonces[k.Addr]++
	if fee := FeeCharged(w.g, tx, res.Receipts[0]); res.Fees != fee {
		w.t.Fatalf("block fees %d, FeeCharged %d", res.Fees, fee)
	}
	return res.Receipts[0], nil
}

func (w *contractWorld) mustBlock(k testKey, body core.Body, fee uint64) Receipt {
	w.t.Helper()
	rc, err := w.block(k, body, fee)
	if err != nil {
		w.t.Fatalf("%s: %v", body.Kind(), err)
	}
	return rc
}

// query runs a read-only call.
func (w *contractWorld) query(c core.Address, input []byte) *QueryResult {
	w.t.Helper()
	q, err := Query(w.st, w.rules, w.height+1, 0, c, key(3).Addr, input, 1_000_000)
	if err != nil {
		w.t.Fatal(err)
	}
	return q
}

func tokenCode(t *testing.T) []byte {
	code, err := os.ReadFile("../contracts/token.wasm")
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func u64be(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func transferInput(to core.Address, amount uint64) []byte {
	return append(append([]byte{1}, to[:]...), u64be(amount)...)
}

func (w *contractWorld) tokenBalance(c, a core.Address) uint64 {
	w.t.Helper()
	q := w.query(c, append([]byte{2}, a[:]...))
	if q.Failed != nil || len(q.Return) != 8 {
		w.t.Fatalf("balance_of: %v, return %x", q.Failed, q.Return)
	}
	return binary.BigEndian.Uint64(q.Return)
}

// TestContractLifecycle: a token deploys, moves units, refuses an
// overdraw and runs out of gas with the fee charged and nothing else
// changed, and undoing every block restores the genesis state exactly.
func TestContractLifecycle(t *testing.T) {
	w := newContractWorld(t)
	alice, bob := key(1), key(2)
	genesis := genesisState(w.g)

	before := w.st.acct(alice.Addr).Balance
	rc := w.mustBlock(alice, &core.ContractDeploy{Code: tokenCode(t), InitInput: u64be(1000)}, 1_000_000)
	if rc.Status != ReceiptSuccess || rc.GasUsed < DeployBaseGas {
		t.Fatalf("deploy receipt %+v", rc)
	}
	token := core.ContractAddress(alice.Addr, 0)
	c, err := ReadContract(w.st, token)
	if err != nil || c == nil || c.Deployer != alice.Addr || c.StorageKeys == 0 {
		t.Fatalf("contract record %+v, %v", c, err)
	}
	if paid := before - w.st.acct(alice.Addr).Balance; paid != rc.GasUsed*w.g.Contracts().GasPrice+w.g.MinFee {
		t.Fatalf("deploy paid %d for %d gas", paid, rc.GasUsed)
	}
	if got := w.tokenBalance(token, alice.Addr); got != 1000 {
		t.Fatalf("deployer holds %d, want 1000", got)
	}

	rc = w.mustBlock(alice, &core.ContractCall{Contract: token, Input: transferInput(bob.Addr, 300), GasLimit: 100_000}, 100_010)
	if rc.Status != ReceiptSuccess || len(rc.Events) != 1 || rc.Events[0].Topic != "transfer" || len(rc.Events[0].Data) != 48 {
		t.Fatalf("transfer receipt %+v", rc)
	}
	if a, b := w.tokenBalance(token, alice.Addr), w.tokenBalance(token, bob.Addr); a != 700 || b != 300 {
		t.Fatalf("balances %d/%d, want 700/300", a, b)
	}

	// An overdraw aborts: executed and failed, the fee for the gas used
	// charged, the nonce used, the token and the coins unchanged.
	snapshot := cloneMemory(w.st)
	bobBefore := w.st.acct(bob.Addr)
	rc = w.mustBlock(bob, &core.ContractCall{Contract: token, Input: transferInput(alice.Addr, 301), Amount: 0, GasLimit: 100_000}, 100_010)
	if rc.Status != ReceiptFailed || core.Code(rc.Error[:len("aborted")]) != core.CodeAborted || len(rc.Events) != 0 {
		t.Fatalf("overdraw receipt %+v", rc)
	}
	bobAfter := w.st.acct(bob.Addr)
	if bobAfter.Nonce != bobBefore.Nonce+1 || bobBefore.Balance-bobAfter.Balance != rc.GasUsed+w.g.MinFee {
		t.Fatalf("bob %+v -> %+v for %d gas", bobBefore, bobAfter, rc.GasUsed)
	}
	after := cloneMemory(w.st)
	delete(snapshot, string(AccountKey(key(9).Addr))) // the miner is paid
	delete(after, string(AccountKey(key(9).Addr)))
	if only := changedKeys(snapshot, after); len(only) != 1 || only[0] != string(AccountKey(bob.Addr)) {
		t.Fatalf("a failed call changed %q, want only the sender's account", only)
	}

	// Coins sent with a call that fails go back.
	rc = w.mustBlock(bob, &core.ContractCall{Contract: token, Input: transferInput(alice.Addr, 1), Amount: 5000, GasLimit: 100_000}, 100_010)
	if rc.Status != ReceiptFailed {
		t.Fatalf("a token call with coins: %+v", rc)
	}
	if acct := w.st.acct(token); acct.Balance != 0 {
		t.Fatalf("the contract kept %d coins of a failed call", acct.Balance)
	}

	// Out of gas: the whole limit is charged.
	rc = w.mustBlock(bob, &core.ContractCall{Contract: token, Input: transferInput(alice.Addr, 1), GasLimit: CallBaseGas + 50}, CallBaseGas+50+10)
	if rc.Status != ReceiptFailed || core.Code(rc.Error[:len("out_of_gas")]) != core.CodeOutOfGas || rc.GasUsed != CallBaseGas+50 {
		t.Fatalf("out of gas receipt %+v", rc)
	}
	if b := w.tokenBalance(token, bob.Addr); b != 300 {
		t.Fatalf("bob holds %d after failed calls, want 300", b)
	}

	// A call to no contract is executed and failed in a block.
	rc = w.mustBlock(bob, &core.ContractCall{Contract: key(3).Addr, Input: []byte{3}, GasLimit: 1000}, 1010)
	if rc.Status != ReceiptFailed || rc.GasUsed != CallBaseGas {
		t.Fatalf("call to no contract: %+v", rc)
	}

	// Undoing every block, newest first, restores the genesis state and
	// digest: contract, code and storage records included.
	for i := len(w.undo) - 1; i >= 0; i-- {
		w.st.Apply(Reverse(w.undo[i]))
	}
	if !equal(w.st, genesis) || w.st.Digest().Sum() != genesis.Digest().Sum() {
		t.Fatalf("undo left %q", changedKeys(genesis, w.st))
	}
}

// TestContractInvalid: txs a block may not hold, each with its code.
func TestContractInvalid(t *testing.T) {
	w := newContractWorld(t)
	alice := key(1)
	code := tokenCode(t)
	cases := []struct {
		name string
		body core.Body
		fee  uint64
		want core.Code
	}{
		{"not wasm", &core.ContractDeploy{Code: []byte("\x00asm\x01\x00\x00\x00garbage")}, 1_000_000, core.CodeInvalidModule},
		{"deploy fee below its base gas", &core.ContractDeploy{Code: code}, 20_000, core.CodeFeeTooLow},
		{"fee below gas_limit x gas_price + min_fee", &core.ContractCall{Contract: key(2).Addr, GasLimit: 10_000}, 10_009, core.CodeFeeTooLow},
		{"gas_limit below a call's base", &core.ContractCall{Contract: key(2).Addr, GasLimit: 10}, 100, core.CodeOutOfGas},
		{"gas_limit above max_block_gas", &core.ContractCall{Contract: key(2).Addr, GasLimit: core.DefaultMaxBlockGas + 1}, core.DefaultMaxBlockGas + 20, core.CodeBlockGasExceeded},
		{"amount above the balance", &core.ContractCall{Contract: key(2).Addr, Amount: 2e8, GasLimit: 1000}, 1010, core.CodeInsufficientFunds},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := cloneMemory(w.st)
			_, err := w.block(alice, c.body, c.fee)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %s", err, c.want)
			}
			if !equal(before, w.st) {
				t.Fatal("an invalid tx changed the state")
			}
		})
	}

	// Without a VM, contract txs are refused rather than misjudged.
	w.rules.VM = nil
	if _, err := w.block(alice, &core.ContractDeploy{Code: code}, 1_000_000); !errors.Is(err, core.CodeBadVersion) {
		t.Fatalf("no VM: %v", err)
	}
}

// TestContractPendingView: mempool admission checks a deploy's code and
// charges a call its most without running it; a call to no contract is
// refused there.
func TestContractPendingView(t *testing.T) {
	w := newContractWorld(t)
	alice := key(1)
	v := NewPendingView(w.st, w.rules, 1)
	if _, err := v.ApplyTx(alice.Tx2("test", &core.ContractDeploy{Code: []byte("\x00asm\x01\x00\x00\x00")}, 1_000_000, 0)); !errors.Is(err, core.CodeNoCallExport) && !errors.Is(err, core.CodeNoMemoryExport) {
		t.Fatalf("empty module admitted: %v", err)
	}
	if fee, err := v.ApplyTx(alice.Tx2("test", &core.ContractDeploy{Code: tokenCode(t), InitInput: u64be(5)}, 1_000_000, 0)); err != nil || fee != 1_000_000 {
		t.Fatalf("deploy: fee %d, %v", fee, err)
	}
	token := core.ContractAddress(alice.Addr, 0)
	call := alice.Tx2("test", &core.ContractCall{Contract: token, Input: transferInput(key(2).Addr, 1), GasLimit: 5000}, 5010, 1)
	if fee, err := v.ApplyTx(call); err != nil || fee != 5010 {
		t.Fatalf("call after the pending deploy: fee %d, %v", fee, err)
	}
	if _, err := v.ApplyTx(alice.Tx2("test", &core.ContractCall{Contract: key(3).Addr, GasLimit: 5000}, 5010, 2)); !errors.Is(err, core.CodeContractNotFound) {
		t.Fatalf("call to no contract admitted: %v", err)
	}
}

// TestBlockGasLimit: the Builder refuses a contract tx whose gas limit
// does not fit what the block's earlier ones left of max_block_gas.
func TestBlockGasLimit(t *testing.T) {
	w := newContractWorld(t)
	w.g.MaxBlockGas = 3000
	w.rules.Genesis = w.g
	b := NewBuilder(w.st, w.rules, &core.Header{Height: 1})
	call := func(k testKey) *core.Tx {
		return k.Tx2("test", &core.ContractCall{Contract: key(3).Addr, GasLimit: 2000}, 2010, 0)
	}
	if err := b.Add(call(key(1))); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(call(key(2))); !errors.Is(err, core.CodeBlockGasExceeded) {
		t.Fatalf("second call: %v", err)
	}
	if err := b.Add(key(2).tx(key(3).Addr, 1, 10, 0)); err != nil {
		t.Fatalf("a transfer after the gas is used: %v", err)
	}
}

func cloneMemory(m Memory) Memory {
	out := make(Memory, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// changedKeys lists the keys whose values differ between a and b.
func changedKeys(a, b Memory) []string {
	var out []string
	for k, v := range b {
		if string(a[k]) != string(v) {
			out = append(out, k)
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

// BenchmarkContractCall applies metered token transfers through the
// executor, one tx each on a view of a state holding the token: sender
// checks, fee, the run with journaled storage (keyed records), the event
// and the refund. No signatures (checked before the executor) and no
// block. It reports calls/s on one core and that rate over coin transfers
// through the same executor in the same run. Two tokens: the example
// (contracts/token.wasm, AssemblyScript, ~4,600 gas a transfer) and the
// research probe's hand-written one (vm/testdata/token.wasm, ~2,200 gas).
func BenchmarkContractCall(b *testing.B) {
	b.Run("example", func(b *testing.B) {
		code, _ := os.ReadFile("../contracts/token.wasm")
		benchCalls(b, code, u64be(1<<40), func(to core.Address) []byte { return transferInput(to, 1) })
	})
	b.Run("probe", func(b *testing.B) {
		code, _ := os.ReadFile("../vm/testdata/token.wasm")
		benchCalls(b, code, nil, func(to core.Address) []byte { return append(to[:], 1, 0, 0, 0, 0, 0, 0, 0) })
	})
}

func benchCalls(b *testing.B, code, init []byte, input func(core.Address) []byte) {
	w := newContractWorld(&testing.T{})
	alice := key(1)
	w.mustBlock(alice, &core.ContractDeploy{Code: code, InitInput: init}, 1_000_000)
	token := core.ContractAddress(alice.Addr, 0)
	const n = 2000
	calls := make([]*core.Tx, n)
	coins := make([]*core.Tx, n)
	for i := range calls {
		to := core.Address{byte(i), byte(i >> 8), 7}
		calls[i] = alice.Tx2("test", &core.ContractCall{Contract: token, Input: input(to), GasLimit: 20_000}, 20_010, uint64(i+1))
		coins[i] = alice.tx(to, 1, 10, uint64(i+1))
	}
	run := func(txs []*core.Tx) float64 {
		v := NewView(w.st)
		v.env = newEnv(w.rules, w.st, 2, 1, false)
		start := time.Now()
		for _, tx := range txs {
			rc, _, err := v.apply(tx, tx.Sender())
			if err != nil || rc.Status != ReceiptSuccess {
				b.Fatalf("%s: %v %+v", tx.Kind, err, rc)
			}
		}
		return float64(len(txs)) / time.Since(start).Seconds()
	}
	// Warm up: the first calls run on the interpreter tier while the VM
	// compiles the token in the background (vm/doc.go).
	for warm := time.Now(); time.Since(warm) < 2*time.Second; {
		run(calls)
	}
	b.ReportAllocs()
	var callRate, coinRate float64
	for b.Loop() {
		callRate += run(calls)
		coinRate += run(coins)
	}
	b.ReportMetric(callRate/float64(b.N), "calls/s")
	b.ReportMetric(callRate/coinRate, "x_coin_transfers")
}

// TestContractHoldsCoinsAndAssets: a contract's account receives coins
// and asset units like any other, and only its code moves them on, by
// the asset rules (a frozen recipient, too little held: error numbers,
// nothing moved); a failed call takes back what its amount sent.
func TestContractHoldsCoinsAndAssets(t *testing.T) {
	w := newContractWorld(t)
	alice, bob := key(1), key(2)
	code, err := os.ReadFile("testdata/forward.wasm")
	if err != nil {
		t.Fatal(err)
	}
	w.mustBlock(alice, &core.ContractDeploy{Code: code}, 1_000_000)
	fwd := core.ContractAddress(alice.Addr, 0)
	asset := core.NewAssetID(alice.Addr, 1)
	w.mustBlock(alice, &core.AssetCreate{Symbol: "GOLD", MaxSupply: 1000, InitialSupply: 1000, Flags: core.FlagFreezable,
		Manager: alice.Addr, Freezer: alice.Addr}, 10)
	w.mustBlock(alice, &core.AssetTransfer{Asset: asset, To: fwd, Amount: 100}, 10)
	call := func(op byte, amount uint64, sent uint64) Receipt {
		t.Helper()
		in := append([]byte{op}, bob.Addr[:]...)
		in = binary.LittleEndian.AppendUint64(in, amount)
		in = append(in, asset[:]...)
		rc := w.mustBlock(alice, &core.ContractCall{Contract: fwd, Input: in, Amount: sent, GasLimit: 10_000}, 10_010)
		if rc.Status != ReceiptSuccess {
			t.Fatalf("forward: %+v", rc)
		}
		return rc
	}
	holding := func(a core.Address) uint64 {
		h, err := ReadHolding(w.st, asset, a)
		if err != nil {
			t.Fatal(err)
		}
		return h.Balance
	}
	// Coins sent with the call, then moved on by the contract.
	call(1, 700, 1000)
	if c, b := w.st.acct(fwd).Balance, w.st.acct(bob.Addr).Balance; c != 300 || b != 1e8+700 {
		t.Fatalf("coins: contract %d, bob %d", c, b)
	}
	// Asset units: 40 moved; then more than it holds: nothing moves.
	call(2, 40, 0)
	call(2, 61, 0)
	if c, b := holding(fwd), holding(bob.Addr); c != 60 || b != 40 {
		t.Fatalf("asset: contract %d, bob %d", c, b)
	}
	// A frozen recipient: the asset rules hold for contracts too.
	w.mustBlock(alice, &core.AssetFreeze{Asset: asset, Holder: bob.Addr, Frozen: true}, 10)
	call(2, 1, 0)
	if c, b := holding(fwd), holding(bob.Addr); c != 60 || b != 40 {
		t.Fatalf("after a transfer to a frozen holder: contract %d, bob %d", c, b)
	}
}
