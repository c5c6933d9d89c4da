package devnet

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/wallet"
)

// TestPoAPartition: a 4-signer proof-of-authority devnet split 2/2. A
// signer may seal at most one of any floor(4/2)+1 = 3 consecutive blocks,
// so two signers make at most two blocks past the fork point and then
// halt: neither side can go on alone (and neither can out-produce the
// other). A coin transfer goes in on one side and a conflicting one (the
// same sender and nonce: a double spend) on the other, with a
// non-conflicting transfer on each side. After the heal every node is on
// one chain (same tip and state digest) that goes on growing, the double
// spend is confirmed exactly once, the same one on every node, and both
// non-conflicting transfers are confirmed.
//
// When the two sides end with the same total weight (one side two
// out-of-turn blocks, the other one in-turn block), the nodes still
// fetch each other's branch (p2p syncs from a peer with as much work on
// a tip it has not seen) and the EIP-3436 tie-break picks one: before
// that, the chain stayed halted after such a heal (2 runs in 6).
func TestPoAPartition(t *testing.T) {
	const period = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	d, err := Start(ctx, Config{Dir: dir, Nodes: 4, BlockTime: period, Consensus: core.ConsensusPoA})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	if !d.genesis.IsPoA() || len(d.genesis.PoA.Signers) != 4 {
		t.Fatalf("genesis %+v", d.genesis.PoA)
	}
	ks, err := wallet.Open(filepath.Join(dir, "keystore"), wallet.LightParams())
	if err != nil {
		t.Fatal(err)
	}
	key, err := ks.Load(WalletName, WalletPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	dev := &signer{priv: key.Private}
	copy(dev.pub[:], key.Private.Public().(ed25519.PublicKey))
	var clients []*client.Client
	for i := range 4 {
		clients = append(clients, client.New(d.Node(i).APIURL()))
	}
	base := d.Node(0).APIURL()
	submit := func(node int, tx *core.Tx) string {
		t.Helper()
		id, err := clients[node].SubmitTx(ctx, tx)
		if err != nil {
			t.Fatalf("tx through node %d: %v", node, err)
		}
		return id
	}
	confirmedOn := func(node int, id string) bool {
		info, err := clients[node].Tx(ctx, id)
		return err == nil && info.Status == wire.StatusConfirmed
	}
	confirmedAll := func(ids ...string) bool {
		for i := range 4 {
			for _, id := range ids {
				if !confirmedOn(i, id) {
					return false
				}
			}
		}
		return true
	}
	balance := func(node int, a core.Address) uint64 {
		t.Helper()
		acct, err := clients[node].Account(ctx, a.Encode(d.genesis.AddressPrefix))
		if isCode(err, core.CodeNotFound) {
			return 0 // an account that never received anything
		}
		if err != nil {
			t.Fatal(err)
		}
		return acct.Balance
	}

	// Coins for alice and bob, who send the non-conflicting transfers.
	alice, bob := newSigner(11), newSigner(12)
	carol, dave := newSigner(13), newSigner(14) // the double spend's payees
	funded := []string{
		submit(0, dev.tx(nil, alice.addr(), 1_000_000)),
		submit(0, dev.tx(nil, bob.addr(), 1_000_000)),
	}
	waitFor(t, "alice and bob funded on every node", 60*time.Second, func() bool { return confirmedAll(funded...) })

	// The partition: signers 0 and 1 on one side, 2 and 3 on the other.
	post(t, base, "/devnet/partition", `{"groups":[[0,1],[2,3]]}`)
	waitFor(t, "the partition", 30*time.Second, func() bool {
		ns := nodes(t, base).Nodes
		return ns[0].Peers == 1 && ns[1].Peers == 1 && ns[2].Peers == 1 && ns[3].Peers == 1
	})
	fork := min(nodes(t, base).Nodes[0].Height, nodes(t, base).Nodes[2].Height)

	// The double spend: dev's next nonce to carol on side A, to dave on
	// side B; and one transfer on each side that conflicts with nothing.
	spendA := dev.tx(nil, carol.addr(), 5000)
	dev.nonce--
	spendB := dev.tx(nil, dave.addr(), 7000)
	idA, idB := submit(0, spendA), submit(2, spendB)
	otherA := submit(1, alice.tx(nil, bob.addr(), 100))
	otherB := submit(3, bob.tx(nil, alice.addr(), 200))

	// Each side halts: no block for 5 periods on any node, and at most two
	// blocks past the fork point (the recent-signer limit).
	var last [4]uint64
	since := time.Now()
	waitFor(t, "both sides to halt (5 periods without a block)", 60*time.Second, func() bool {
		ns := nodes(t, base).Nodes
		moved := false
		for i := range last {
			if ns[i].Height != last[i] {
				last[i], moved = ns[i].Height, true
			}
		}
		if moved {
			since = time.Now()
			return false
		}
		return time.Since(since) > 5*period
	})
	ns := nodes(t, base).Nodes
	if ns[0].Tip != ns[1].Tip || ns[2].Tip != ns[3].Tip {
		t.Fatalf("a side disagrees on its tip: %+v", ns)
	}
	for i, n := range ns {
		if n.Height > fork+2 {
			t.Fatalf("node %d at height %d, more than 2 blocks past the fork point %d: two signers sealed a third block", i, n.Height, fork)
		}
	}
	t.Logf("partitioned at height %d: side A halted at %d (double spend confirmed: %v), side B at %d (%v)",
		fork, ns[0].Height, confirmedOn(0, idA), ns[2].Height, confirmedOn(2, idB))

	// Healed: one chain that goes on, every tx but one half of the double
	// spend confirmed.
	post(t, base, "/devnet/heal", "")
	halted := max(ns[0].Height, ns[2].Height)
	waitUntil(60*time.Second, func() bool { return nodes(t, base).Nodes[0].Height >= halted+3 })
	if ns := nodes(t, base).Nodes; ns[0].Height < halted+3 {
		t.Fatalf("the chain did not resume after the heal: %+v", ns)
	}
	waitFor(t, "the non-conflicting txs of both sides on every node", 60*time.Second, func() bool { return confirmedAll(otherA, otherB) })
	waitFor(t, "one half of the double spend on every node", 60*time.Second, func() bool { return confirmedAll(idA) || confirmedAll(idB) })
	winner, loser, payee, other, amount := idA, idB, carol, dave, uint64(5000)
	if confirmedOn(0, idB) {
		winner, loser, payee, other, amount = idB, idA, dave, carol, 7000
	}
	waitFor(t, "one tip and state digest on every node", 60*time.Second, func() bool {
		var tips [4]string
		for i := range tips {
			st, err := clients[i].Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tips[i] = st.Tip + " " + st.StateDigest
		}
		return tips[0] == tips[1] && tips[1] == tips[2] && tips[2] == tips[3]
	})
	for i := range 4 {
		if confirmedOn(i, loser) {
			t.Fatalf("node %d has both halves of the double spend confirmed (%s and %s)", i, winner, loser)
		}
		if b, o := balance(i, payee.addr()), balance(i, other.addr()); b != amount || o != 0 {
			t.Fatalf("node %d: the double spend's payees hold %d and %d, want %d and 0", i, b, o, amount)
		}
		if acct, err := clients[i].Account(ctx, dev.addr().Encode(d.genesis.AddressPrefix)); err != nil || acct.Nonce != dev.nonce {
			t.Fatalf("node %d: dev account %+v (%v), want nonce %d", i, acct, err, dev.nonce)
		}
	}
	t.Logf("healed: the double spend %s won on every node, tip height %d", winner, nodes(t, base).Nodes[0].Height)
}
