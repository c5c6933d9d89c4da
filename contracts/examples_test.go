package contracts_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/contracts"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/vm"
	"github.com/cairn-chain/cairn/vm/meter"
	"github.com/cairn-chain/cairn/vm/vmtest"
)

// Gas bounds of each example's main methods (gas schedule v1), about 1.5
// times what they use today (logged by the tests). A change of the
// schedule, the SDK or the examples that crosses one deserves a look;
// README.md quotes them.
const (
	gasTokenTransfer    = 7_000 // also init
	gasEscrowFund       = 2_500
	gasEscrowRelease    = 6_000 // also refund
	gasRegistryRegister = 9_000
	gasRegistryHandover = 10_000
	gasRegistryAttest   = 10_000
	gasRegistryHistory3 = 6_000 // a history of 3 steps
	gasLimit            = 1_000_000
)

var (
	alice   = addr(0xa1)
	bob     = addr(0xb0)
	carol   = addr(0xc0)
	mallory = addr(0xee)
	self    = addr(0x5e)
)

func addr(b byte) core.Address {
	var a core.Address
	for i := range a {
		a[i] = b
	}
	return a
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// contract runs one example on a vmtest.Host, as the chain would: the
// call's amount is credited to the contract before it runs, and a failed
// call leaves the host as it was. Every call runs on wazero's compiler
// and again, from the same state, on its interpreter: both must give the
// same result, gas and state.
type contract struct {
	t      *testing.T
	vm     *vm.VM // compiler
	interp *vm.VM
	code   []byte
	host   *vmtest.Host
}

func load(t *testing.T, name string) *contract {
	t.Helper()
	code, err := os.ReadFile(name + ".wasm")
	if err != nil {
		t.Fatal(err)
	}
	var vms [2]*vm.VM
	for i, cfg := range []vm.Config{{}, {Interpreter: true}} {
		m, err := vm.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		if err := m.Check(code); err != nil {
			t.Fatalf("%s.wasm fails vm.Check: %v", name, err)
		}
		vms[i] = m
	}
	h := vmtest.New()
	h.SelfAddr = self
	h.Height = 10
	return &contract{t: t, vm: vms[0], interp: vms[1], code: code, host: h}
}

// exec runs entry with the host as it is now, except caller, input and
// value; the host keeps whatever the contract did, failed or not.
func (c *contract) exec(h *vmtest.Host, entry string, from core.Address, input []byte, value uint64) vm.Result {
	c.t.Helper()
	h.CallerAddr, h.In, h.Val = from, input, value
	if value > 0 {
		if h.Balances[from] < value {
			c.t.Fatalf("test: %x cannot send %d", from[:2], value)
		}
		h.Balances[from] -= value
		h.Balances[h.SelfAddr] += value
	}
	twin := h.Clone()
	r := c.vm.Run(context.Background(), c.code, entry, gasLimit, h)
	if !r.Executed() {
		c.t.Fatalf("%s not executed: %v", entry, r.Err)
	}
	r2 := c.interp.Run(context.Background(), c.code, entry, gasLimit, twin)
	if r.GasUsed != r2.GasUsed || !bytes.Equal(r.Return, r2.Return) || fmt.Sprint(r.Err) != fmt.Sprint(r2.Err) {
		c.t.Fatalf("%s %x: compiler gave gas %d, return %x, error %v; interpreter gas %d, return %x, error %v",
			entry, input, r.GasUsed, r.Return, r.Err, r2.GasUsed, r2.Return, r2.Err)
	}
	if !reflect.DeepEqual(h, twin) {
		c.t.Fatalf("%s %x: the compiler and the interpreter left different states", entry, input)
	}
	return r
}

// run runs entry and, if it fails, puts the host back as it was.
func (c *contract) run(entry string, from core.Address, input []byte, value uint64) vm.Result {
	c.t.Helper()
	before := c.host.Clone()
	r := c.exec(c.host, entry, from, input, value)
	if r.Err != nil {
		c.host = before
	}
	return r
}

// ok runs entry and fails the test unless it succeeds.
func (c *contract) ok(entry string, from core.Address, input []byte, value uint64) vm.Result {
	c.t.Helper()
	r := c.run(entry, from, input, value)
	if r.Err != nil {
		c.t.Fatalf("%s %x: %v", entry, input, r.Err)
	}
	return r
}

// aborts runs entry on a copy of the host, wants it to abort with msg, and
// checks the contract wrote nothing and emitted nothing before aborting.
func (c *contract) aborts(entry string, from core.Address, input []byte, value uint64, msg string) {
	c.t.Helper()
	h := c.host.Clone()
	events := len(h.Events)
	storage := h.Clone().Storage
	r := c.exec(h, entry, from, input, value)
	if core.CodeOf(r.Err) != core.CodeAborted {
		c.t.Fatalf("%s %x: want aborted %q, got %v", entry, input, msg, r.Err)
	}
	var re *core.RuleError
	if !errors.As(r.Err, &re) || re.Msg != msg {
		c.t.Fatalf("%s %x: abort message %q, want %q", entry, input, r.Err, msg)
	}
	if len(h.Events) != events {
		c.t.Errorf("%s %x: emitted an event before aborting", entry, input)
	}
	if len(h.Storage) != len(storage) {
		c.t.Errorf("%s %x: storage changed before aborting", entry, input)
	}
	for k, v := range storage {
		if !bytes.Equal(h.Storage[k], v) {
			c.t.Errorf("%s %x: key %x changed before aborting", entry, input, k)
		}
	}
}

// gas logs and bounds the gas of a main method.
func gas(t *testing.T, what string, r vm.Result, bound uint64) {
	t.Helper()
	t.Logf("gas %-22s %6d (bound %d)", what, r.GasUsed, bound)
	if r.GasUsed > bound {
		t.Errorf("%s used %d gas, above its bound %d", what, r.GasUsed, bound)
	}
}

func TestExamplesPassCheck(t *testing.T) {
	embedded := map[string][]byte{"token": contracts.Token, "escrow": contracts.Escrow, "registry": contracts.Registry}
	for name, code := range embedded {
		t.Run(name, func(t *testing.T) {
			c := load(t, name)
			t.Logf("%s.wasm: %d bytes", name, len(c.code))
			if !bytes.Equal(code, c.code) {
				t.Errorf("contracts.%s is not %s.wasm", name, name)
			}
		})
	}
}

// ---- token ----------------------------------------------------------------

func tokenBalance(c *contract, a core.Address) uint64 {
	c.t.Helper()
	r := c.ok("call", carol, cat([]byte{0x02}, a[:]), 0)
	if len(r.Return) != 8 {
		c.t.Fatalf("balance_of returned %x", r.Return)
	}
	return binary.BigEndian.Uint64(r.Return)
}

func tokenTransfer(to core.Address, amount uint64) []byte {
	return cat([]byte{0x01}, to[:], u64(amount))
}

func TestToken(t *testing.T) {
	const supply = 1_000_000
	c := load(t, "token")
	r := c.ok("init", alice, u64(supply), 0)
	gas(t, "token init", r, gasTokenTransfer)
	zero := core.Address{}
	wantEvent(t, c.host, 0, "transfer", cat(zero[:], alice[:], u64(supply)))

	r = c.ok("call", bob, []byte{0x03}, 0)
	if !bytes.Equal(r.Return, u64(supply)) {
		t.Fatalf("total_supply returned %x", r.Return)
	}

	holders := []core.Address{alice, bob, carol, mallory}
	sum := func() (s uint64) {
		for _, a := range holders {
			s += tokenBalance(c, a)
		}
		return s
	}
	steps := []struct {
		from, to core.Address
		amount   uint64
	}{
		{alice, bob, 300_000},
		{bob, carol, 100_000},
		{alice, carol, 50_000},
		{carol, carol, 20_000}, // to oneself: nothing changes
		{bob, mallory, 200_000},
		{mallory, alice, 0},
	}
	for i, s := range steps {
		r := c.ok("call", s.from, tokenTransfer(s.to, s.amount), 0)
		if i == 0 {
			gas(t, "token transfer", r, gasTokenTransfer)
		}
		wantEvent(t, c.host, len(c.host.Events)-1, "transfer", cat(s.from[:], s.to[:], u64(s.amount)))
		if got := sum(); got != supply {
			t.Fatalf("after step %d the balances sum to %d, not the supply %d", i, got, supply)
		}
	}
	want := map[core.Address]uint64{alice: 650_000, bob: 0, carol: 150_000, mallory: 200_000}
	for a, v := range want {
		if got := tokenBalance(c, a); got != v {
			t.Errorf("balance of %x = %d, want %d", a[:1], got, v)
		}
	}
	if _, ok := c.host.Storage[string(cat([]byte("b"), bob[:]))]; ok {
		t.Error("a balance that fell to 0 is still stored")
	}

	// Overdraw, and other bad calls: abort, change nothing.
	c.aborts("call", bob, tokenTransfer(alice, 1), 0, "insufficient balance")
	c.aborts("call", carol, tokenTransfer(alice, 150_001), 0, "insufficient balance")
	c.aborts("call", alice, tokenTransfer(bob, 1<<53), 0, "bad input: amount above 2^53-1")
	c.aborts("call", alice, tokenTransfer(bob, 1)[:20], 0, "bad input: to missing")
	c.aborts("call", alice, append(tokenTransfer(bob, 1), 0), 0, "bad input: trailing bytes")
	c.aborts("call", alice, []byte{0x09}, 0, "unknown method")
	c.aborts("call", alice, nil, 0, "bad input: method missing")
	c.host.Balances[alice] = 5
	c.aborts("call", alice, []byte{0x03}, 5, "this method does not take coins")
	if got := sum(); got != supply {
		t.Fatalf("after the failed calls the balances sum to %d", got)
	}
}

func wantEvent(t *testing.T, h *vmtest.Host, i int, topic string, data []byte) {
	t.Helper()
	if i < 0 || i >= len(h.Events) {
		t.Fatalf("no event %d (have %d)", i, len(h.Events))
	}
	e := h.Events[i]
	if string(e.Topic) != topic || !bytes.Equal(e.Data, data) {
		t.Fatalf("event %d = %q %x, want %q %x", i, e.Topic, e.Data, topic, data)
	}
}

// ---- escrow ---------------------------------------------------------------

// escrow: alice buys from bob, carol arbitrates, deadline height 100.
func newEscrow(t *testing.T) *contract {
	c := load(t, "escrow")
	c.host.Balances[alice] = 10_000
	c.aborts("init", alice, cat(bob[:], carol[:], u64(10)), 0, "deadline must be above the current height")
	c.aborts("init", alice, cat(bob[:], carol[:]), 0, "bad input: want seller (20) | arbiter (20) | deadline u64 (8)")
	c.ok("init", alice, cat(bob[:], carol[:], u64(100)), 0)
	return c
}

func TestEscrowRelease(t *testing.T) {
	c := newEscrow(t)
	c.aborts("call", mallory, []byte{0x01}, 0, "fund needs coins: send an amount with the call")
	c.host.Balances[mallory] = 50
	c.aborts("call", mallory, []byte{0x01}, 50, "only the buyer can fund")
	r := c.ok("call", alice, []byte{0x01}, 700)
	gas(t, "escrow fund", r, gasEscrowFund)
	wantEvent(t, c.host, 0, "funded", cat(alice[:], u64(700), u64(700)))
	c.ok("call", alice, []byte{0x01}, 300)
	wantEvent(t, c.host, 1, "funded", cat(alice[:], u64(300), u64(1000)))

	r = c.ok("call", mallory, []byte{0x04}, 0)
	if want := cat(alice[:], bob[:], carol[:], u64(100), u64(1000), []byte{0}); !bytes.Equal(r.Return, want) {
		t.Fatalf("state = %x, want %x", r.Return, want)
	}

	for _, who := range []core.Address{mallory, alice, bob} {
		c.aborts("call", who, []byte{0x02}, 0, "only the arbiter can release")
	}
	r = c.ok("call", carol, []byte{0x02}, 0)
	gas(t, "escrow release", r, gasEscrowRelease)
	wantEvent(t, c.host, 2, "released", cat(bob[:], u64(1000)))
	if c.host.Balances[bob] != 1000 || c.host.Balances[self] != 0 || c.host.Balances[alice] != 9000 {
		t.Fatalf("after release: seller %d, contract %d, buyer %d", c.host.Balances[bob], c.host.Balances[self], c.host.Balances[alice])
	}
	c.host.Height = 500
	c.aborts("call", carol, []byte{0x02}, 0, "escrow is closed")
	c.aborts("call", alice, []byte{0x03}, 0, "escrow is closed")
	c.aborts("call", alice, []byte{0x01}, 1, "escrow is closed")
}

func TestEscrowRefund(t *testing.T) {
	c := newEscrow(t)
	c.ok("call", alice, []byte{0x01}, 2_500)
	c.aborts("call", alice, []byte{0x03}, 0, "refund only after the deadline height")
	c.host.Height = 100
	c.aborts("call", alice, []byte{0x03}, 0, "refund only after the deadline height")
	c.host.Height = 101
	c.aborts("call", mallory, []byte{0x03}, 0, "only the buyer can refund")
	c.aborts("call", carol, []byte{0x03}, 0, "only the buyer can refund")
	c.aborts("call", alice, []byte{0x03}, 1, "this method does not take coins")
	r := c.ok("call", alice, []byte{0x03}, 0)
	gas(t, "escrow refund", r, gasEscrowRelease)
	wantEvent(t, c.host, 1, "refunded", cat(alice[:], u64(2_500)))
	if c.host.Balances[alice] != 10_000 || c.host.Balances[self] != 0 || c.host.Balances[bob] != 0 {
		t.Fatalf("after refund: buyer %d, contract %d, seller %d", c.host.Balances[alice], c.host.Balances[self], c.host.Balances[bob])
	}
	c.aborts("call", carol, []byte{0x02}, 0, "escrow is closed")
}

// ---- registry -------------------------------------------------------------

func tag16(s string) []byte {
	t := make([]byte, 16)
	copy(t, s)
	return t
}

func TestRegistry(t *testing.T) {
	c := load(t, "registry")
	lot := []byte("LOT-1")
	hash := bytes.Repeat([]byte{0xd7}, 32)

	c.host.Height = 20
	r := c.ok("call", alice, cat([]byte{0x01}, lot), 0)
	gas(t, "registry register", r, gasRegistryRegister)
	wantEvent(t, c.host, 0, "registered", cat(alice[:], lot))
	c.aborts("call", bob, cat([]byte{0x01}, lot), 0, "item exists")
	c.aborts("call", alice, []byte{0x01}, 0, "bad input: item id must be 1 to 32 bytes")
	c.aborts("call", alice, cat([]byte{0x01}, make([]byte, 33)), 0, "bad input: item id must be 1 to 32 bytes")

	c.host.Height = 21
	c.aborts("call", bob, cat([]byte{0x02}, carol[:], lot), 0, "only the owner can do this")
	c.aborts("call", bob, cat([]byte{0x02}, carol[:], []byte("LOT-2")), 0, "no such item")
	r = c.ok("call", alice, cat([]byte{0x02}, bob[:], lot), 0)
	gas(t, "registry handover", r, gasRegistryHandover)
	wantEvent(t, c.host, 1, "handed_over", cat(alice[:], bob[:], lot))

	c.host.Height = 22
	attest := cat([]byte{0x03}, tag16("received"), hash, lot)
	c.aborts("call", alice, attest, 0, "only the owner can do this")
	r = c.ok("call", bob, attest, 0)
	gas(t, "registry attest", r, gasRegistryAttest)
	wantEvent(t, c.host, 2, "attested", cat(bob[:], tag16("received"), hash, lot))

	r = c.ok("call", mallory, cat([]byte{0x05}, lot), 0)
	if !bytes.Equal(r.Return, bob[:]) {
		t.Fatalf("owner_of = %x, want bob", r.Return)
	}

	r = c.ok("call", mallory, cat([]byte{0x04}, []byte{0, 0, 0, 0}, lot), 0)
	gas(t, "registry history (3)", r, gasRegistryHistory3)
	want := cat(
		[]byte{0, 0, 0, 3},
		[]byte{0x01}, alice[:], u64(20),
		[]byte{0x02}, alice[:], u64(21), bob[:],
		[]byte{0x03}, bob[:], u64(22), tag16("received"), hash,
	)
	if !bytes.Equal(r.Return, want) {
		t.Fatalf("history =\n %x\nwant\n %x", r.Return, want)
	}
	r = c.ok("call", mallory, cat([]byte{0x04}, []byte{0, 0, 0, 2}, lot), 0)
	if want := cat([]byte{0, 0, 0, 3}, want[4+29+49:]); !bytes.Equal(r.Return, want) {
		t.Fatalf("history from 2 = %x, want %x", r.Return, want)
	}
	r = c.ok("call", mallory, cat([]byte{0x04}, []byte{0, 0, 0, 9}, lot), 0)
	if !bytes.Equal(r.Return, []byte{0, 0, 0, 3}) {
		t.Fatalf("history from 9 = %x", r.Return)
	}
	c.aborts("call", mallory, cat([]byte{0x04}, []byte{0, 0, 0, 0}, []byte("nope")), 0, "no such item")
}

// TestRegistryLongHistory pages through a history longer than one call
// returns.
func TestRegistryLongHistory(t *testing.T) {
	c := load(t, "registry")
	lot := []byte("LOT-9")
	c.ok("call", alice, cat([]byte{0x01}, lot), 0)
	const attests = 250
	for i := range attests {
		c.ok("call", alice, cat([]byte{0x03}, tag16("t"), u64(uint64(i)), make([]byte, 24), lot), 0)
	}
	var steps int
	for start := uint32(0); ; {
		r := c.ok("call", bob, cat([]byte{0x04}, binary.BigEndian.AppendUint32(nil, start), lot), 0)
		if len(r.Return) > 16<<10 { // the ABI's set_return limit
			t.Fatalf("history of %d bytes", len(r.Return))
		}
		count, kinds := decodeHistory(t, r.Return)
		if count != attests+1 {
			t.Fatalf("count %d, want %d", count, attests+1)
		}
		if len(kinds) == 0 {
			break
		}
		steps += len(kinds)
		start += uint32(len(kinds))
	}
	if steps != attests+1 {
		t.Fatalf("paged through %d steps, want %d", steps, attests+1)
	}
}

// decodeHistory splits a history return into its count and the kinds of
// its steps.
func decodeHistory(t *testing.T, b []byte) (count uint32, kinds []byte) {
	t.Helper()
	if len(b) < 4 {
		t.Fatalf("history %x", b)
	}
	count, b = binary.BigEndian.Uint32(b), b[4:]
	payload := map[byte]int{0x01: 0, 0x02: 20, 0x03: 48}
	for len(b) > 0 {
		p, ok := payload[b[0]]
		if !ok || len(b) < 29+p {
			t.Fatalf("bad step %x", b)
		}
		kinds = append(kinds, b[0])
		b = b[29+p:]
	}
	return count, kinds
}

// ---- the SDKs against the host ABI ----------------------------------------

// TestSDK runs every host function through the AssemblyScript SDK and the C
// header (testdata/sdkcheck_*.wasm, built from sdkcheck/ by build.sh).
func TestSDK(t *testing.T) {
	for _, lang := range []string{"as", "c"} {
		t.Run(lang, func(t *testing.T) {
			c := load(t, "testdata/sdkcheck_"+lang)
			h := c.host
			var asset core.AssetID
			asset[0] = 0xa5
			h.Assets[asset] = true
			h.Holdings[vmtest.AssetKey{ID: asset, Addr: self}] = 40
			h.Holdings[vmtest.AssetKey{ID: asset, Addr: bob}] = 7
			h.Balances[self] = 100
			h.Balances[bob] = 3
			h.Height, h.Time = 77, 1_700_000_000_123

			returns := func(in []byte, want []byte) {
				t.Helper()
				if r := c.ok("call", alice, in, 0); !bytes.Equal(r.Return, want) {
					t.Errorf("input %x returned %x, want %x", in, r.Return, want)
				}
			}
			returns(cat([]byte{0x01}, []byte("echo")), []byte("echo"))
			returns([]byte{0x01}, nil)
			returns(cat([]byte{0x02, 3}, []byte("key"), []byte("value")), []byte("value"))
			if v, ok := h.Storage["key"]; !ok || string(v) != "value" {
				t.Errorf("storage[key] = %q, %v", v, ok)
			}
			returns(cat([]byte{0x03}, []byte("key")), []byte{0, 1})
			if _, ok := h.Storage["key"]; ok {
				t.Error("key not deleted")
			}
			returns(cat([]byte{0x04}, u64(1<<40)), u64(1<<40+1))
			h.Balances[alice] = 9
			r := c.ok("call", alice, []byte{0x05}, 9)
			if want := cat(alice[:], self[:], u64(9), u64(77), u64(1_700_000_000_123)); !bytes.Equal(r.Return, want) {
				t.Errorf("context = %x, want %x", r.Return, want)
			}
			returns(cat([]byte{0x06}, bob[:]), u64(3))
			returns(cat([]byte{0x07}, carol[:], u64(60)), []byte{0})
			returns(cat([]byte{0x07}, carol[:], u64(500)), []byte{vm.ErrnoInsufficientFunds})
			returns(cat([]byte{0x07}, carol[:], u64(0)), []byte{vm.ErrnoInvalidAmount})
			if h.Balances[carol] != 60 || h.Balances[self] != 49 {
				t.Errorf("after transfers: carol %d, contract %d", h.Balances[carol], h.Balances[self])
			}
			returns(cat([]byte{0x08}, asset[:], bob[:]), u64(7))
			returns(cat([]byte{0x09}, asset[:], carol[:], u64(15)), []byte{0})
			returns(cat([]byte{0x09}, asset[:], carol[:], u64(26)), []byte{vm.ErrnoInsufficientFunds})
			var other core.AssetID
			other[0] = 0x0b
			returns(cat([]byte{0x09}, other[:], carol[:], u64(1)), []byte{vm.ErrnoAssetNotFound})
			if got := h.Holdings[vmtest.AssetKey{ID: asset, Addr: carol}]; got != 15 {
				t.Errorf("carol holds %d of the asset", got)
			}
			sum := sha256.Sum256([]byte("hash me"))
			returns(cat([]byte{0x0a}, []byte("hash me")), sum[:])
			c.ok("call", alice, cat([]byte{0x0b, 5}, []byte("topic"), []byte{1, 2, 3}), 0)
			wantEvent(t, h, len(h.Events)-1, "topic", []byte{1, 2, 3})

			c.aborts("call", alice, cat([]byte{0x0c}, []byte("plain message")), 0, "plain message")
			long := strings.Repeat("x", 300)
			c.aborts("call", alice, cat([]byte{0x0c}, []byte(long)), 0, long[:256])
			euros := strings.Repeat("€", 100) // 3 bytes each: cut to 85 of them
			c.aborts("call", alice, cat([]byte{0x0c}, []byte(euros)), 0, strings.Repeat("€", 85))
			c.aborts("call", alice, []byte{0x7f}, 0, "unknown method")

			if lang != "as" {
				return
			}
			c.aborts("call", alice, []byte{0x0d}, 0, "thrown by the contract")
			c.aborts("call", alice, []byte{0x0e, 5}, 0, "Index out of range")
			returns([]byte{0x0e, 0}, []byte{0})
			// 600 KiB: the heap grows to 10 pages; 2 MiB is past the 16-page cap.
			returns(cat([]byte{0x0f}, []byte{0, 0, 0x02, 0x58}), []byte{0, 0, 0x02, 0x58})
			r = c.run("call", alice, cat([]byte{0x0f}, []byte{0, 0, 0x08, 0}), 0)
			if core.CodeOf(r.Err) != core.CodeTrap {
				t.Errorf("allocating 2 MiB: %v, want a trap", r.Err)
			}
			// Every call starts from a fresh heap: a small call after the big one works.
			returns(cat([]byte{0x0f}, []byte{0, 0, 0, 1}), []byte{0, 0, 0, 1})
		})
	}
}

// ---- the deploy rules, from the docs ---------------------------------------

// abiImports is the host ABI of docs/contracts.md, written out here from
// the docs (not from package vm) so the modules are checked against the
// spec itself.
var abiImports = func() map[string]meter.FuncType {
	i, l := meter.I32, meter.I64
	f := func(params []meter.ValType, results ...meter.ValType) meter.FuncType {
		return meter.FuncType{Params: params, Results: results}
	}
	p := func(ts ...meter.ValType) []meter.ValType { return ts }
	return map[string]meter.FuncType{
		"input":          f(p(i, i), i),
		"set_return":     f(p(i, i)),
		"storage_read":   f(p(i, i, i, i), i),
		"storage_write":  f(p(i, i, i, i)),
		"storage_delete": f(p(i, i)),
		"caller":         f(p(i)),
		"self_address":   f(p(i)),
		"value":          f(nil, l),
		"block_height":   f(nil, l),
		"block_time":     f(nil, l),
		"balance":        f(p(i), l),
		"asset_balance":  f(p(i, i), l),
		"transfer":       f(p(i, l), i),
		"asset_transfer": f(p(i, i, l), i),
		"emit_event":     f(p(i, i, i, i)),
		"sha256":         f(p(i, i, i)),
		"abort":          f(p(i, i)),
	}
}()

// TestModulesPassMeter runs every committed module through meter.Check
// with the genesis defaults and the ABI of the docs, and through
// meter.Instrument.
func TestModulesPassMeter(t *testing.T) {
	rules := meter.Rules{MaxMemoryPages: 16, MaxCodeBytes: 131_072, Imports: abiImports}
	for _, tc := range []struct {
		file     string
		wantInit bool
	}{
		{"token.wasm", true},
		{"escrow.wasm", true},
		{"registry.wasm", false},
		{"testdata/sdkcheck_as.wasm", false},
		{"testdata/sdkcheck_c.wasm", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			code, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			info, err := meter.Check(code, rules)
			if err != nil {
				t.Fatalf("meter.Check: %v", err)
			}
			if info.HasInit != tc.wantInit {
				t.Errorf("has init %v, want %v", info.HasInit, tc.wantInit)
			}
			if info.MemoryPages != 1 {
				t.Errorf("memory of %d pages, want 1", info.MemoryPages)
			}
			if _, err := meter.Instrument(code); err != nil {
				t.Fatalf("meter.Instrument: %v", err)
			}
		})
	}
}
