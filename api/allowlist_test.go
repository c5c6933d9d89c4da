package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/node"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/prometheus/client_golang/prometheus"
)

// nopAllowlist lets a test register the allowlist routes without a network.
type nopAllowlist struct{}

func (nopAllowlist) List() wire.Allowlist       { return wire.Allowlist{} }
func (nopAllowlist) Allow(string, string) error { return nil }
func (nopAllowlist) Revoke(string) error        { return nil }

// netEnv starts a node with a network on 127.0.0.1 (private with list
// when list is not nil) and its API.
func netEnv(t *testing.T, list []p2p.AllowEntry) *env {
	t.Helper()
	n, err := node.New(node.Config{DataDir: t.TempDir(), Genesis: testGenesis(1), Threads: 1,
		Listen: []string{"/ip4/127.0.0.1/tcp/0"}, PeerAllowlist: list})
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

func peerIDs(t *testing.T, k int) []string {
	t.Helper()
	var out []string
	for range k {
		id, err := p2p.PeerIDOf(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// TestAllowlistRoutes: the admin routes of a private node's allowlist on
// a real network: the token is required (GET too), POST admits and
// relabels, DELETE revokes (404 for a peer not listed), bad input is 400
// and changes nothing, and a node without a list answers 409
// no_allowlist to changes and enabled false to GET.
func TestAllowlistRoutes(t *testing.T) {
	ids := peerIDs(t, 3)
	e := netEnv(t, []p2p.AllowEntry{{PeerID: ids[0], Label: "acme"}})
	list := func() wire.Allowlist {
		t.Helper()
		status, _, body := e.do(http.MethodGet, "/api/v1/peers/allowlist", nil, admin...)
		if status != http.StatusOK {
			t.Fatalf("GET allowlist: %d %s", status, body)
		}
		var l wire.Allowlist
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/api/v1/peers/allowlist"},
		{http.MethodPost, "/api/v1/peers/allowlist"},
		{http.MethodDelete, "/api/v1/peers/allowlist/" + ids[0]},
	} {
		if status, _, body := e.do(c.method, c.path, wire.AllowPeer{PeerID: ids[1]}); status != http.StatusUnauthorized {
			t.Fatalf("%s %s without the token: %d %s", c.method, c.path, status, body)
		}
	}
	if l := list(); !l.Enabled || len(l.Peers) != 1 || l.Peers[0] != (wire.AllowedPeer{PeerID: ids[0], Label: "acme"}) {
		t.Fatalf("initial list: %+v", l)
	}
	status, _, body := e.do(http.MethodPost, "/api/v1/peers/allowlist", wire.AllowPeer{PeerID: ids[1], Label: "globex"}, admin...)
	var got wire.Allowlist
	if status != http.StatusOK || json.Unmarshal(body, &got) != nil || len(got.Peers) != 2 {
		t.Fatalf("POST: %d %s", status, body)
	}
	e.do(http.MethodPost, "/api/v1/peers/allowlist", wire.AllowPeer{PeerID: ids[1], Label: "globex-2"}, admin...)
	for _, c := range []struct {
		body any
		want string
	}{
		{map[string]string{"label": "x"}, "peer_id: missing"},
		{wire.AllowPeer{PeerID: "nope"}, `peer_id "nope" is not a peer ID`},
		{wire.AllowPeer{PeerID: ids[2], Label: "a\nb"}, "control character"},
		{wire.AllowPeer{PeerID: e.n.Net.ID()}, "is this node"},
		{`{"peer_id": "` + ids[2] + `", "extra": 1}`, "extra"},
	} {
		status, _, body := e.do(http.MethodPost, "/api/v1/peers/allowlist", c.body, admin...)
		if p := problemOf(t, body); status != http.StatusBadRequest || p.Code != string(core.CodeMalformed) || !strings.Contains(p.Detail, c.want) {
			t.Errorf("POST %v: %d %s, want 400 mentioning %q", c.body, status, body, c.want)
		}
	}
	if l := list(); len(l.Peers) != 2 || l.Peers[1].Label != "globex-2" && l.Peers[0].Label != "globex-2" {
		t.Fatalf("after the relabel and the bad POSTs: %+v", l)
	}
	status, _, body = e.do(http.MethodDelete, "/api/v1/peers/allowlist/"+ids[0], nil, admin...)
	if status != http.StatusOK || json.Unmarshal(body, &got) != nil || len(got.Peers) != 1 || got.Peers[0].PeerID != ids[1] {
		t.Fatalf("DELETE: %d %s", status, body)
	}
	status, _, body = e.do(http.MethodDelete, "/api/v1/peers/allowlist/"+ids[0], nil, admin...)
	if p := problemOf(t, body); status != http.StatusNotFound || p.Code != string(core.CodeNotFound) {
		t.Fatalf("DELETE of a peer not listed: %d %s", status, body)
	}
	status, _, body = e.do(http.MethodDelete, "/api/v1/peers/allowlist/nope", nil, admin...)
	if p := problemOf(t, body); status != http.StatusBadRequest || p.Code != string(core.CodeMalformed) {
		t.Fatalf("DELETE of a bad peer ID: %d %s", status, body)
	}

	open := netEnv(t, nil)
	status, _, body = open.do(http.MethodGet, "/api/v1/peers/allowlist", nil, admin...)
	if status != http.StatusOK || json.Unmarshal(body, &got) != nil || got.Enabled || got.Peers == nil {
		t.Fatalf("GET on a node without a list: %d %s", status, body)
	}
	for _, c := range []struct{ method, path string }{
		{http.MethodPost, "/api/v1/peers/allowlist"},
		{http.MethodDelete, "/api/v1/peers/allowlist/" + ids[0]},
	} {
		status, _, body := open.do(c.method, c.path, wire.AllowPeer{PeerID: ids[0]}, admin...)
		if p := problemOf(t, body); status != http.StatusConflict || p.Code != wire.CodeNoAllowlist {
			t.Fatalf("%s on a node without a list: %d %s", c.method, status, body)
		}
	}
}
