package state

import (
	"errors"
	"maps"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// permWorld is a chain whose genesis makes key 1 the admin, restricts
// submit to key 2 (and admins), issue and deploy to nobody but admins;
// keys 1-5 have coins.
type permWorld struct {
	st     Memory
	g      *core.Genesis
	height uint64
	nonces map[core.Address]uint64
}

var (
	permAdmin  = key(1)
	permMember = key(2)
	permOther  = key(3)
)

func permGenesis() *core.Genesis {
	alloc := map[core.Address]uint64{}
	for i := 1; i <= 5; i++ {
		alloc[key(i).Addr] = 1e6
	}
	g := testGenesis(alloc)
	g.Permissions = &core.Permissions{
		Admins: []core.Address{permAdmin.Addr},
		Submit: core.RolePolicy{Restricted: true, Members: []core.Address{permMember.Addr}},
		Issue:  core.RolePolicy{Restricted: true},
		Deploy: core.RolePolicy{Restricted: true},
	}
	if err := g.Validate(); err != nil {
		panic(err)
	}
	return g
}

func newPermWorld() *permWorld {
	g := permGenesis()
	return &permWorld{st: genesisState(g), g: g, nonces: map[core.Address]uint64{}}
}

// tx returns k's next tx of body (a coin transfer to key 5 when nil).
func (w *permWorld) tx(k testKey, body core.Body) *core.Tx {
	n := w.nonces[k.Addr]
	w.nonces[k.Addr]++
	if body == nil {
		return k.tx(key(5).Addr, 1, 10, n)
	}
	return k.tx2(body, n)
}

// block applies a block of txs on the state; on error nothing changes
// (and the nonces are rolled back).
func (w *permWorld) block(txs ...*core.Tx) (*BlockResult, error) {
	res, err := ApplyBlock(w.st, Rules{Genesis: w.g}, &core.Block{Header: core.Header{Height: w.height + 1, Miner: key(9).Addr}, Txs: txs})
	if err != nil {
		for _, tx := range txs {
			w.nonces[tx.Sender()]--
		}
		return nil, err
	}
	w.st.Apply(res.Changes)
	w.height++
	return res, nil
}

func (w *permWorld) has(t *testing.T, r core.Role, k testKey) bool {
	t.Helper()
	ok, err := HasRole(w.st, r, k.Addr)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func grant(r core.Role, k testKey) *core.PermGrant {
	return &core.PermGrant{Role: r.String(), Address: k.Addr}
}

func revoke(r core.Role, k testKey) *core.PermRevoke {
	return &core.PermRevoke{Role: r.String(), Address: k.Addr}
}

// TestPermGenesisRecords: the genesis writes a record per member and a
// count per role, in key order, and they are in the digest.
func TestPermGenesisRecords(t *testing.T) {
	g := permGenesis()
	cs := GenesisChanges(g)
	for i := 1; i < len(cs); i++ {
		if cs[i].Key <= cs[i-1].Key {
			t.Fatalf("genesis changes out of key order at %d", i)
		}
	}
	w := newPermWorld()
	if !w.has(t, core.RoleAdmin, permAdmin) || !w.has(t, core.RoleSubmit, permMember) || w.has(t, core.RoleSubmit, permOther) {
		t.Fatal("genesis memberships")
	}
	if !w.has(t, core.RoleIssue, permAdmin) || w.has(t, core.RoleIssue, permMember) {
		t.Fatal("an admin holds every role, a member only its own")
	}
	if n, _ := PermCount(w.st, core.RoleAdmin); n != 1 {
		t.Fatalf("admin count %d", n)
	}
	plain := testGenesis(map[core.Address]uint64{key(1).Addr: 1e6})
	if genesisState(plain).Digest().Sum() == genesisState(g).Digest().Sum() {
		t.Fatal("the digest does not see the permission records")
	}
	for k, v := range w.st {
		if k[0] != PrefixPerm {
			continue
		}
		m, member, count, err := DecodePermRecord([]byte(k), v)
		if err != nil || member && (m.Height != 0 || m.Role.String() == "") || !member && count == 0 {
			t.Fatalf("record %x: %+v %v %d %v", k, m, member, count, err)
		}
	}
}

// TestPermRefusals: per role, an unlisted sender is refused with
// not_permitted (a block holding its tx is invalid and changes nothing);
// a member and an admin pass; a chain without permissions restricts
// nothing and refuses perm txs.
func TestPermRefusals(t *testing.T) {
	create := func() core.Body { return &core.AssetCreate{Symbol: "X", MaxSupply: 5} }
	deploy := func() core.Body { return &core.ContractDeploy{Code: []byte("\x00asm\x01\x00\x00\x00")} }
	cases := []struct {
		name string
		from testKey
		body func() core.Body
		code core.Code // "": accepted
	}{
		{"transfer by an unlisted sender", permOther, func() core.Body { return nil }, core.CodeNotPermitted},
		{"asset kind by an unlisted sender", permOther, func() core.Body { return &core.AssetBurn{Asset: core.AssetID{1}, Amount: 1} }, core.CodeNotPermitted},
		{"transfer by a submit member", permMember, func() core.Body { return nil }, ""},
		{"transfer by an admin", permAdmin, func() core.Body { return nil }, ""},
		{"asset_create by a submitter without issue", permMember, create, core.CodeNotPermitted},
		{"asset_create by an admin", permAdmin, create, ""},
		{"contract_deploy by a submitter without deploy", permMember, deploy, core.CodeNotPermitted},
		{"grant by a non-admin", permMember, func() core.Body { return grant(core.RoleSubmit, permOther) }, core.CodeNotPermitted},
		{"grant of a held role", permAdmin, func() core.Body { return grant(core.RoleSubmit, permMember) }, core.CodeAlreadyMember},
		{"revoke of a role not held", permAdmin, func() core.Body { return revoke(core.RoleIssue, permMember) }, core.CodeNotMember},
		{"revoke of the last admin", permAdmin, func() core.Body { return revoke(core.RoleAdmin, permAdmin) }, core.CodeLastAdmin},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newPermWorld()
			before := maps.Clone(w.st)
			_, err := w.block(w.tx(c.from, c.body()))
			if c.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, c.code) || !errors.Is(err, core.CodeInvalidTx) {
				t.Fatalf("got %v, want %s in an invalid block", err, c.code)
			}
			if !equal(before, w.st) {
				t.Fatal("a refused tx changed the state")
			}
		})
	}
	// A role the genesis leaves open has no members to grant.
	w := newPermWorld()
	w.g.Permissions.Deploy.Restricted = false
	if _, err := w.block(w.tx(permAdmin, grant(core.RoleDeploy, permMember))); !errors.Is(err, core.CodeNotPermitted) {
		t.Fatalf("grant of an open role: %v", err)
	}
	// No permissions: everyone sends anything, nobody grants.
	open := testGenesis(map[core.Address]uint64{permOther.Addr: 1e6})
	w = &permWorld{st: genesisState(open), g: open, nonces: map[core.Address]uint64{}}
	if _, err := w.block(w.tx(permOther, nil)); err != nil {
		t.Fatalf("a chain without permissions refused a transfer: %v", err)
	}
	if _, err := w.block(w.tx(permOther, grant(core.RoleSubmit, permOther))); !errors.Is(err, core.CodeNotPermitted) {
		t.Fatalf("grant on a chain without permissions: %v", err)
	}
}

// TestPermGrantRevoke: a grant lets the grantee act from the next block
// (not in its own block: the parent's state decides), a revoke stops it
// from the next block; the last admin stays; every change moves the
// digest, and undoing a block restores the records and the digest.
func TestPermGrantRevoke(t *testing.T) {
	w := newPermWorld()
	d0 := w.st.Digest().Sum()
	// Granted in this block, the grantee's tx in the same block is still
	// refused: permissions are read at the parent.
	if _, err := w.block(w.tx(permAdmin, grant(core.RoleSubmit, permOther)), w.tx(permOther, nil)); !errors.Is(err, core.CodeNotPermitted) {
		t.Fatalf("a grantee's tx in the grant's own block: %v", err)
	}
	before := maps.Clone(w.st)
	res, err := w.block(w.tx(permAdmin, grant(core.RoleSubmit, permOther)))
	if err != nil {
		t.Fatal(err)
	}
	if !w.has(t, core.RoleSubmit, permOther) {
		t.Fatal("grant did not apply")
	}
	if w.st.Digest().Sum() == d0 {
		t.Fatal("a grant did not change the digest")
	}
	// Undo (a reorg's disconnect) restores the records and the digest.
	undo := maps.Clone(w.st)
	undone, err := DecodeUndo(EncodeUndo(res.Changes))
	if err != nil {
		t.Fatal(err)
	}
	undo.Apply(Reverse(undone))
	if !equal(before, undo) || undo.Digest().Sum() != before.Digest().Sum() {
		t.Fatal("undoing the grant did not restore the state")
	}
	if _, err := w.block(w.tx(permOther, nil)); err != nil {
		t.Fatalf("the grantee is refused in the next block: %v", err)
	}
	// Revoked: refused from the next block on, and undo brings it back.
	before = maps.Clone(w.st)
	res, err = w.block(w.tx(permAdmin, revoke(core.RoleSubmit, permOther)), w.tx(permOther, nil))
	if err != nil {
		t.Fatalf("the revokee's tx in the revoke's own block (parent state allows it): %v", err)
	}
	if _, err := w.block(w.tx(permOther, nil)); !errors.Is(err, core.CodeNotPermitted) {
		t.Fatalf("after a revoke: %v", err)
	}
	undo = maps.Clone(w.st)
	undo.Apply(Reverse(res.Changes))
	if !equal(before, undo) {
		t.Fatal("undoing the revoke did not restore the state")
	}
	// Admin itself: a second admin may act at once from the next block;
	// of two admins one may go, and then the other is the last.
	if _, err := w.block(w.tx(permAdmin, grant(core.RoleAdmin, permMember))); err != nil {
		t.Fatal(err)
	}
	if _, err := w.block(w.tx(permMember, grant(core.RoleIssue, permOther))); err != nil {
		t.Fatalf("a new admin grants: %v", err)
	}
	// Both admins revoke each other in one block: the second revoke meets
	// the last admin (the count is the block's own, not the parent's).
	if _, err := w.block(w.tx(permAdmin, revoke(core.RoleAdmin, permMember)), w.tx(permMember, revoke(core.RoleAdmin, permAdmin))); !errors.Is(err, core.CodeLastAdmin) {
		t.Fatalf("two admins revoking each other in one block: %v", err)
	}
	if _, err := w.block(w.tx(permMember, revoke(core.RoleAdmin, permAdmin))); err != nil {
		t.Fatal(err)
	}
	if w.has(t, core.RoleAdmin, permAdmin) || !w.has(t, core.RoleAdmin, permMember) {
		t.Fatal("admin rotation")
	}
	if _, err := w.block(w.tx(permAdmin, grant(core.RoleDeploy, permOther))); !errors.Is(err, core.CodeNotPermitted) {
		t.Fatalf("a revoked admin grants: %v", err)
	}
	if n, _ := PermCount(w.st, core.RoleAdmin); n != 1 {
		t.Fatalf("admin count %d after rotation", n)
	}
}

// TestPermPendingView: mempool admission reads the same rule at the tip
// (the pending view's base), and a grant pending in the pool does not
// admit the grantee before it is in a block.
func TestPermPendingView(t *testing.T) {
	w := newPermWorld()
	v := NewPendingView(w.st, Rules{Genesis: w.g}, 1)
	if err := v.CheckTx(permOther.tx(key(5).Addr, 1, 10, 0)); !errors.Is(err, core.CodeNotPermitted) {
		t.Fatalf("admission of an unlisted sender: %v", err)
	}
	if _, err := v.ApplyTx(permAdmin.tx2(grant(core.RoleSubmit, permOther), 0)); err != nil {
		t.Fatal(err)
	}
	if err := v.CheckTx(permOther.tx(key(5).Addr, 1, 10, 0)); !errors.Is(err, core.CodeNotPermitted) {
		t.Fatalf("admitted on a grant not yet in a block: %v", err)
	}
	if err := v.CheckTx(permMember.tx(key(5).Addr, 1, 10, 0)); err != nil {
		t.Fatalf("admission of a member: %v", err)
	}
}

// FuzzDecodePermRecord: the permission record decoder never panics; a
// membership it accepts has the key PermKey gives back, a count the key
// of its role.
func FuzzDecodePermRecord(f *testing.F) {
	f.Add(PermKey(core.RoleSubmit, core.Address{1}), []byte{0, 0, 0, 0, 0, 0, 0, 7})
	f.Add(PermPrefix(core.RoleAdmin), []byte{0, 0, 0, 0, 0, 0, 0, 1})
	f.Add([]byte{PrefixPerm, 9}, []byte{})
	f.Fuzz(func(t *testing.T, k, v []byte) {
		m, member, _, err := DecodePermRecord(k, v)
		switch {
		case err != nil:
			if !core.IsRuleError(err) {
				t.Fatalf("not a rule error: %v", err)
			}
		case member && string(PermKey(m.Role, m.Address)) != string(k):
			t.Fatalf("membership %+v from key %x", m, k)
		case !member && string(PermPrefix(core.Role(k[1]))) != string(k):
			t.Fatalf("count from key %x", k)
		}
	})
}

// FuzzPermissions applies blocks of arbitrary transfers, grants and
// revokes by any of five keys on permWorld's chain: it never panics, a
// rejected block changes nothing, an accepted one undoes exactly, and
// after every block each role's count record equals its members, the
// chain keeps an admin, and every sender of an accepted tx held submit
// (or admin) at the block's parent.
func FuzzPermissions(f *testing.F) {
	f.Add([]byte{0, 1, 1, 2, 0, 0, 0, 2, 1, 0, 0, 3, 1, 0, 1})
	f.Add([]byte{0, 2, 0, 1, 0, 1, 2, 0, 0, 0, 0, 2, 0, 0, 1})
	f.Fuzz(func(t *testing.T, script []byte) {
		w := newPermWorld()
		for blocks := 0; len(script) >= 3 && blocks < 8; blocks++ {
			var txs []*core.Tx
			for len(script) >= 3 && len(txs) < 4 {
				from, op, arg := key(1+int(script[0])%5), script[1]%3, script[2]
				target, role := key(1+int(arg)%5), core.Roles()[int(arg>>4)%4]
				switch op {
				case 0:
					txs = append(txs, w.tx(from, nil))
				case 1:
					txs = append(txs, w.tx(from, grant(role, target)))
				default:
					txs = append(txs, w.tx(from, revoke(role, target)))
				}
				script = script[3:]
				if arg&8 != 0 {
					break // end the block
				}
			}
			parent := maps.Clone(w.st)
			res, err := w.block(txs...)
			if err != nil {
				if !core.IsRuleError(err) {
					t.Fatalf("non-rule error %v", err)
				}
				if !equal(parent, w.st) {
					t.Fatal("a rejected block changed the state")
				}
				continue
			}
			for _, tx := range txs {
				if ok, _ := HasRole(parent, core.RoleSubmit, tx.Sender()); !ok {
					t.Fatalf("a tx of %x, without submit at the parent, was accepted", tx.Sender())
				}
			}
			undo := maps.Clone(w.st)
			undo.Apply(Reverse(res.Changes))
			if !equal(undo, parent) {
				t.Fatal("undo is not exact")
			}
			for _, r := range core.Roles() {
				n, err := PermCount(w.st, r)
				members := uint64(len(w.st.WithPrefix(PermPrefix(r)))) // the count record, if any, is under it too
				if n > 0 {
					members--
				}
				if err != nil || n != members {
					t.Fatalf("role %s: count %d (%v), %d records under its prefix", r, n, err, len(w.st.WithPrefix(PermPrefix(r))))
				}
				if r == core.RoleAdmin && n == 0 {
					t.Fatal("the chain lost its last admin")
				}
			}
		}
	})
}
