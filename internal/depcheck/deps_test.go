package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

// pure lists the packages that must stay pure state machines.
var pure = []string{"core", "consensus", "consensus/pow", "state", "chain", "mempool"}

// forbidden are import-path prefixes a pure package must not depend on.
var forbidden = []string{
	"net", "net/http", "net/rpc", "crypto/tls",
	"github.com/libp2p/", "github.com/multiformats/",
	"github.com/cockroachdb/pebble",
	"github.com/danielgtaylor/huma",
	"github.com/cairn-chain/cairn/p2p", "github.com/cairn-chain/cairn/api",
	"github.com/cairn-chain/cairn/node", "github.com/cairn-chain/cairn/store/pebble",
}

const module = "github.com/cairn-chain/cairn/"

// violations returns the forbidden packages pkg depends on.
func violations(t *testing.T, pkg string) []string {
	out, err := exec.Command("go", "list", "-deps", module+pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", pkg, err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 3 {
		t.Fatalf("go list returned %d deps: %q", len(deps), out)
	}
	var bad []string
	for _, d := range deps {
		for _, f := range forbidden {
			if d == f || strings.HasSuffix(f, "/") && strings.HasPrefix(d, f) || strings.HasPrefix(d, f+"/") {
				bad = append(bad, d)
			}
		}
	}
	return bad
}

func TestPurePackagesImportNoIO(t *testing.T) {
	for _, p := range pure {
		t.Run(p, func(t *testing.T) {
			if bad := violations(t, p); len(bad) > 0 {
				t.Errorf("%s depends on forbidden packages: %v", p, bad)
			}
		})
	}
}

// TestCheckerSeesPebble proves the check can fail: the Pebble backend does
// depend on Pebble.
func TestCheckerSeesPebble(t *testing.T) {
	if bad := violations(t, "store/pebble"); len(bad) == 0 {
		t.Fatal("the checker found no Pebble dependency in store/pebble")
	}
}
