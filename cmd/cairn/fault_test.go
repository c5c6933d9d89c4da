package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairn-chain/cairn/core"
)

// TestNodeDamagedDatabase: `cairn node` on a data directory whose
// database lost its MANIFEST exits 1 with an error naming the database
// and --resync; `cairn node --resync` moves the database aside (and says
// where) and starts, with --max-reorg-depth accepted.
func TestNodeDamagedDatabase(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	g := core.NewGenesis("damaged", uint64(time.Now().Add(-time.Hour).UnixMilli()))
	raw, err := g.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	gfile := filepath.Join(dir, "genesis.json")
	if err := os.WriteFile(gfile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	n := startNode(t, freeAddr(t), "--datadir", data, "--genesis", gfile)
	n.stop(t)

	db := filepath.Join(data, "db")
	m, _ := filepath.Glob(filepath.Join(db, "MANIFEST-*"))
	if len(m) == 0 {
		t.Fatalf("no MANIFEST in %s", db)
	}
	for _, f := range m {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	r := run(t, nil, "", "node", "--datadir", data, "--api", "", "--listen", "")
	r.want(t, 1, "damaged", db, "cairn node --resync")

	n = startNode(t, freeAddr(t), "--datadir", data, "--resync", "--max-reorg-depth", "100")
	if !strings.Contains(n.output(), "resync: the old database was moved to "+db+".corrupt-") {
		t.Fatalf("no word of the moved database:\n%s", n.tail())
	}
	n.stop(t)
	moved, _ := filepath.Glob(db + ".corrupt-*")
	if len(moved) != 1 {
		t.Fatalf("moved databases: %v", moved)
	}
}
