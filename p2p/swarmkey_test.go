package p2p_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/chain/scenarios"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/libp2p/go-libp2p/core/pnet"
)

func swarmKey(t *testing.T) []byte {
	t.Helper()
	file, err := p2p.NewSwarmKey()
	if err != nil {
		t.Fatal(err)
	}
	psk, err := p2p.ParseSwarmKey(file)
	if err != nil {
		t.Fatal(err)
	}
	// go-libp2p's own decoder reads the file the same.
	psk2, err := pnet.DecodeV1PSK(bytes.NewReader(file))
	if err != nil || !bytes.Equal(psk, psk2) || len(psk) != 32 {
		t.Fatalf("libp2p's decoder: %x %v, ours %x", psk2, err, psk)
	}
	return psk
}

// TestSwarmKey: nodes with the same swarm key connect and sync; a node
// with another key, or none, never completes a handshake with them, in
// either direction, and is never listed as a peer.
func TestSwarmKey(t *testing.T) {
	k1, k2 := swarmKey(t), swarmKey(t)
	b := scenarios.NewBuilder()
	with := func(k []byte) func(*p2p.Config) { return func(c *p2p.Config) { c.SwarmKey, c.DisablePEX = k, true } }
	a := startNode(t, 0, b.Genesis, t.TempDir(), with(k1))
	m := startNode(t, 1, b.Genesis, t.TempDir(), with(k1))
	wrong := startNode(t, 2, b.Genesis, t.TempDir(), with(k2))
	none := startNode(t, 3, b.Genesis, t.TempDir(), with(nil))
	stopW := watch(t, wrong.Net.Host().ID(), a.Net, m.Net)
	stopN := watch(t, none.Net.Host().ID(), a.Net, m.Net)
	connect(t, m, a)
	a.mine()
	waitSameTip(t, []*tnode{a, m}, 1, 20*time.Second)
	// A wrong key garbles the Noise handshake's bytes: it may fail at
	// once or stall until a timeout, but never completes.
	var wg sync.WaitGroup
	for _, c := range []struct {
		from, to *tnode
		what     string
	}{{wrong, a, "wrong key -> member"}, {a, wrong, "member -> wrong key"}, {none, a, "no key -> member"}, {a, none, "member -> no key"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := c.from.Net.Connect(ctx, c.to.addr()); err == nil {
				t.Errorf("%s: connected", c.what)
			}
		}()
	}
	wg.Wait()
	if wrong.Net.PeerCount() != 0 || none.Net.PeerCount() != 0 {
		t.Fatal("a node outside the swarm has peers")
	}
	if wrong.tip().Height != 0 || none.tip().Height != 0 {
		t.Fatal("a node outside the swarm got a block")
	}
	stopW()
	stopN()
}

func TestParseSwarmKey(t *testing.T) {
	file, err := p2p.NewSwarmKey()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(file), "\n")
	if len(lines) != 4 || lines[0] != "/key/swarm/psk/1.0.0/" || lines[1] != "/base16/" || len(lines[2]) != 64 || lines[3] != "" {
		t.Fatalf("new swarm key file %q: want the header, /base16/ and 64 hex digits", file)
	}
	other, _ := p2p.NewSwarmKey()
	if bytes.Equal(file, other) {
		t.Fatal("two new swarm keys are equal")
	}
	hex := lines[2]
	for _, c := range []struct{ in, want string }{
		{"", "does not start with /key/swarm/psk/1.0.0/"},
		{"/key/swarm/psk/1.0.0/\n/base32/\n" + hex + "\n", "unknown encoding"},
		{"/key/swarm/psk/1.0.0/\n/base16/\n" + hex[:40] + "\n", "64 hex digits"},
		{"/key/swarm/psk/1.0.0/\n/base16/\n" + hex + "00\n", "64 hex digits"},
		{"/key/swarm/psk/1.0.0/\n/base16/\n" + strings.Repeat("zz", 32) + "\n", "invalid byte"},
	} {
		if _, err := p2p.ParseSwarmKey([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error with %q", c.in, err, c.want)
		}
	}
	if _, err := p2p.ParseSwarmKey([]byte(strings.ReplaceAll(string(file), "\n", "\r\n"))); err != nil {
		t.Errorf("CRLF line ends: %v", err)
	}
}

func FuzzParseSwarmKey(f *testing.F) {
	file, _ := p2p.NewSwarmKey()
	f.Add(file)
	f.Add([]byte("/key/swarm/psk/1.0.0/\n/bin/\n" + strings.Repeat("k", 32)))
	f.Add([]byte("/key/swarm/psk/1.0.0/\n/base64/\nAAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		psk, err := p2p.ParseSwarmKey(data)
		if err == nil && len(psk) != 32 {
			t.Fatalf("a %d-byte key accepted", len(psk))
		}
	})
}
