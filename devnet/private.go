package devnet

import (
	"fmt"
	"path/filepath"

	"github.com/cairn-chain/cairn/p2p"
)

// nodeAllowlist returns the allowlist of a private devnet: every node's
// peer ID (creating the nodes' identity keys on a new devnet), labelled
// node<i>.
func nodeAllowlist(cfg Config) ([]p2p.AllowEntry, error) {
	list := make([]p2p.AllowEntry, 0, cfg.Nodes)
	for i := range cfg.Nodes {
		id, err := p2p.PeerIDOf(filepath.Join(cfg.Dir, fmt.Sprintf("node%d", i)))
		if err != nil {
			return nil, fmt.Errorf("devnet: node %d: %w", i, err)
		}
		list = append(list, p2p.AllowEntry{PeerID: id, Label: fmt.Sprintf("node%d", i)})
	}
	return list, nil
}
