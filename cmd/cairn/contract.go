package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
	"github.com/spf13/cobra"
)

// Default gas of a contract call when --gas is not given: enough for the
// example contracts' methods many times over (docs/contracts.md).
const defaultCallGas = 200_000

func newContractCmd(g *globals) *cobra.Command {
	return group("contract", "Deploy, call and read WebAssembly contracts",
		`Contracts are WebAssembly modules (docs/contracts.md): deploy one with
"contract deploy", then call it. Every call runs on every node with the
same metered gas; the sender pays gas used x gas_price + min_fee, at most
--fee (default: what --gas can cost). A call that traps, aborts or runs
out of gas is still in its block, failed, with its fee charged: --wait
prints its receipt and exits 1.

"contract query" runs a call read-only on the node's tip, without a tx.
Example contracts and how to build your own: contracts/README.md.`,
		newContractDeployCmd(g), newContractCallCmd(g), newContractQueryCmd(g),
		newContractShowCmd(g), newContractEventsCmd(g))
}

// parseHexFlag reads a hex flag (0x allowed): bad hex is a usage error.
func parseHexFlag(flag, v string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(v), "0x"))
	if err != nil {
		return nil, usageError{fmt.Errorf("--%s: want hex bytes (e.g. 01ab...): %v", flag, err)}
	}
	if len(b) > core.MaxCallInput {
		return nil, usageError{fmt.Errorf("--%s: %d bytes, a contract input is at most %d", flag, len(b), core.MaxCallInput)}
	}
	return b, nil
}

// encodeArgs builds a contract input from a list of typed values, in
// order (docs/contracts.md, "Inputs from the command line"): u8:N, u16:N,
// u32:N, u64:N (big-endian), addr:ADDRESS (20 bytes), hash:HEX (32 bytes),
// hex:HEX and str:TEXT (as is).
func encodeArgs(flag, spec string, prefix string) ([]byte, error) {
	var out []byte
	for _, f := range strings.Fields(spec) {
		typ, val, ok := strings.Cut(f, ":")
		if !ok {
			return nil, fmt.Errorf("--%s %q: want TYPE:VALUE (u8, u16, u32, u64, addr, hash, hex, str)", flag, f)
		}
		bad := func(err error) error { return fmt.Errorf("--%s %q: %v", flag, f, err) }
		switch typ {
		case "u8", "u16", "u32", "u64":
			bits := map[string]int{"u8": 8, "u16": 16, "u32": 32, "u64": 64}[typ]
			n, err := strconv.ParseUint(val, 10, bits)
			if err != nil {
				return nil, bad(fmt.Errorf("want a decimal number that fits %d bits", bits))
			}
			for i := bits/8 - 1; i >= 0; i-- {
				out = append(out, byte(n>>(8*i)))
			}
		case "addr":
			a, err := core.ParseAddress(val, prefix)
			if err != nil {
				return nil, bad(err)
			}
			out = append(out, a[:]...)
		case "hash":
			h, err := core.ParseHash(val)
			if err != nil {
				return nil, bad(err)
			}
			out = append(out, h[:]...)
		case "hex":
			b, err := hex.DecodeString(strings.TrimPrefix(val, "0x"))
			if err != nil {
				return nil, bad(err)
			}
			out = append(out, b...)
		case "str":
			out = append(out, val...)
		default:
			return nil, fmt.Errorf("--%s %q: unknown type %q (u8, u16, u32, u64, addr, hash, hex, str)", flag, f, typ)
		}
	}
	if len(out) > core.MaxCallInput {
		return nil, fmt.Errorf("--%s: %d bytes, a contract input is at most %d", flag, len(out), core.MaxCallInput)
	}
	return out, nil
}

// inputFlags are --input HEX and --args SPEC (one or the other).
type inputFlags struct {
	name      string // "input" or "init"
	hex, args string
}

func (f *inputFlags) register(cmd *cobra.Command) {
	what := "the call's input"
	if f.name == "init" {
		what = "the input of the contract's init"
	}
	cmd.Flags().StringVar(&f.hex, f.name, "", what+", hex")
	cmd.Flags().StringVar(&f.args, f.name+"-args", "", what+` as typed values, e.g. "u8:1 addr:cairn1... u64:300" (u8, u16, u32, u64, addr, hash, hex, str)`)
}

// check reads the hex form (usage errors before any node is asked).
func (f *inputFlags) check(cmd *cobra.Command) error {
	if cmd.Flags().Changed(f.name) && cmd.Flags().Changed(f.name+"-args") {
		return usageError{fmt.Errorf("give --%s or --%s-args, not both", f.name, f.name)}
	}
	_, err := parseHexFlag(f.name, f.hex)
	return err
}

// bytes returns the input; --args needs the chain's address prefix.
func (f *inputFlags) bytes(cmd *cobra.Command, prefix string) ([]byte, error) {
	if cmd.Flags().Changed(f.name + "-args") {
		b, err := encodeArgs(f.name+"-args", f.args, prefix)
		if err != nil {
			return nil, usageError{err}
		}
		return b, nil
	}
	return parseHexFlag(f.name, f.hex)
}

// gasFee is what gas can cost at most: gas x gas_price + min_fee.
func gasFee(ci chainInfo, gas uint64) uint64 { return gas*ci.gasPrice + ci.minFee }

func newContractDeployCmd(g *globals) *cobra.Command {
	o := &bodyOpts{}
	init := &inputFlags{name: "init"}
	cmd := &cobra.Command{
		Use:   "deploy FILE.wasm --from NAME [--init HEX | --init-args SPEC] [--fee COINS] [--wait]",
		Short: "Deploy a contract (prints its address)",
		Long: `Deploy the WebAssembly module FILE as a new contract. The node checks it
first (a valid module, no floats, only the host ABI's imports, an exported
call; docs/contracts.md names every rule). Its init export, if any, runs
once with --init as input. The contract's address is printed: it depends
on the sender and its nonce only.

The fee pays for the gas: 20,000 + 10 per byte of code + what init uses.
The default --fee covers the code and 1,000,000 gas of init; what is not
used goes back to the sender.`,
		Example: `  cairn contract deploy contracts/token.wasm --from alice --init-args u64:1000000 --wait`,
		Args:    exactArgs(1, "the .wasm file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.checkUsage(cmd); err != nil {
				return err
			}
			if err := init.check(cmd); err != nil {
				return err
			}
			code, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			if len(code) < 8 || string(code[:4]) != "\x00asm" {
				return fmt.Errorf("%s is not a WebAssembly module (it does not start with \\0asm): build it first (contracts/README.md)", args[0])
			}
			o.gasFee = func(ci chainInfo) uint64 {
				return gasFee(ci, state.DeployBaseGas+state.DeployGasPerByte*uint64(len(code))+1_000_000)
			}
			var prefix string
			return o.submitBody(cmd, g, func(s *session) (core.Body, error) {
				prefix = s.ci.prefix
				input, err := init.bytes(cmd, prefix)
				if err != nil {
					return nil, err
				}
				if s.ci.maxCode > 0 && uint64(len(code)) > s.ci.maxCode {
					return nil, fmt.Errorf("%s: %d bytes, above the chain's max_code_bytes %d", args[0], len(code), s.ci.maxCode)
				}
				return &core.ContractDeploy{Code: code, InitInput: input}, nil
			}, func(tx *core.Tx) []string {
				return []string{"contract " + core.ContractAddress(tx.Sender(), tx.Nonce).Encode(prefix)}
			})
		},
	}
	o.register(cmd)
	init.register(cmd)
	cmd.Flags().Lookup("fee").Usage = "most the deploy may cost, in coins (default: the code's gas and 1,000,000 gas of init at the chain's gas_price, plus min_fee); the unused part stays with the sender"
	return cmd
}

func newContractCallCmd(g *globals) *cobra.Command {
	o := &bodyOpts{}
	input := &inputFlags{name: "input"}
	var amount string
	var gas uint64
	cmd := &cobra.Command{
		Use:   "call ADDRESS --from NAME [--input HEX | --input-args SPEC] [--amount COINS] [--gas N] [--wait]",
		Short: "Call a contract",
		Long: `Run the contract's call export with --input (hex; its layout is the
contract's: see its source). --amount sends coins with the call (the
contract sees them as value()). --gas bounds the run (default 200,000);
the default --fee covers it.`,
		Example: `  cairn contract call cairn1... --from alice --input-args "u8:1 addr:cairn1... u64:300" --wait`,
		Args:    exactArgs(1, "the contract's address"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.checkUsage(cmd); err != nil {
				return err
			}
			if err := input.check(cmd); err != nil {
				return err
			}
			if gas == 0 {
				return usageError{fmt.Errorf("--gas: at least %d (a call's base cost)", state.CallBaseGas)}
			}
			if cmd.Flags().Changed("amount") {
				if err := checkCoinsSyntax("amount", amount); err != nil {
					return err
				}
			}
			o.gasFee = func(ci chainInfo) uint64 { return gasFee(ci, gas) }
			return o.submitBody(cmd, g, func(s *session) (core.Body, error) {
				c, err := s.address("address", args[0])
				if err != nil {
					return nil, usageError{err}
				}
				in, err := input.bytes(cmd, s.ci.prefix)
				if err != nil {
					return nil, err
				}
				if _, err := s.c.Contract(s.ctx, args[0]); isProblem(err, core.CodeNotFound) {
					return nil, fmt.Errorf("no contract at %s (deployed yet? `cairn contract show %s`)", args[0], args[0])
				} else if err != nil {
					return nil, err
				}
				var coins uint64
				if cmd.Flags().Changed("amount") {
					if coins, err = parseCoins("amount", amount, s.ci.decimals); err != nil {
						return nil, err
					}
				}
				if s.ci.maxGas > 0 && gas > s.ci.maxGas {
					return nil, fmt.Errorf("--gas %d is above the chain's max_block_gas %d", gas, s.ci.maxGas)
				}
				return &core.ContractCall{Contract: c, Input: in, Amount: coins, GasLimit: gas}, nil
			}, nil)
		},
	}
	o.register(cmd)
	input.register(cmd)
	cmd.Flags().Lookup("fee").Usage = "most the call may cost, in coins (default: --gas x gas_price + min_fee); the unused part stays with the sender"
	f := cmd.Flags()
	f.StringVar(&amount, "amount", "", "coins sent to the contract with the call")
	f.Uint64Var(&gas, "gas", defaultCallGas, "most gas the call may use")
	return cmd
}

func newContractQueryCmd(g *globals) *cobra.Command {
	input := &inputFlags{name: "input"}
	var caller string
	var gas uint64
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "query ADDRESS [--input HEX | --input-args SPEC] [--caller ADDRESS] [--json]",
		Short: "Run a contract's call read-only (no tx, nothing written)",
		Long: `Run the contract's call export on the node's tip as if in the next block,
and print what it returned (hex) and the gas it used. Nothing is written
and no fee is paid. --caller sets the address the contract sees as its
caller (default: none).`,
		Example: `  cairn contract query cairn1... --input-args "u8:2 addr:cairn1..."`,
		Args:    exactArgs(1, "the contract's address"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := input.check(cmd); err != nil {
				return err
			}
			s, err := g.readSession(cmd)
			if err != nil {
				return err
			}
			in, err := input.bytes(cmd, s.ci.prefix)
			if err != nil {
				return err
			}
			res, err := s.c.QueryContract(s.ctx, args[0], wire.QueryRequest{Input: hex.EncodeToString(in), Caller: caller, Gas: gas})
			if err != nil {
				return contractErr(err, args[0])
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return printJSON(w, res)
			}
			fmt.Fprintf(w, "status    %s\n", res.Status)
			ret := orNone(res.Return)
			if len(res.Return) == 16 { // 8 bytes: most likely a number
				if n, err := strconv.ParseUint(res.Return, 16, 64); err == nil {
					ret += fmt.Sprintf(" (u64 %d)", n)
				}
			}
			fmt.Fprintf(w, "return    %s\n", ret)
			fmt.Fprintf(w, "gas used  %d\n", res.GasUsed)
			printEvents(w, res.Events)
			if res.Status != "success" {
				return fmt.Errorf("the call failed (%s): %s", res.ErrorCode, res.Error)
			}
			return nil
		},
	}
	input.register(cmd)
	f := cmd.Flags()
	f.StringVar(&caller, "caller", "", "the caller the contract sees (an address)")
	f.Uint64Var(&gas, "gas", 0, "most gas (default: the chain's max_block_gas)")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func newContractShowCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "show ADDRESS [--json]",
		Short:   "Show a contract: code, deployer, balance, storage",
		Example: `  cairn contract show cairn1...`,
		Args:    exactArgs(1, "the contract's address"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.readSession(cmd)
			if err != nil {
				return err
			}
			c, err := s.c.Contract(s.ctx, args[0])
			if err != nil {
				return contractErr(err, args[0])
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return printJSON(w, c)
			}
			fmt.Fprintf(w, "contract   %s\n", c.Address)
			fmt.Fprintf(w, "code       %s (%s)\n", c.CodeHash, plural(uint64(c.CodeSize), "byte"))
			fmt.Fprintf(w, "deployer   %s\n", c.Deployer)
			created := fmt.Sprintf("block %d", c.CreatedHeight)
			if d := s.dateOfHeight(c.CreatedHeight); d != "" {
				created += " at " + d
			}
			fmt.Fprintf(w, "created    %s\n", created)
			fmt.Fprintf(w, "balance    %s\n", s.ci.coins(c.Balance))
			fmt.Fprintf(w, "storage    %s, %s\n", plural(c.StorageKeys, "key"), plural(c.StorageBytes, "byte"))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the contract as JSON")
	return cmd
}

func newContractEventsCmd(g *globals) *cobra.Command {
	var asJSON, newest bool
	var page pageFlags
	cmd := &cobra.Command{
		Use:   "events ADDRESS [--newest] [--limit N] [--after TXID] [--json]",
		Short: "List a contract's events, oldest first (or --newest first)",
		Long: `List the events a contract emitted, oldest first: block, tx, topic and
data (hex). A page holds the events of up to --limit txs; the last line
(on standard error) says how to get the next page.`,
		Example: `  cairn contract events cairn1...`,
		Args:    exactArgs(1, "the contract's address"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := page.check(); err != nil {
				return err
			}
			s, err := g.readSession(cmd)
			if err != nil {
				return err
			}
			events, err := s.c.ContractEvents(s.ctx, args[0], page.limit, page.after, newest)
			if err != nil {
				return contractErr(err, args[0])
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return printJSON(w, events)
			}
			if len(events.Events) == 0 {
				fmt.Fprintln(w, "no events")
			}
			for _, e := range events.Events {
				fmt.Fprintf(w, "block %d  %s  tx %s  %s %s\n", e.Height, core.MillisTime(e.Time).Format("2006-01-02 15:04:05 UTC"), e.TxID, e.Topic, orNone(e.Data))
			}
			more(cmd, events.Next)
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print the page as JSON")
	page.register(cmd, "txs")
	f.BoolVar(&newest, "newest", false, "newest first")
	return cmd
}

// contractErr words a lookup error of a contract address.
func contractErr(err error, addr string) error {
	if isProblem(err, core.CodeNotFound) {
		return fmt.Errorf("no contract at %s (deployed yet? its deploy must be in a block)", addr)
	}
	return err
}

// printEvents prints events one per line: topic and data.
func printEvents(w io.Writer, evs []wire.ReceiptEvent) {
	for _, e := range evs {
		fmt.Fprintf(w, "event     %s %s\n", e.Topic, orNone(e.Data))
	}
}

// printReceipt prints a contract tx's receipt after --wait and returns an
// error if it failed (its fee was charged all the same).
func printReceipt(w io.Writer, ci chainInfo, rc *wire.Receipt) error {
	if rc == nil {
		return nil
	}
	fmt.Fprintf(w, "status    %s\n", rc.Status)
	fmt.Fprintf(w, "gas used  %d (fee charged %s)\n", rc.GasUsed, ci.coins(rc.FeeCharged))
	if rc.Contract != "" {
		fmt.Fprintf(w, "contract  %s\n", rc.Contract)
	}
	printEvents(w, rc.Events)
	if rc.Status != "success" {
		return fmt.Errorf("the contract tx failed (%s): %s; its fee of %s was charged", rc.ErrorCode, rc.Error, ci.coins(rc.FeeCharged))
	}
	return nil
}
