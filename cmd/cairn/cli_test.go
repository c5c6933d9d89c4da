package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// result is what one run of the binary produced.
type result struct {
	stdout, stderr string
	code           int
}

// run runs the cairn binary with args, the extra environment variables
// env ("K=V") and stdin. CAIRN_* variables of the test's own environment
// are removed so that they cannot leak into the command.
func run(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(buildCairn(t), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CAIRN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run cairn %v: %v", args, err)
	}
	return r
}

// want checks a run's exit code and that its stderr contains each of msgs.
func (r result) want(t *testing.T, code int, msgs ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	for _, m := range msgs {
		if !strings.Contains(r.stderr, m) {
			t.Fatalf("stderr does not contain %q:\n%s", m, r.stderr)
		}
	}
}

// closedURL returns the URL of a local port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

const testPass = "CAIRN_PASSWORD=correct horse"

// newWallet creates a key in keystore ks and returns its address.
func newWallet(t *testing.T, ks, name string) string {
	t.Helper()
	r := run(t, []string{testPass}, "", "wallet", "new", "--name", name, "--keystore", ks)
	r.want(t, 0)
	addr := strings.TrimSpace(r.stdout)
	if _, err := core.ParseAddress(addr, core.DefaultAddressPrefix); err != nil {
		t.Fatalf("wallet new printed %q: %v", r.stdout, err)
	}
	return addr
}

func TestCLIUsageErrors(t *testing.T) {
	ks := t.TempDir()
	cases := [][]string{
		{"bogus"},
		{"wallet"},
		{"wallet", "bogus"},
		{"wallet", "show"},
		{"wallet", "new", "--name", "bad/name", "--keystore", ks},
		{"wallet", "new", "--bogus"},
		{"send", "--to", "x", "--amount", "1"},
		{"send", "--from", "a", "--to", "x"},
		{"send", "--from", "a", "--to", "x", "--amount", "1.x"},
		{"send", "--from", "a", "--to", "x", "--amount", "-1"},
		{"send", "--from", "a", "--to", "x", "--amount", "1", "--fee", "1e-5"},
		{"send", "--from", "a", "--to", "x", "--amount", "1", "--wait", "--timeout", "soon"},
		{"tx"},
		{"tx", "sign", "--from", "a", "--to", "x", "--amount", "1", "--nonce", "x"},
		{"tx", "submit"},
		{"tx", "show", "a", "b"},
		{"block", "show"},
		{"status", "extra"},
		{"verify-proof"},
		{"genesis", "new", "--alloc", "noequals"},
		{"genesis", "new", "--alloc", "cairn1x=1.2.3"},
		{"genesis", "new", "--decimals", "16"},
		{"genesis", "new", "--reward", "lots"},
		{"genesis", "new", "--prefix", "Bad!"},
		{"genesis", "new", "--consensus", "poa"},
		{"genesis", "new", "--consensus", "pos"},
		{"genesis", "new", "--signer", "ab"},
		{"node"},
		{"node", "--datadir", ks, "--mine"},
		{"node", "--datadir", ks, "--log-format", "xml"},
		{"node", "--datadir", ks, "--threads", "-1"},
		{"node", "--datadir", ks, "--max-reorg-depth", "-1"},
		{"node", "--datadir", ks, "--max-hashrate", "-5"},
		{"node", "--datadir", ks, "--max-hashrate", "NaN"},
		{"node", "--datadir", ks, "--api-rate", "-1"},
		{"node", "--datadir", ks, "--api-rate", "Inf"},
		{"node", "--datadir", ks, "--memory-limit", "-1"},
		{"bench", "--devnet", "1", "--memory-limit", "-1"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := run(t, nil, "", args...)
			r.want(t, 2)
			if !strings.Contains(r.stderr, "cairn:") && !strings.Contains(r.stderr, "Error") {
				t.Fatalf("no message on stderr: %q", r.stderr)
			}
		})
	}
	// --help explains each command with an example, exit 0.
	for _, args := range [][]string{{"--help"}, {"send", "--help"}, {"wallet", "new", "--help"}, {"verify-proof", "--help"}, {"genesis", "new", "--help"}, {"node", "--help"}} {
		r := run(t, nil, "", args...)
		r.want(t, 0)
		if !strings.Contains(r.stdout, "Example") {
			t.Errorf("cairn %v: help without an example:\n%s", args, r.stdout)
		}
	}
}

func TestCLIUnreachableNode(t *testing.T) {
	ks := t.TempDir()
	addr := newWallet(t, ks, "alice")
	u := closedURL(t)
	proof := writeProof(t, t.TempDir(), handProof(t, 5, 2))
	cases := [][]string{
		{"status"},
		{"tx", "show", strings.Repeat("ab", 32)},
		{"block", "show", "1"},
		{"account", addr},
		{"send", "--from", "alice", "--to", addr, "--amount", "1", "--keystore", ks},
		{"tx", "sign", "--from", "alice", "--to", addr, "--amount", "1", "--keystore", ks},
		{"verify-proof", proof},
		{"mine", "--token", "x"},
	}
	for _, args := range cases {
		t.Run(args[0], func(t *testing.T) {
			r := run(t, []string{testPass}, "", append(args, "--node", u)...)
			r.want(t, 1, "cannot reach the node at "+u+": connection refused")
		})
	}
	// The URL also comes from CAIRN_NODE.
	run(t, []string{"CAIRN_NODE=" + u}, "", "status").want(t, 1, "cannot reach the node at "+u)
}

func TestCLIWallet(t *testing.T) {
	dir := t.TempDir()
	ks := filepath.Join(dir, "keystore")
	addr := newWallet(t, ks, "alice")
	bob := newWallet(t, ks, "bob")

	r := run(t, nil, "", "wallet", "list", "--keystore", ks)
	r.want(t, 0)
	if !strings.Contains(r.stdout, "alice") || !strings.Contains(r.stdout, addr) || !strings.Contains(r.stdout, bob) {
		t.Fatalf("wallet list:\n%s", r.stdout)
	}
	for _, who := range []string{"alice", addr} {
		r = run(t, nil, "", "wallet", "show", who, "--keystore", ks)
		r.want(t, 0)
		if !strings.Contains(r.stdout, "name        alice") || !strings.Contains(r.stdout, addr) {
			t.Fatalf("wallet show %s:\n%s", who, r.stdout)
		}
	}
	// A different prefix shows the same key under another address.
	r = run(t, nil, "", "wallet", "show", "alice", "--keystore", ks, "--prefix", "acme")
	r.want(t, 0)
	if !strings.Contains(r.stdout, "acme1") {
		t.Fatalf("wallet show --prefix acme:\n%s", r.stdout)
	}

	r = run(t, []string{testPass}, "", "wallet", "export", "alice", "--keystore", ks)
	r.want(t, 0, "WARNING")
	seed := strings.TrimSpace(r.stdout)
	if len(seed) != 64 {
		t.Fatalf("export printed %q", r.stdout)
	}

	// Import into a new keystore: seed on stdin, passphrase from a file.
	ks2 := filepath.Join(dir, "keystore2")
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("other pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = run(t, nil, seed+"\n", "wallet", "import", "alice-copy", "--keystore", ks2, "--password-file", pwFile)
	r.want(t, 0)
	if got := strings.TrimSpace(r.stdout); got != addr {
		t.Fatalf("imported address %s, want %s", got, addr)
	}
	// Seed and passphrase both from stdin, one line each.
	ks3 := filepath.Join(dir, "keystore3")
	run(t, nil, seed+"\nstdin pass\n", "wallet", "import", "a", "--keystore", ks3).want(t, 0)
	r = run(t, nil, "stdin pass\n", "wallet", "export", "a", "--keystore", ks3)
	r.want(t, 0)
	if strings.TrimSpace(r.stdout) != seed {
		t.Fatalf("round trip through stdin: exported %q, want %q", r.stdout, seed)
	}
	// The imported key opens with its own passphrase and exports the same seed.
	r = run(t, nil, "", "wallet", "export", "alice-copy", "--keystore", ks2, "--password-file", pwFile)
	r.want(t, 0)
	if strings.TrimSpace(r.stdout) != seed {
		t.Fatalf("re-exported seed %q, want %q", r.stdout, seed)
	}
	// Importing the same key twice into one keystore is refused.
	run(t, []string{testPass}, seed, "wallet", "import", "again", "--keystore", ks).want(t, 1, "already exists")

	// Errors a person understands.
	run(t, []string{"CAIRN_PASSWORD=wrong"}, "", "wallet", "export", "alice", "--keystore", ks).
		want(t, 1, `wrong passphrase for wallet "alice"`)
	run(t, []string{testPass}, "", "wallet", "export", "carol", "--keystore", ks).
		want(t, 1, `no wallet named "carol" in `+ks)
	missing := filepath.Join(dir, "nope")
	for _, args := range [][]string{{"wallet", "list"}, {"wallet", "show", "alice"}, {"wallet", "export", "alice"}} {
		run(t, []string{testPass}, "", append(args, "--keystore", missing)...).want(t, 1, "no keystore at "+missing)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a read command created the missing keystore: %v", err)
	}
	run(t, []string{testPass}, "", "wallet", "new", "--name", "alice", "--keystore", ks).want(t, 1, "already exists")
	run(t, nil, "", "wallet", "new", "--name", "nopass", "--keystore", ks).want(t, 1, "no passphrase")
	run(t, nil, "\n", "wallet", "new", "--name", "empty", "--keystore", ks).want(t, 1, "empty passphrase")
	run(t, []string{testPass}, "zz\n", "wallet", "import", "x", "--keystore", ks).want(t, 1, "64 hex digits")

	// The default keystore is ~/.cairn/keystore, or $CAIRN_KEYSTORE.
	home := filepath.Join(dir, "home")
	run(t, []string{testPass, "HOME=" + home}, "", "wallet", "new", "--name", "h").want(t, 0)
	if _, err := os.Stat(filepath.Join(home, ".cairn", "keystore", "h.json")); err != nil {
		t.Fatalf("default keystore: %v", err)
	}
	envKS := filepath.Join(dir, "env-ks")
	run(t, []string{testPass, "CAIRN_KEYSTORE=" + envKS}, "", "wallet", "new", "--name", "e").want(t, 0)
	run(t, []string{"CAIRN_KEYSTORE=" + envKS}, "", "wallet", "show", "e").want(t, 0)

	// Without --name the key is "default", then "default-2".
	for _, want := range []string{"default", "default-2"} {
		run(t, []string{testPass}, "", "wallet", "new", "--keystore", ks).want(t, 0, `"`+want+`"`)
	}
}

func TestCLIGenesisNew(t *testing.T) {
	ks := t.TempDir()
	alice := newWallet(t, ks, "alice")
	bob := newWallet(t, ks, "bob")
	r := run(t, nil, "", "genesis", "new", "--chain-id", "acme-1", "--alloc", alice+"=1000.5", "--alloc", bob+"=0.00000001",
		"--block-time", "2s", "--min-fee", "0.0001", "--reward", "10", "--timestamp", "1700000000000")
	r.want(t, 0, "genesis of chain \"acme-1\"")
	g, err := core.ParseGenesis([]byte(r.stdout))
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, r.stdout)
	}
	if !strings.Contains(r.stderr, g.Hash().String()) {
		t.Fatalf("stderr does not name the genesis hash %s: %s", g.Hash(), r.stderr)
	}
	want := map[string]uint64{alice: 100_050_000_000, bob: 1}
	if len(g.Alloc) != 2 {
		t.Fatalf("alloc %v", g.Alloc)
	}
	for _, a := range g.Alloc {
		if want[a.Address.Encode(g.AddressPrefix)] != a.Balance {
			t.Fatalf("alloc %s = %d, want %v", a.Address.Encode(g.AddressPrefix), a.Balance, want)
		}
	}
	if g.ChainID != "acme-1" || g.TargetBlockTimeMs != 2000 || g.MinFee != 10_000 || g.InitialReward != 1_000_000_000 || g.Timestamp != 1700000000000 {
		t.Fatalf("genesis %+v", g)
	}

	// Custom prefix and decimals: amounts scale, addresses use the prefix.
	acme := strings.TrimSpace(run(t, nil, "", "wallet", "show", "alice", "--keystore", ks, "--prefix", "acme").stdout)
	acmeAddr := strings.Fields(strings.Split(acme, "\n")[1])[1]
	r = run(t, nil, "", "genesis", "new", "--prefix", "acme", "--decimals", "2", "--alloc", acmeAddr+"=12.34")
	r.want(t, 0)
	if g, err = core.ParseGenesis([]byte(r.stdout)); err != nil {
		t.Fatal(err)
	}
	if g.Decimals != 2 || g.Alloc[0].Balance != 1234 || g.InitialReward != 5000 || g.AddressPrefix != "acme" {
		t.Fatalf("genesis %+v", g)
	}
	// An address of another prefix and too many decimals are refused.
	run(t, nil, "", "genesis", "new", "--prefix", "acme", "--alloc", alice+"=1").want(t, 1, "prefix")
	// A wallet's name funds its address, as --admin and --member take one.
	r = run(t, nil, "", "genesis", "new", "--alloc", "alice=2", "--keystore", ks)
	r.want(t, 0)
	if g, err = core.ParseGenesis([]byte(r.stdout)); err != nil || len(g.Alloc) != 1 || g.Alloc[0].Address.Encode("cairn") != alice {
		t.Fatalf("--alloc alice=2: %+v %v", g, err)
	}
	run(t, nil, "", "genesis", "new", "--alloc", "carol=2", "--keystore", ks).want(t, 1, `--alloc "carol": not an address, nor a wallet`)
	run(t, nil, "", "genesis", "new", "--prefix", "acme", "--decimals", "2", "--alloc", acmeAddr+"=1.001").want(t, 2, "more than 2 decimal places")
	run(t, nil, "", "genesis", "new", "--chain-id", "Bad Chain").want(t, 1, "chain_id")

	// Every genesis field has a flag.
	r = run(t, nil, "", "genesis", "new", "--max-block-bytes", "200000", "--max-block-txs", "500", "--asert-halflife", "90s",
		"--pow-limit", "00ffff0000000000000000000000000000000000000000000000000000000000", "--initial-bits", "0x1f00ffff", "--halving-interval", "1000")
	r.want(t, 0)
	if g, err = core.ParseGenesis([]byte(r.stdout)); err != nil {
		t.Fatal(err)
	}
	if g.MaxBlockBytes != 200_000 || g.MaxBlockTxs != 500 || g.AsertHalflifeMs != 90_000 || g.PowLimit.String()[:6] != "00ffff" || g.HalvingInterval != 1000 {
		t.Fatalf("genesis %+v", g)
	}
	// Refused as the node refuses them, before any file is written.
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--pow-limit", "0000ff0000000000000000000000000000000000000000000000000000000000"}, 1, "above pow_limit"},
		{[]string{"--pow-limit", "xyz"}, 2, "--pow-limit"},
		{[]string{"--pow-limit", "00"}, 2, "64 hex digits"},
		{[]string{"--max-block-bytes", "100"}, 1, "max_block_bytes 100"},
		{[]string{"--max-block-txs", "0"}, 1, "max_block_txs 0"},
		{[]string{"--asert-halflife", "0s"}, 2, "--asert-halflife"},
	} {
		r := run(t, nil, "", append([]string{"genesis", "new"}, c.args...)...)
		r.want(t, c.code, c.want)
		if r.stdout != "" {
			t.Fatalf("%v: refused but wrote %q", c.args, r.stdout)
		}
	}
}

func TestCLITxSignOffline(t *testing.T) {
	ks := t.TempDir()
	alice := newWallet(t, ks, "alice")
	bob := newWallet(t, ks, "bob")
	cases := []struct {
		name   string
		args   []string
		prefix string
		amount uint64
		fee    uint64
		memo   string
	}{
		{name: "defaults", args: []string{"--to", bob, "--amount", "1.5"}, prefix: "cairn", amount: 150_000_000, fee: core.DefaultMinFee},
		{name: "fee and memo", args: []string{"--to", bob, "--amount", "0", "--fee", "0.001", "--memo", "c0ffee"}, prefix: "cairn", amount: 0, fee: 100_000, memo: "c0ffee"},
		{name: "by address", args: []string{"--to", bob, "--amount", "2"}, prefix: "cairn", amount: 200_000_000, fee: core.DefaultMinFee},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from := "alice"
			if c.name == "by address" {
				from = alice
			}
			args := append([]string{"tx", "sign", "--from", from, "--nonce", "4", "--chain-id", "acme", "--keystore", ks,
				"--node", closedURL(t)}, c.args...)
			r := run(t, []string{testPass}, "", args...)
			r.want(t, 0)
			var j core.TxJSON
			dec := json.NewDecoder(strings.NewReader(r.stdout))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&j); err != nil {
				t.Fatalf("output is not tx JSON: %v\n%s", err, r.stdout)
			}
			tx, err := j.Tx(c.prefix)
			if err != nil {
				t.Fatalf("TxJSON.Tx: %v", err)
			}
			if !tx.VerifySignature() {
				t.Fatal("signature does not verify")
			}
			if err := tx.CheckSanity("acme", 0, true); err != nil {
				t.Fatalf("CheckSanity: %v", err)
			}
			if tx.Nonce != 4 || tx.Amount != c.amount || tx.Fee != c.fee || j.Memo != c.memo || j.FromAddress != alice || j.To != bob {
				t.Fatalf("tx %+v", j)
			}
		})
	}
	// A custom chain's prefix and decimals.
	acmeBob := strings.Fields(strings.Split(run(t, nil, "", "wallet", "show", "bob", "--keystore", ks, "--prefix", "acme").stdout, "\n")[1])[1]
	r := run(t, []string{testPass}, "", "tx", "sign", "--from", "alice", "--to", acmeBob, "--amount", "1.5", "--nonce", "0",
		"--chain-id", "acme", "--prefix", "acme", "--decimals", "2", "--keystore", ks)
	r.want(t, 0)
	var j core.TxJSON
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatal(err)
	}
	if tx, err := j.Tx("acme"); err != nil || !tx.VerifySignature() || tx.Amount != 150 {
		t.Fatalf("acme tx %+v: %v", j, err)
	}
	// Errors.
	run(t, []string{"CAIRN_PASSWORD=wrong"}, "", "tx", "sign", "--from", "alice", "--to", bob, "--amount", "1", "--nonce", "0", "--chain-id", "acme", "--keystore", ks).
		want(t, 1, `wrong passphrase for wallet "alice"`)
	run(t, []string{testPass}, "", "tx", "sign", "--from", "carol", "--to", bob, "--amount", "1", "--nonce", "0", "--chain-id", "acme", "--keystore", ks).
		want(t, 1, `no wallet named "carol" in `+ks)
	run(t, []string{testPass}, "", "tx", "sign", "--from", "alice", "--to", bob, "--amount", "1", "--nonce", "0", "--chain-id", "acme", "--keystore", filepath.Join(ks, "none")).
		want(t, 1, "no keystore at")
	run(t, []string{testPass}, "", "tx", "sign", "--from", "alice", "--to", "cairn1xyz", "--amount", "1", "--nonce", "0", "--chain-id", "acme", "--keystore", ks).
		want(t, 1, "--to")
	run(t, []string{testPass}, "", "tx", "sign", "--from", "alice", "--to", bob, "--amount", "0", "--nonce", "0", "--chain-id", "acme", "--keystore", ks).
		want(t, 1, "only allowed with a --memo")
	run(t, []string{testPass}, "", "tx", "sign", "--from", "alice", "--to", bob, "--amount", "1", "--memo", "xyz", "--nonce", "0", "--chain-id", "acme", "--keystore", ks).
		want(t, 1, "--memo")
	run(t, []string{testPass}, "", "tx", "sign", "--from", "alice", "--to", bob, "--amount", "1.123456789", "--nonce", "0", "--chain-id", "acme", "--keystore", ks).
		want(t, 2, "more than 8 decimal places")
}

// TestGenesisNewPoA: a proof-of-authority genesis from a wallet name and a
// hex key: both signers listed (sorted), the period from --block-time, no
// block reward by default; a node accepts it (genesis new checks as the
// node does).
func TestGenesisNewPoA(t *testing.T) {
	ks := t.TempDir()
	newWallet(t, ks, "org1")
	hexKey := strings.Repeat("ab", 32)
	r := run(t, nil, "", "genesis", "new", "--chain-id", "auth", "--consensus", "poa", "--signer", "org1", "--signer", hexKey,
		"--block-time", "2s", "--keystore", ks)
	r.want(t, 0)
	g, err := core.LoadGenesis(strings.NewReader(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	if !g.IsPoA() || len(g.PoA.Signers) != 2 || g.PoA.PeriodMs != 2000 || g.InitialReward != 0 {
		t.Fatalf("genesis %+v, poa %+v", g, g.PoA)
	}
	if g.PoA.Signers[0].String() != hexKey && g.PoA.Signers[1].String() != hexKey {
		t.Fatalf("the hex signer is missing: %v", g.PoA.Signers)
	}
	run(t, nil, "", "genesis", "new", "--consensus", "poa", "--signer", "nobody", "--keystore", ks).want(t, 1, `--signer "nobody"`)
}
