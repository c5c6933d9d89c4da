package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/spf13/cobra"
)

func newAssetCmd(g *globals) *cobra.Command {
	return group("asset", "Create, move and show native assets (tokens)",
		`Native assets: tokens with their own symbol, decimals and supply, created by
anyone, with optional roles (minter, freezer, clawback) fixed by flags at
creation. Fees are always paid in the chain's coin.

Amounts (--supply, --max-supply, --amount) are in the asset's units, like
"1.5" for an asset with 2 or more decimals; on chain they are whole base
units, at most 2^53-1 of them, so more decimals mean a smaller largest
supply. Every command that makes a tx takes --from, --fee, --nonce and
--wait and prints the tx id; a refusal exits 1 with the node's problem code.

Unique items (a collection created with --unique) are moved with
"cairn item".`,
		newAssetCreateCmd(g), newAssetSendCmd(g), newAssetMintCmd(g), newAssetBurnCmd(g),
		newAssetFreezeCmd(g, true), newAssetFreezeCmd(g, false), newAssetClawbackCmd(g), newAssetConfigCmd(g),
		newAssetShowCmd(g), newAssetListCmd(g), newAssetHoldersCmd(g))
}

// roleFlag reads a role address: an address, or "none" (the zero
// address: nobody).
func (s *session) roleFlag(flag, v string) (core.Address, error) {
	if strings.EqualFold(v, "none") {
		return core.Address{}, nil
	}
	return s.address(flag, v)
}

func newAssetCreateCmd(g *globals) *cobra.Command {
	o := &bodyOpts{}
	var (
		symbol, name, supply, maxSupply, meta   string
		manager, minter, freezer, clawbackAddr  string
		decimals                                uint8
		mintable, freezable, clawback, isUnique bool
	)
	cmd := &cobra.Command{
		Use:   "create --from NAME|ADDRESS --symbol S --name N --decimals D --supply X [--max-supply Y] [--mintable] [--freezable] [--clawback] [--unique]",
		Short: "Create an asset (a token) or a collection of unique items, and print its id",
		Long: `Create a native asset. The initial --supply goes to the sender; the asset id
(40 hex characters, derived from the sender and the tx's nonce) is printed
once the node has admitted the tx.

--decimals (0 to 18) says where the point goes: amounts are given in the
asset's units ("1.5") and kept as whole base units, at most 2^53-1, so
more decimals mean a smaller largest supply (18 decimals: at most
0.009007199254740991).

A fixed supply: --max-supply is --supply. With --mintable the minter may
mint up to --max-supply (then required). With --unique the asset is a
collection of unique items minted one by one with "cairn item mint": it has
no --supply and no decimals, and --max-supply (default 9007199254740991)
bounds its number of live items.

Roles default to the sender: the manager always (it may change the roles
with "asset config"), the minter with --mintable or --unique, the freezer
with --freezable, the clawback address with --clawback. Give another
address, or "none" for nobody (for ever). Flags are fixed at creation.`,
		Example: `  cairn asset create --from alice --symbol GOLD --name "Acme gold" --decimals 2 --supply 1000 --wait
  cairn asset create --from alice --symbol PTS --name Points --decimals 0 --supply 0 --max-supply 1000000 --mintable --freezable
  cairn asset create --from alice --symbol CRATE --name "Acme crates" --unique`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := []string{"symbol", "name"}
			if !isUnique {
				req = append(req, "decimals", "supply")
			}
			if err := o.checkUsage(cmd, req...); err != nil {
				return err
			}
			if decimals > core.MaxAssetDecimals {
				return usageError{fmt.Errorf("--decimals %d: at most %d", decimals, core.MaxAssetDecimals)}
			}
			if isUnique {
				switch {
				case cmd.Flags().Changed("supply"):
					return usageError{errors.New("--supply with --unique: a collection starts empty; mint its items with `cairn item mint`")}
				case decimals != 0:
					return usageError{errors.New("--decimals with --unique: items are whole, a collection has 0 decimals")}
				}
			} else if mintable && !cmd.Flags().Changed("max-supply") {
				return usageError{errors.New("--mintable needs --max-supply: the most the minter may ever bring into existence")}
			}
			for _, r := range []struct {
				flag, needs string
				ok          bool
			}{{"minter", "--mintable or --unique", mintable || isUnique}, {"freezer", "--freezable", freezable}, {"clawback-address", "--clawback", clawback}} {
				if cmd.Flags().Changed(r.flag) && !r.ok {
					return usageError{fmt.Errorf("--%s needs %s (the asset's flags are fixed at creation)", r.flag, r.needs)}
				}
			}
			for _, f := range []struct{ flag, v string }{{"supply", supply}, {"max-supply", maxSupply}} {
				if cmd.Flags().Changed(f.flag) {
					if err := checkAmountSyntax(f.flag, f.v); err != nil {
						return err
					}
				}
			}
			metaHash, err := parseOptHashFlag(cmd, "metadata-hash", meta)
			if err != nil {
				return err
			}
			build := func(s *session) (core.Body, error) {
				b := &core.AssetCreate{Symbol: symbol, Name: name, Decimals: decimals, MetadataHash: metaHash}
				var err error
				if !isUnique {
					if b.InitialSupply, err = parseUnits("supply", supply, decimals, symbol); err != nil {
						return nil, err
					}
				}
				switch {
				case cmd.Flags().Changed("max-supply"):
					if b.MaxSupply, err = parsePositiveUnits("max-supply", maxSupply, decimals, symbol); err != nil {
						return nil, err
					}
				case isUnique:
					b.MaxSupply = core.MaxMoney
				default:
					b.MaxSupply = b.InitialSupply
				}
				switch {
				case b.MaxSupply == 0:
					return nil, errors.New("--supply 0 without --mintable: the asset would never have a unit; give a --supply, or --mintable and --max-supply")
				case b.InitialSupply > b.MaxSupply:
					return nil, fmt.Errorf("--supply %s is above --max-supply %s", supply, maxSupply)
				}
				roles := []struct {
					flag, v string
					on      bool
					dst     *core.Address
				}{
					{"manager", manager, true, &b.Manager},
					{"minter", minter, mintable || isUnique, &b.Minter},
					{"freezer", freezer, freezable, &b.Freezer},
					{"clawback-address", clawbackAddr, clawback, &b.Clawback},
				}
				for _, r := range roles {
					switch {
					case cmd.Flags().Changed(r.flag):
						if *r.dst, err = s.roleFlag(r.flag, r.v); err != nil {
							return nil, err
						}
					case r.on:
						*r.dst = s.sender
					}
				}
				for i, on := range []bool{mintable, freezable, clawback, isUnique} {
					if on {
						b.Flags |= 1 << i
					}
				}
				return b, nil
			}
			return o.submitBody(cmd, g, build, func(tx *core.Tx) []string {
				return []string{"asset " + core.NewAssetID(tx.Sender(), tx.Nonce).String()}
			})
		},
	}
	o.register(cmd)
	f := cmd.Flags()
	f.StringVar(&symbol, "symbol", "", "ticker: 1 to 12 characters A-Z and 0-9 (required)")
	f.StringVar(&name, "name", "", "name, at most 64 bytes (required)")
	f.Uint8Var(&decimals, "decimals", 0, "decimal places of the asset's units, 0 to 18 (required, except with --unique)")
	f.StringVar(&supply, "supply", "", "initial supply in the asset's units, credited to the sender (required, except with --unique)")
	f.StringVar(&maxSupply, "max-supply", "", "largest supply ever, in the asset's units (default: --supply; required with --mintable; with --unique: 9007199254740991 items)")
	f.BoolVar(&mintable, "mintable", false, "the minter may mint more, up to --max-supply")
	f.BoolVar(&freezable, "freezable", false, "the freezer may freeze holders (a frozen holder cannot send or receive)")
	f.BoolVar(&clawback, "clawback", false, "the clawback address may take units back from any holder")
	f.BoolVar(&isUnique, "unique", false, "a collection of unique items (see cairn item)")
	f.StringVar(&meta, "metadata-hash", "", "SHA-256 (hex) of a document describing the asset")
	f.StringVar(&manager, "manager", "", `manager: may change the roles (default: the sender; "none": nobody, ever)`)
	f.StringVar(&minter, "minter", "", `minter, with --mintable or --unique (default: the sender)`)
	f.StringVar(&freezer, "freezer", "", `freezer, with --freezable (default: the sender)`)
	f.StringVar(&clawbackAddr, "clawback-address", "", `clawback address, with --clawback (default: the sender)`)
	return cmd
}

// fetchAsset returns an asset from the node, saying which id is unknown.
func (s *session) fetchAsset(id core.AssetID) (*wire.Asset, error) {
	a, err := s.c.Asset(s.ctx, id.String())
	if isProblem(err, core.CodeNotFound) {
		return nil, fmt.Errorf("no asset %s on this chain (see `cairn asset list`)", id)
	}
	return a, err
}

// amountCmd makes the commands that move an amount of an asset: send,
// mint, burn, clawback. party is the flag naming the other account
// ("to", "holder" or ""), partyDefaultsToSender whether it may be left
// out; body builds the tx from the asset, the party and the amount.
type amountCmd struct {
	use, short, long, example string
	party                     string
	partyHelp                 string
	partyDefaultsToSender     bool
	body                      func(id core.AssetID, party core.Address, amount uint64) core.Body
}

func (a amountCmd) build(g *globals) *cobra.Command {
	o := &bodyOpts{}
	var asset, party, amount string
	cmd := &cobra.Command{
		Use: a.use, Short: a.short, Long: a.long, Example: a.example, Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := []string{"asset", "amount"}
			if a.party != "" && !a.partyDefaultsToSender {
				req = append(req, a.party)
			}
			if err := o.checkUsage(cmd, req...); err != nil {
				return err
			}
			id, err := parseAssetFlag("asset", asset)
			if err != nil {
				return err
			}
			if err := checkAmountSyntax("amount", amount); err != nil {
				return err
			}
			return o.submitBody(cmd, g, func(s *session) (core.Body, error) {
				var p core.Address
				if a.party != "" {
					if p, err = s.addressOr(cmd, a.party, party); err != nil {
						return nil, err
					}
				}
				info, err := s.fetchAsset(id)
				if err != nil {
					return nil, err
				}
				if info.Unique {
					return nil, fmt.Errorf("%s (%s) is a collection of unique items: move them with `cairn item`", id, info.Symbol)
				}
				amt, err := parsePositiveUnits("amount", amount, info.Decimals, info.Symbol)
				if err != nil {
					return nil, err
				}
				return a.body(id, p, amt), nil
			}, nil)
		},
	}
	o.register(cmd)
	f := cmd.Flags()
	f.StringVar(&asset, "asset", "", "the asset id (required)")
	f.StringVar(&amount, "amount", "", "amount in the asset's units, e.g. 12.5 (required)")
	if a.party != "" {
		f.StringVar(&party, a.party, "", a.partyHelp)
	}
	return cmd
}

func newAssetSendCmd(g *globals) *cobra.Command {
	return amountCmd{
		use:       "send --asset ID --from NAME|ADDRESS --to ADDRESS --amount X [--wait]",
		short:     "Send units of an asset to an address",
		long:      "Send --amount (in the asset's units) of an asset from the sender to --to.\nNeither may be frozen. The fee is paid in the chain's coin.",
		example:   `  cairn asset send --asset 3f2a... --from alice --to cairn1... --amount 12.5 --wait`,
		party:     "to",
		partyHelp: "recipient address (required)",
		body: func(id core.AssetID, to core.Address, amt uint64) core.Body {
			return &core.AssetTransfer{Asset: id, To: to, Amount: amt}
		},
	}.build(g)
}

func newAssetMintCmd(g *globals) *cobra.Command {
	return amountCmd{
		use:   "mint --asset ID --from MINTER --amount X [--to ADDRESS] [--wait]",
		short: "Mint new units of a mintable asset (its minter)",
		long: "Mint --amount new units (in the asset's units) for --to (default: the minter).\n" +
			"Only the asset's minter may, if it was created --mintable, up to its max supply.",
		example:               `  cairn asset mint --asset 3f2a... --from alice --amount 500 --wait`,
		party:                 "to",
		partyHelp:             "recipient of the new units (default: the sender)",
		partyDefaultsToSender: true,
		body: func(id core.AssetID, to core.Address, amt uint64) core.Body {
			return &core.AssetMint{Asset: id, To: to, Amount: amt}
		},
	}.build(g)
}

func newAssetBurnCmd(g *globals) *cobra.Command {
	return amountCmd{
		use:     "burn --asset ID --from NAME|ADDRESS --amount X [--wait]",
		short:   "Destroy units of an asset the sender holds",
		long:    "Destroy --amount (in the asset's units) of the sender's units: the supply\ndrops by as much.",
		example: `  cairn asset burn --asset 3f2a... --from alice --amount 10 --wait`,
		body: func(id core.AssetID, _ core.Address, amt uint64) core.Body {
			return &core.AssetBurn{Asset: id, Amount: amt}
		},
	}.build(g)
}

func newAssetClawbackCmd(g *globals) *cobra.Command {
	return amountCmd{
		use:   "clawback --asset ID --from CLAWBACK --holder ADDRESS --amount X [--wait]",
		short: "Take units back from a holder (the asset's clawback address)",
		long: "Move --amount (in the asset's units) from --holder to the sender, the asset's\n" +
			"clawback address. Only for assets created with --clawback.",
		example:   `  cairn asset clawback --asset 3f2a... --from alice --holder cairn1... --amount 5 --wait`,
		party:     "holder",
		partyHelp: "the account to take the units from (required)",
		body: func(id core.AssetID, holder core.Address, amt uint64) core.Body {
			return &core.AssetClawback{Asset: id, From: holder, Amount: amt}
		},
	}.build(g)
}

func newAssetFreezeCmd(g *globals, freeze bool) *cobra.Command {
	o := &bodyOpts{}
	var asset, holder string
	use, short, long := "freeze", "Freeze a holder of an asset (its freezer)",
		"Freeze --holder's holding of an asset: it can neither send nor receive the\nasset until unfrozen. Only the asset's freezer may, if it was created\n--freezable."
	if !freeze {
		use, short, long = "unfreeze", "Unfreeze a holder of an asset (its freezer)",
			"Unfreeze --holder's holding of an asset. Only the asset's freezer may."
	}
	cmd := &cobra.Command{
		Use:     use + " --asset ID --from FREEZER --holder ADDRESS [--wait]",
		Short:   short,
		Long:    long,
		Example: "  cairn asset " + use + " --asset 3f2a... --from alice --holder cairn1... --wait",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.checkUsage(cmd, "asset", "holder"); err != nil {
				return err
			}
			id, err := parseAssetFlag("asset", asset)
			if err != nil {
				return err
			}
			return o.submitBody(cmd, g, func(s *session) (core.Body, error) {
				h, err := s.address("holder", holder)
				if err != nil {
					return nil, err
				}
				return &core.AssetFreeze{Asset: id, Holder: h, Frozen: freeze}, nil
			}, nil)
		},
	}
	o.register(cmd)
	cmd.Flags().StringVar(&asset, "asset", "", "the asset id (required)")
	cmd.Flags().StringVar(&holder, "holder", "", "the holder's address (required)")
	return cmd
}

func newAssetConfigCmd(g *globals) *cobra.Command {
	o := &bodyOpts{}
	var asset, manager, minter, freezer, clawbackAddr string
	cmd := &cobra.Command{
		Use:   "config --asset ID --from MANAGER [--manager ADDR|none] [--minter ADDR|none] [--freezer ADDR|none] [--clawback-address ADDR|none]",
		Short: "Change an asset's roles (its manager)",
		Long: `Change the roles given; the others stay. Only the asset's manager may.
"none" clears a role for ever: nobody can restore it (a cleared manager
means the roles can never change again).`,
		Example: `  cairn asset config --asset 3f2a... --from alice --minter cairn1... --wait
  cairn asset config --asset 3f2a... --from alice --freezer none`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.checkUsage(cmd, "asset"); err != nil {
				return err
			}
			id, err := parseAssetFlag("asset", asset)
			if err != nil {
				return err
			}
			return o.submitBody(cmd, g, func(s *session) (core.Body, error) {
				b := &core.AssetConfig{Asset: id}
				for _, r := range []struct {
					flag, v string
					dst     **core.Address
				}{{"manager", manager, &b.Manager}, {"minter", minter, &b.Minter}, {"freezer", freezer, &b.Freezer}, {"clawback-address", clawbackAddr, &b.Clawback}} {
					if !cmd.Flags().Changed(r.flag) {
						continue
					}
					a, err := s.roleFlag(r.flag, r.v)
					if err != nil {
						return nil, err
					}
					*r.dst = &a
				}
				if b.Manager == nil && b.Minter == nil && b.Freezer == nil && b.Clawback == nil {
					return nil, usageError{errors.New("asset config: give at least one of --manager, --minter, --freezer, --clawback-address")}
				}
				return b, nil
			}, nil)
		},
	}
	o.register(cmd)
	f := cmd.Flags()
	f.StringVar(&asset, "asset", "", "the asset id (required)")
	f.StringVar(&manager, "manager", "", `new manager, or "none"`)
	f.StringVar(&minter, "minter", "", `new minter, or "none"`)
	f.StringVar(&freezer, "freezer", "", `new freezer, or "none"`)
	f.StringVar(&clawbackAddr, "clawback-address", "", `new clawback address, or "none"`)
	return cmd
}

// ---- reading ----

// dateOfHeight returns the time of the main-chain block at height, or ""
// if the node cannot say.
func (s *session) dateOfHeight(height uint64) string {
	b, err := s.c.Block(s.ctx, fmt.Sprint(height))
	if err != nil {
		return ""
	}
	return core.MillisTime(b.Timestamp).Format(time.RFC3339)
}

// readSession returns a session for the commands that only read.
func (g *globals) readSession(cmd *cobra.Command) (*session, error) {
	c, st, err := g.clientStatus(cmd.Context())
	if err != nil {
		return nil, err
	}
	return &session{ctx: cmd.Context(), c: c, ci: infoFromStatus(st)}, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func newAssetShowCmd(g *globals) *cobra.Command {
	var asset string
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "show --asset ID [--json]",
		Short:   "Show an asset: supply, flags and roles",
		Example: `  cairn asset show --asset 3f2a...`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "asset"); err != nil {
				return err
			}
			id, err := parseAssetFlag("asset", asset)
			if err != nil {
				return err
			}
			s, err := g.readSession(cmd)
			if err != nil {
				return err
			}
			a, err := s.fetchAsset(id)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return printJSON(w, a)
			}
			fmt.Fprintf(w, "asset       %s\n", a.ID)
			fmt.Fprintf(w, "symbol      %s\n", a.Symbol)
			fmt.Fprintf(w, "name        %s\n", a.Name)
			if a.Unique {
				fmt.Fprintf(w, "kind        collection of unique items (see cairn item)\n")
				limit := fmt.Sprintf("at most %d", a.MaxSupply)
				if a.MaxSupply == core.MaxMoney {
					limit = "no limit set (2^53-1)"
				}
				fmt.Fprintf(w, "items       %d live, %s\n", a.Supply, limit)
				fmt.Fprintf(w, "owners      %d\n", a.Holders)
			} else {
				fmt.Fprintf(w, "decimals    %d\n", a.Decimals)
				fmt.Fprintf(w, "supply      %s\n", units(a.Supply, a.Decimals, a.Symbol))
				fmt.Fprintf(w, "max supply  %s\n", units(a.MaxSupply, a.Decimals, a.Symbol))
				fmt.Fprintf(w, "holders     %d\n", a.Holders)
			}
			fmt.Fprintf(w, "flags       %s\n", orNone(strings.Join(a.Flags, ", ")))
			fmt.Fprintf(w, "creator     %s\n", a.Creator)
			fmt.Fprintf(w, "manager     %s\n", orNone(a.Manager))
			fmt.Fprintf(w, "minter      %s\n", orNone(a.Minter))
			fmt.Fprintf(w, "freezer     %s\n", orNone(a.Freezer))
			fmt.Fprintf(w, "clawback    %s\n", orNone(a.Clawback))
			if a.MetadataHash != "" {
				fmt.Fprintf(w, "metadata    %s\n", a.MetadataHash)
			}
			created := fmt.Sprintf("block %d", a.CreatedHeight)
			if d := s.dateOfHeight(a.CreatedHeight); d != "" {
				created += " at " + d
			}
			fmt.Fprintf(w, "created     %s\n", created)
			return nil
		},
	}
	cmd.Flags().StringVar(&asset, "asset", "", "the asset id (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

// pageFlags are --limit and --after of the listing commands.
type pageFlags struct {
	limit int
	after string
}

func (p *pageFlags) register(cmd *cobra.Command, what string) {
	cmd.Flags().IntVar(&p.limit, "limit", 50, what+" per page (1 to 100)")
	cmd.Flags().StringVar(&p.after, "after", "", "start after this cursor (printed at the end of the previous page)")
}

func (p *pageFlags) check() error {
	if p.limit < 1 || p.limit > 100 {
		return usageError{fmt.Errorf("--limit %d: want 1 to 100", p.limit)}
	}
	return nil
}

// more tells how to get the next page, on stderr (stdout stays the table).
func more(cmd *cobra.Command, next string) {
	if next != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "more: run again with --after %s\n", next)
	}
}

func newAssetListCmd(g *globals) *cobra.Command {
	var holder string
	var page pageFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--holder ADDRESS] [--limit N] [--after ID] [--json]",
		Short: "List the chain's assets, or those an address holds",
		Example: `  cairn asset list
  cairn asset list --holder cairn1...`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := page.check(); err != nil {
				return err
			}
			s, err := g.readSession(cmd)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			if cmd.Flags().Changed("holder") {
				if _, err := s.address("holder", holder); err != nil {
					return err
				}
				l, err := s.c.AccountAssets(s.ctx, holder, page.limit, page.after)
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(w, l)
				}
				if len(l.Assets) == 0 {
					fmt.Fprintf(w, "%s holds no assets\n", l.Address)
					return nil
				}
				fmt.Fprintln(tw, "ASSET\tSYMBOL\tBALANCE\tFROZEN\tNAME")
				for _, a := range l.Assets {
					bal := units(a.Balance, a.Decimals, a.Symbol)
					if a.Unique {
						bal = plural(a.Balance, "item")
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Asset, a.Symbol, bal, yesNo(a.Frozen), a.Name)
				}
				tw.Flush()
				more(cmd, l.Next)
				return nil
			}
			l, err := s.c.Assets(s.ctx, page.limit, page.after)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(w, l)
			}
			if len(l.Assets) == 0 {
				fmt.Fprintln(w, "no assets yet (create one with `cairn asset create`)")
				return nil
			}
			fmt.Fprintln(tw, "ASSET\tSYMBOL\tSUPPLY\tMAX SUPPLY\tHOLDERS\tFLAGS\tNAME")
			for _, a := range l.Assets {
				sup, max := units(a.Supply, a.Decimals, a.Symbol), units(a.MaxSupply, a.Decimals, a.Symbol)
				if a.Unique {
					sup, max = plural(a.Supply, "item"), fmt.Sprint(a.MaxSupply)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", a.ID, a.Symbol, sup, max, a.Holders, orNone(strings.Join(a.Flags, ",")), a.Name)
			}
			tw.Flush()
			more(cmd, l.Next)
			return nil
		},
	}
	cmd.Flags().StringVar(&holder, "holder", "", "list the assets this address holds")
	page.register(cmd, "assets")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func newAssetHoldersCmd(g *globals) *cobra.Command {
	var asset string
	var page pageFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "holders --asset ID [--limit N] [--after ADDRESS] [--json]",
		Short:   "List an asset's holders and their balances",
		Example: `  cairn asset holders --asset 3f2a...`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "asset"); err != nil {
				return err
			}
			id, err := parseAssetFlag("asset", asset)
			if err != nil {
				return err
			}
			if err := page.check(); err != nil {
				return err
			}
			s, err := g.readSession(cmd)
			if err != nil {
				return err
			}
			a, err := s.fetchAsset(id)
			if err != nil {
				return err
			}
			l, err := s.c.AssetHolders(s.ctx, id.String(), page.limit, page.after)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return printJSON(w, l)
			}
			printHolders(w, a, l.Holders)
			more(cmd, l.Next)
			return nil
		},
	}
	cmd.Flags().StringVar(&asset, "asset", "", "the asset id (required)")
	page.register(cmd, "holders")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

func printHolders(w io.Writer, a *wire.Asset, hs []wire.Holder) {
	if len(hs) == 0 {
		fmt.Fprintf(w, "%s (%s) has no holders\n", a.Symbol, a.ID)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tBALANCE\tFROZEN")
	for _, h := range hs {
		bal := units(h.Balance, a.Decimals, a.Symbol)
		if a.Unique {
			bal = plural(h.Balance, "item")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", h.Address, bal, yesNo(h.Frozen))
	}
	tw.Flush()
}
