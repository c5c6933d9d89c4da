package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/node"
	"github.com/cairn-chain/cairn/p2p"
)

// TestEndToEndPrivateNetwork follows docs/operations.md's walkthrough of a
// private network of three organisations with the CLI: node IDs, one
// allowlist file, a swarm key, a PoA genesis with permissions; the three
// nodes connect and an outsider (right genesis and swarm key, not on the
// list) is refused; a sender outside the submit role is refused until
// granted; globex rotates its node key (the old identity is refused
// after); initech is revoked (disconnected at once) and voted out, and
// the chain goes on with two signers.
func TestEndToEndPrivateNetwork(t *testing.T) {
	if os.Getenv("CAIRN_E2E_PENDING") == "1" {
		t.Skip("CAIRN_E2E_PENDING=1: the node's REST API is not wired yet")
	}
	dir := t.TempDir()
	ks := filepath.Join(dir, "keys")
	path := func(p string) string { return filepath.Join(dir, p) }
	orgs := []string{"acme", "globex", "initech"}
	addr, pub, id := map[string]string{}, map[string]string{}, map[string]string{}
	for _, o := range orgs {
		addr[o] = newWallet(t, ks, o)
		r := run(t, nil, "", "wallet", "show", o, "--keystore", ks)
		r.want(t, 0)
		for _, line := range strings.Split(r.stdout, "\n") {
			if k, ok := strings.CutPrefix(line, "public key"); ok {
				pub[o] = strings.TrimSpace(k)
			}
		}
		r = run(t, nil, "", "node", "id", "--datadir", path(o))
		r.want(t, 0)
		id[o] = strings.TrimSpace(r.stdout)
		if again := run(t, nil, "", "node", "id", "--datadir", path(o)); strings.TrimSpace(again.stdout) != id[o] || !strings.HasPrefix(id[o], "12D3KooW") {
			t.Fatalf("cairn node id printed %q, then %q", r.stdout, again.stdout)
		}
	}
	writeList := func(list []p2p.AllowEntry) {
		data, _ := json.Marshal(list)
		if err := os.WriteFile(path("allowlist.json"), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeList([]p2p.AllowEntry{{PeerID: id["acme"], Label: "acme"}, {PeerID: id["globex"], Label: "globex"}, {PeerID: id["initech"], Label: "initech"}})
	run(t, nil, "", "swarm-key", "new", "--out", path("swarm.key")).want(t, 0)
	r := run(t, nil, "", "genesis", "new", "--chain-id", "consortium", "--consensus", "poa", "--block-time", "500ms",
		"--signer", pub["acme"], "--signer", pub["globex"], "--signer", pub["initech"],
		"--admin", addr["acme"], "--restrict", "submit,issue,deploy",
		"--member", "submit="+addr["globex"], "--member", "submit="+addr["initech"],
		"--alloc", addr["acme"]+"=1000000", "--alloc", addr["globex"]+"=1000000")
	r.want(t, 0)
	if err := os.WriteFile(path("genesis.json"), []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path("pass.txt"), []byte(strings.TrimPrefix(testPass, "CAIRN_PASSWORD=")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	nodes, apis := map[string]*runningNode{}, map[string]string{}
	var acmeAddr string
	start := func(o string, extra ...string) {
		t.Helper()
		if apis[o] == "" {
			apis[o] = freeAddr(t)
		}
		args := []string{"--datadir", path(o), "--genesis", path("genesis.json"),
			"--peer-allowlist", path("allowlist.json"), "--swarm-key", path("swarm.key"),
			"--mine", "--signer", o, "--keystore", ks, "--password-file", path("pass.txt")}
		if acmeAddr != "" {
			args = append(args, "--peer", acmeAddr)
		}
		nodes[o] = startNode(t, apis[o], append(args, extra...)...)
	}
	cli := func(o string, args ...string) string {
		t.Helper()
		r := run(t, nil, "", append(args, "--node", nodes[o].url, "--token-file", filepath.Join(path(o), node.TokenFile))...)
		r.want(t, 0)
		return r.stdout
	}
	c := func(o string) *client.Client { return client.New(nodes[o].url, client.WithTimeout(5*time.Second)) }
	peerIDs := func(o string) []string {
		ps, err := c(o).Peers(ctx)
		if err != nil {
			return []string{"error: " + err.Error()}
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	height := func(o string) uint64 {
		st, err := c(o).Status(ctx)
		if err != nil {
			return 0
		}
		return st.Height
	}

	start("acme")
	if !strings.Contains(nodes["acme"].output(), "private   peer allowlist of 3 peer(s)") || !strings.Contains(nodes["acme"].output(), "swarm key on") {
		t.Fatalf("the banner does not say the node is private:\n%s", nodes["acme"].tail())
	}
	st, err := c("acme").Status(ctx)
	if err != nil || len(st.Listen) == 0 {
		t.Fatalf("acme's status: %+v %v", st, err)
	}
	acmeAddr = st.Listen[0]
	start("globex")
	start("initech")
	pollUntil(t, 30*time.Second, "acme connected to globex and initech", func() bool {
		return strings.Contains(cli("acme", "peers", "list"), "peer allowlist: 2 other peer(s), 2 connected")
	})
	out := cli("acme", "peers", "list")
	for _, want := range []string{id["globex"] + "  connected      globex", id["acme"] + "  this node      acme"} {
		if !strings.Contains(out, want) {
			t.Fatalf("cairn peers list lacks %q:\n%s", want, out)
		}
	}

	// An outsider with the genesis and the swarm key but not on the list.
	malloryAPI := freeAddr(t)
	mallory := startNode(t, malloryAPI, "--datadir", path("mallory"), "--genesis", path("genesis.json"), "--swarm-key", path("swarm.key"))
	malloryID := strings.TrimSpace(run(t, nil, "", "node", "id", "--datadir", path("mallory")).stdout)
	tok, err := os.ReadFile(filepath.Join(path("mallory"), node.TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	mc := client.New(mallory.url, client.WithTimeout(15*time.Second), client.WithToken(strings.TrimSpace(string(tok))))
	// Refused by acme's gater: the dial itself fails (503, the peer is
	// unreachable), not the request (an admin route needs the token).
	if err := mc.AddPeer(ctx, acmeAddr); err == nil {
		t.Fatal("the outsider connected to acme")
	} else if !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("the outsider's dial failed for another reason: %v", err)
	}
	if slices.Contains(peerIDs("acme"), malloryID) {
		t.Fatal("acme lists the outsider")
	}
	// The refusal is counted where an operator's dashboard reads it.
	pollUntil(t, 15*time.Second, "acme's metric of refused connections", func() bool {
		resp, err := http.Get(nodes["acme"].url + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		for _, line := range strings.Split(string(body), "\n") {
			if v, ok := strings.CutPrefix(line, api.MetricRefused+" "); ok {
				n, err := strconv.ParseFloat(v, 64)
				return err == nil && n >= 1
			}
		}
		return false
	})

	// Permissions: a sender outside the submit role is refused until the
	// admin grants it.
	dave := newWallet(t, ks, "dave")
	pw := []string{"--keystore", ks, "--password-file", path("pass.txt")}
	send := func(o, from, to, amount string, wait bool) result {
		args := append([]string{"send", "--node", nodes[o].url, "--from", from, "--to", to, "--amount", amount}, pw...)
		if wait {
			args = append(args, "--wait")
		}
		return run(t, nil, "", args...)
	}
	send("acme", "acme", dave, "10", true).want(t, 0)
	send("acme", "dave", addr["globex"], "1", false).want(t, 1, "not_permitted")
	run(t, nil, "", append([]string{"perm", "grant", "--node", nodes["acme"].url, "--role", "submit", "--address", dave,
		"--from", "acme", "--wait", "--confirmations", "2"}, pw...)...).want(t, 0)
	send("globex", "dave", addr["globex"], "1", true).want(t, 0)

	// Rotating globex's node key.
	nodes["globex"].stop(t)
	if err := os.Rename(filepath.Join(path("globex"), p2p.KeyFile), path("globex.key.retired")); err != nil {
		t.Fatal(err)
	}
	r = run(t, nil, "", "node", "id", "--datadir", path("globex"))
	r.want(t, 0)
	oldGlobex, newGlobex := id["globex"], strings.TrimSpace(r.stdout)
	if newGlobex == oldGlobex {
		t.Fatal("a new key gave the same peer ID")
	}
	for _, o := range []string{"acme", "initech"} {
		if out := cli(o, "peers", "allow", newGlobex, "--label", "globex"); !strings.HasPrefix(out, "allowed "+newGlobex+" (globex)\n") {
			t.Fatalf("cairn peers allow printed:\n%s", out)
		}
		// globex is stopped: its old ID is not connected anywhere.
		if out := cli(o, "peers", "revoke", oldGlobex); !strings.HasPrefix(out, "revoked "+oldGlobex+": it was not connected; refused from now on") {
			t.Fatalf("cairn peers revoke printed:\n%s", out)
		}
	}
	if err := os.WriteFile(path("allowlist.json"), []byte(cli("acme", "peers", "list", "--json")), 0o600); err != nil {
		t.Fatal(err)
	}
	start("globex")
	pollUntil(t, 30*time.Second, "acme connected to globex's new identity", func() bool {
		return strings.Contains(cli("acme", "peers", "list"), newGlobex+"  connected")
	})
	// The retired identity is refused.
	if err := os.MkdirAll(path("impostor"), 0o700); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(path("globex.key.retired"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(path("impostor"), p2p.KeyFile), key, 0o600); err != nil {
		t.Fatal(err)
	}
	imp := startNode(t, freeAddr(t), "--datadir", path("impostor"), "--genesis", path("genesis.json"), "--swarm-key", path("swarm.key"))
	if err := client.New(imp.url, client.WithTimeout(15*time.Second)).AddPeer(ctx, acmeAddr); err == nil {
		t.Fatal("globex's retired identity connected to acme")
	}

	// Revoking initech: disconnected at once, voted out; the chain goes on.
	// initech dialled acme at its start; globex may or may not have met it
	// since (peer exchange), so only acme's answer is certain.
	pollUntil(t, 30*time.Second, "acme connected to initech", func() bool {
		return strings.Contains(cli("acme", "peers", "list"), id["initech"]+"  connected")
	})
	if out := cli("acme", "peers", "revoke", id["initech"]); !strings.HasPrefix(out, "revoked "+id["initech"]+": disconnected at once") {
		t.Fatalf("cairn peers revoke of a connected peer printed:\n%s", out)
	}
	if out := cli("globex", "peers", "revoke", id["initech"]); !strings.HasPrefix(out, "revoked "+id["initech"]+": ") {
		t.Fatalf("cairn peers revoke printed:\n%s", out)
	}
	pollUntil(t, 5*time.Second, "initech cut off", func() bool {
		return !slices.Contains(peerIDs("acme"), id["initech"]) && !slices.Contains(peerIDs("globex"), id["initech"])
	})
	for _, o := range []string{"acme", "globex"} {
		cli(o, "vote", "drop", pub["initech"])
	}
	pollUntil(t, 60*time.Second, "initech voted out", func() bool {
		v, err := c("acme").Consensus(ctx)
		return err == nil && len(v.Signers) == 2
	})
	h := height("acme")
	pollUntil(t, 30*time.Second, "the two remaining signers to go on", func() bool { return height("globex") >= h+2 })
	if slices.Contains(peerIDs("acme"), malloryID) || slices.Contains(peerIDs("acme"), oldGlobex) || slices.Contains(peerIDs("acme"), id["initech"]) {
		t.Fatalf("acme lists a refused peer: %v", peerIDs("acme"))
	}
	var list []p2p.AllowEntry
	if err := json.Unmarshal([]byte(cli("acme", "peers", "list", "--json")), &list); err != nil || len(list) != 2 {
		t.Fatalf("acme's allowlist after the revocations: %v %v", list, err)
	}
	for _, n := range []*runningNode{nodes["acme"], nodes["globex"], nodes["initech"], mallory, imp} {
		n.stop(t)
	}
}
