package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/fsutil"
)

// resolveGenesis returns the chain's genesis: the stored copy in dir, which
// g (if given) must match, or g written to dir on first start.
func resolveGenesis(dir string, g *core.Genesis) (*core.Genesis, error) {
	path := filepath.Join(dir, genesisFile)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if g == nil {
			return nil, fmt.Errorf("node: %s has no %s: give a genesis file", dir, genesisFile)
		}
		if err := g.Validate(); err != nil {
			return nil, err
		}
		out, err := g.MarshalJSON()
		if err != nil {
			return nil, err
		}
		if err := fsutil.WriteFileAtomic(path, out, 0o644); err != nil {
			return nil, fmt.Errorf("node: write %s: %w", path, err)
		}
		return g, nil
	case err != nil:
		return nil, fmt.Errorf("node: read %s: %w", path, err)
	}
	stored, err := core.ParseGenesis(data)
	if err != nil {
		return nil, fmt.Errorf("node: %s: %w", path, err)
	}
	if g != nil && g.Hash() != stored.Hash() {
		return nil, fmt.Errorf("node: data dir %s belongs to chain %q (genesis %s), not the given genesis %q (%s)",
			dir, stored.ChainID, stored.Hash(), g.ChainID, g.Hash())
	}
	return stored, nil
}
