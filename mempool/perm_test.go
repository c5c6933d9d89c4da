package mempool

import (
	"errors"
	"testing"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

// TestPermissionsAdmission: on a chain whose genesis restricts submit,
// the pool refuses an unlisted sender with not_permitted (the executor's
// rule at the tip); and when a block revokes a sender, its pending
// transfers (version 1, untouched by the block otherwise) leave the pool
// while other senders' stay.
func TestPermissionsAdmission(t *testing.T) {
	admin, member, other, outsider := newKey(1), newKey(2), newKey(3), newKey(4)
	g := &core.Genesis{ChainID: testChain, MinFee: testMinFee, HalvingInterval: 1,
		Permissions: &core.Permissions{Admins: []core.Address{admin.Addr},
			Submit: core.RolePolicy{Restricted: true, Members: []core.Address{member.Addr, other.Addr}}}}
	for _, k := range []key{admin, member, other, outsider} {
		g.Alloc = append(g.Alloc, core.Alloc{Address: k.Addr, Balance: 1e9})
	}
	g.SortAlloc()
	st := state.Memory{}
	st.Apply(state.GenesisChanges(g))
	p := newTestPool(t, st, func(c *Config) { c.Rules = state.Rules{Genesis: g} })

	if err := p.Add(outsider.tx(sink, 1000, 1000, 0)); !errors.Is(err, core.CodeNotPermitted) {
		t.Fatalf("an unlisted sender: %v", err)
	}
	m0, m1, o0 := member.tx(sink, 1000, 1000, 0), member.tx(sink, 1000, 1000, 1), other.tx(sink, 1000, 1000, 0)
	mustAdd(t, p, m0, m1, o0)

	revoke := admin.Tx2(testChain, &core.PermRevoke{Role: "submit", Address: member.Addr}, 1000, 0)
	blk := &core.Block{Header: core.Header{Version: 1, Height: 1, Miner: miner}, Txs: []*core.Tx{revoke}}
	res, err := state.ApplyBlock(st, state.Rules{Genesis: g}, blk)
	if err != nil {
		t.Fatal(err)
	}
	st.Apply(res.Changes)
	p.Update(nil, []*core.Block{blk})
	if p.Has(m0.ID()) || p.Has(m1.ID()) {
		t.Fatal("a revoked sender's pending txs stayed in the pool")
	}
	if !p.Has(o0.ID()) {
		t.Fatal("another member's pending tx was dropped")
	}
	if err := p.Add(member.tx(sink, 1000, 1000, 0)); !errors.Is(err, core.CodeNotPermitted) {
		t.Fatalf("a revoked sender: %v", err)
	}
}
