package consensus_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPureImports fails if the consensus packages' non-test code imports
// anything but the standard library's pure parts, core and consensus: no
// networking, storage, clock, randomness, logging or files.
func TestPureImports(t *testing.T) {
	const module = "github.com/cairn-chain/cairn/"
	allowedModule := map[string]bool{module + "core": true, module + "consensus": true}
	forbidden := []string{"net", "os", "syscall", "time", "math/rand", "crypto/rand", "database", "log", "io/fs", "plugin", "unsafe"}
	for _, dir := range []string{".", "pow", "poa"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				first, _, _ := strings.Cut(path, "/")
				if strings.Contains(first, ".") {
					if !allowedModule[path] {
						t.Errorf("%s imports %s: only core and consensus are allowed outside the standard library", name, path)
					}
					continue
				}
				for _, bad := range forbidden {
					if path == bad || strings.HasPrefix(path, bad+"/") {
						t.Errorf("%s imports %s: consensus code must stay pure", name, path)
					}
				}
			}
		}
	}
}
