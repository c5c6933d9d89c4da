package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/wallet"
	"github.com/spf13/cobra"
)

// Environment variables read by the commands.
const (
	envNode     = "CAIRN_NODE"     // default of --node
	envToken    = "CAIRN_TOKEN"    // default of --token
	envPassword = "CAIRN_PASSWORD" // a keystore passphrase
	envKeystore = "CAIRN_KEYSTORE" // default of --keystore
)

// globals are the root command's persistent flags, shared by every command.
type globals struct {
	node      string // the node's API URL
	token     string // admin token
	tokenFile string // file holding the admin token
}

func (g *globals) register(root *cobra.Command) {
	def := client.DefaultURL
	if v := os.Getenv(envNode); v != "" {
		def = v
	}
	root.PersistentFlags().StringVar(&g.node, "node", def, "the node's REST API URL (env "+envNode+")")
	root.PersistentFlags().StringVar(&g.token, "token", "", "admin API token for admin commands (env "+envToken+"; see --token-file)")
	root.PersistentFlags().StringVar(&g.tokenFile, "token-file", "", "file holding the admin API token, e.g. <datadir>/api.token")
}

// client returns a client of --node; admin commands also get the token.
func (g *globals) client(admin bool) (*client.Client, error) {
	var opts []client.Option
	if admin {
		tok, err := g.adminToken()
		if err != nil {
			return nil, err
		}
		opts = append(opts, client.WithToken(tok))
	}
	return client.New(g.node, opts...), nil
}

// clientStatus returns a client of --node and the node's status (the
// chain parameters a command needs to build or check a tx).
func (g *globals) clientStatus(ctx context.Context) (*client.Client, *wire.Status, error) {
	c, err := g.client(false)
	if err != nil {
		return nil, nil, err
	}
	st, err := c.Status(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c, st, nil
}

// parseFee reads --fee (the chain's minimum fee when not given) and
// refuses a fee below the chain's minimum.
func parseFee(cmd *cobra.Command, fee string, ci chainInfo) (uint64, error) {
	if !cmd.Flags().Changed("fee") {
		return ci.minFee, nil
	}
	f, err := parseCoins("fee", fee, ci.decimals)
	if err != nil {
		return 0, err
	}
	if f < ci.minFee {
		return 0, fmt.Errorf("--fee %s is below the chain's minimum fee %s", ci.coins(f), ci.coins(ci.minFee))
	}
	return f, nil
}

// adminToken resolves --token, $CAIRN_TOKEN, then --token-file.
func (g *globals) adminToken() (string, error) {
	if g.token != "" {
		return g.token, nil
	}
	if v := os.Getenv(envToken); v != "" {
		return v, nil
	}
	if g.tokenFile == "" {
		return "", nil // the node will answer unauthorized, and describe says what to do
	}
	b, err := os.ReadFile(g.tokenFile)
	if err != nil {
		return "", fmt.Errorf("--token-file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("--token-file %s is empty", g.tokenFile)
	}
	return tok, nil
}

// chainInfo is what a client needs to know about a chain to build and
// show txs.
type chainInfo struct {
	chainID  string
	prefix   string
	decimals uint8
	minFee   uint64
	gasPrice uint64 // contract rules
	maxGas   uint64
	maxCode  uint64
}

func infoFromStatus(s *wire.Status) chainInfo {
	ci := chainInfo{chainID: s.ChainID, prefix: s.AddressPrefix, decimals: s.Decimals, minFee: s.MinFee,
		gasPrice: max(s.GasPrice, 1), maxGas: s.MaxBlockGas, maxCode: s.MaxCodeBytes}
	if ci.prefix == "" {
		ci.prefix = core.DefaultAddressPrefix
	}
	return ci
}

func (ci chainInfo) coins(units uint64) string { return wallet.FormatCoins(units, ci.decimals) }

// checkCoinsSyntax reports a usage error if s is not an amount of coins
// in any number of decimals (checked before the chain's decimals are known).
func checkCoinsSyntax(flag, s string) error {
	if _, err := wallet.ParseCoins(s, 15); errors.Is(err, core.CodeMalformed) {
		return usageError{fmt.Errorf("--%s: %v", flag, err)}
	}
	return nil
}

// parseCoins reads an amount of coins given in flag: bad syntax is a usage
// error (exit 2), an amount out of range an error (exit 1).
func parseCoins(flag, s string, decimals uint8) (uint64, error) {
	v, err := wallet.ParseCoins(s, decimals)
	if err != nil {
		if errors.Is(err, core.CodeMalformed) {
			return 0, usageError{fmt.Errorf("--%s: %v", flag, err)}
		}
		return 0, fmt.Errorf("--%s: %v", flag, err)
	}
	return v, nil
}

// requireFlags returns a usage error naming the first required flag not given.
func requireFlags(cmd *cobra.Command, names ...string) error {
	for _, n := range names {
		if !cmd.Flags().Changed(n) {
			return usageError{fmt.Errorf("%s: missing required flag --%s (see --help)", cmd.CommandPath(), n)}
		}
	}
	return nil
}

// exactArgs is cobra.ExactArgs with a usage error naming what is expected.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError{fmt.Errorf("%s: want %s, got %d argument(s) (see --help)", cmd.CommandPath(), what, len(args))}
		}
		return nil
	}
}

// group returns a command that only holds subcommands: run without one
// (or with an unknown one) it is a usage error.
func group(use, short, long string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{fmt.Errorf("%s: missing subcommand (see --help)", cmd.CommandPath())}
			}
			return usageError{fmt.Errorf("%s: unknown subcommand %q (see --help)", cmd.CommandPath(), args[0])}
		},
	}
	cmd.AddCommand(subs...)
	return cmd
}

// printJSON writes v indented, with a final newline.
func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// describe returns the message printed for an error: the node's problem
// codes become sentences a person understands.
func describe(err error) string {
	msg := err.Error()
	var p *wire.Problem
	if errors.As(err, &p) {
		if raw := p.Error(); raw != "" && strings.Contains(msg, raw) {
			msg = strings.Replace(msg, raw, explainProblem(p), 1)
		} else {
			msg += ": " + explainProblem(p)
		}
	}
	return msg
}

// explainProblem turns a problem answer into a sentence with a hint: the
// title and hint of its code's row in core's code table (core.Code.Info).
func explainProblem(p *wire.Problem) string {
	detail := p.Detail
	if detail == "" {
		detail = p.Title
	}
	code := core.Code(p.Code)
	switch {
	case p.Code == "":
		return fmt.Sprintf("the node answered HTTP %d: %s", p.Status, detail)
	case !code.Known():
		return fmt.Sprintf("the node rejected the request (%s): %s", p.Code, detail)
	}
	info := code.Info()
	s := detail
	if !strings.HasPrefix(strings.ToLower(s), info.Title) {
		s = info.Title + ": " + s
	}
	if info.Hint != "" {
		s += " (" + info.Hint + ")"
	}
	return s
}

// isProblem reports whether err is a problem answer with the given code.
func isProblem(err error, code core.Code) bool {
	var p *wire.Problem
	return errors.As(err, &p) && p.Code == string(code)
}

// version returns the module version the binary was built from.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// readInput reads a file argument, "-" meaning stdin, up to max bytes.
func readInput(cmd *cobra.Command, name string, max int64) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = cmd.InOrStdin()
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, max)
	}
	return b, nil
}
