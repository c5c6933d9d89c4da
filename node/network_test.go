package node

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

func startNetNode(t *testing.T, g *core.Genesis) *Node {
	t.Helper()
	n, err := New(Config{DataDir: t.TempDir(), Genesis: g, APIAddr: "127.0.0.1:0", Listen: []string{"/ip4/127.0.0.1/tcp/0"}, MinerAddress: core.Address{7}, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		n.Close()
	})
	return n
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

// TestNetworkThroughAPI connects two nodes through POST /api/v1/peers
// (admin), mines on one through GET /mine and sees the block reach the
// other; /status reports sync progress and peers, the ban list is served.
func TestNetworkThroughAPI(t *testing.T) {
	g := core.NewGenesis("nettest", uint64(time.Now().Add(-time.Hour).UnixMilli()))
	g.InitialBits = 0x207fffff
	a, b := startNetNode(t, g), startNetNode(t, g)

	body, _ := json.Marshal(wire.PeerAdd{Addr: b.Net.Addrs()[0]})
	req, _ := http.NewRequest(http.MethodPost, a.APIURL()+"/api/v1/peers", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("POST /peers: %d", resp.StatusCode)
	}
	eventually(t, "both nodes to see a peer", func() bool {
		var pa, pb []wire.Peer
		getJSON(t, a.APIURL()+"/api/v1/peers", &pa)
		getJSON(t, b.APIURL()+"/api/v1/peers", &pb)
		return len(pa) == 1 && len(pb) == 1
	})

	req, _ = http.NewRequest(http.MethodGet, a.APIURL()+"/mine", nil)
	req.Header.Set("Authorization", "Bearer "+a.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /mine: %d", resp.StatusCode)
	}
	eventually(t, "the mined block to reach node b", func() bool { return b.Chain.TipHash() == a.Chain.TipHash() && b.Chain.Tip().Height == 1 })

	var st wire.Status
	getJSON(t, b.APIURL()+"/api/v1/status", &st)
	if st.Peers != 1 || st.Sync == nil || st.Sync.Height != 1 || st.PeerID != b.Net.ID() || len(st.Listen) == 0 {
		t.Fatalf("status: peers %d sync %+v peer_id %q listen %v", st.Peers, st.Sync, st.PeerID, st.Listen)
	}
	var bans []wire.Ban
	getJSON(t, a.APIURL()+"/api/v1/peers/bans", &bans)
	if bans == nil || len(bans) != 0 {
		t.Fatalf("bans: %v", bans)
	}
	var res wire.NodesResolved
	getJSON(t, b.APIURL()+"/nodes/resolve", &res)
	if res.ChainLength != 2 {
		t.Fatalf("resolve: %+v", res)
	}
}
