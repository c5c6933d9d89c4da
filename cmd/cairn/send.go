package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/wallet"
	"github.com/spf13/cobra"
)

// txOpts are the flags that describe a transfer (send, tx sign).
type txOpts struct {
	keys                        keyFlags
	from, to, amount, fee, memo string
}

func (o *txOpts) register(cmd *cobra.Command) {
	o.keys.register(cmd, false)
	registerSender(cmd, &o.from, &o.fee)
	f := cmd.Flags()
	f.StringVar(&o.to, "to", "", "recipient address (required)")
	f.StringVar(&o.amount, "amount", "", "amount in coins, e.g. 1.5 (required; 0 only with --memo)")
	f.StringVar(&o.memo, "memo", "", "memo bytes in hex, at most 256 bytes (e.g. a document's SHA-256)")
}

// checkUsage checks what can be checked before the chain is known.
func (o *txOpts) checkUsage(cmd *cobra.Command) error {
	if err := requireFlags(cmd, "from", "to", "amount"); err != nil {
		return err
	}
	if err := checkCoinsSyntax("amount", o.amount); err != nil {
		return err
	}
	if cmd.Flags().Changed("fee") {
		return checkCoinsSyntax("fee", o.fee)
	}
	return nil
}

// transfer is a parsed transfer, before its nonce is known.
type transfer struct {
	ci          chainInfo
	to          core.Address
	amount, fee uint64
	memo        []byte
	ks          *wallet.Keystore
	from        wallet.Entry
}

// parse reads the flags for the chain ci and finds the sending key.
func (o *txOpts) parse(cmd *cobra.Command, ci chainInfo) (*transfer, error) {
	t := &transfer{ci: ci}
	var err error
	if t.amount, err = parseCoins("amount", o.amount, ci.decimals); err != nil {
		return nil, err
	}
	if t.fee, err = parseFee(cmd, o.fee, ci); err != nil {
		return nil, err
	}
	if t.to, err = core.ParseAddress(o.to, ci.prefix); err != nil {
		return nil, fmt.Errorf("--to: %v", err)
	}
	if o.memo != "" {
		if t.memo, err = hex.DecodeString(o.memo); err != nil {
			return nil, fmt.Errorf("--memo: not hex: %v", err)
		}
		if len(t.memo) > core.MaxMemoLen {
			return nil, fmt.Errorf("--memo: %d bytes, the limit is %d", len(t.memo), core.MaxMemoLen)
		}
	}
	if t.amount == 0 && len(t.memo) == 0 {
		return nil, errors.New("--amount 0 is only allowed with a --memo (a data tx)")
	}
	if t.ks, err = o.keys.open(false); err != nil {
		return nil, err
	}
	if t.from, err = findKey(t.ks, o.from, ci.prefix); err != nil {
		return nil, err
	}
	return t, nil
}

// sign asks for the passphrase and signs the transfer with nonce.
func (t *transfer) sign(cmd *cobra.Command, keys *keyFlags, nonce uint64) (tx *core.Tx, err error) {
	err = withKey(cmd, keys, t.ks, t.from, func(k *wallet.Key) error {
		tx, err = k.NewTx(t.ci.chainID, t.to, t.amount, t.fee, nonce, t.memo)
		return err
	})
	return tx, err
}

// account returns an account's state; an account the node does not know
// is empty.
func account(ctx context.Context, c *client.Client, addr string) (*wire.Account, error) {
	a, err := c.Account(ctx, addr)
	if isProblem(err, core.CodeNotFound) {
		return &wire.Account{Address: addr}, nil
	}
	return a, err
}

func newSendCmd(g *globals) *cobra.Command {
	o := &txOpts{}
	var wait bool
	var timeout time.Duration
	var confirmations uint64
	cmd := &cobra.Command{
		Use:   "send --from NAME|ADDRESS --to ADDRESS --amount COINS [--fee COINS] [--node URL] [--wait]",
		Short: "Build, sign locally and submit a transfer",
		Long: `Build a transfer, sign it locally with a keystore key and submit it to the
node. The chain ID, address prefix, decimals and minimum fee come from the
node's GET /status, the nonce from the sender's pending nonce. The private
key never leaves this process.

With --wait, wait until the tx is in a block (--confirmations deep) or
--timeout passes.`,
		Example: `  cairn send --from alice --to cairn1... --amount 1.5 --wait
  cairn send --from alice --to cairn1... --amount 0 --memo <sha256 hex> --fee 0.001
  CAIRN_PASSWORD=... cairn send --from cairn1... --to cairn1... --amount 10 --node http://10.0.0.5:8645`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.checkUsage(cmd); err != nil {
				return err
			}
			if confirmations == 0 {
				return usageError{errors.New("--confirmations: at least 1")}
			}
			ctx := cmd.Context()
			c, st, err := g.clientStatus(ctx)
			if err != nil {
				return err
			}
			ci := infoFromStatus(st)
			t, err := o.parse(cmd, ci)
			if err != nil {
				return err
			}
			fromAddr := t.from.Address.Encode(ci.prefix)
			acct, err := account(ctx, c, fromAddr)
			if err != nil {
				return err
			}
			if need := t.amount + t.fee; acct.PendingBalance < need {
				return fmt.Errorf("insufficient funds: balance %s, needs %s (amount %s + fee %s) in wallet %q (%s)",
					ci.coins(acct.PendingBalance), ci.coins(need), ci.coins(t.amount), ci.coins(t.fee), t.from.Name, fromAddr)
			}
			tx, err := t.sign(cmd, &o.keys, acct.PendingNonce)
			if err != nil {
				return err
			}
			return submitAndWait(ctx, cmd, c, tx, wait, confirmations, timeout)
		},
	}
	o.register(cmd)
	addWaitFlags(cmd, &wait, &timeout, &confirmations)
	return cmd
}

// submitAndWait submits a signed tx, prints notes once the node admitted
// it, and, with wait, follows it until it has the wanted confirmations. A
// refusal names the node's problem code.
func submitAndWait(ctx context.Context, cmd *cobra.Command, c *client.Client, tx *core.Tx, wait bool, confirmations uint64, timeout time.Duration, notes ...string) error {
	_, err := submitAndWaitInfo(ctx, cmd, c, tx, wait, confirmations, timeout, notes...)
	return err
}

// submitAndWaitInfo is submitAndWait returning the confirmed tx (nil
// without --wait).
func submitAndWaitInfo(ctx context.Context, cmd *cobra.Command, c *client.Client, tx *core.Tx, wait bool, confirmations uint64, timeout time.Duration, notes ...string) (*wire.TxInfo, error) {
	id, err := c.SubmitTx(ctx, tx)
	var p *wire.Problem
	if errors.As(err, &p) && p.Code != "" {
		return nil, fmt.Errorf("the node refused the %s tx (code %s): %w", tx.Kind, p.Code, err)
	}
	if err != nil {
		return nil, err
	}
	w := cmd.OutOrStdout()
	if wait && len(notes) == 0 {
		fmt.Fprintf(w, "submitted %s; waiting for confirmation...\n", id)
	} else {
		fmt.Fprintf(w, "submitted %s\n", id)
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
		if !wait {
			return nil, nil
		}
		fmt.Fprintln(w, "waiting for confirmation...")
	}
	return waitConfirmed(ctx, c, id, confirmations, timeout, cmd.OutOrStdout())
}

func addWaitFlags(cmd *cobra.Command, wait *bool, timeout *time.Duration, confirmations *uint64) {
	cmd.Flags().BoolVar(wait, "wait", false, "wait until the tx is confirmed")
	cmd.Flags().DurationVar(timeout, "timeout", 5*time.Minute, "with --wait: give up after this long (exit 1)")
	cmd.Flags().Uint64Var(confirmations, "confirmations", 1, "with --wait: blocks on top of and including the tx's block to wait for")
}
