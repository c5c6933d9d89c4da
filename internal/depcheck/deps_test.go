package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/cairn-chain/cairn/"

// pure lists the packages that must stay pure state machines.
var pure = []string{"core", "consensus", "consensus/pow", "consensus/fake", "consensus/poa", "state", "chain", "mempool", "index", "vm/meter", "vm/hostapi"}

// forbidden are import-path prefixes a pure package must not depend on.
var forbidden = []string{
	"net", "net/http", "net/rpc", "crypto/tls",
	"github.com/libp2p/", "github.com/multiformats/",
	"github.com/cockroachdb/pebble",
	"github.com/danielgtaylor/huma",
	// The contract engine: the state machine reaches it through
	// state.VM (package vm implements it; the node wires it in).
	"github.com/tetratelabs/wazero",
	module + "p2p", module + "api",
	module + "node", module + "store/pebble",
}

// edges are the rules for the edge packages: each must not depend on the
// listed packages (or those under them). The P2P layer has its own types
// (the node converts them to the API's); the API reaches the node's
// parts only through its own interfaces (api.Backend), never the
// packages behind them.
var edges = map[string][]string{
	"p2p": {module + "api", module + "consensus/pow", module + "consensus/engines"},
	// The miner drives whatever consensus.Sealer it is given.
	"miner": {module + "consensus/pow", module + "consensus/engines", module + "consensus/fake"},
	"api": {
		module + "store", module + "miner", module + "consensus/pow", module + "consensus/engines",
		module + "chain", module + "mempool", module + "node", module + "p2p",
	},
}

// violations returns the packages of bad that pkg depends on.
func violations(t *testing.T, pkg string, bad []string) []string {
	out, err := exec.Command("go", "list", "-deps", module+pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", pkg, err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 3 {
		t.Fatalf("go list returned %d deps: %q", len(deps), out)
	}
	var found []string
	for _, d := range deps {
		for _, f := range bad {
			if d == f || strings.HasSuffix(f, "/") && strings.HasPrefix(d, f) || strings.HasPrefix(d, f+"/") {
				found = append(found, d)
			}
		}
	}
	return found
}

func TestPurePackagesImportNoIO(t *testing.T) {
	for _, p := range pure {
		t.Run(p, func(t *testing.T) {
			if bad := violations(t, p, forbidden); len(bad) > 0 {
				t.Errorf("%s depends on forbidden packages: %v", p, bad)
			}
		})
	}
}

func TestEdgePackagesKeepToTheirSide(t *testing.T) {
	for p, bad := range edges {
		t.Run(p, func(t *testing.T) {
			if found := violations(t, p, bad); len(found) > 0 {
				t.Errorf("%s depends on %v", p, found)
			}
		})
	}
}

// TestCheckerSeesPebble proves the check can fail: the Pebble backend does
// depend on Pebble.
func TestCheckerSeesPebble(t *testing.T) {
	if bad := violations(t, "store/pebble", forbidden); len(bad) == 0 {
		t.Fatal("the checker found no Pebble dependency in store/pebble")
	}
}

// TestCheckerSeesAPI proves the edge rules can fail: the node does depend
// on the API, which p2p must not.
func TestCheckerSeesAPI(t *testing.T) {
	if bad := violations(t, "node", edges["p2p"]); len(bad) == 0 {
		t.Fatal("the checker found no api dependency in node")
	}
}

// engineUsers name no concrete consensus engine: they get theirs from the
// factory, consensus/engines (which they may import: it imports the
// engines), and use it through the consensus interfaces. Unlike the rules
// above this checks direct imports of every package under each prefix.
var engineUsers = []string{"node", "api", "miner", "p2p", "cmd", "explorer"}

// concreteEngines are the packages of the engines themselves.
var concreteEngines = []string{module + "consensus/pow", module + "consensus/fake", module + "consensus/poa"}

func TestOnlyTheFactoryNamesAnEngine(t *testing.T) {
	for _, p := range engineUsers {
		t.Run(p, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{join .Imports " "}}`, module+p+"/...").CombinedOutput()
			if err != nil {
				t.Fatalf("go list %s: %v\n%s", p, err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) == 0 || lines[0] == "" {
				t.Fatalf("go list %s returned no packages", p)
			}
			for _, line := range lines {
				pkg, imports, _ := strings.Cut(line, ":")
				for _, imp := range strings.Fields(imports) {
					for _, bad := range concreteEngines {
						if imp == bad || strings.HasPrefix(imp, bad+"/") {
							t.Errorf("%s imports %s: use consensus/engines and the consensus interfaces", pkg, imp)
						}
					}
				}
			}
		})
	}
}

// TestCheckerSeesAnEngine proves the engine rule can fail: the factory
// does import the PoW engine.
func TestCheckerSeesAnEngine(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, module+"consensus/engines").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if !strings.Contains(" "+string(out), " "+module+"consensus/pow ") {
		t.Fatalf("the checker found no consensus/pow import in consensus/engines: %q", out)
	}
}
