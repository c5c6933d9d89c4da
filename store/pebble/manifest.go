package pebble

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// Pebble reads its MANIFEST (the list of the database's files) up to the
// first bad record and treats the rest as a write torn by a crash: a
// MANIFEST truncated or overwritten later opens as an older version of
// the database, and Pebble then deletes the newer files as obsolete. To
// turn that silent loss into an error, the store keeps, next to the
// database, the name, length and SHA-256 of the MANIFEST as it was at open
// and at close. Pebble only appends to a MANIFEST, so at the next open
// the same MANIFEST must be at least that long with the same prefix.

// manifestCheckFile is the record of the MANIFEST (Pebble ignores files
// whose names it does not know).
const manifestCheckFile = "CAIRN-MANIFEST-CHECK"

const manifestMarkerPrefix = "marker.manifest."

// currentManifest returns the name of the MANIFEST the marker files point
// at ("" if there is none).
func currentManifest(fs vfs.FS, dir string) (string, error) {
	names, err := fs.List(dir)
	if err != nil {
		return "", err
	}
	type marker struct {
		iter uint64
		name string
	}
	var ms []marker
	for _, n := range names {
		rest, ok := strings.CutPrefix(n, manifestMarkerPrefix)
		if !ok {
			continue
		}
		num, name, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		it, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			continue
		}
		ms = append(ms, marker{it, name})
	}
	if len(ms) == 0 {
		return "", nil
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].iter > ms[j].iter })
	return ms[0].name, nil
}

// manifestPrefixSum returns the SHA-256 of the first n bytes of the file
// (fewer if it is shorter) and how many bytes it read.
func manifestPrefixSum(fs vfs.FS, path string, n int64) ([]byte, int64, error) {
	f, err := fs.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	h := sha256.New()
	read, err := io.Copy(h, io.LimitReader(f, n))
	if err != nil {
		return nil, read, err
	}
	return h.Sum(nil), read, nil
}

// checkManifest compares the current MANIFEST with the record kept at
// the last open or close. It returns an error describing the damage, or
// nil (also when there is no usable record: a first open, a MANIFEST that
// Pebble has since replaced).
func checkManifest(fs vfs.FS, dir string) error {
	raw, err := readSmall(fs, fs.PathJoin(dir, manifestCheckFile))
	if err != nil {
		return nil // no record
	}
	fields := strings.Fields(string(raw))
	if len(fields) != 3 {
		return nil // torn by a crash while written: ignore it
	}
	name, sumHex := fields[0], fields[2]
	size, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil || size < 0 {
		return nil
	}
	want, err := hex.DecodeString(sumHex)
	if err != nil {
		return nil
	}
	cur, err := currentManifest(fs, dir)
	if err != nil || cur != name {
		return nil // another MANIFEST is current (or none: Pebble reports it)
	}
	path := fs.PathJoin(dir, name)
	sum, read, err := manifestPrefixSum(fs, path, size)
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		return nil // Pebble reports the missing MANIFEST itself
	case err != nil:
		return fmt.Errorf("read %s: %w", path, err)
	case read < size:
		return fmt.Errorf("%s is truncated: %d bytes, it had %d", path, read, size)
	case !bytes.Equal(sum, want):
		return fmt.Errorf("%s was overwritten: its first %d bytes changed since the database was last opened", path, size)
	}
	return nil
}

// recordManifest writes the record of the current MANIFEST. Failures
// only lose the check, so they are returned for logging.
func recordManifest(fs vfs.FS, dir string) error {
	name, err := currentManifest(fs, dir)
	if err != nil || name == "" {
		return err
	}
	path := fs.PathJoin(dir, name)
	st, err := fs.Stat(path)
	if err != nil {
		return err
	}
	sum, read, err := manifestPrefixSum(fs, path, st.Size())
	if err != nil {
		return err
	}
	line := fmt.Sprintf("%s %d %x\n", name, read, sum)
	tmp := fs.PathJoin(dir, manifestCheckFile+".tmp")
	f, err := fs.Create(tmp, vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	if _, err := f.Write([]byte(line)); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return fs.Rename(tmp, fs.PathJoin(dir, manifestCheckFile))
}

func readSmall(fs vfs.FS, path string) ([]byte, error) {
	f, err := fs.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 4096))
}
