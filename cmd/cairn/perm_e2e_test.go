package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
)

// TestEndToEndPermissions runs the permission commands against a real
// node of a chain made with `genesis new --admin --restrict --member`:
// perm list shows the genesis's roles; an unlisted sender and a non-admin
// granting are refused with not_permitted (exit 1); the admin grants
// submit, the grantee sends, the last admin cannot be revoked, a revoke
// shuts the sender out again; tx show prints a grant's role and address;
// bad flags are usage errors (exit 2).
func TestEndToEndPermissions(t *testing.T) {
	dir := t.TempDir()
	ks := filepath.Join(dir, "keystore")
	admin := newWallet(t, ks, "admin")
	alice := newWallet(t, ks, "alice")
	bob := newWallet(t, ks, "bob")
	miner := newWallet(t, ks, "miner")
	ch := startE2EChainWith(t, dir, ks, "perms", miner,
		[]string{"--admin", "admin", "--restrict", "submit,issue", "--member", "submit=" + alice},
		admin+"=1000", alice+"=100", bob+"=100")
	cairn, ok := ch.cairn, ch.ok
	wait := func(args ...string) string {
		t.Helper()
		out := ok(append(args, "--wait", "--timeout", "2m")...)
		if !submittedRe.MatchString(out) || !includedRe.MatchString(out) {
			t.Fatalf("cairn %s printed:\n%s", strings.Join(args, " "), out)
		}
		return out
	}

	wantLines(t, "perm list", ok("perm", "list"),
		`permissions at height \d+ \([0-9a-f]{64}\)`,
		`admin: 1 admin \(grant and revoke roles; hold every role\)`,
		`  `+admin+`  since height 0`,
		`submit: restricted to 1 member and the admins`,
		`  `+alice+`  since height 0`,
		`issue: restricted to the admins \(no members\)`,
		`deploy: open, anyone may deploy contracts`)

	cairn("send", "--from", "bob", "--to", alice, "--amount", "1").want(t, 1, "not_permitted", "may not send txs")
	cairn("perm", "grant", "--role", "submit", "--address", "bob", "--from", "alice").want(t, 1, "not_permitted", "may not grant or revoke roles")
	cairn("asset", "create", "--from", "alice", "--symbol", "GOLD", "--name", "Gold", "--decimals", "0", "--supply", "5").want(t, 1, "not_permitted", "asset_create")

	grant := submittedRe.FindStringSubmatch(wait("perm", "grant", "--role", "submit", "--address", bob, "--from", "admin"))[1]
	wait("send", "--from", "bob", "--to", alice, "--amount", "1")
	wantLines(t, "perm show bob", ok("perm", "show", "--address", "bob"),
		`permissions of `+bob+` at height \d+ \([0-9a-f]{64}\)`,
		`admin: no`,
		`submit: may send txs \(a member since height [1-9]\d*\)`,
		`issue:  may not create assets \(restricted, and it is not a member\)`,
		`deploy: may deploy contracts \(the role is open\)`)
	wantLines(t, "perm show admin", ok("perm", "show", "--address", admin),
		`admin: yes, since height 0 \(grants and revokes roles; holds every role\)`,
		`submit: may send txs \(restricted; an admin\)`,
		`issue:  may create assets \(restricted; an admin\)`)
	wantLines(t, "tx show", ok("tx", "show", grant), `kind     perm_grant`, `  role         submit`, `  grant to     `+bob)
	first, second := alice, bob // --role lists in address order
	if first > second {
		first, second = second, first
	}
	wantLines(t, "perm list --role submit", ok("perm", "list", "--role", "submit"),
		`submit members at height \d+ \([0-9a-f]{64}\)`,
		`submit: restricted to 2 members and the admins`,
		`  `+first+`  since height \d+`,
		`  `+second+`  since height \d+`)
	wantLines(t, "perm list --role admin", ok("perm", "list", "--role", "admin"), `admin: 1 admin`, `  `+admin+`  since height 0`)
	wantLines(t, "perm list --role deploy", ok("perm", "list", "--role", "deploy"), `deploy: open, anyone may deploy contracts \(no members\)`)
	cairn("perm", "list", "--role", "minter").want(t, 2, `--role: role "minter"`)
	cairn("perm", "grant", "--role", "submit", "--address", "bob", "--from", "admin").want(t, 1, "already_member")
	cairn("perm", "revoke", "--role", "admin", "--address", "admin", "--from", "admin").want(t, 1, "last_admin")
	wait("perm", "revoke", "--role", "submit", "--address", "bob", "--from", "admin")
	cairn("send", "--from", "bob", "--to", alice, "--amount", "1").want(t, 1, "not_permitted")

	var p wire.Permissions
	if err := json.Unmarshal([]byte(ok("perm", "list", "--json")), &p); err != nil {
		t.Fatal(err)
	}
	if !p.Enabled || len(p.Roles) != 3 || len(p.Roles[0].Members) != 1 || p.Roles[0].Members[0].Address != alice {
		t.Fatalf("perm list --json: %+v", p)
	}

	cairn("perm", "grant", "--role", "minter", "--address", bob, "--from", "admin").want(t, 2, `role "minter"`)
	cairn("perm", "grant", "--role", "submit", "--from", "admin").want(t, 2, "--address")
	cairn("perm", "revoke", "--role", "submit", "--address", "cairn1notanaddress", "--from", "admin").want(t, 2, "--address")
	cairn("perm", "show").want(t, 2, "--address is required")
	cairn("perm", "show", "--address", "cairn1notanaddress").want(t, 2, "--address")
	cairn("perm").want(t, 2, "missing subcommand")
}

// TestGenesisNewPermissions: `genesis new --admin --restrict --member`
// writes the permissions (wallet names resolved to addresses) and says so;
// without them the genesis has none; bad flags name what is wrong.
func TestGenesisNewPermissions(t *testing.T) {
	ks := filepath.Join(t.TempDir(), "keystore")
	admin := newWallet(t, ks, "admin")
	alice := newWallet(t, ks, "alice")
	env := []string{"CAIRN_KEYSTORE=" + ks}
	r := run(t, env, "", "genesis", "new", "--chain-id", "p", "--admin", "admin", "--restrict", "submit", "--restrict", "deploy", "--member", "submit="+alice)
	r.want(t, 0, "1 admin, restricted roles: submit (1 member), deploy (0 members)")
	var g struct {
		Permissions struct {
			Admins []string `json:"admins"`
			Submit struct {
				Restricted bool     `json:"restricted"`
				Members    []string `json:"members"`
			} `json:"submit"`
			Issue struct {
				Restricted bool `json:"restricted"`
			} `json:"issue"`
		} `json:"permissions"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &g); err != nil {
		t.Fatal(err)
	}
	p := g.Permissions
	if len(p.Admins) != 1 || p.Admins[0] != admin || !p.Submit.Restricted || len(p.Submit.Members) != 1 || p.Submit.Members[0] != alice || p.Issue.Restricted {
		t.Fatalf("permissions %+v", p)
	}
	if r := run(t, env, "", "genesis", "new", "--chain-id", "p"); strings.Contains(r.stdout, "permissions") || strings.Contains(r.stderr, "admin") {
		t.Fatalf("a genesis without permission flags has permissions:\n%s\n%s", r.stdout, r.stderr)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--member", "issue=" + alice}, 2, "issue is not restricted"},
		{[]string{"--restrict", "admin"}, 2, "admin is always restricted"},
		{[]string{"--restrict", "mint"}, 2, `role "mint"`},
		{[]string{"--member", alice}, 2, "want ROLE=ADDRESS"},
		{[]string{"--restrict", "submit"}, 1, "nobody could ever send a tx"},
		{[]string{"--admin", "nobody"}, 1, `no wallet named "nobody"`},
	} {
		run(t, env, "", append([]string{"genesis", "new", "--chain-id", "p"}, c.args...)...).want(t, c.code, c.msg)
	}
}
