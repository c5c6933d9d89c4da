package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cairn-chain/cairn/consensus/engines"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/fsutil"
)

// resolveGenesis returns the chain's genesis: the stored copy in dir, which
// g (if given) must match, or g on first start (write: the caller stores
// it with storeGenesis once the database has opened with it, so a
// database of another chain never gets a wrong genesis.json).
func resolveGenesis(dir string, g *core.Genesis) (_ *core.Genesis, write bool, _ error) {
	path := filepath.Join(dir, genesisFile)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if g == nil {
			if hasDatabase(dir) {
				return nil, false, fmt.Errorf("node: %s is missing, but %s holds a database: copy the chain's genesis file back to %s, or give it with --genesis FILE (the database alone does not say which chain it belongs to)",
					path, filepath.Join(dir, dbDirName), path)
			}
			return nil, false, fmt.Errorf("node: %s has no %s: give a genesis file", dir, genesisFile)
		}
		if err := g.Validate(); err != nil {
			return nil, false, err
		}
		return g, true, nil
	case err != nil:
		return nil, false, fmt.Errorf("node: read %s: %w", path, err)
	}
	stored, err := core.ParseGenesis(data)
	if err != nil {
		return nil, false, fmt.Errorf("node: %s: %w", path, err)
	}
	if g != nil && g.Hash() != stored.Hash() {
		return nil, false, fmt.Errorf("node: data dir %s belongs to chain %q (genesis %s), not the given genesis %q (%s)",
			dir, stored.ChainID, stored.Hash(), g.ChainID, g.Hash())
	}
	return stored, false, nil
}

// storeGenesis writes g as the data directory's genesis copy.
func storeGenesis(dir string, g *core.Genesis) error {
	path := filepath.Join(dir, genesisFile)
	out, err := g.MarshalJSON()
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(path, out, 0o644); err != nil {
		return fmt.Errorf("node: write %s: %w", path, err)
	}
	return nil
}

// hasDatabase reports whether dir holds a database directory with files.
func hasDatabase(dir string) bool {
	ents, err := os.ReadDir(filepath.Join(dir, dbDirName))
	return err == nil && len(ents) > 0
}

// CheckGenesis checks g as a node checks a new chain's genesis at its
// first start: the parameters and alloc, then the consensus engine's own
// checks (e.g. initial_bits within pow_limit). `cairn genesis new` calls
// it, so a file it writes is one a node starts with.
func CheckGenesis(g *core.Genesis) error {
	if err := g.Validate(); err != nil {
		return err
	}
	_, err := engines.New(g)
	return err
}
