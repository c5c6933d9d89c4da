package mempool

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps the package pure: no networking, HTTP, storage,
// process or clock access outside tests.
func TestImports(t *testing.T) {
	pkg, err := build.Default.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"net", "os", "time", "io/fs", "syscall", "github.com/cockroachdb/", "log"}
	for _, imp := range pkg.Imports {
		for _, f := range forbidden {
			if imp == f || strings.HasPrefix(imp, strings.TrimSuffix(f, "/")+"/") {
				t.Errorf("mempool imports %q", imp)
			}
		}
	}
}
