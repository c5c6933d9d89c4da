package store

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoStorageEngineImport keeps store (and so chain and state, which
// import it) free of Pebble and of network code: only store/pebble may
// import Pebble.
func TestNoStorageEngineImport(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "cockroachdb/pebble") || dep == "net" || strings.HasPrefix(dep, "net/") {
			t.Errorf("store depends on %s", dep)
		}
	}
}
