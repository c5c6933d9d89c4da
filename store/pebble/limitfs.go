package pebble

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// LimitedFS is a file system for fault-injection tests that behaves like a
// small disk: the files written through it may hold at most a capacity of
// bytes together. A write that would go past it fails with ENOSPC (and
// writes nothing), and GetDiskUsage reports the space left, so the store's
// free-space check sees the disk fill up as on a real one. SetCapacity
// frees or takes space at any time. Pass it as Options.FS.
type LimitedFS struct {
	vfs.FS
	mu       sync.Mutex
	capacity int64
	used     int64
	sizes    map[string]int64 // bytes counted per file
}

// NewLimitedFS returns a LimitedFS of capacity bytes over inner (nil: the
// operating system's file system).
func NewLimitedFS(inner vfs.FS, capacity int64) *LimitedFS {
	if inner == nil {
		inner = vfs.Default
	}
	return &LimitedFS{FS: inner, capacity: capacity, sizes: map[string]int64{}}
}

// SetCapacity changes the capacity (writes already made stay).
func (l *LimitedFS) SetCapacity(n int64) {
	l.mu.Lock()
	l.capacity = n
	l.mu.Unlock()
}

// Used returns the bytes held by the files written through l.
func (l *LimitedFS) Used() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used
}

// Unwrap implements vfs.FS.
func (l *LimitedFS) Unwrap() vfs.FS { return l.FS }

// GetDiskUsage reports the capacity, and what is left of it.
func (l *LimitedFS) GetDiskUsage(string) (vfs.DiskUsage, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return vfs.DiskUsage{AvailBytes: uint64(max(l.capacity-l.used, 0)), TotalBytes: uint64(max(l.capacity, 0)), UsedBytes: uint64(l.used)}, nil
}

// track starts counting name at its current size (if not counted yet).
func (l *LimitedFS) track(name string) {
	name = filepath.Clean(name)
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.sizes[name]; ok {
		return
	}
	var n int64
	if st, err := l.FS.Stat(name); err == nil {
		n = st.Size()
	}
	l.sizes[name] = n
	l.used += n
}

func (l *LimitedFS) forget(name string) {
	name = filepath.Clean(name)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.used -= l.sizes[name]
	delete(l.sizes, name)
}

// grow reserves room for name to reach end bytes; false means no space.
func (l *LimitedFS) grow(name string, end int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.sizes[name]
	if end <= cur {
		return true
	}
	if l.used+end-cur > l.capacity {
		return false
	}
	l.used += end - cur
	l.sizes[name] = end
	return true
}

// Create implements vfs.FS.
func (l *LimitedFS) Create(name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	l.forget(name)
	f, err := l.FS.Create(name, c)
	if err != nil {
		return nil, err
	}
	l.track(name)
	return &limitedFile{File: f, fs: l, name: filepath.Clean(name)}, nil
}

// OpenReadWrite implements vfs.FS.
func (l *LimitedFS) OpenReadWrite(name string, c vfs.DiskWriteCategory, opts ...vfs.OpenOption) (vfs.File, error) {
	f, err := l.FS.OpenReadWrite(name, c, opts...)
	if err != nil {
		return nil, err
	}
	l.track(name)
	return &limitedFile{File: f, fs: l, name: filepath.Clean(name)}, nil
}

// ReuseForWrite implements vfs.FS.
func (l *LimitedFS) ReuseForWrite(oldname, newname string, c vfs.DiskWriteCategory) (vfs.File, error) {
	l.track(oldname)
	f, err := l.FS.ReuseForWrite(oldname, newname, c)
	if err != nil {
		return nil, err
	}
	l.rename(oldname, newname)
	return &limitedFile{File: f, fs: l, name: filepath.Clean(newname)}, nil
}

// Remove implements vfs.FS.
func (l *LimitedFS) Remove(name string) error {
	if err := l.FS.Remove(name); err != nil {
		return err
	}
	l.forget(name)
	return nil
}

// RemoveAll implements vfs.FS.
func (l *LimitedFS) RemoveAll(name string) error {
	err := l.FS.RemoveAll(name)
	prefix := filepath.Clean(name) + string(filepath.Separator)
	l.mu.Lock()
	for n, sz := range l.sizes {
		if n == filepath.Clean(name) || strings.HasPrefix(n, prefix) {
			if _, serr := l.FS.Stat(n); serr != nil {
				l.used -= sz
				delete(l.sizes, n)
			}
		}
	}
	l.mu.Unlock()
	return err
}

// Rename implements vfs.FS.
func (l *LimitedFS) Rename(oldname, newname string) error {
	if err := l.FS.Rename(oldname, newname); err != nil {
		return err
	}
	l.rename(oldname, newname)
	return nil
}

func (l *LimitedFS) rename(oldname, newname string) {
	oldname, newname = filepath.Clean(oldname), filepath.Clean(newname)
	l.mu.Lock()
	defer l.mu.Unlock()
	if oldname == newname {
		return
	}
	l.used -= l.sizes[newname]
	delete(l.sizes, newname)
	if n, ok := l.sizes[oldname]; ok {
		delete(l.sizes, oldname)
		l.sizes[newname] = n
	}
}

// limitedFile counts the bytes written to a file of a LimitedFS.
type limitedFile struct {
	vfs.File
	fs   *LimitedFS
	name string
	mu   sync.Mutex
	pos  int64
}

func enospc(name string) error {
	return &os.PathError{Op: "write", Path: name, Err: syscall.ENOSPC}
}

func (f *limitedFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.fs.grow(f.name, f.pos+int64(len(p))) {
		return 0, enospc(f.name)
	}
	n, err := f.File.Write(p)
	f.pos += int64(n)
	return n, err
}

func (f *limitedFile) WriteAt(p []byte, off int64) (int, error) {
	if !f.fs.grow(f.name, off+int64(len(p))) {
		return 0, enospc(f.name)
	}
	return f.File.WriteAt(p, off)
}
