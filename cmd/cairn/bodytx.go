package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/wallet"
	"github.com/spf13/cobra"
)

// bodyOpts are the flags of every command that makes a version-2 tx (a
// kind and its body): the sender, fee, nonce and waiting (V2.md §7).
type bodyOpts struct {
	keys          keyFlags
	from, fee     string
	nonce         uint64
	wait          bool
	timeout       time.Duration
	confirmations uint64
	// gasFee, if set, is the default fee (contract txs pay for gas).
	gasFee func(chainInfo) uint64
}

func (o *bodyOpts) register(cmd *cobra.Command) {
	o.keys.register(cmd, false)
	registerSender(cmd, &o.from, &o.fee)
	cmd.Flags().Uint64Var(&o.nonce, "nonce", 0, "the sender's nonce (default: its pending nonce from the node)")
	addWaitFlags(cmd, &o.wait, &o.timeout, &o.confirmations)
}

// registerSender adds --from and --fee.
func registerSender(cmd *cobra.Command, from, fee *string) {
	f := cmd.Flags()
	f.StringVar(from, "from", "", "sending wallet: its name in the keystore, or its address (required)")
	f.StringVar(fee, "fee", "", "fee in coins (default: the chain's minimum fee)")
}

// checkUsage checks what can be checked before the chain is known: --from
// and the command's required flags are given, --fee is a number.
func (o *bodyOpts) checkUsage(cmd *cobra.Command, required ...string) error {
	if err := requireFlags(cmd, append([]string{"from"}, required...)...); err != nil {
		return err
	}
	if o.confirmations == 0 {
		return usageError{errors.New("--confirmations: at least 1")}
	}
	if cmd.Flags().Changed("fee") {
		return checkCoinsSyntax("fee", o.fee)
	}
	return nil
}

// session is what a command needs to build a body: the node, its chain
// and the sender's address (the default of roles and recipients).
type session struct {
	ctx    context.Context
	c      *client.Client
	ci     chainInfo
	sender core.Address
}

// address reads an address flag with the chain's prefix.
func (s *session) address(flag, v string) (core.Address, error) {
	a, err := core.ParseAddress(v, s.ci.prefix)
	if err != nil {
		return a, fmt.Errorf("--%s: %v", flag, err)
	}
	return a, nil
}

// addressOr reads an address flag, the sender if the flag was not given.
func (s *session) addressOr(cmd *cobra.Command, flag, v string) (core.Address, error) {
	if !cmd.Flags().Changed(flag) {
		return s.sender, nil
	}
	return s.address(flag, v)
}

// submitBody is the one path of every command that makes a version-2 tx:
// it finds the sending key, lets build make the body (it may ask the node,
// e.g. for an asset's decimals), takes the nonce (--nonce, else the
// sender's pending nonce), checks the fee is affordable, signs locally,
// submits, prints the tx id and, with --wait, waits for its block. notes,
// if not nil, gives lines printed once the node has admitted the tx (asset
// create prints the new asset id).
func (o *bodyOpts) submitBody(cmd *cobra.Command, g *globals, build func(*session) (core.Body, error), notes func(*core.Tx) []string) error {
	ctx := cmd.Context()
	c, st, err := g.clientStatus(ctx)
	if err != nil {
		return err
	}
	ci := infoFromStatus(st)
	fee, err := parseFee(cmd, o.fee, ci)
	if err != nil {
		return err
	}
	if o.gasFee != nil && !cmd.Flags().Changed("fee") {
		fee = o.gasFee(ci)
	}
	ks, err := o.keys.open(false)
	if err != nil {
		return err
	}
	from, err := findKey(ks, o.from, ci.prefix)
	if err != nil {
		return err
	}
	body, err := build(&session{ctx: ctx, c: c, ci: ci, sender: from.Address})
	if err != nil {
		return err
	}
	fromAddr := from.Address.Encode(ci.prefix)
	acct, err := account(ctx, c, fromAddr)
	if err != nil {
		return err
	}
	if acct.PendingBalance < fee {
		return fmt.Errorf("insufficient funds: balance %s, the fee is %s, in wallet %q (%s)",
			ci.coins(acct.PendingBalance), ci.coins(fee), from.Name, fromAddr)
	}
	nonce := acct.PendingNonce
	if cmd.Flags().Changed("nonce") {
		nonce = o.nonce
	}
	tx := &core.Tx{Version: core.TxVersion2, Kind: body.Kind(), ChainID: ci.chainID, From: from.PublicKey, Fee: fee, Nonce: nonce, Body: body}
	if err := tx.CheckSanity(ci.chainID, 0, false); err != nil {
		// Every field of the body came from a flag.
		return usageError{fmt.Errorf("%s: %v", strings.TrimPrefix(cmd.CommandPath(), "cairn "), err)}
	}
	err = withKey(cmd, &o.keys, ks, from, func(k *wallet.Key) error { return k.SignTx(tx) })
	if err != nil {
		return err
	}
	var lines []string
	if notes != nil {
		lines = notes(tx)
	}
	info, err := submitAndWaitInfo(ctx, cmd, c, tx, o.wait, o.confirmations, o.timeout, lines...)
	if err != nil || info == nil {
		return err
	}
	if tx.Kind == core.KindContractDeploy || tx.Kind == core.KindContractCall {
		return printReceipt(cmd.OutOrStdout(), ci, info.Receipt)
	}
	return nil
}

// withKey asks for wallet e's passphrase and calls f with its key, wiping
// the private key afterwards.
func withKey(cmd *cobra.Command, keys *keyFlags, ks *wallet.Keystore, e wallet.Entry, f func(*wallet.Key) error) error {
	pass, err := newPrompter(cmd).passphrase(keys, fmt.Sprintf("passphrase for wallet %q: ", e.Name), false)
	if err != nil {
		return err
	}
	key, err := loadKey(ks, e.Name, pass)
	if err != nil {
		return err
	}
	defer clear(key.Private)
	return f(key)
}

// ---- flags naming objects and amounts ----

// parseAssetFlag reads an asset id flag (--asset, --collection): a
// malformed id is a usage error.
func parseAssetFlag(flag, v string) (core.AssetID, error) {
	id, err := core.ParseAssetID(strings.TrimSpace(v))
	if err != nil {
		return id, usageError{fmt.Errorf("--%s %q: %v (an asset id is the 40 hex characters `cairn asset create` printed)", flag, v, err)}
	}
	return id, nil
}

// parseItemFlag reads --id: an item id as text, or 0x + hex.
func parseItemFlag(v string) ([]byte, error) {
	id, err := core.ParseItemID(v)
	if err != nil {
		return nil, usageError{fmt.Errorf("--id: %v", err)}
	}
	return id, nil
}

// parseHashFlag reads a SHA-256 in hex (as sha256sum prints it).
func parseHashFlag(flag, v string) (core.Hash, error) {
	h, err := core.ParseHash(strings.TrimSpace(v))
	if err != nil {
		return h, usageError{fmt.Errorf("--%s: %v (give a SHA-256 as 64 hex characters, e.g. from sha256sum FILE)", flag, err)}
	}
	return h, nil
}

// parseOptHashFlag reads an optional hash flag: zero when not given.
func parseOptHashFlag(cmd *cobra.Command, flag, v string) (core.Hash, error) {
	if !cmd.Flags().Changed(flag) {
		return core.Hash{}, nil
	}
	return parseHashFlag(flag, v)
}

// checkAmountSyntax reports a usage error if s is not a decimal amount
// (checked before the asset's decimals are known).
func checkAmountSyntax(flag, s string) error {
	if _, err := wallet.ParseCoins(s, core.MaxAssetDecimals); errors.Is(err, core.CodeMalformed) {
		return usageError{fmt.Errorf("--%s: %s", flag, notCoins(err))}
	}
	return nil
}

// notCoins words a wallet.ParseCoins error for an asset's amount.
func notCoins(err error) string { return strings.Replace(err.Error(), "number of coins", "amount", 1) }

// parseUnits reads an amount in an asset's units (1.5) as base units:
// bad syntax or too many decimal places is a usage error, an amount that
// does not fit 2^53-1 base units an error saying what fits.
func parseUnits(flag, s string, decimals uint8, symbol string) (uint64, error) {
	v, err := wallet.ParseCoins(s, decimals)
	switch {
	case errors.Is(err, core.CodeMalformed):
		return 0, usageError{fmt.Errorf("--%s: %s, the decimals of %s", flag, notCoins(err), symbol)}
	case err != nil:
		return 0, fmt.Errorf("--%s %s: too large: with %s the largest amount is %s %s "+
			"(amounts are at most 2^53-1 base units; more decimals mean a smaller largest supply)",
			flag, s, plural(uint64(decimals), "decimal"), wallet.FormatCoins(core.MaxMoney, decimals), symbol)
	}
	return v, nil
}

// parsePositiveUnits is parseUnits refusing 0.
func parsePositiveUnits(flag, s string, decimals uint8, symbol string) (uint64, error) {
	v, err := parseUnits(flag, s, decimals, symbol)
	if err == nil && v == 0 {
		err = fmt.Errorf("--%s: want more than 0 %s", flag, symbol)
	}
	return v, err
}

// units formats base units in an asset's units, with its symbol.
func units(v uint64, decimals uint8, symbol string) string {
	return wallet.FormatCoins(v, decimals) + " " + symbol
}

// printBody prints the body of a version-2 tx, one "label value" line per
// field, amounts in the asset's units (asked of the node).
func (s *session) printBody(w io.Writer, t *core.TxJSON) error {
	tx, err := t.Tx(s.ci.prefix)
	if err != nil {
		return fmt.Errorf("tx %s: %w", t.ID, err)
	}
	line := func(label, v string) { fmt.Fprintf(w, "  %-12s %s\n", label, v) }
	addr := func(a core.Address) string { return orNone(addrText(a, s.ci.prefix)) }
	// amount shows base units of asset id in its units, or as base units
	// if the node cannot say what the asset is.
	amount := func(id core.AssetID, v uint64) string {
		if a, err := s.c.Asset(s.ctx, id.String()); err == nil {
			return units(v, a.Decimals, a.Symbol)
		}
		return fmt.Sprintf("%d base units", v)
	}
	item := func(coll core.AssetID, id []byte) {
		line("collection", coll.String())
		line("item", core.ItemIDText(id))
	}
	switch b := tx.Body.(type) {
	case *core.AssetCreate:
		line("symbol", b.Symbol)
		line("name", b.Name)
		line("decimals", fmt.Sprint(b.Decimals))
		line("supply", units(b.InitialSupply, b.Decimals, b.Symbol))
		line("max supply", units(b.MaxSupply, b.Decimals, b.Symbol))
		var flags []string
		for i, n := range core.FlagNames {
			if b.Flags&(1<<i) != 0 {
				flags = append(flags, n)
			}
		}
		line("flags", orNone(strings.Join(flags, ", ")))
		line("manager", addr(b.Manager))
		line("minter", addr(b.Minter))
		line("freezer", addr(b.Freezer))
		line("clawback", addr(b.Clawback))
		if !b.MetadataHash.IsZero() {
			line("metadata", b.MetadataHash.String())
		}
		line("asset id", core.NewAssetID(tx.Sender(), tx.Nonce).String())
	case *core.AssetTransfer:
		line("asset", b.Asset.String())
		line("to", addr(b.To))
		line("amount", amount(b.Asset, b.Amount))
	case *core.AssetMint:
		line("asset", b.Asset.String())
		line("to", addr(b.To))
		line("amount", amount(b.Asset, b.Amount))
	case *core.AssetBurn:
		line("asset", b.Asset.String())
		line("amount", amount(b.Asset, b.Amount))
	case *core.AssetFreeze:
		line("asset", b.Asset.String())
		line("holder", addr(b.Holder))
		line("frozen", yesNo(b.Frozen))
	case *core.AssetClawback:
		line("asset", b.Asset.String())
		line("holder", addr(b.From))
		line("amount", amount(b.Asset, b.Amount))
	case *core.AssetConfig:
		line("asset", b.Asset.String())
		for _, r := range []struct {
			label string
			a     *core.Address
		}{{"manager", b.Manager}, {"minter", b.Minter}, {"freezer", b.Freezer}, {"clawback", b.Clawback}} {
			if r.a != nil {
				line(r.label, addr(*r.a))
			}
		}
	case *core.ItemMint:
		item(b.Collection, b.ItemID)
		line("to", addr(b.To))
		if !b.MetadataHash.IsZero() {
			line("metadata", b.MetadataHash.String())
		}
	case *core.ItemTransfer:
		item(b.Collection, b.ItemID)
		line("to", addr(b.To))
	case *core.ItemAttest:
		item(b.Collection, b.ItemID)
		line("tag", b.Tag)
		line("hash", b.DataHash.String())
	case *core.ItemBurn:
		item(b.Collection, b.ItemID)
	case *core.ContractDeploy:
		line("code", fmt.Sprintf("%d bytes, sha256 %s", len(b.Code), core.Sum(b.Code)))
		line("init", orNone(hex.EncodeToString(b.InitInput)))
		line("contract", core.ContractAddress(tx.Sender(), tx.Nonce).Encode(s.ci.prefix))
	case *core.ContractCall:
		line("contract", addr(b.Contract))
		line("input", orNone(hex.EncodeToString(b.Input)))
		line("amount", s.ci.coins(b.Amount))
		line("gas limit", fmt.Sprint(b.GasLimit))
	case *core.PermGrant:
		line("role", b.Role)
		line("grant to", addr(b.Address))
	case *core.PermRevoke:
		line("role", b.Role)
		line("revoke from", addr(b.Address))
	}
	return nil
}

// addrText is an address with prefix, "" for the zero address (none).
func addrText(a core.Address, prefix string) string {
	if a.IsZero() {
		return ""
	}
	return a.Encode(prefix)
}
