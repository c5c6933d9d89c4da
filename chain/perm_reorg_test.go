package chain_test

import (
	"errors"
	"testing"

	"github.com/cairn-chain/cairn/chain"
	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

// TestPermissionsReorg: on a chain whose genesis makes key 0 the admin
// and restricts submit to key 1, branch A grants submit to key 2, which
// then sends; branch C instead grants key 3 and revokes key 1. A reorg
// from A to C undoes the grant and applies C's (key 2's tx would now be
// invalid, and so would key 1's); a reorg back to A restores key 1 and
// key 2 and drops key 3. Each time the digest is the one of the
// builder's independently computed state.
func TestPermissionsReorg(t *testing.T) {
	b := scenarios.NewBuilderWith(func(g *core.Genesis) {
		k := scenarios.NewKey(1) // b.Keys[0]
		g.Permissions = &core.Permissions{Admins: []core.Address{k.Addr},
			Submit: core.RolePolicy{Restricted: true, Members: []core.Address{scenarios.NewKey(2).Addr}}}
	})
	k := b.Keys
	tx2 := func(i int, body core.Body, nonce uint64) *core.Tx {
		return k[i].Tx2(scenarios.ChainID, body, scenarios.MinFee, nonce)
	}
	b.Next("a1", scenarios.GenesisLabel, []*core.Tx{tx2(0, &core.PermGrant{Role: "submit", Address: k[2].Addr}, 0)}, nil)
	b.Next("a2", "a1", []*core.Tx{b.Tx(2, k[3].Addr, 100, scenarios.MinFee, 0)}, nil)
	b.Next("c1", scenarios.GenesisLabel, []*core.Tx{tx2(0, &core.PermGrant{Role: "submit", Address: k[3].Addr}, 0)}, nil)
	b.Next("c2", "c1", []*core.Tx{tx2(0, &core.PermRevoke{Role: "submit", Address: k[1].Addr}, 1)}, nil)
	b.Next("c3", "c2", nil, nil)
	b.Next("c4-key2", "c3", []*core.Tx{b.Tx(2, k[3].Addr, 100, scenarios.MinFee, 0)}, nil)
	b.Next("c4-key1", "c3", []*core.Tx{b.Tx(1, k[3].Addr, 100, scenarios.MinFee, 0)}, nil)
	b.Next("a3", "a2", nil, nil)
	b.Next("a4", "a3", nil, nil)
	for _, n := range []string{"a1", "a2", "c1", "c2", "c3", "a3", "a4"} {
		if _, ok := b.State(n); !ok {
			t.Fatalf("the builder found block %s invalid", n)
		}
	}

	c, _ := newTestChain(t, b, newClock(scenarios.StartTime))
	roles := func(when string, want ...bool) {
		t.Helper()
		for i, w := range want {
			got, err := state.HasRole(c.State(), core.RoleSubmit, k[i+1].Addr)
			if err != nil || got != w {
				t.Fatalf("%s: key %d holds submit: %v (%v), want %v", when, i+1, got, err, w)
			}
		}
	}
	digest := func(when, name string) {
		t.Helper()
		st, _ := b.State(name)
		if c.Tip().StateDigest != st.Digest().Sum() {
			t.Fatalf("%s: digest differs from the builder's state after %s", when, name)
		}
	}
	process := func(names ...string) *chain.Result {
		t.Helper()
		var res *chain.Result
		for _, n := range names {
			var err error
			if res, err = c.ProcessBlock(b.Block(n)); err != nil {
				t.Fatalf("%s: %v", n, err)
			}
		}
		return res
	}

	roles("genesis", true, false, false)
	process("a1", "a2")
	roles("branch A", true, true, false)
	digest("branch A", "a2")

	if res := process("c1", "c2", "c3"); !res.Reorg() || len(res.Disconnected) != 2 {
		t.Fatalf("reorg to C: %+v", res)
	}
	roles("after the reorg to C", false, false, true)
	digest("branch C", "c3")
	for _, n := range []string{"c4-key2", "c4-key1"} {
		if _, err := c.ProcessBlock(b.Block(n)); !errors.Is(err, core.CodeNotPermitted) || !errors.Is(err, core.CodeInvalidTx) {
			t.Fatalf("%s on branch C: %v, want an invalid tx (not_permitted)", n, err)
		}
	}

	if res := process("a3", "a4"); !res.Reorg() {
		t.Fatal("no reorg back to A")
	}
	roles("after the reorg back to A", true, true, false)
	digest("back on A", "a4")
	if acct, _ := c.Account(k[2].Addr); acct.Nonce != 1 {
		t.Fatalf("key 2's tx of a2 not applied again: nonce %d", acct.Nonce)
	}
}
