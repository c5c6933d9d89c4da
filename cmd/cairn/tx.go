package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cairn-chain/cairn/anchor/memo"
	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/spf13/cobra"
)

func newTxCmd(g *globals) *cobra.Command {
	return group("tx", "Sign, submit and show transactions",
		`Sign a tx locally (online or offline), submit a signed tx, or show a tx.`,
		newTxSignCmd(g), newTxSubmitCmd(g), newTxShowCmd(g))
}

func newTxSignCmd(g *globals) *cobra.Command {
	o := &txOpts{}
	var (
		nonce           uint64
		chainID, prefix string
		decimals        uint8
	)
	cmd := &cobra.Command{
		Use:   "sign --from NAME --to ADDRESS --amount COINS [--fee COINS] [--nonce N] [--memo HEX]",
		Short: "Print a signed tx as JSON, without submitting it",
		Long: `Build and sign a tx with a keystore key and print it as JSON (the API's tx
fields, with id and from_address), for "cairn tx submit" or POST /api/v1/txs.

The chain's parameters come from the node's GET /status and the nonce from
the sender's pending nonce, unless given: with both --nonce and --chain-id
it works offline, using --prefix and --decimals (defaults "cairn" and 8) and
a default fee of the default minimum fee (0.00001 coin).`,
		Example: `  cairn tx sign --from alice --to cairn1... --amount 2 > tx.json
  cairn tx sign --from alice --to cairn1... --amount 2 --nonce 7 --chain-id acme > tx.json   # offline
  cairn tx submit tx.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.checkUsage(cmd); err != nil {
				return err
			}
			if !core.ValidPrefix(prefix) {
				return usageError{fmt.Errorf("--prefix %q: want 1 to 20 lowercase letters or digits", prefix)}
			}
			if decimals > 15 {
				return usageError{fmt.Errorf("--decimals %d: at most 15", decimals)}
			}
			offline := cmd.Flags().Changed("nonce") && cmd.Flags().Changed("chain-id")
			// Offline the chain's minimum fee is unknown: no check, and the
			// default fee is the default minimum.
			ci := chainInfo{chainID: chainID, prefix: prefix, decimals: decimals}
			ctx := cmd.Context()
			c, err := g.client(false)
			if err != nil {
				return err
			}
			if !offline {
				st, err := c.Status(ctx)
				if err != nil {
					return err
				}
				if cmd.Flags().Changed("chain-id") && chainID != st.ChainID {
					return fmt.Errorf("--chain-id %q, but the node at %s is on chain %q", chainID, c.BaseURL(), st.ChainID)
				}
				ci = infoFromStatus(st)
			}
			t, err := o.parse(cmd, ci)
			if err != nil {
				return err
			}
			if offline && !cmd.Flags().Changed("fee") {
				t.fee = scaleUnits(core.DefaultMinFee, decimals)
			}
			if !cmd.Flags().Changed("nonce") {
				acct, err := account(ctx, c, t.from.Address.Encode(ci.prefix))
				if err != nil {
					return err
				}
				nonce = acct.PendingNonce
			}
			tx, err := t.sign(cmd, &o.keys, nonce)
			if err != nil {
				return err
			}
			return printJSON(cmd.OutOrStdout(), tx.JSON(ci.prefix))
		},
	}
	o.register(cmd)
	f := cmd.Flags()
	f.Uint64Var(&nonce, "nonce", 0, "the sender's nonce (default: its pending nonce from the node)")
	f.StringVar(&chainID, "chain-id", "", "chain ID (default: the node's; with --nonce, signs offline)")
	f.StringVar(&prefix, "prefix", core.DefaultAddressPrefix, "offline: the chain's address prefix")
	f.Uint8Var(&decimals, "decimals", core.DefaultDecimals, "offline: the chain's decimal places")
	return cmd
}

// maxTxFile bounds a tx file read by tx submit.
const maxTxFile = 1 << 20

// decodeTxFile reads a signed tx as JSON fields (as tx sign prints), as
// {"raw": hex}, or as the bare hex of its encoding.
func decodeTxFile(data []byte, prefix string) (*core.Tx, error) {
	s := bytes.TrimSpace(data)
	if len(s) == 0 {
		return nil, errors.New("empty")
	}
	if s[0] != '{' {
		raw, err := hex.DecodeString(string(s))
		if err != nil {
			return nil, errors.New("neither JSON nor the hex of an encoded tx")
		}
		return core.DecodeTx(raw)
	}
	var in wire.TxSubmit
	dec := json.NewDecoder(bytes.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("invalid tx JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the tx JSON")
	}
	if in.Raw != "" {
		if in.TxJSON != (core.TxJSON{}) {
			return nil, errors.New(`"raw" given with other fields`)
		}
		raw, err := hex.DecodeString(in.Raw)
		if err != nil {
			return nil, errors.New(`"raw": not hex`)
		}
		return core.DecodeTx(raw)
	}
	return in.TxJSON.Tx(prefix)
}

func newTxSubmitCmd(g *globals) *cobra.Command {
	var wait bool
	var timeout time.Duration
	var confirmations uint64
	cmd := &cobra.Command{
		Use:   "submit FILE|-",
		Short: "Submit a signed tx (as printed by tx sign) to the node",
		Long: `Submit a signed tx to the node: FILE ("-": standard input) holds the tx as
JSON fields (as "cairn tx sign" prints), as {"raw": "<hex>"}, or as the bare
hex of its canonical encoding.`,
		Example: `  cairn tx sign --from alice --to cairn1... --amount 2 | cairn tx submit - --wait`,
		Args:    exactArgs(1, "a tx FILE or - for standard input"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if confirmations == 0 {
				return usageError{errors.New("--confirmations: at least 1")}
			}
			data, err := readInput(cmd, args[0], maxTxFile)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			c, st, err := g.clientStatus(ctx)
			if err != nil {
				return err
			}
			tx, err := decodeTxFile(data, infoFromStatus(st).prefix)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if !tx.VerifySignature() {
				return fmt.Errorf("%s: the tx's signature does not verify", args[0])
			}
			return submitAndWait(ctx, cmd, c, tx, wait, confirmations, timeout)
		},
	}
	addWaitFlags(cmd, &wait, &timeout, &confirmations)
	return cmd
}

func newTxShowCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a tx and its status (pending or confirmed)",
		Example: `  cairn tx show 3f2a...   # the ID printed by send
  cairn tx show 3f2a... --json`,
		Args: exactArgs(1, "a tx ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := g.client(false)
			if err != nil {
				return err
			}
			info, err := c.Tx(ctx, strings.ToLower(args[0]))
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), info)
			}
			st, err := c.Status(ctx)
			if err != nil {
				return err
			}
			ci := infoFromStatus(st)
			w := cmd.OutOrStdout()
			t := info.Tx
			fmt.Fprintf(w, "tx       %s\n", t.ID)
			if info.Status == wire.StatusConfirmed {
				fmt.Fprintf(w, "status   confirmed in block %d %s (%s)\n", info.Height, info.BlockHash, plural(info.Confirmations, "confirmation"))
			} else {
				fmt.Fprintf(w, "status   %s\n", info.Status)
			}
			fmt.Fprintf(w, "from     %s\n", t.FromAddress)
			if t.Version == core.TxVersion2 {
				fmt.Fprintf(w, "kind     %s\n", t.Kind)
				s := &session{ctx: ctx, c: c, ci: ci}
				if err := s.printBody(w, &t); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(w, "to       %s\n", t.To)
				fmt.Fprintf(w, "amount   %s\n", ci.coins(t.Amount))
			}
			fmt.Fprintf(w, "fee      %s\n", ci.coins(t.Fee))
			fmt.Fprintf(w, "nonce    %d\n", t.Nonce)
			if t.Memo != "" {
				fmt.Fprintf(w, "memo     %s\n", t.Memo)
				if topic, root, ok := topicAnchor(t.Memo); ok {
					fmt.Fprintf(w, "anchor   batch root %s under topic %q (cairn history --topic)\n", root, topic)
				}
			}
			fmt.Fprintf(w, "chain    %s\n", t.ChainID)
			if rc := info.Receipt; rc != nil && (t.Kind == core.KindContractDeploy.String() || t.Kind == core.KindContractCall.String()) {
				fmt.Fprintf(w, "result   %s, %d gas, fee charged %s\n", rc.Status, rc.GasUsed, ci.coins(rc.FeeCharged))
				if rc.Error != "" {
					fmt.Fprintf(w, "error    %s: %s\n", rc.ErrorCode, rc.Error)
				}
				for _, e := range rc.Events {
					fmt.Fprintf(w, "event    %s %s\n", e.Topic, orNone(e.Data))
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

// topicAnchor reads a tx's memo (hex) as a topic anchor's (cairn anchor
// --topic): its topic and batch root, ok false for any other memo.
func topicAnchor(memoHex string) (topic string, root core.Hash, ok bool) {
	raw, err := hex.DecodeString(memoHex)
	if err != nil {
		return "", root, false
	}
	topic, root, err = memo.Parse(raw)
	return topic, root, err == nil && topic != ""
}
