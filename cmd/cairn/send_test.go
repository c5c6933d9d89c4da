package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
)

// TestCLISend runs send against a canned node: the tx it builds, --wait,
// and the errors a person sees.
func TestCLISend(t *testing.T) {
	ks := t.TempDir()
	alice := newWallet(t, ks, "alice")
	bob := newWallet(t, ks, "bob")
	send := func(f *fakeNode, env []string, extra ...string) result {
		args := append([]string{"send", "--from", "alice", "--to", bob, "--amount", "1.5", "--keystore", ks, "--node", f.url()}, extra...)
		return run(t, append([]string{testPass}, env...), "", args...)
	}

	t.Run("wait", func(t *testing.T) {
		f := newFakeNode(t)
		f.setAccount(wire.Account{Address: alice, Balance: 10e8, PendingBalance: 10e8, Nonce: 2, PendingNonce: 3})
		r := send(f, nil, "--wait")
		r.want(t, 0)
		txs := f.submitted()
		if len(txs) != 1 {
			t.Fatalf("%d txs submitted", len(txs))
		}
		tx := txs[0]
		if tx.Nonce != 3 || tx.Amount != 150_000_000 || tx.Fee != 1000 || tx.ChainID != "test" || tx.To.Encode("cairn") != bob || !tx.VerifySignature() {
			t.Fatalf("submitted tx %+v", tx)
		}
		id := tx.ID().String()
		want := "submitted " + id + "; waiting for confirmation...\nincluded in block 5 (1 confirmation)\n"
		if r.stdout != want {
			t.Fatalf("stdout %q, want %q", r.stdout, want)
		}
	})
	t.Run("no wait, by address, fee", func(t *testing.T) {
		f := newFakeNode(t)
		f.setAccount(wire.Account{Address: alice, Balance: 10e8, PendingBalance: 10e8})
		r := run(t, []string{testPass}, "", "send", "--from", alice, "--to", bob, "--amount", "2", "--fee", "0.01", "--memo", "abcd", "--keystore", ks, "--node", f.url())
		r.want(t, 0)
		tx := f.submitted()[0]
		if r.stdout != "submitted "+tx.ID().String()+"\n" || tx.Fee != 1_000_000 || tx.Nonce != 0 || string(tx.Memo) != "\xab\xcd" {
			t.Fatalf("stdout %q, tx %+v", r.stdout, tx)
		}
	})
	t.Run("insufficient funds", func(t *testing.T) {
		f := newFakeNode(t)
		f.setAccount(wire.Account{Address: alice, Balance: 5e8, PendingBalance: 5e8})
		r := run(t, []string{testPass}, "", "send", "--from", "alice", "--to", bob, "--amount", "7", "--keystore", ks, "--node", f.url())
		r.want(t, 1, "insufficient funds: balance 5.00000000, needs 7.00001000")
		if len(f.submitted()) != 0 {
			t.Fatal("a tx was submitted")
		}
	})
	t.Run("unknown account has nothing", func(t *testing.T) {
		f := newFakeNode(t)
		send(f, nil).want(t, 1, "insufficient funds: balance 0.00000000, needs 1.50001000")
	})
	t.Run("node rejects", func(t *testing.T) {
		f := newFakeNode(t)
		f.setAccount(wire.Account{Address: alice, Balance: 10e8, PendingBalance: 10e8})
		f.submitErr = &wire.Problem{Status: 409, Code: "nonce_too_low", Detail: "nonce 0 already used (account nonce 1)"}
		send(f, nil).want(t, 1, "nonce too low: nonce 0 already used (account nonce 1)")
		f.submitErr = &wire.Problem{Status: 422, Code: "insufficient_funds", Detail: "insufficient funds: balance 1, needs 2"}
		r := send(f, nil)
		r.want(t, 1, "insufficient funds: balance 1, needs 2")
		if strings.Count(r.stderr, "insufficient funds") != 1 {
			t.Fatalf("repeated words: %s", r.stderr)
		}
	})
	t.Run("fee below minimum", func(t *testing.T) {
		f := newFakeNode(t)
		send(f, nil, "--fee", "0.000001").want(t, 1, "below the chain's minimum fee 0.00001000")
	})
	t.Run("wrong passphrase", func(t *testing.T) {
		f := newFakeNode(t)
		f.setAccount(wire.Account{Address: alice, Balance: 10e8, PendingBalance: 10e8})
		send(f, []string{"CAIRN_PASSWORD=nope"}).want(t, 1, `wrong passphrase for wallet "alice"`)
	})
	t.Run("timeout", func(t *testing.T) {
		f := newFakeNode(t)
		f.setAccount(wire.Account{Address: alice, Balance: 10e8, PendingBalance: 10e8})
		f.confirmAfter = -1
		send(f, nil, "--wait", "--timeout", "1500ms").want(t, 1, "not confirmed within 1.5s")
	})
	t.Run("dropped", func(t *testing.T) {
		f := newFakeNode(t)
		f.setAccount(wire.Account{Address: alice, Balance: 10e8, PendingBalance: 10e8})
		f.forget = true
		send(f, nil, "--wait").want(t, 1, "no longer known to the node")
	})
}

// TestCLITxSubmitAndShow signs offline, submits the file and shows it.
func TestCLITxSubmitAndShow(t *testing.T) {
	dir := t.TempDir()
	ks := filepath.Join(dir, "ks")
	newWallet(t, ks, "alice")
	bob := newWallet(t, ks, "bob")
	f := newFakeNode(t)
	r := run(t, []string{testPass}, "", "tx", "sign", "--from", "alice", "--to", bob, "--amount", "3", "--nonce", "0", "--chain-id", "test", "--keystore", ks)
	r.want(t, 0)
	file := filepath.Join(dir, "tx.json")
	if err := os.WriteFile(file, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	r = run(t, nil, "", "tx", "submit", file, "--node", f.url(), "--wait")
	r.want(t, 0)
	txs := f.submitted()
	if len(txs) != 1 {
		t.Fatalf("%d txs submitted", len(txs))
	}
	id := txs[0].ID().String()
	if !strings.HasPrefix(r.stdout, "submitted "+id) || !strings.Contains(r.stdout, "included in block 5") {
		t.Fatalf("tx submit printed %q", r.stdout)
	}
	// The same from stdin is accepted by the fake (it is idempotent here).
	data, _ := os.ReadFile(file)
	run(t, nil, string(data), "tx", "submit", "-", "--node", f.url()).want(t, 0)
	// A tampered file is refused before it reaches the node.
	bad := strings.Replace(string(data), `"amount": 300000000`, `"amount": 300000001`, 1)
	run(t, nil, bad, "tx", "submit", "-", "--node", f.url()).want(t, 1, "id")
	run(t, nil, "{garbage", "tx", "submit", "-", "--node", f.url()).want(t, 1, "invalid tx JSON")

	r = run(t, nil, "", "tx", "show", id, "--node", f.url())
	r.want(t, 0)
	for _, s := range []string{"tx       " + id, "status   confirmed in block 5", "amount   3.00000000", "to       " + bob} {
		if !strings.Contains(r.stdout, s) {
			t.Fatalf("tx show lacks %q:\n%s", s, r.stdout)
		}
	}
	run(t, nil, "", "tx", "show", strings.Repeat("0", 64), "--node", f.url()).want(t, 1, "not found: no tx")

	r = run(t, nil, "", "status", "--node", f.url())
	r.want(t, 0)
	if !strings.Contains(r.stdout, "chain         test") || !strings.Contains(r.stdout, "minimum fee 0.00001000") {
		t.Fatalf("status:\n%s", r.stdout)
	}
	r = run(t, nil, "", "status", "--json", "--node", f.url())
	r.want(t, 0)
	if !strings.Contains(r.stdout, `"chain_id": "test"`) {
		t.Fatalf("status --json:\n%s", r.stdout)
	}

	f.token = "s3cret"
	run(t, nil, "", "mine", "--node", f.url()).want(t, 1, "unauthorized", "--token-file")
	tokFile := filepath.Join(dir, "api.token")
	os.WriteFile(tokFile, []byte("s3cret\n"), 0o600)
	r = run(t, nil, "", "mine", "--node", f.url(), "--token-file", tokFile)
	r.want(t, 0)
	if !strings.Contains(r.stdout, "mined block 6 cc") {
		t.Fatalf("mine printed %q", r.stdout)
	}
	run(t, []string{"CAIRN_TOKEN=s3cret"}, "", "mine", "--node", f.url()).want(t, 0)
}
