package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var contractLineRe = regexp.MustCompile(`(?m)^contract +(cairn1[0-9a-z]+)$`)

// TestEndToEndContracts runs the contract commands against a real node as
// a person would: the example token deployed with typed init values, a
// transfer called and read back with a query, a call that aborts (exit 1,
// the receipt printed, the fee charged), show, events and tx show, and
// the errors a person meets before anything is sent.
func TestEndToEndContracts(t *testing.T) {
	dir := t.TempDir()
	ks := filepath.Join(dir, "keystore")
	alice := newWallet(t, ks, "alice")
	bob := newWallet(t, ks, "bob")
	miner := newWallet(t, ks, "miner")
	ch := startE2EChain(t, dir, ks, "contracts", miner, alice+"=1000", bob+"=10")
	genesisFile := ch.genesis
	cairn, ok := ch.cairn, ch.ok
	wantLines := func(what, out string, lines ...string) { t.Helper(); wantLines(t, what, out, lines...) }
	token := "../../contracts/token.wasm"

	// Mistakes caught before anything is sent (usage: exit 2).
	cairn("contract", "call", alice, "--from", "alice", "--input", "zz").want(t, 2, "--input: want hex bytes")
	cairn("contract", "call", alice, "--from", "alice", "--input-args", "u64:-1").want(t, 2, "--input-args \"u64:-1\"")
	cairn("contract", "call", alice, "--from", "alice", "--input", "01", "--input-args", "u8:1").want(t, 2, "not both")
	cairn("contract", "deploy", genesisFile, "--from", "alice").want(t, 1, "is not a WebAssembly module")
	cairn("contract", "call", alice, "--from", "alice", "--input", "01").want(t, 1, "no contract at "+alice)
	cairn("contract", "show", bob).want(t, 1, "no contract at "+bob)

	// Deploy: the address is printed before the wait, the receipt after.
	out := ok("contract", "deploy", token, "--from", "alice", "--init-args", "u64:1000", "--wait", "--timeout", "2m")
	m := contractLineRe.FindStringSubmatch(out)
	if m == nil || !submittedRe.MatchString(out) || !includedRe.MatchString(out) {
		t.Fatalf("contract deploy printed:\n%s", out)
	}
	addr := m[1]
	wantLines("deploy", out, `status    success`, `gas used  \d+ \(fee charged 0\.\d+\)`, `contract  `+addr,
		`event     transfer 0{40}[0-9a-f]{40}00000000000003e8`)

	// A transfer, then read back without a tx.
	out = ok("contract", "call", addr, "--from", "alice", "--input-args", "u8:1 addr:"+bob+" u64:300", "--wait", "--timeout", "2m")
	wantLines("call", out, `status    success`, `event     transfer [0-9a-f]{80}000000000000012c`)
	out = ok("contract", "query", addr, "--input-args", "u8:2 addr:"+bob)
	wantLines("query", out, `status    success`, `return    000000000000012c \(u64 300\)`, `gas used  \d+`)

	// Bob overdraws: mined, failed, its fee charged; the CLI exits 1.
	r := cairn("contract", "call", addr, "--from", "bob", "--input-args", "u8:1 addr:"+alice+" u64:301", "--wait", "--timeout", "2m")
	r.want(t, 1, "the contract tx failed (aborted): insufficient balance; its fee of 0.")
	wantLines("failed call", r.stdout, `status    failed`, `gas used  \d+ \(fee charged 0\.\d+\)`)
	failed := submittedRe.FindStringSubmatch(r.stdout)[1]
	out = ok("tx", "show", failed)
	wantLines("tx show", out, `kind     contract_call`, `  contract     `+addr, `  gas limit    200000`,
		`result   failed, \d+ gas, fee charged 0\.\d+`, `error    aborted: insufficient balance`)
	if strings.Contains(out, "event") {
		t.Fatalf("a failed call shows events:\n%s", out)
	}
	out = ok("contract", "query", addr, "--input-args", "u8:2 addr:"+bob)
	wantLines("query after the failed call", out, `return    000000000000012c \(u64 300\)`)

	out = ok("contract", "show", addr)
	wantLines("show", out, `contract   `+addr, `code       [0-9a-f]{64} \(\d+ bytes\)`, `deployer   `+alice,
		`created    block \d+ at 20\d\d-.*`, `balance    0\.00000000`, `storage    3 keys, \d+ bytes`)
	out = ok("contract", "events", addr)
	if got := strings.Count(out, " transfer "); got != 2 {
		t.Fatalf("events: %d transfers, want 2 (the mint and the call):\n%s", got, out)
	}
	// Dated like cairn history and cairn item history.
	wantLines("events", out, `block \d+  20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC  tx [0-9a-f]{64}  transfer [0-9a-f]+`)
}
