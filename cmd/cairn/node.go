package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/node"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/cairn-chain/cairn/wallet"
	"github.com/spf13/cobra"
)

func newNodeCmd() *cobra.Command {
	var (
		dataDir, genesisFile, apiAddr, miner, logFormat, logLevel string
		signer                                                    string
		keys                                                      keyFlags
		mine, resync, interpreter                                 bool
		threads, maxReorgDepth                                    int
		maxHashRate, apiRate                                      float64
		apiRateLoopback                                           bool
		memLimit                                                  int
		memTableMiB                                               int
		listen, peers                                             []string
		private                                                   privateFlags
	)
	cmd := &cobra.Command{
		Use:   "node --datadir DIR [--genesis FILE] [--api 127.0.0.1:8645] [--listen MULTIADDR] [--peer MULTIADDR]... [--mine --miner ADDRESS --threads N] [--signer NAME]",
		Short: "Run a full node (Ctrl-C stops it)",
		Long: `Run a full node: it stores and validates the chain in --datadir, keeps a
mempool, serves the REST API on --api, talks to peers over libp2p (listening
on --listen, connecting to each --peer and to peers it learns of) and, with
--mine, mines blocks paying --miner.

The first start of a data directory needs the chain's --genesis file (see
"cairn genesis new"); later starts read the copy kept in the data directory
(a --genesis given then must be the same chain). At every start the node
writes a fresh admin API token to <datadir>/api.token (mode 0600): admin
commands read it with --token-file.

If the database's files are damaged (deleted, truncated or garbled), the
node refuses to start and says so; --resync then moves the database aside
(keeping it) and rebuilds it from genesis and the peers, keeping the
node's identity, peer and ban lists. When the disk has less than 64 MiB
free the node stops writing (blocks are not stored, txs are refused with
503) and resumes by itself once space is freed. --max-reorg-depth N makes
the node refuse to switch to a heavier branch that forks more than N
blocks below its tip (a local policy: it may then disagree with the rest
of the network until an operator intervenes).

On a proof-of-authority chain blocks are sealed by its signers, not mined:
--signer NAME loads a keystore wallet's key (asking for its passphrase as
other commands do: --password-file, CAIRN_PASSWORD or a prompt) and, with
--mine, the node seals blocks with it when its turn comes (--miner is then
optional: blocks pay the signer). Without --signer the node follows the
chain. Votes on the signer set: "cairn vote".

A private network: --peer-allowlist FILE makes the node accept, dial and
learn only the peers listed by peer ID ("cairn node id" prints a node's;
"cairn peers allow|revoke|list" change the running node's list, kept in
<datadir>/allowlist.json: at later starts that live list applies unless
FILE was edited since, which then replaces it). --swarm-key FILE ("cairn
swarm-key new") adds a shared pre-shared key without which a node cannot
even handshake. See docs/operations.md, "Private networks".`,
		Example: `  cairn genesis new --chain-id acme --alloc cairn1...=1000 > genesis.json
  cairn node --datadir ./data --genesis genesis.json --mine --miner cairn1... --threads 2
  cairn node --datadir ./data --api 127.0.0.1:9000 --log-format json
  cairn node --datadir ./data --genesis poa.json --mine --signer alice --password-file pass.txt
  cairn node --datadir ./data --resync --peer /ip4/10.0.0.2/tcp/30345/p2p/12D3KooW...
  cairn node --datadir ./data2 --api 127.0.0.1:8646 --listen /ip4/127.0.0.1/tcp/30346 \
    --peer /ip4/127.0.0.1/tcp/30345/p2p/12D3KooW...`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "datadir"); err != nil {
				return err
			}
			if mine && miner == "" && signer == "" {
				return usageError{errors.New("--mine needs --miner ADDRESS (the address the block rewards go to), or on a proof-of-authority chain --signer NAME")}
			}
			if maxHashRate < 0 || math.IsNaN(maxHashRate) || math.IsInf(maxHashRate, 0) {
				return usageError{fmt.Errorf("--max-hashrate %v: want 0 (no cap) or a rate in hashes/s", maxHashRate)}
			}
			if apiRate < 0 || math.IsNaN(apiRate) || math.IsInf(apiRate, 0) {
				return usageError{fmt.Errorf("--api-rate %v: want 0 (no limit) or txs/s per client", apiRate)}
			}
			if memLimit < 0 {
				return usageError{fmt.Errorf("--memory-limit %d: want 0 (none) or MiB", memLimit)}
			}
			setMemoryLimit(cmd, memLimit)
			if memTableMiB < 0 || memTableMiB > 256 {
				return usageError{fmt.Errorf("--db-memtable-mib %d: want 0 (Pebble's default, 4) to 256", memTableMiB)}
			}
			if threads < 0 {
				return usageError{fmt.Errorf("--threads %d: want 0 (all cores) or more", threads)}
			}
			if maxReorgDepth < 0 {
				return usageError{fmt.Errorf("--max-reorg-depth %d: want 0 (no limit) or more", maxReorgDepth)}
			}
			logger, err := newLogger(cmd, logFormat, logLevel)
			if err != nil {
				return err
			}
			var g *core.Genesis
			if genesisFile != "" {
				f, err := os.Open(genesisFile)
				if err != nil {
					return fmt.Errorf("--genesis: %w", err)
				}
				g, err = core.LoadGenesis(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("--genesis %s: %w", genesisFile, err)
				}
			}
			if len(listen) == 1 && listen[0] == "" {
				listen = nil // standalone
			}
			cfg := node.Config{
				DataDir: dataDir, Genesis: g, APIAddr: apiAddr, Listen: listen, Peers: peers,
				Mine: mine, Threads: threads, MaxHashRate: maxHashRate, Logger: logger, Version: version(),
				MaxReorgDepth: maxReorgDepth, Resync: resync, VMInterpreter: interpreter,
				APIRate: apiRate, APIRateLoopback: apiRateLoopback, MemTableBytes: int64(memTableMiB) << 20,
			}
			if apiRate == 0 {
				cfg.APIRate = -1 // no limit
			}
			if err := private.apply(&cfg); err != nil {
				return err
			}
			if signer != "" {
				key, err := loadSigner(cmd, &keys, signer, dataDir, g)
				if err != nil {
					return err
				}
				defer clear(key)
				cfg.SignerKey = key
				if miner == "" { // a PoA block pays its signer: show that address
					var pub core.PublicKey
					copy(pub[:], key.Public().(ed25519.PublicKey))
					cfg.MinerAddress = pub.Address()
				}
			}
			if miner != "" {
				prefix, err := chainPrefix(dataDir, g)
				if err != nil {
					return err
				}
				if cfg.MinerAddress, err = walletOrAddress(&keys, "miner", miner, prefix); err != nil {
					return err
				}
			}
			n, err := node.New(cfg)
			if err != nil {
				return err
			}
			defer n.Close()
			if n.MovedDB != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "resync: the old database was moved to %s (kept: delete it when you no longer need it); syncing from peers from genesis\n", n.MovedDB)
			}
			printBanner(cmd, n, cfg)
			err = n.Run(cmd.Context())
			fmt.Fprintf(cmd.OutOrStdout(), "stopped at height %d\n", n.Chain.Tip().Height)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "datadir", "", "data directory: database, genesis copy, api.token (required)")
	f.StringVar(&genesisFile, "genesis", "", "genesis JSON file (required at the first start of --datadir)")
	f.StringArrayVar(&listen, "listen", []string{p2p.DefaultListen}, `peer-to-peer listen multiaddr (repeatable; "" with no other value: no network)`)
	f.StringArrayVar(&peers, "peer", nil, "multiaddr of a peer to connect to, with its /p2p/ID (repeatable)")
	f.StringVar(&apiAddr, "api", "127.0.0.1:8645", `REST API listen address host:port ("" disables the API)`)
	f.Float64Var(&apiRate, "api-rate", api.DefaultRateLimit, "txs/s each API client IP may submit (a POST counts one, a batch one per tx; bursts of 2 s worth); requests with the admin token and loopback clients are not limited (0: no limit)")
	f.IntVar(&memLimit, "memory-limit", defaultNodeMemLimit, "soft limit in MiB on the Go runtime's memory (the GC works harder near it, so the resident memory plateaus; Pebble's 256 MiB block cache comes on top; 0: none; the GOMEMLIMIT environment variable wins over the default)")
	f.IntVar(&memTableMiB, "db-memtable-mib", 0, "size in MiB of the database's memtables (0: Pebble's 4): 16 makes an initial sync about a fifth faster (fewer compactions) and holds up to 3 of them in memory (48 MiB at 16, against 12 at the default); above 16 the free-disk reserve grows to 4 times it")
	f.BoolVar(&apiRateLoopback, "api-rate-loopback", false, "apply --api-rate to loopback clients too (e.g. behind a reverse proxy on the same machine)")
	f.BoolVar(&mine, "mine", false, "mine blocks (needs --miner)")
	f.StringVar(&miner, "miner", "", "address paid by mined blocks (also used by GET /mine), or a wallet of --keystore")
	f.StringVar(&signer, "signer", "", "proof of authority: seal blocks with this keystore wallet's key (NAME or address; one of the chain's signers); with --mine it produces blocks")
	private.register(cmd)
	keys.register(cmd, false)
	f.IntVar(&threads, "threads", 0, "mining threads (0: all cores)")
	f.Float64Var(&maxHashRate, "max-hashrate", 0, "cap mining at this many hashes/s in all, leaving the cores to validation (0: no cap)")
	f.StringVar(&logFormat, "log-format", "text", "log format on standard error: text or json")
	f.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.IntVar(&maxReorgDepth, "max-reorg-depth", 0, "refuse reorgs that would disconnect more than `N` main-chain blocks (a local policy, not consensus; 0: no limit)")
	f.BoolVar(&interpreter, "vm-interpreter", false, "run contracts on wazero's interpreter instead of its compiler (the same results and gas, slower; for platforms without the compiler, or to cross-check it)")
	f.BoolVar(&resync, "resync", false, "move the database aside to <datadir>/db.corrupt-<time> (kept) and rebuild it from genesis and peers (after a damaged-database error)")
	cmd.AddCommand(newNodeIDCmd())
	return cmd
}

// loadSigner loads the --signer wallet's private key. It checks the key
// is usable (the chain, given or stored, is proof of authority) only as far
// as the command line can: node.New has the last word.
func loadSigner(cmd *cobra.Command, keys *keyFlags, name, dataDir string, g *core.Genesis) (ed25519.PrivateKey, error) {
	if g == nil {
		if data, err := os.ReadFile(filepath.Join(dataDir, "genesis.json")); err == nil {
			g, _ = core.ParseGenesis(data)
		}
	}
	if g != nil && !g.IsPoA() {
		return nil, usageError{fmt.Errorf("--signer %s: chain %s is proof of work: it has no signers (mine with --mine --miner ADDRESS)", name, g.ChainID)}
	}
	prefix := core.DefaultAddressPrefix
	if g != nil {
		prefix = g.AddressPrefix
	}
	ks, err := keys.open(false)
	if err != nil {
		return nil, fmt.Errorf("--signer: %w", err)
	}
	e, err := findKey(ks, name, prefix)
	if err != nil {
		return nil, fmt.Errorf("--signer: %w", err)
	}
	var priv ed25519.PrivateKey
	err = withKey(cmd, keys, ks, e, func(k *wallet.Key) error {
		priv = slices.Clone(k.Private)
		return nil
	})
	return priv, err
}

// newLogger returns the node's logger on standard error.
func newLogger(cmd *cobra.Command, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Errorf("--log-level %q: want debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), opts)), nil
	}
	return nil, usageError{fmt.Errorf("--log-format %q: want text or json", format)}
}

// chainPrefix returns the address prefix of the given genesis, else of
// the genesis stored in dataDir, else the default.
func chainPrefix(dataDir string, g *core.Genesis) (string, error) {
	if g != nil {
		return g.AddressPrefix, nil
	}
	data, err := os.ReadFile(filepath.Join(dataDir, "genesis.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return core.DefaultAddressPrefix, nil // node.New will ask for --genesis
	}
	if err != nil {
		return "", err
	}
	stored, err := core.ParseGenesis(data)
	if err != nil {
		return "", fmt.Errorf("%s: %w", filepath.Join(dataDir, "genesis.json"), err)
	}
	return stored.AddressPrefix, nil
}

func printBanner(cmd *cobra.Command, n *node.Node, cfg node.Config) {
	w := cmd.OutOrStdout()
	tip := n.Chain.Tip()
	fmt.Fprintf(w, "Cairn node %s: chain %s, genesis %s\n", cfg.Version, n.Genesis.ChainID, n.Chain.GenesisHash())
	fmt.Fprintf(w, "  height    %d (tip %s)\n", tip.Height, tip.Hash)
	if cfg.APIAddr != "" {
		fmt.Fprintf(w, "  API       %s/api/v1 (admin token in %s)\n", apiURL(strings.TrimPrefix(n.APIURL(), "http://")), filepath.Join(cfg.DataDir, node.TokenFile))
	} else {
		fmt.Fprintf(w, "  API       off\n")
	}
	fmt.Fprintf(w, "  data dir  %s\n", cfg.DataDir)
	if n.Net != nil {
		fmt.Fprintf(w, "  p2p       %s (peer ID %s)\n", strings.Join(n.Net.Addrs(), " "), n.Net.ID())
	} else {
		fmt.Fprintf(w, "  p2p       off (standalone)\n")
	}
	printPrivate(w, n, cfg)
	if cfg.Mine && n.Genesis.IsPoA() && len(cfg.SignerKey) == ed25519.PrivateKeySize {
		// A PoA node seals with its signer key once per period: no hashing,
		// so --threads and "all cores" mean nothing here.
		signer := core.PublicKey{}
		copy(signer[:], cfg.SignerKey.Public().(ed25519.PublicKey))
		fmt.Fprintf(w, "  sealing   as signer %s (%s), a block every %d ms in turn\n", signer, signer.Address().Encode(n.Genesis.AddressPrefix), n.Genesis.PoA.PeriodMs)
	} else if cfg.Mine {
		th := "all cores"
		if cfg.Threads > 0 {
			th = fmt.Sprintf("%d thread(s)", cfg.Threads)
		}
		fmt.Fprintf(w, "  mining    to %s with %s\n", cfg.MinerAddress.Encode(n.Genesis.AddressPrefix), th)
	} else {
		fmt.Fprintf(w, "  mining    off\n")
	}
}

// apiURL is the URL a client on this machine uses for a listen address.
func apiURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// defaultNodeMemLimit is --memory-limit's default in MiB: well above a
// node's live heap (its caches, a full mempool), so that the GC only
// works harder where it would otherwise let the heap grow to twice its
// live data.
const defaultNodeMemLimit = 512

// setMemoryLimit applies --memory-limit (MiB) as the Go runtime's soft
// memory limit, unless it was left at its default and GOMEMLIMIT is set.
func setMemoryLimit(cmd *cobra.Command, mib int) {
	if !cmd.Flags().Changed("memory-limit") && os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if mib == 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		return
	}
	debug.SetMemoryLimit(int64(mib) << 20)
}
