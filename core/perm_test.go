package core

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// permGenesis is a genesis document with the given permissions object.
func permGenesis(perms string) string {
	return `{"chain_id":"perm","timestamp":1700000000000,"permissions":` + perms + `}`
}

// TestGenesisPermissions: a genesis with permissions loads with its lists
// sorted, round-trips through JSON, is part of the chain's identity
// (encoding version 4, under either engine), and a genesis without them
// keeps its hash.
func TestGenesisPermissions(t *testing.T) {
	a, b := Address{9}, Address{1}
	doc := permGenesis(`{"admins":["` + a.String() + `"],"submit":{"restricted":true,"members":["` + a.String() + `","` + b.String() + `"]},"issue":{"restricted":true,"members":[]}}`)
	g, err := ParseGenesis([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	p := g.Permissions
	if p == nil || len(p.Admins) != 1 || p.Admins[0] != a || !p.Submit.Restricted || p.Submit.Members[0] != b || !p.Issue.Restricted || p.Deploy.Restricted {
		t.Fatalf("loaded %+v", p)
	}
	if !p.Restricted(RoleAdmin) || !p.Restricted(RoleSubmit) || p.Restricted(RoleDeploy) || (*Permissions)(nil).Restricted(RoleSubmit) {
		t.Fatal("Restricted")
	}
	out, err := g.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseGenesis(out)
	if err != nil || back.Hash() != g.Hash() {
		t.Fatalf("round trip %s: %v", out, err)
	}
	plain, err := ParseGenesis([]byte(`{"chain_id":"perm","timestamp":1700000000000}`))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Hash() == g.Hash() {
		t.Fatal("permissions are not part of the chain's identity")
	}
	if bytes.Contains(must(plain.MarshalJSON()), []byte("permissions")) {
		t.Fatal("a genesis without permissions writes them")
	}
	// Every list and flag counts.
	other := *g
	other.Permissions = &Permissions{Admins: []Address{a}, Submit: RolePolicy{Restricted: true, Members: []Address{a, b}}, Issue: RolePolicy{Restricted: true}, Deploy: RolePolicy{Restricted: true}}
	if other.Hash() == g.Hash() {
		t.Fatal("the deploy flag is not part of the chain's identity")
	}
	other.Permissions = &Permissions{Admins: []Address{b}, Submit: g.Permissions.Submit, Issue: g.Permissions.Issue}
	if other.Hash() == g.Hash() {
		t.Fatal("the admins are not part of the chain's identity")
	}
	// Empty permissions are still version 4: present, so encoded.
	empty, err := ParseGenesis([]byte(permGenesis(`{"admins":[]}`)))
	if err != nil || empty.Hash() == plain.Hash() {
		t.Fatalf("empty permissions: %v", err)
	}
	// Under PoA too.
	poa := `"consensus":"poa","poa":{"signers":["` + PublicKey{3}.String() + `"],"period_ms":1000},`
	gp, err := ParseGenesis([]byte(strings.Replace(doc, `"permissions"`, poa+`"permissions"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	pp, err := ParseGenesis([]byte(`{"chain_id":"perm","timestamp":1700000000000,` + strings.TrimSuffix(poa, ",") + `}`))
	if err != nil || gp.Hash() == pp.Hash() || gp.Hash() == g.Hash() {
		t.Fatalf("PoA with permissions: %v", err)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestGenesisPermissionsRefused: bad permissions name what is wrong.
func TestGenesisPermissionsRefused(t *testing.T) {
	a := Address{9}.String()
	for _, c := range []struct{ perms, want string }{
		{`{"admins":["cairn1xyz"]}`, "permissions.admins"},
		{`{"admins":["` + a + `","` + a + `"]}`, "listed twice"},
		{`{"admins":["` + Address{}.String() + `"]}`, "zero address"},
		{`{"issue":{"restricted":false,"members":["` + a + `"]}}`, "not restricted"},
		{`{"submit":{"restricted":true,"members":[]}}`, "nobody could ever send"},
		{`{"mint":{"restricted":true}}`, "mint"},
		{`{"submit":{"restricted":true,"members":["` + a + `"],"colour":1}}`, "colour"},
		{`[]`, "invalid JSON"},
	} {
		_, err := ParseGenesis([]byte(permGenesis(c.perms)))
		if err == nil || !errors.Is(err, CodeBadGenesis) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want a bad_genesis naming %q", c.perms, err, c.want)
		}
	}
}

// TestPermBodies: the role must be a known name and the address non-zero;
// the role a kind needs.
func TestPermBodies(t *testing.T) {
	for _, c := range []struct {
		body Body
		code Code
	}{
		{&PermGrant{Role: "minter", Address: Address{1}}, CodeMalformed},
		{&PermGrant{Role: "", Address: Address{1}}, CodeMalformed},
		{&PermRevoke{Role: "Admin", Address: Address{1}}, CodeMalformed},
		{&PermGrant{Role: "submit"}, CodeMalformed},
		{&PermRevoke{Role: "deploy"}, CodeMalformed},
	} {
		if err := testTx2(1, 0, c.body).CheckSanity("test", 0, true); !errors.Is(err, c.code) {
			t.Errorf("%+v: got %v, want %s", c.body, err, c.code)
		}
	}
	for _, r := range Roles() {
		if back, err := ParseRole(r.String()); err != nil || back != r {
			t.Errorf("role %s does not parse back", r)
		}
	}
	if r, ok := RoleFor(KindAssetCreate); !ok || r != RoleIssue {
		t.Error("asset_create needs issue")
	}
	if r, ok := RoleFor(KindContractDeploy); !ok || r != RoleDeploy {
		t.Error("contract_deploy needs deploy")
	}
	if _, ok := RoleFor(KindContractCall); ok {
		t.Error("contract_call needs no role but submit")
	}
	if KindPermGrant != 14 || KindPermRevoke != 15 || KindPermGrant.String() != "perm_grant" {
		t.Error("kind numbers are consensus")
	}
	// Too long a role name is refused by the decoder itself.
	raw := AppendBody(nil, &PermGrant{Role: "submitter", Address: Address{1}})
	if _, err := DecodeBody(KindPermGrant, raw); err == nil || !IsRuleError(err) {
		t.Errorf("a 9-byte role decoded: %v", err)
	}
}

// FuzzDecodePermBody: a perm body decodes only if it re-encodes to the
// same bytes; one that passes its rules names a role that parses.
func FuzzDecodePermBody(f *testing.F) {
	for _, b := range []Body{&PermGrant{Role: "submit", Address: Address{1}}, &PermRevoke{Role: "admin", Address: Address{2}}} {
		f.Add(uint8(b.Kind()), AppendBody(nil, b))
	}
	f.Add(uint8(KindPermGrant), []byte{9, 's'})
	f.Fuzz(func(t *testing.T, k uint8, raw []byte) {
		kind := KindPermGrant + Kind(k%2)
		body, err := DecodeBody(kind, raw)
		if err != nil {
			if !IsRuleError(err) {
				t.Fatalf("not a rule error: %v", err)
			}
			return
		}
		if !bytes.Equal(AppendBody(nil, body), raw) {
			t.Fatal("round trip")
		}
		if checkBody(body) == nil {
			var role string
			switch b := body.(type) {
			case *PermGrant:
				role = b.Role
			case *PermRevoke:
				role = b.Role
			}
			if _, err := ParseRole(role); err != nil {
				t.Fatalf("a checked body has role %q", role)
			}
		}
	})
}
