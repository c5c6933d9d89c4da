package wallet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// writeNew atomically creates dir/name with data and mode 0600, failing
// with an error matching fs.ErrExist if the file exists: it writes and
// fsyncs a temp file in dir, hard-links it to the final name (which never
// replaces a file), removes the temp name and fsyncs dir. Where hard links
// are unsupported it falls back to check-then-rename. No temp file is left
// behind on any path.
func writeNew(dir, name string, data []byte) (err error) {
	final := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if rerr := os.Remove(tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
			err = rerr
		}
	}()
	if err := writeSync(f, data); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Link(tmp, final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		// No hard links on this file system: check, then rename.
		if _, serr := os.Lstat(final); serr == nil {
			return &fs.PathError{Op: "create", Path: final, Err: fs.ErrExist}
		}
		if err := os.Rename(tmp, final); err != nil {
			return err
		}
	}
	return syncDir(dir)
}

// writeSync writes data to f with mode 0600, fsyncs and closes it.
func writeSync(f *os.File, data []byte) error {
	err := f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir fsyncs a directory so a new entry in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
