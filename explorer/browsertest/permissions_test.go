package browsertest

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
)

// permView is what the permissions page shows.
type permView struct {
	Roles   [][]string            `json:"roles"`   // role, what it lets, genesis flag, member count
	Members map[string][][]string `json:"members"` // by role ("admin" too): address, since
	Nav     bool                  `json:"nav"`     // the nav link is shown
}

const readPermJS = `(() => {
	const cells = (r) => Array.from(r.cells).map((c) => c.textContent);
	const members = {};
	for (const s of document.querySelectorAll('section[data-members]')) {
		members[s.dataset.members] = Array.from(s.querySelectorAll('tbody tr')).map(cells);
	}
	return {
		roles: Array.from(document.querySelectorAll('#perm-roles tr')).map(cells),
		members,
		nav: !document.getElementById('nav-permissions').hidden,
	};
})()`

// TestPermissionsInBrowser runs a node whose genesis makes key 0 the
// admin, restricts submit to key 1 and issue to the admins, grants and
// revokes roles through the API, and opens the explorer: the nav link
// leads to the permissions page, which lists the roles with their genesis
// flag and member count, the admins and each restricted role's members
// with the block that granted them (the genesis for the first ones, a
// revoked member gone); the tx pages of perm_grant and perm_revoke show
// the role and the address; nothing logs an error.
func TestPermissionsInBrowser(t *testing.T) {
	chromiumPath(t) // skip (or fail under CI) before starting any node
	b := scenarios.NewBuilder()
	k := b.Keys
	b.Genesis.Permissions = &core.Permissions{
		Admins: []core.Address{k[0].Addr},
		Submit: core.RolePolicy{Restricted: true, Members: []core.Address{k[1].Addr}},
		Issue:  core.RolePolicy{Restricted: true},
	}
	if err := b.Genesis.Validate(); err != nil {
		t.Fatal(err)
	}
	c := startChainNode(t, b)
	n := c.n
	grant := c.send(0, &core.PermGrant{Role: "submit", Address: k[2].Addr})   // block 1
	c.send(0, &core.PermGrant{Role: "issue", Address: k[1].Addr})             // block 2
	revoke := c.send(0, &core.PermRevoke{Role: "submit", Address: k[2].Addr}) // block 3

	base := n.APIURL()
	ctx, errs := browser(t)
	if err := chromedp.Run(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible("#nav-permissions", chromedp.ByID),
		chromedp.Click("#nav-permissions", chromedp.ByID), chromedp.WaitVisible("#perm-roles tr", chromedp.ByQuery)); err != nil {
		t.Fatalf("permissions page by the nav link: %v (console errors: %v)", err, *errs)
	}
	var v permView
	if err := chromedp.Run(ctx, chromedp.Evaluate(readPermJS, &v)); err != nil {
		t.Fatal(err)
	}
	wantRoles := [][]string{
		{"submit", "send any tx", "restricted", "1"},
		{"issue", "create assets (asset_create)", "restricted", "1"},
		{"deploy", "deploy contracts (contract_deploy)", "open", "—"},
	}
	if !v.Nav || !reflect.DeepEqual(v.Roles, wantRoles) {
		t.Errorf("roles %q (nav shown: %v), want %q", v.Roles, v.Nav, wantRoles)
	}
	wantMembers := map[string][][]string{
		"admin":  {{c.addr(0), "genesis"}},
		"submit": {{c.addr(1), "genesis"}},
		"issue":  {{c.addr(1), "#2"}},
	}
	if !reflect.DeepEqual(v.Members, wantMembers) {
		t.Errorf("members %q, want %q", v.Members, wantMembers)
	}
	screenshot(t, ctx, "permissions")

	// The tx pages of the two kinds.
	for _, tc := range []struct {
		id         core.Hash
		kind, verb string
	}{{grant, "perm_grant", "Granted to"}, {revoke, "perm_revoke", "Revoked from"}} {
		var tv txView
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err := chromedp.Run(wctx, chromedp.Navigate("about:blank"), chromedp.Navigate(base+"/#/tx/"+tc.id.String()),
			chromedp.WaitVisible("#tx-kind", chromedp.ByID), chromedp.Evaluate(readTxJS, &tv))
		cancel()
		if err != nil {
			t.Fatalf("tx page of %s: %v", tc.kind, err)
		}
		if tv.Kind != tc.kind || tv.Values["Role"] != "submit" || tv.Values[tc.verb] != c.addr(2) {
			t.Errorf("tx page of %s: kind %q, rows %v", tc.kind, tv.Kind, tv.Values)
		}
	}
	if len(*errs) > 0 {
		t.Fatalf("console errors: %v", *errs)
	}
}

// TestPermissionsPagingInBrowser: a role of 60 members shows its count and
// first 50 on the permissions page with a link to its own pages, which
// list the 50 and then the other 10 in address order, each member once.
func TestPermissionsPagingInBrowser(t *testing.T) {
	chromiumPath(t)
	b := scenarios.NewBuilder()
	var members []core.Address
	for i := range 60 {
		members = append(members, scenarios.NewKey(3000+i).Addr)
	}
	slices.SortFunc(members, func(a, b core.Address) int { return bytes.Compare(a[:], b[:]) })
	b.Genesis.Permissions = &core.Permissions{
		Admins: []core.Address{b.Keys[0].Addr},
		Submit: core.RolePolicy{Restricted: true, Members: members},
	}
	if err := b.Genesis.Validate(); err != nil {
		t.Fatal(err)
	}
	c := startChainNode(t, b)
	base := c.n.APIURL()
	ctx, errs := browser(t)
	var v permView
	if err := chromedp.Run(ctx, chromedp.Navigate(base+"/#/permissions"), chromedp.WaitVisible("#perm-roles tr", chromedp.ByQuery),
		chromedp.Evaluate(readPermJS, &v)); err != nil {
		t.Fatalf("permissions page: %v (console errors: %v)", err, *errs)
	}
	if got := v.Roles[0]; got[0] != "submit" || got[3] != "60" || len(v.Members["submit"]) != 50 {
		t.Fatalf("submit row %q with %d members listed; want a count of 60 and the first 50", got, len(v.Members["submit"]))
	}
	var listed []string
	if err := chromedp.Run(ctx, chromedp.Click("section[data-members=submit] a.perm-more", chromedp.ByQuery),
		chromedp.WaitVisible("#more", chromedp.ByID), chromedp.Evaluate(readPermJS, &v)); err != nil {
		t.Fatalf("the role's first page: %v (console errors: %v)", err, *errs)
	}
	for _, m := range v.Members["submit"] {
		listed = append(listed, m[0])
	}
	if err := chromedp.Run(ctx, chromedp.Click("#more", chromedp.ByID),
		chromedp.WaitNotPresent("#more", chromedp.ByID), chromedp.Evaluate(readPermJS, &v)); err != nil {
		t.Fatalf("the role's second page: %v (console errors: %v)", err, *errs)
	}
	for _, m := range v.Members["submit"] {
		listed = append(listed, m[0])
	}
	if len(listed) != 60 {
		t.Fatalf("%d members over the two pages, want 60", len(listed))
	}
	for i, a := range listed {
		if want := members[i].Encode(b.Genesis.AddressPrefix); a != want {
			t.Fatalf("member %d is %s, want %s", i, a, want)
		}
	}
	if len(*errs) > 0 {
		t.Fatalf("console errors: %v", *errs)
	}
}
