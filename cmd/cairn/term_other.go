//go:build !linux

package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// readSecret writes prompt to w and reads a line from the terminal f. On
// this platform the input is echoed: use --password-file or CAIRN_PASSWORD
// to avoid it.
func readSecret(ctx context.Context, f *os.File, w io.Writer, prompt string) (string, error) {
	fmt.Fprint(w, prompt+"(input is shown) ")
	return readLineCtx(ctx, f)
}
