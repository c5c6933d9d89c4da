package anchor

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cairn-chain/cairn/core"
)

// FileSum is a file's SHA-256 and size.
type FileSum struct {
	Name string
	Sum  core.Hash
	Size int64
}

// hashBufSize is each worker's read buffer: large reads keep the hashing
// streaming without holding a file in memory.
const hashBufSize = 1 << 20

// HashFile returns the SHA-256 and size of a regular file, streaming it.
func HashFile(name string) (FileSum, error) {
	return hashFile(name, make([]byte, hashBufSize))
}

func hashFile(name string, buf []byte) (FileSum, error) {
	f, err := os.Open(name)
	if err != nil {
		return FileSum{}, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return FileSum{}, fmt.Errorf("%s: not a regular file", name)
	}
	h := sha256.New()
	n, err := io.CopyBuffer(h, f, buf)
	if err != nil {
		return FileSum{}, fmt.Errorf("read %s: %w", name, err)
	}
	out := FileSum{Name: name, Size: n}
	h.Sum(out.Sum[:0])
	return out, nil
}

// HashFiles hashes files on workers goroutines (< 1: one per CPU), each
// streaming one file at a time, and returns their sums in the order of
// names. progress, if not nil, is called (from the workers, serialised)
// after each file with the number of files and bytes done so far. The
// first error (a missing or unreadable file) stops the work.
func HashFiles(ctx context.Context, names []string, workers int, progress func(files int, bytes int64)) ([]FileSum, error) {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(1, len(names)))
	out := make([]FileSum, len(names))
	var (
		next     atomic.Int64
		mu       sync.Mutex
		done     int
		total    int64
		firstErr error
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, hashBufSize)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(names) {
					return
				}
				fs, err := hashFile(names[i], buf)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
				out[i] = fs
				done++
				total += fs.Size
				if progress != nil {
					progress(done, total)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
