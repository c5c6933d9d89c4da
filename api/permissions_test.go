package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/node"
	"github.com/prometheus/client_golang/prometheus"
)

// newPermEnv is newEnv on a chain whose genesis makes key 0 the admin and
// restricts submit to key 1 and issue to nobody but admins; keys 0-3
// have coins.
func newPermEnv(t *testing.T) *env {
	t.Helper()
	return newPermEnvWith(t, &core.Permissions{
		Admins: []core.Address{addr(0)},
		Submit: core.RolePolicy{Restricted: true, Members: []core.Address{addr(1)}},
		Issue:  core.RolePolicy{Restricted: true},
	})
}

// newPermEnvWith is newEnv on a chain whose genesis has permissions p;
// keys 0-3 have coins.
func newPermEnvWith(t *testing.T, p *core.Permissions) *env {
	t.Helper()
	g := testGenesis(4)
	g.Permissions = p
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	n, err := node.New(node.Config{DataDir: t.TempDir(), Genesis: g, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	e := &env{t: t, n: n, reg: prometheus.NewRegistry()}
	if e.srv, err = api.New(api.Config{Backend: backend(n), Token: testToken, Version: "test", Registry: e.reg}); err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

// TestPermissionsAPI: GET /permissions shows the genesis's lists; an
// unpermitted sender's tx is refused with 403 not_permitted and changes
// nothing; an admin's perm_grant, once in a block, lists the grantee
// (since that height) and lets it send.
func TestPermissionsAPI(t *testing.T) {
	e := newPermEnv(t)
	pfx := e.n.Genesis.AddressPrefix
	var p wire.Permissions
	e.get("/api/v1/permissions", &p)
	if !p.Enabled || len(p.Admins) != 1 || p.Admins[0].Address != addr(0).Encode(pfx) || len(p.Roles) != 3 {
		t.Fatalf("permissions %+v", p)
	}
	if r := p.Roles[0]; r.Role != "submit" || !r.Restricted || len(r.Members) != 1 || r.Members[0].Address != addr(1).Encode(pfx) || r.Members[0].Since != 0 {
		t.Fatalf("submit %+v", r)
	}
	if r := p.Roles[2]; r.Role != "deploy" || r.Restricted || len(r.Members) != 0 {
		t.Fatalf("deploy %+v", r)
	}

	before := e.snapshot()
	code, _, body := e.do(http.MethodPost, "/api/v1/txs", transfer(2, addr(3), 5, testMinFee, 0).JSON(pfx))
	if code != http.StatusForbidden || problemOf(t, body).Code != string(core.CodeNotPermitted) {
		t.Fatalf("unpermitted sender: %d %s", code, body)
	}
	if e.snapshot() != before {
		t.Fatal("a refused tx changed the node")
	}
	// A member may submit; so may the admin, who also issues.
	e.submit(transfer(1, addr(3), 5, testMinFee, 0))
	e.submit(key(0).Tx2(testChain, &core.PermGrant{Role: "submit", Address: addr(2)}, testMinFee, 0))
	code, _, body = e.do(http.MethodPost, "/api/v1/txs", key(1).Tx2(testChain, &core.AssetCreate{Symbol: "X", MaxSupply: 9}, testMinFee, 1).JSON(pfx))
	if code != http.StatusForbidden || problemOf(t, body).Code != string(core.CodeNotPermitted) {
		t.Fatalf("asset_create without issue: %d %s", code, body)
	}
	blk := e.mine()
	if len(blk.Txs) != 2 {
		t.Fatalf("block holds %d txs, want the transfer and the grant", len(blk.Txs))
	}
	e.get("/api/v1/permissions", &p)
	if ms := p.Roles[0].Members; len(ms) != 2 || p.Height != 1 {
		t.Fatalf("after the grant: %+v", p)
	}
	for _, m := range p.Roles[0].Members {
		if m.Address == addr(2).Encode(pfx) && m.Since != 1 {
			t.Fatalf("grantee since %d, want 1", m.Since)
		}
	}
	e.submit(transfer(2, addr(3), 5, testMinFee, 0))

	// One address at a time: the admin holds everything without being a
	// member; the grantee is a submit member since block 1 but may not
	// issue; an outsider may deploy (not restricted) and nothing else.
	type want struct {
		admin          bool
		member, permit [3]bool
		since          [3]uint64
	}
	for _, c := range []struct {
		a core.Address
		w want
	}{
		{addr(0), want{admin: true, permit: [3]bool{true, true, true}}},
		{addr(1), want{member: [3]bool{true, false, false}, permit: [3]bool{true, false, true}}},
		{addr(2), want{member: [3]bool{true, false, false}, permit: [3]bool{true, false, true}, since: [3]uint64{1, 0, 0}}},
		{addr(3), want{permit: [3]bool{false, false, true}}},
	} {
		var ap wire.AccountPermissions
		e.get("/api/v1/permissions/"+c.a.Encode(pfx), &ap)
		if ap.Address != c.a.Encode(pfx) || !ap.Enabled || ap.Height != 1 || ap.Admin != c.w.admin || len(ap.Roles) != 3 ||
			c.w.admin && (ap.AdminSince == nil || *ap.AdminSince != 0) || !c.w.admin && ap.AdminSince != nil {
			t.Fatalf("permissions of %s: %+v", c.a.Encode(pfx), ap)
		}
		for i, r := range ap.Roles {
			restricted := i < 2 // submit and issue
			if r.Role != []string{"submit", "issue", "deploy"}[i] || r.Restricted != restricted || r.Member != c.w.member[i] ||
				r.Permitted != c.w.permit[i] || r.Member != (r.Since != nil) || r.Since != nil && *r.Since != c.w.since[i] {
				t.Fatalf("permissions of %s, role %d: %+v (want %+v)", c.a.Encode(pfx), i, r, c.w)
			}
		}
	}
	code, _, body = e.do(http.MethodGet, "/api/v1/permissions/cairn1nope", nil)
	if code != http.StatusBadRequest || problemOf(t, body).Code != string(core.CodeMalformed) {
		t.Fatalf("a bad address: %d %s", code, body)
	}

	// A grant by a non-admin is refused.
	code, _, body = e.do(http.MethodPost, "/api/v1/txs", key(1).Tx2(testChain, &core.PermGrant{Role: "issue", Address: addr(1)}, testMinFee, 1).JSON(pfx))
	if code != http.StatusForbidden || problemOf(t, body).Code != string(core.CodeNotPermitted) {
		t.Fatalf("grant by a non-admin: %d %s", code, body)
	}
}

// TestPermissionsPaging: /permissions shows each list's count and first
// limit members with a next cursor; /permissions/roles/{role} pages
// through a role of 250 members (and the admins) in address order, with
// every member once; bad roles and cursors are refused.
func TestPermissionsPaging(t *testing.T) {
	var members, admins []core.Address
	for i := range 250 {
		members = append(members, scenarios.NewKey(1000+i).Addr)
	}
	for i := range 3 {
		admins = append(admins, scenarios.NewKey(5000+i).Addr)
	}
	sortAddrs := func(as []core.Address) {
		slices.SortFunc(as, func(a, b core.Address) int { return bytes.Compare(a[:], b[:]) })
	}
	sortAddrs(members)
	sortAddrs(admins)
	e := newPermEnvWith(t, &core.Permissions{Admins: admins, Submit: core.RolePolicy{Restricted: true, Members: members}, Issue: core.RolePolicy{Restricted: true}})
	pfx := e.n.Genesis.AddressPrefix

	var p wire.Permissions
	e.get("/api/v1/permissions?limit=100", &p)
	sub := p.Roles[0]
	if sub.Count != 250 || len(sub.Members) != 100 || sub.Next != members[99].Encode(pfx) || sub.Members[0].Address != members[0].Encode(pfx) {
		t.Fatalf("submit in the summary: count %d, %d members, next %q", sub.Count, len(sub.Members), sub.Next)
	}
	if p.AdminsCount != 3 || len(p.Admins) != 3 || p.AdminsNext != "" {
		t.Fatalf("admins in the summary: count %d, %d listed, next %q", p.AdminsCount, len(p.Admins), p.AdminsNext)
	}
	if r := p.Roles[1]; r.Role != "issue" || r.Count != 0 || len(r.Members) != 0 || r.Next != "" {
		t.Fatalf("issue in the summary: %+v", r)
	}
	p = wire.Permissions{}
	e.get("/api/v1/permissions?limit=2", &p)
	if p.AdminsCount != 3 || len(p.Admins) != 2 || p.AdminsNext != admins[1].Encode(pfx) {
		t.Fatalf("admins with limit 2: count %d, %d listed, next %q", p.AdminsCount, len(p.Admins), p.AdminsNext)
	}

	var got []string
	after, pages := "", 0
	for {
		var pg wire.PermMembersPage
		e.get("/api/v1/permissions/roles/submit?limit=100&after="+after, &pg)
		pages++
		if pg.Role != "submit" || !pg.Enabled || !pg.Restricted || pg.Count != 250 || pg.Height != 0 {
			t.Fatalf("page %d: %+v", pages, pg)
		}
		for _, m := range pg.Members {
			got = append(got, m.Address)
		}
		if pg.Next == "" {
			break
		}
		if pages > 3 {
			t.Fatal("more than 3 pages of 100 for 250 members")
		}
		after = pg.Next
	}
	if pages != 3 || len(got) != 250 {
		t.Fatalf("%d pages, %d members; want 3 and 250", pages, len(got))
	}
	for i, a := range got {
		if a != members[i].Encode(pfx) {
			t.Fatalf("member %d is %s, want %s (address order, each once)", i, a, members[i].Encode(pfx))
		}
	}
	var pg wire.PermMembersPage
	e.get("/api/v1/permissions/roles/admin?limit=1&after="+admins[0].Encode(pfx), &pg)
	if pg.Role != "admin" || !pg.Restricted || pg.Count != 3 || len(pg.Members) != 1 || pg.Members[0].Address != admins[1].Encode(pfx) || pg.Next != admins[1].Encode(pfx) {
		t.Fatalf("admin page after the first: %+v", pg)
	}
	pg = wire.PermMembersPage{} // Next is omitted when empty
	e.get("/api/v1/permissions/roles/deploy", &pg)
	if pg.Restricted || pg.Count != 0 || len(pg.Members) != 0 || pg.Next != "" {
		t.Fatalf("an open role: %+v", pg)
	}
	for _, c := range []struct{ path, want string }{
		{"/api/v1/permissions/roles/owner", "role"},
		{"/api/v1/permissions/roles/submit?after=cairn1nope", "after"},
		{"/api/v1/permissions/roles/submit?limit=0", "limit"},
		{"/api/v1/permissions?limit=1001", "limit"},
	} {
		code, _, body := e.do(http.MethodGet, c.path, nil)
		if code != http.StatusBadRequest && code != http.StatusUnprocessableEntity || !strings.Contains(string(body), c.want) {
			t.Errorf("GET %s: %d %s; want a 4xx naming %s", c.path, code, body, c.want)
		}
	}
}

// TestPermissionsAPIOpen: a chain without permissions says so and lists
// nothing restricted.
func TestPermissionsAPIOpen(t *testing.T) {
	e := newEnv(t, 1, nil)
	var p wire.Permissions
	e.get("/api/v1/permissions", &p)
	if p.Enabled || len(p.Admins) != 0 || len(p.Roles) != 3 {
		t.Fatalf("%+v", p)
	}
	for _, r := range p.Roles {
		if r.Restricted || len(r.Members) != 0 {
			t.Fatalf("%+v", r)
		}
	}
	for _, role := range []string{"admin", "submit"} {
		var pg wire.PermMembersPage
		e.get("/api/v1/permissions/roles/"+role, &pg)
		if pg.Enabled || pg.Restricted || pg.Count != 0 || len(pg.Members) != 0 || pg.Next != "" {
			t.Fatalf("role %s on an open chain: %+v", role, pg)
		}
	}
	var ap wire.AccountPermissions
	e.get("/api/v1/permissions/"+addr(0).Encode(e.n.Genesis.AddressPrefix), &ap)
	if ap.Enabled || ap.Admin || len(ap.Roles) != 3 {
		t.Fatalf("an address on an open chain: %+v", ap)
	}
	for _, r := range ap.Roles {
		if r.Restricted || r.Member || !r.Permitted {
			t.Fatalf("an address on an open chain: %+v", r)
		}
	}
}
