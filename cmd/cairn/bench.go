package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cairn-chain/cairn/bench"
	"github.com/cairn-chain/cairn/client"
	"github.com/spf13/cobra"
)

func newBenchCmd(g *globals) *cobra.Command {
	var (
		keys       keyFlags
		nodes      []string
		devnetN    int
		txs        int
		accounts   int
		rate       float64
		asJSON     bool
		from       string
		batch      int
		stall      time.Duration
		blockTime  time.Duration
		hashCap    float64
		fullBlocks bool
		durable    bool
		conns      int
		dir        string
		verifyTime time.Duration
		cpuProfile string
		memProfile string
		memLimit   int
	)
	cmd := &cobra.Command{
		Use:   "bench [--node URL... | --devnet N] [--txs M] [--accounts K] [--rate R] [--json]",
		Short: "Load generator: send signed transfers, wait for them, check nothing was lost",
		Long: `Load a network with signed transfers and check the outcome end to end.

It funds K new accounts (--accounts) from a wallet, sends M transfers
(--txs) between them at --rate txs/s (0: as fast as the nodes accept),
spread over the nodes (each account always uses the same node), shows
progress, and waits until every acknowledged tx is confirmed. It then
checks that every acknowledged tx is in the main chain exactly once, that
every account's balance and nonce are as expected on every node, that the
accounts' coins are conserved (balances + fees = funding), and that every
node has the same tip and state digest; and it reports submitted/s,
confirmed/s, submit-to-confirm latency p50/p95/p99, and the ed25519.Verify
rate of all cores measured in the same run, with confirmed/s as a ratio of
it.

--devnet N starts an N-node devnet in this process (1 s blocks with room
for the load, mining capped at --max-hashrate per node so the cores go to
validation) funded by its dev wallet. With --node URL (repeatable; default
the global --node) it loads running nodes, funded from --from in the
keystore (default "dev": with --keystore <devnet dir>/keystore and
CAIRN_PASSWORD=dev it loads a running "cairn devnet").

Exit status 0 only if every check holds; 1 if one fails.`,
		Example: `  cairn bench --devnet 3 --txs 50000 --accounts 500
  cairn bench --devnet 3 --txs 5000 --rate 1000 --json
  CAIRN_PASSWORD=dev cairn bench --node http://127.0.0.1:8645 --node http://127.0.0.1:8646 --keystore /tmp/cairn-devnet-123/keystore`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case txs < 1:
				return usageError{fmt.Errorf("--txs %d: at least 1", txs)}
			case accounts < 2 || accounts > txs:
				return usageError{fmt.Errorf("--accounts %d: want 2 to --txs (%d)", accounts, txs)}
			case rate < 0:
				return usageError{fmt.Errorf("--rate %v: want >= 0 (0: as fast as accepted)", rate)}
			case devnetN < 0 || devnetN > 64:
				return usageError{fmt.Errorf("--devnet %d: want 1 to 64 nodes", devnetN)}
			case devnetN > 0 && cmd.Flags().Changed("node"):
				return usageError{errors.New("give --node URLs or --devnet N, not both")}
			case batch < 1 || batch > 1000:
				return usageError{fmt.Errorf("--batch %d: want 1 to 1000", batch)}
			case conns < 1 || conns > 64:
				return usageError{fmt.Errorf("--conns %d: want 1 to 64", conns)}
			case memLimit < 0:
				return usageError{fmt.Errorf("--memory-limit %d: want 0 (none) or MiB", memLimit)}
			}
			ctx := cmd.Context()
			errOut := cmd.ErrOrStderr()
			cfg := bench.Config{Txs: txs, Accounts: accounts, Rate: rate, BatchSize: batch, Conns: conns, Stall: stall, VerifyTime: verifyTime,
				Seed: uint64(time.Now().UnixNano())}
			if !asJSON {
				cfg.Progress = errOut
				if f, ok := errOut.(*os.File); ok {
					cfg.TTY = isTerminal(f)
				}
			}
			var copts []client.Option
			if durable {
				copts = append(copts, client.WithDurable())
			}
			var memURLs []string
			if devnetN > 0 {
				setMemoryLimit(cmd, memLimit) // the nodes' runtime is this process's
				fmt.Fprintf(errOut, "starting a %d-node devnet...\n", devnetN)
				d, err := bench.StartDevnet(ctx, bench.DevnetConfig{Dir: dir, Nodes: devnetN, BlockTime: blockTime, MaxHashRate: hashCap, FullBlocks: fullBlocks, ClientOptions: copts})
				if err != nil {
					return err
				}
				defer d.Stop()
				cfg.Nodes, cfg.Funder, cfg.Memory, cfg.CPU = d.Clients, d.Funder, bench.ProcessRSS, bench.ProcessCPU
			} else {
				if len(nodes) == 0 {
					nodes = []string{g.node}
				}
				for _, u := range nodes {
					cfg.Nodes = append(cfg.Nodes, bench.NewClient(u, copts...))
				}
				for _, c := range cfg.Nodes {
					memURLs = append(memURLs, c.BaseURL())
				}
				cfg.Memory = func() uint64 { return maxNodeRSS(ctx, memURLs) }
				ks, err := keys.open(false)
				if err != nil {
					return err
				}
				st, err := cfg.Nodes[0].Status(ctx)
				if err != nil {
					return err
				}
				entry, err := findKey(ks, from, st.AddressPrefix)
				if err != nil {
					return err
				}
				pass, err := newPrompter(cmd).passphrase(&keys, fmt.Sprintf("passphrase for wallet %q: ", entry.Name), false)
				if err != nil {
					return err
				}
				if cfg.Funder, err = loadKey(ks, entry.Name, pass); err != nil {
					return err
				}
			}
			if cpuProfile != "" {
				pf, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(pf); err != nil {
					return err
				}
				// Lock contention too, for where the run waits rather than works.
				runtime.SetMutexProfileFraction(10)
				defer func() {
					pprof.StopCPUProfile()
					pf.Close()
					if mf, err := os.Create(cpuProfile + ".mutex"); err == nil {
						pprof.Lookup("mutex").WriteTo(mf, 0)
						mf.Close()
					}
				}()
			}
			rep, err := bench.Run(ctx, cfg)
			if err != nil {
				return err
			}
			if memProfile != "" {
				// What stays allocated after the load (with --devnet: the
				// nodes, still running, and the run's records).
				runtime.GC()
				mf, err := os.Create(memProfile)
				if err != nil {
					return err
				}
				err = pprof.Lookup("heap").WriteTo(mf, 0)
				if cerr := mf.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return fmt.Errorf("--memprofile: %w", err)
				}
			}
			if asJSON {
				if err := printJSON(cmd.OutOrStdout(), rep); err != nil {
					return err
				}
			} else {
				printReport(cmd.OutOrStdout(), rep)
			}
			if !rep.OK() {
				return fmt.Errorf("bench: %d check(s) failed: %s", len(rep.Problems), strings.Join(rep.Problems, "; "))
			}
			return nil
		},
	}
	keys.register(cmd, false)
	f := cmd.Flags()
	f.StringArrayVar(&nodes, "node", nil, "node API URL to load (repeatable; default the global --node / CAIRN_NODE)")
	f.IntVar(&devnetN, "devnet", 0, "start a devnet of N nodes in this process and load it")
	f.IntVar(&txs, "txs", bench.DefaultTxs, "transfers to send")
	f.IntVar(&accounts, "accounts", bench.DefaultAccounts, "accounts to fund and send from")
	f.Float64Var(&rate, "rate", 0, "target txs/s in all (0: as fast as the nodes accept)")
	f.BoolVar(&asJSON, "json", false, "print the report as one JSON object")
	f.StringVar(&from, "from", "dev", "with --node: the keystore wallet that funds the accounts")
	f.IntVar(&batch, "batch", bench.DefaultBatchSize, "txs per POST /txs/batch")
	f.IntVar(&conns, "conns", bench.DefaultConns, "batches in flight to each node at once (each from its own accounts, so nonces stay in order)")
	f.DurationVar(&stall, "stall", bench.DefaultStall, "give up when no tx is confirmed for this long")
	f.DurationVar(&blockTime, "block-time", time.Second, "with --devnet: target block time")
	f.Float64Var(&hashCap, "max-hashrate", 200_000, "with --devnet: each node's mining cap in hashes/s")
	f.BoolVar(&durable, "durable", false, "ask for the strict acknowledgement (?durable=true): each batch is fsynced before its node answers, so a node killed during the run loses nothing acknowledged (without it a 202 promises durability within the node's sync window)")
	f.BoolVar(&fullBlocks, "full-blocks", false, "with --devnet: relay full blocks only, without compact block relay (to compare the two)")
	f.StringVar(&dir, "dir", "", "with --devnet: data directory (default: a temporary one, removed after)")
	f.DurationVar(&verifyTime, "verify-time", time.Second, "how long to measure the ed25519.Verify rate")
	f.IntVar(&memLimit, "memory-limit", defaultBenchMemLimit, "with --devnet: soft limit in MiB on this process's Go runtime memory, nodes and load generator together (as cairn node --memory-limit; 0: none)")
	f.StringVar(&memProfile, "memprofile", "", "write a heap profile to this file once the run is over (with --devnet: what the nodes still hold)")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (with --devnet: nodes included) to this file, and a lock contention profile to FILE.mutex")
	return cmd
}

// printReport prints a report as a table.
func printReport(w io.Writer, r *bench.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("nodes / accounts / txs", fmt.Sprintf("%d / %d / %d (%d batches in flight per node)", r.Nodes, r.Accounts, r.Txs, r.Conns))
	row("submitted (acknowledged)", fmt.Sprintf("%d (%.0f/s)", r.Submitted, r.SubmittedPerS))
	row("confirmed", fmt.Sprintf("%d (%.0f/s over %.1f s)", r.Confirmed, r.ConfirmedPerS, r.Seconds))
	row("lost / duplicated / rejected", fmt.Sprintf("%d / %d / %d", r.Lost, r.Duplicated, r.Rejected))
	row("latency p50 / p95 / p99 / max", fmt.Sprintf("%.0f / %.0f / %.0f / %.0f ms", r.LatencyMs.P50, r.LatencyMs.P95, r.LatencyMs.P99, r.LatencyMs.Max))
	row("blocks / mean block time / largest", fmt.Sprintf("%d / %.0f ms / %d txs", r.Blocks, r.BlockTimeMs, r.MaxBlockTxs))
	row("p99 latency in block times", fmt.Sprintf("%.2f (every tx in the next block would give %.2f with these blocks; Poisson expectation %.2f)", r.P99Blocks, r.P99WaitBlocks, bench.PoissonP99Blocks))
	row("converged (one tip and digest)", fmt.Sprintf("%v at height %d", r.Converged, r.Height))
	row("balances and nonces / supply", fmt.Sprintf("%v / %v", r.BalancesOK, r.SupplyConserved))
	row("ed25519.Verify, all cores", fmt.Sprintf("%.0f/s", r.VerifyPerS))
	row("ratio confirmed/s : verify/s", fmt.Sprintf("%.3f", r.Ratio))
	if r.CPURatio > 0 {
		row("by CPU time (load + nodes)", fmt.Sprintf("%.1f CPU s: %.0f confirmed per CPU s, %.0f verify per CPU s: ratio %.3f", r.CPUSeconds, r.ConfirmedPerCPUS, r.VerifyPerCPUS, r.CPURatio))
	}
	if r.PeakMemoryMiB > 0 {
		row("peak memory (RSS)", fmt.Sprintf("%.0f MiB", r.PeakMemoryMiB))
	}
	if m := r.MemoryByTenth; len(m) == 10 {
		row("peak memory by txs confirmed", fmt.Sprintf("20%%: %.0f MiB, 50%%: %.0f MiB, 100%%: %.0f MiB", m[1], m[4], m[9]))
	}
	tw.Flush()
	for _, p := range r.Problems {
		fmt.Fprintf(w, "PROBLEM: %s\n", p)
	}
}

// maxNodeRSS returns the largest process_resident_memory_bytes among the
// nodes' /metrics (0 when none answers).
func maxNodeRSS(ctx context.Context, urls []string) uint64 {
	var best uint64
	hc := &http.Client{Timeout: 2 * time.Second}
	for _, u := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(u, "/")+"/metrics", nil)
		if err != nil {
			continue
		}
		resp, err := hc.Do(req)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(io.LimitReader(resp.Body, 4<<20))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "process_resident_memory_bytes "); ok {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					best = max(best, uint64(f))
				}
			}
		}
		resp.Body.Close()
	}
	return best
}

// defaultBenchMemLimit is cairn bench --memory-limit's default in MiB for
// the devnet process: the nodes' live heap plus the load generator's
// records (72 bytes a tx) stay well under it.
const defaultBenchMemLimit = 256
