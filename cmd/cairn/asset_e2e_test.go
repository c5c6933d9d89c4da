package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
)

var assetLineRe = regexp.MustCompile(`(?m)^asset ([0-9a-f]{40})$`)

// TestEndToEndAssets runs the asset and item commands against a real
// node: a token created, sent, minted, frozen (a send refused), unfrozen,
// burned and shown; a unique collection whose item is minted, handed over
// twice and attested twice, then traced; and the errors a person meets.
func TestEndToEndAssets(t *testing.T) {
	if os.Getenv("CAIRN_E2E_PENDING") == "1" {
		t.Skip("CAIRN_E2E_PENDING=1: the node's REST API is not wired yet")
	}
	dir := t.TempDir()
	ks := filepath.Join(dir, "keystore")
	alice := newWallet(t, ks, "alice")
	bob := newWallet(t, ks, "bob")
	carol := newWallet(t, ks, "carol")
	miner := newWallet(t, ks, "miner")

	ch := startE2EChain(t, dir, ks, "assets", miner, alice+"=1000", bob+"=10", carol+"=10")
	n := ch.node
	c := client.New(n.url)
	ctx := context.Background()
	start := time.Now()
	cairn, ok := ch.cairn, ch.ok
	// tx runs a tx command with --wait and checks it was included.
	tx := func(args ...string) string {
		t.Helper()
		out := ok(append(args, "--wait", "--timeout", "2m")...)
		if !submittedRe.MatchString(out) || !includedRe.MatchString(out) {
			t.Fatalf("cairn %s printed:\n%s", strings.Join(args, " "), out)
		}
		return out
	}
	balance := func(id, addr string) (uint64, bool) {
		t.Helper()
		hs, err := c.AssetHolders(ctx, id, 100, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs.Holders {
			if h.Address == addr {
				return h.Balance, h.Frozen
			}
		}
		return 0, false
	}
	wantLines := func(what, out string, lines ...string) { t.Helper(); wantLines(t, what, out, lines...) }
	// recent checks a printed date is of this test's run.
	recent := func(what, s, layout string) {
		t.Helper()
		tm, err := time.Parse(layout, s)
		if err != nil || tm.Before(start.Add(-time.Minute)) || tm.After(time.Now().Add(time.Minute)) {
			t.Fatalf("%s: date %q (%v), want between %s and now", what, s, err, start.UTC().Format(time.RFC3339))
		}
	}

	// submit runs a tx command without --wait and returns its tx id;
	// confirm waits until txs are in blocks (fewer blocks to wait for).
	submit := func(args ...string) string {
		t.Helper()
		out := ok(args...)
		m := submittedRe.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("cairn %s printed:\n%s", strings.Join(args, " "), out)
		}
		return out
	}
	confirm := func(outs ...string) {
		t.Helper()
		for _, out := range outs {
			if _, err := waitConfirmed(ctx, c, submittedRe.FindStringSubmatch(out)[1], 1, 2*time.Minute, io.Discard); err != nil {
				t.Fatal(err)
			}
		}
	}

	// A token in five commands, and a collection of unique items.
	out := submit("asset", "create", "--from", "alice", "--symbol", "GOLD", "--name", "Acme gold", "--decimals", "2",
		"--supply", "1000", "--max-supply", "5000", "--mintable", "--freezable")
	crateOut := tx("asset", "create", "--from", "alice", "--symbol", "CRATE", "--name", "Acme crates", "--unique")
	confirm(out)
	m := assetLineRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("asset create printed no asset id:\n%s", out)
	}
	gold := m[1]
	create, err := c.Tx(ctx, submittedRe.FindStringSubmatch(out)[1])
	if err != nil {
		t.Fatal(err)
	}
	aliceAddr, _ := core.ParseAddress(alice, "cairn")
	if want := core.NewAssetID(aliceAddr, create.Tx.Nonce).String(); gold != want {
		t.Fatalf("asset create printed %s, the id of its tx is %s", gold, want)
	}
	if !strings.HasPrefix(crateOut, "submitted ") || !strings.Contains(crateOut, "\nwaiting for confirmation...\n") {
		t.Fatalf("asset create --wait printed:\n%s", crateOut)
	}
	crate := assetLineRe.FindStringSubmatch(crateOut)[1]

	sent := submit("asset", "send", "--asset", gold, "--from", "alice", "--to", bob, "--amount", "12.5")
	minted := submit("asset", "mint", "--asset", gold, "--from", "alice", "--amount", "500")
	tx("asset", "freeze", "--asset", gold, "--from", "alice", "--holder", bob)
	confirm(sent, minted)
	if b, frozen := balance(gold, bob); b != 1250 || !frozen {
		t.Fatalf("bob holds %d base units, frozen %t; want 1250, frozen", b, frozen)
	}
	wantLines("tx show", ok("tx", "show", submittedRe.FindStringSubmatch(sent)[1]),
		"kind     asset_transfer", "  asset        "+gold, "  to           "+bob, `  amount       12\.50 GOLD`)
	sentInfo, err := c.Tx(ctx, submittedRe.FindStringSubmatch(sent)[1])
	if err != nil {
		t.Fatal(err)
	}
	wantLines("block show", ok("block", "show", fmt.Sprint(sentInfo.Height)), `  +\d+  `+sentInfo.Tx.ID+`  `+alice+` asset_transfer \(fee 0\.00001000\)`)
	r := cairn("asset", "send", "--asset", gold, "--from", "bob", "--to", carol, "--amount", "1")
	r.want(t, 1, "code frozen", "frozen: ")
	tx("asset", "unfreeze", "--asset", gold, "--from", "alice", "--holder", bob)
	confirm(submit("asset", "send", "--asset", gold, "--from", "bob", "--to", carol, "--amount", "2.25"),
		submit("asset", "burn", "--asset", gold, "--from", "alice", "--amount", "100.5"))
	r = cairn("asset", "mint", "--asset", gold, "--from", "bob", "--amount", "1")
	r.want(t, 1, "code not_minter", "not the minter")

	out = ok("asset", "show", "--asset", gold)
	wantLines("asset show", out,
		"asset       "+gold, "symbol      GOLD", "name        Acme gold", "decimals    2",
		`supply      1399\.50 GOLD`, `max supply  5000\.00 GOLD`, "holders     3",
		"flags       mintable, freezable", "creator     "+alice, "minter      "+alice, "clawback    none",
		`created     block \d+ at \S+`)
	recent("asset show", regexp.MustCompile(`created     block \d+ at (\S+)`).FindStringSubmatch(out)[1], time.RFC3339)
	var shown wire.Asset
	if err := json.Unmarshal([]byte(ok("asset", "show", "--asset", gold, "--json")), &shown); err != nil || shown.Supply != 139950 || shown.Decimals != 2 {
		t.Fatalf("asset show --json: %+v %v", shown, err)
	}
	wantLines("asset holders", ok("asset", "holders", "--asset", gold),
		`ADDRESS +BALANCE +FROZEN`, alice+` +1387\.00 GOLD +no`, bob+` +10\.25 GOLD +no`, carol+` +2\.25 GOLD +no`)
	wantLines("asset list", ok("asset", "list"), gold+` +GOLD +1399\.50 GOLD +5000\.00 GOLD +3 +mintable,freezable +Acme gold`)
	wantLines("asset list --holder", ok("asset", "list", "--holder", bob), gold+` +GOLD +10\.25 GOLD +no +Acme gold`)

	// Tracking a shipment.
	bill := sha256.Sum256([]byte("bill of lading"))
	note := sha256.Sum256([]byte("delivery note"))
	billHex, noteHex := hex.EncodeToString(bill[:]), hex.EncodeToString(note[:])
	item := []string{"--collection", crate, "--id", "LOT-42"}
	ids := []string{}
	step := func(args ...string) {
		t.Helper()
		ids = append(ids, submittedRe.FindStringSubmatch(tx(append(args, item...)...))[1])
	}
	step("item", "mint", "--from", "alice")
	step("item", "send", "--from", "alice", "--to", bob)
	step("item", "attest", "--from", "bob", "--tag", "shipped", "--hash", billHex)
	step("item", "send", "--from", "bob", "--to", carol)
	step("item", "attest", "--from", "carol", "--tag", "received", "--hash", strings.ToUpper(noteHex))
	r = cairn(append([]string{"item", "send", "--from", "bob", "--to", alice}, item...)...)
	r.want(t, 1, "code not_owner")
	r = cairn(append([]string{"item", "mint", "--from", "alice"}, item...)...)
	r.want(t, 1, "code item_exists")

	out = ok(append([]string{"item", "show"}, item...)...)
	wantLines("item show", out, "item        LOT-42", "collection  "+crate+` \(CRATE\)`, "state       live", "owner       "+carol, "metadata    none")
	out = ok(append([]string{"item", "history"}, item...)...)
	wantLines("item history", out, "item LOT-42 in collection "+crate+": 5 events, oldest first")
	const stamp = `(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC)  block \d+  `
	events := regexp.MustCompile(`(?m)^`+stamp+`(.*)$`).FindAllStringSubmatch(out, -1)
	verbs := []string{"minted", "handed over", `attested "shipped"`, "handed over", `attested "received"`}
	if len(events) != len(verbs) {
		t.Fatalf("item history: %d events, want %d:\n%s", len(events), len(verbs), out)
	}
	for i, e := range events {
		recent("item history", e[1], "2006-01-02 15:04:05 UTC")
		if e[2] != verbs[i] {
			t.Fatalf("item history event %d is %q, want %q:\n%s", i, e[2], verbs[i], out)
		}
	}
	blocks := strings.Split(out, "\n\n")[1:]
	wantLines("mint", blocks[0], "    by        "+alice, "    to        "+alice, "    tx        "+ids[0])
	wantLines("hand-over", blocks[1], "    by        "+alice, "    to        "+bob, "    tx        "+ids[1])
	wantLines("shipped", blocks[2], "    by        "+bob, `    document  `+billHex+` \(sha256\)`, "    tx        "+ids[2])
	wantLines("hand-over", blocks[3], "    by        "+bob, "    to        "+carol, "    tx        "+ids[3])
	wantLines("received", blocks[4], "    by        "+carol, `    document  `+noteHex+` \(sha256\)`, "    tx        "+ids[4])
	var hist wire.ItemHistory
	if err := json.Unmarshal([]byte(ok(append([]string{"item", "history", "--json"}, item...)...)), &hist); err != nil || len(hist.History) != 5 || hist.History[4].DataHash != noteHex {
		t.Fatalf("item history --json: %+v %v", hist, err)
	}
	wantLines("collection holders", ok("asset", "holders", "--asset", crate), carol+` +1 item +no`)
	// cairn account shows what an address holds besides coins.
	wantLines("account", ok("account", carol), `assets           (2\.25 GOLD, 1 item CRATE|1 item CRATE, 2\.25 GOLD) \(cairn asset list --holder `+carol+`\)`)
	if out := ok("account", miner); strings.Contains(out, "assets") {
		t.Fatalf("account of an address holding no assets:\n%s", out)
	}

	// Errors: unknown and malformed ids, bad hashes, amounts.
	unknown := strings.Repeat("ab", 20)
	cairn("asset", "show", "--asset", unknown).want(t, 1, "no asset "+unknown)
	cairn("asset", "send", "--asset", unknown, "--from", "alice", "--to", bob, "--amount", "1").want(t, 1, "no asset "+unknown)
	cairn("asset", "freeze", "--asset", unknown, "--from", "alice", "--holder", bob).want(t, 1, "code asset_not_found")
	cairn("asset", "show", "--asset", "xyz").want(t, 2, "--asset", "40 hex characters")
	cairn("asset", "send", "--asset", gold[:39], "--from", "alice", "--to", bob, "--amount", "1").want(t, 2, "--asset")
	cairn("item", "show", "--collection", "nothex", "--id", "LOT-42").want(t, 2, "--collection")
	cairn("item", "show", "--collection", crate, "--id", "LOT-43").want(t, 1, `no item "LOT-43"`)
	cairn(append([]string{"item", "attest", "--from", "carol", "--tag", "x", "--hash", "abc"}, item...)...).want(t, 2, "--hash", "64 hex characters")
	cairn(append([]string{"item", "attest", "--from", "carol", "--tag", "x", "--hash", strings.Repeat("zz", 32)}, item...)...).want(t, 2, "--hash", "not hex")
	cairn(append([]string{"item", "attest", "--from", "carol", "--tag", "two words", "--hash", billHex}, item...)...).want(t, 2, "tag")
	cairn("asset", "send", "--asset", gold, "--from", "alice", "--to", bob, "--amount", "1.234").want(t, 2, "more than 2 decimal places")
	cairn("asset", "send", "--asset", gold, "--from", "alice", "--to", bob, "--amount", "-1").want(t, 2, "--amount")
	cairn("asset", "create", "--from", "alice", "--symbol", "BIG", "--name", "Big", "--decimals", "8", "--supply", "100000000").
		want(t, 1, "largest amount is 90071992.54740991 BIG", "more decimals mean a smaller largest supply")
	cairn("asset", "create", "--from", "alice", "--symbol", "PTS", "--name", "Points", "--decimals", "0", "--supply", "0", "--mintable").
		want(t, 2, "--max-supply")
	if b, _ := balance(gold, bob); b != 1025 {
		t.Fatalf("bob holds %d base units after the refused txs, want 1025", b)
	}
	n.stop(t)
}
