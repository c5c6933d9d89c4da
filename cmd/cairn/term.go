package main

import (
	"context"
	"errors"
	"io"
	"strings"
)

// readLineCtx reads one line byte by byte (so nothing after it is
// consumed), returning early if ctx ends.
func readLineCtx(ctx context.Context, r io.Reader) (string, error) {
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var b []byte
		var one [1]byte
		for len(b) < 4096 {
			n, err := r.Read(one[:])
			if n == 1 {
				if one[0] == '\n' {
					break
				}
				b = append(b, one[0])
				continue
			}
			if err != nil {
				if errors.Is(err, io.EOF) && len(b) > 0 {
					break
				}
				ch <- result{"", err}
				return
			}
		}
		ch <- result{strings.TrimRight(string(b), "\r"), nil}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
