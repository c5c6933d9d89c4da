package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrivateNetworkUsage: the private-network commands and flags refuse
// bad input with a message naming what is wrong, before touching a node.
func TestPrivateNetworkUsage(t *testing.T) {
	dir := t.TempDir()
	id := strings.TrimSpace(run(t, nil, "", "node", "id", "--datadir", filepath.Join(dir, "a")).stdout)
	other := strings.TrimSpace(run(t, nil, "", "node", "id", "--datadir", filepath.Join(dir, "b")).stdout)
	if fi, err := os.Stat(filepath.Join(dir, "a", "p2p.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cairn node id's key: %v %v", fi, err)
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	list := write("list.json", `[{"peer_id": "`+id+`", "label": "a"}]`)
	badList := write("bad.json", `[{"peer_id": "`+id+`"}, {"peer_id": "nope"}]`)
	badKey := write("bad.key", "/key/swarm/psk/1.0.0/\n/base16/\n1234\n")
	genesis := write("genesis.json", run(t, nil, "", "genesis", "new", "--chain-id", "usage").stdout)
	node := func(extra ...string) []string {
		return append([]string{"node", "--datadir", filepath.Join(dir, "n"), "--genesis", genesis, "--api", "", "--listen", "/ip4/127.0.0.1/tcp/0"}, extra...)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"node", "id"}, 2, "missing required flag --datadir"},
		{[]string{"peers"}, 2, "missing subcommand"},
		{[]string{"peers", "allow"}, 2, "want one PEER_ID"},
		{[]string{"peers", "allow", id, "--addr", "/ip4/127.0.0.1/tcp/1/p2p/" + other}, 2, "names peer " + other + ", not " + id},
		{[]string{"peers", "allow", id, "--addr", "/ip4/127.0.0.1/tcp/1"}, 2, "want a multiaddr ending in /p2p/" + id},
		{[]string{"peers", "revoke"}, 2, "want one PEER_ID"},
		{[]string{"swarm-key"}, 2, "missing subcommand"},
		{[]string{"swarm-key", "new", "--out", list}, 1, "exists"},
		{node("--peer-allowlist", filepath.Join(dir, "missing.json")), 1, "--peer-allowlist: open"},
		{node("--peer-allowlist", badList), 1, `entry 1: peer_id "nope" is not a peer ID`},
		{node("--swarm-key", badKey), 1, "64 hex digits"},
		{node("--peer-allowlist", list, "--peer", "/ip4/127.0.0.1/tcp/1/p2p/"+other), 1, "is not on the peer allowlist"},
	} {
		r := run(t, nil, "", c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.msg) {
			t.Errorf("cairn %s: exit %d, stderr %q; want exit %d mentioning %q", strings.Join(c.args, " "), r.code, r.stderr, c.code, c.msg)
		}
	}
	if data, _ := os.ReadFile(list); !strings.Contains(string(data), id) {
		t.Fatal("swarm-key new overwrote an existing file")
	}
}
