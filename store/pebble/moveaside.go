package pebble

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// MoveAside renames the database directory dir to "<dir>.<suffix>" (with
// "-2", "-3"... appended if that is taken) so that a new database can be
// created in dir; the old one is kept for inspection. It holds the
// database's lock while it does so: a database open in another process is
// refused. It returns the new path, or "" if dir does not exist or is
// empty (there is nothing to move).
func MoveAside(dir, suffix string) (string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, iofs.ErrNotExist) || err == nil && len(ents) == 0 {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	lock, err := vfs.Default.Lock(filepath.Join(dir, "LOCK"))
	if err != nil {
		return "", fmt.Errorf("store/pebble: lock %s (is a node running on it?): %w", dir, err)
	}
	defer lock.Close()
	base := filepath.Clean(dir) + "." + suffix
	to := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(to); errors.Is(err, iofs.ErrNotExist) {
			break
		}
		to = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(dir, to); err != nil {
		return "", fmt.Errorf("store/pebble: move the database aside: %w", err)
	}
	return to, nil
}
