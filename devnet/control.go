package devnet

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/node"
	"github.com/cairn-chain/cairn/p2p"
)

// Devnet is a running devnet: its nodes and the fault controls (stop and
// start a node, partition the nodes into groups, heal). Node 0 serves the
// controls on its API and cannot be stopped.
type Devnet struct {
	cfg     Config
	genesis *core.Genesis
	miner   core.Address

	mu    sync.Mutex
	slots []*slot
	group []int // partition group of each node; all 0 when healed
	// api is each node's API address once bound: a restarted node takes
	// the same one, so links and open explorer pages keep working.
	api []string
	// demo is what a new devnet was seeded with (Config.Demo).
	demo *Demo
	// signers are the nodes' PoA signer keys (nil on a PoW devnet).
	signers []ed25519.PrivateKey
	// allowlist is every node's peer allowlist under Config.Private.
	allowlist []p2p.AllowEntry
}

type slot struct {
	n      *node.Node
	cancel context.CancelFunc
	done   chan error
	// opened is the node's height when it opened its chain, before it ran:
	// the height it resumes at (the banner prints it; by the time the
	// banner is written an earlier node may already have mined a block).
	opened uint64
}

var _ api.DevnetControl = (*control)(nil)

// control adapts a Devnet to api.DevnetControl (Stop there stops a node).
type control struct{ d *Devnet }

func (c *control) Nodes() wire.DevnetNodes                { return c.d.Nodes() }
func (c *control) Stop(i int) error                       { return c.d.StopNode(i) }
func (c *control) Start(ctx context.Context, i int) error { return c.d.StartNode(i) }
func (c *control) Partition(groups [][]int) error         { return c.d.Partition(groups) }
func (c *control) Heal() error                            { return c.d.Heal() }

// Node returns node i (nil if stopped).
func (d *Devnet) Node(i int) *node.Node {
	d.mu.Lock()
	defer d.mu.Unlock()
	if i < 0 || i >= len(d.slots) {
		return nil
	}
	return d.slots[i].n
}

// start starts node i; d.mu must not be held.
func (d *Devnet) start(ctx context.Context, i int) error {
	d.mu.Lock()
	var peers []string
	for j, s := range d.slots {
		if j != i && s.n != nil && d.group[j] == d.group[i] {
			peers = append(peers, s.n.Net.Addrs()...)
		}
	}
	apiAddr := "127.0.0.1:0"
	if d.api[i] != "" {
		apiAddr = d.api[i]
	} else if d.cfg.APIPort > 0 {
		apiAddr = fmt.Sprintf("127.0.0.1:%d", d.cfg.APIPort+i)
	}
	d.mu.Unlock()
	nc := node.Config{
		DataDir: filepath.Join(d.cfg.Dir, fmt.Sprintf("node%d", i)), Genesis: d.genesis,
		Mine: true, MinerAddress: d.miner, Threads: d.cfg.Threads, MaxHashRate: d.cfg.MaxHashRate, Logger: d.cfg.Logger,
		APIAddr: apiAddr, Listen: []string{"/ip4/127.0.0.1/tcp/0"}, Peers: peers, Version: "devnet",
	}
	nc.PeerAllowlist = d.allowlist
	nc.FullBlocksOnly = d.cfg.FullBlocksOnly
	if i == 0 {
		nc.Devnet = &control{d}
	}
	if d.signers != nil {
		nc.SignerKey = d.signers[i]
	}
	n, err := node.New(nc)
	if err != nil {
		return fmt.Errorf("devnet: node %d: %w", i, err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &slot{n: n, cancel: cancel, done: make(chan error, 1), opened: n.Chain.Tip().Height}
	go func() { s.done <- n.Run(runCtx) }()
	d.mu.Lock()
	d.slots[i] = s
	d.api[i] = strings.TrimPrefix(n.APIURL(), "http://")
	d.applyPartitionLocked()
	d.mu.Unlock()
	return nil
}

// StopNode stops node i, keeping its data.
func (d *Devnet) StopNode(i int) error {
	d.mu.Lock()
	if i <= 0 || i >= len(d.slots) {
		d.mu.Unlock()
		if i == 0 {
			return core.Errorf(core.CodeMalformed, "node 0 serves the devnet controls and cannot be stopped from them")
		}
		return core.Errorf(core.CodeNotFound, "no node %d (the devnet has %d)", i, len(d.slots))
	}
	s := d.slots[i]
	if s.n == nil {
		d.mu.Unlock()
		return core.Errorf(core.CodeMalformed, "node %d is already stopped", i)
	}
	d.slots[i] = &slot{}
	d.mu.Unlock()
	return stopSlot(s)
}

func stopSlot(s *slot) error {
	s.cancel()
	err := <-s.done
	if cerr := s.n.Close(); err == nil {
		err = cerr
	}
	return err
}

// StartNode starts a stopped node i again; it catches up from its peers.
func (d *Devnet) StartNode(i int) error {
	d.mu.Lock()
	if i < 0 || i >= len(d.slots) {
		d.mu.Unlock()
		return core.Errorf(core.CodeNotFound, "no node %d (the devnet has %d)", i, len(d.slots))
	}
	if d.slots[i].n != nil {
		d.mu.Unlock()
		return core.Errorf(core.CodeMalformed, "node %d is already running", i)
	}
	d.mu.Unlock()
	return d.start(context.Background(), i)
}

// Partition splits the nodes into groups that cannot connect to each
// other; every node must be in exactly one group.
func (d *Devnet) Partition(groups [][]int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	seen := make([]bool, len(d.slots))
	group := make([]int, len(d.slots))
	for g, members := range groups {
		for _, i := range members {
			if i < 0 || i >= len(d.slots) {
				return core.Errorf(core.CodeMalformed, "groups: no node %d (the devnet has %d)", i, len(d.slots))
			}
			if seen[i] {
				return core.Errorf(core.CodeMalformed, "groups: node %d is in two groups", i)
			}
			seen[i] = true
			group[i] = g + 1
		}
	}
	for i, ok := range seen {
		if !ok {
			return core.Errorf(core.CodeMalformed, "groups: node %d is in no group", i)
		}
	}
	d.group = group
	d.applyPartitionLocked()
	return nil
}

// Heal ends a partition.
func (d *Devnet) Heal() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	clear(d.group)
	d.applyPartitionLocked()
	// Make sure every running node knows every other (a node started
	// during the partition only knew its own side).
	for i, s := range d.slots {
		if s.n == nil {
			continue
		}
		for j, o := range d.slots {
			if j != i && o.n != nil {
				for _, a := range o.n.Net.Addrs() {
					go func() { _ = s.n.Net.Connect(context.Background(), a) }()
				}
			}
		}
	}
	return nil
}

// applyPartitionLocked gives each running node the peer IDs it may reach.
func (d *Devnet) applyPartitionLocked() {
	partitioned := false
	for _, g := range d.group {
		partitioned = partitioned || g != 0
	}
	for i, s := range d.slots {
		if s.n == nil {
			continue
		}
		if !partitioned {
			s.n.Net.SetPartition(nil)
			continue
		}
		var allowed []string
		for j, o := range d.slots {
			if j != i && o.n != nil && d.group[j] == d.group[i] {
				allowed = append(allowed, o.n.Net.ID())
			}
		}
		if allowed == nil {
			allowed = []string{}
		}
		s.n.Net.SetPartition(allowed)
	}
}

// Nodes reports every node side by side.
func (d *Devnet) Nodes() wire.DevnetNodes {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := wire.DevnetNodes{}
	for i, s := range d.slots {
		dn := wire.DevnetNode{Index: i, Group: d.group[i]}
		if d.api[i] != "" {
			dn.API = "http://" + d.api[i]
		}
		out.Partitioned = out.Partitioned || d.group[i] != 0
		if s.n != nil {
			tip := s.n.Chain.Tip()
			dn.Running, dn.API, dn.PeerID = true, s.n.APIURL(), s.n.Net.ID()
			dn.Height, dn.Tip, dn.Digest, dn.Peers = tip.Height, tip.Hash.String(), tip.StateDigest.String(), s.n.Net.PeerCount()
		}
		out.Nodes = append(out.Nodes, dn)
	}
	return out
}

// StatusLine summarises the nodes on one line.
func (d *Devnet) StatusLine() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b strings.Builder
	var rate float64
	best := uint64(0)
	for _, s := range d.slots {
		if s.n != nil {
			best = max(best, s.n.Chain.Tip().Height)
		}
	}
	fmt.Fprintf(&b, "height %d  nodes", best)
	for i, s := range d.slots {
		if s.n == nil {
			fmt.Fprintf(&b, " [%d stopped]", i)
			continue
		}
		tip := s.n.Chain.Tip()
		rate += s.n.Miner.Stats().HashRate
		fmt.Fprintf(&b, " [%d h=%d %s p=%d m=%d]", i, tip.Height, tip.Hash.String()[:8], s.n.Net.PeerCount(), s.n.Pool.Count())
	}
	if !d.genesis.IsPoA() {
		fmt.Fprintf(&b, "  hashrate %.2f MH/s", rate/1e6)
	}
	return b.String()
}

// Stop stops every node and returns the best height reached.
func (d *Devnet) Stop() uint64 {
	d.mu.Lock()
	slots := d.slots
	d.slots = make([]*slot, len(slots))
	for i := range d.slots {
		d.slots[i] = &slot{}
	}
	d.mu.Unlock()
	var best uint64
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, s := range slots {
		if s.n == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := s.n.Chain.Tip().Height
			_ = stopSlot(s)
			mu.Lock()
			best = max(best, h)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return best
}
