package devnet

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
)

// post sends a devnet control request to node 0's API.
func post(t *testing.T, base, path, body string) wire.DevnetNodes {
	t.Helper()
	resp, err := http.Post(base+path, "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out wire.DevnetNodes
	if resp.StatusCode != http.StatusOK {
		var p wire.Problem
		json.NewDecoder(resp.Body).Decode(&p)
		t.Fatalf("POST %s: %d %s: %s", path, resp.StatusCode, p.Code, p.Detail)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func nodes(t *testing.T, base string) wire.DevnetNodes {
	t.Helper()
	resp, err := http.Get(base + "/devnet/nodes")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out wire.DevnetNodes
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.After(d)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out after %v waiting for %s", d, what)
		case <-tick.C:
		}
	}
}

func converged(ns wire.DevnetNodes, minHeight uint64) bool {
	for _, n := range ns.Nodes {
		if !n.Running || n.Tip != ns.Nodes[0].Tip || n.Digest != ns.Nodes[0].Digest || n.Height < minHeight {
			return false
		}
	}
	return true
}

// TestPartitionHealFromControls drives a 3-node devnet through its HTTP
// fault controls: the nodes agree, a partition makes them diverge, healing
// makes them converge on one tip and state digest; a stopped node comes
// back and catches up.
func TestPartitionHealFromControls(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var banner bytes.Buffer
	d, err := Start(ctx, Config{Dir: t.TempDir(), Nodes: 3, BlockTime: 200 * time.Millisecond, Out: &banner})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	base := d.Node(0).APIURL()
	waitFor(t, "3 nodes at the same tip, height >= 3", 60*time.Second, func() bool { return converged(nodes(t, base), 3) })

	// The partition the banner shows as its example (what a user copies).
	_, example, ok := strings.Cut(banner.String(), "/devnet/partition ")
	example, _, _ = strings.Cut(example, ", ")
	if !ok || example != `{"groups":[[0],[1,2]]}` {
		t.Fatalf("the banner's partition example is %q:\n%s", example, banner.String())
	}
	post(t, base, "/devnet/partition", example)
	waitFor(t, "the two sides to diverge", 60*time.Second, func() bool {
		ns := nodes(t, base)
		return ns.Partitioned && ns.Nodes[0].Tip != ns.Nodes[1].Tip && ns.Nodes[0].Peers == 0
	})
	h := nodes(t, base).Nodes[1].Height
	post(t, base, "/devnet/heal", "")
	waitFor(t, "convergence after the heal", 90*time.Second, func() bool { return converged(nodes(t, base), h) })

	api2 := nodes(t, base).Nodes[2].API
	post(t, base, "/devnet/nodes/2/stop", "")
	if ns := nodes(t, base); ns.Nodes[2].Running || ns.Nodes[2].API != api2 {
		t.Fatalf("node 2 after stop: %+v (API was %s)", ns.Nodes[2], api2)
	}
	h = nodes(t, base).Nodes[0].Height
	waitFor(t, "the others to mine on", 60*time.Second, func() bool { return nodes(t, base).Nodes[0].Height >= h+3 })
	post(t, base, "/devnet/nodes/2/start", "")
	waitFor(t, "node 2 to catch up", 90*time.Second, func() bool { return converged(nodes(t, base), h+3) })
	if got := nodes(t, base).Nodes[2].API; got != api2 {
		t.Fatalf("node 2 restarted on API %s, was %s: open pages and links would break", got, api2)
	}

	// Bad control requests are clear 4xx problems.
	for _, c := range []struct{ path, body string }{
		{"/devnet/partition", `{"groups":[[0,1]]}`},
		{"/devnet/partition", `{"groups":[[0],[0,1,2]]}`},
		{"/devnet/nodes/0/stop", ""},
		{"/devnet/nodes/9/start", ""},
	} {
		resp, err := http.Post(base+c.path, "application/json", bytes.NewBufferString(c.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("POST %s %s: status %d, want 4xx", c.path, c.body, resp.StatusCode)
		}
	}
}

// TestPartitionExample: the banner's example names only existing nodes.
func TestPartitionExample(t *testing.T) {
	for n, want := range map[int]string{2: `{"groups":[[0],[1]]}`, 3: `{"groups":[[0],[1,2]]}`, 5: `{"groups":[[0],[1,2,3,4]]}`} {
		if got := partitionExample(n); got != want {
			t.Errorf("partitionExample(%d) = %s, want %s", n, got, want)
		}
	}
}
