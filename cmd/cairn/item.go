package main

import (
	"fmt"

	"github.com/cairn-chain/cairn/core"
	"github.com/spf13/cobra"
)

func newItemCmd(g *globals) *cobra.Command {
	return group("item", "Mint, hand over, attest and trace unique items",
		`Unique items live in a collection: an asset created with
"cairn asset create --unique". Its minter mints items, each with an id
unique in the collection (--id: 1 to 64 bytes of text, or 0x + hex); the
owner hands them over; the owner or the minter attests events on them
(--tag shipped --hash <sha256 of a document>). An item's history (mint,
hand-overs, attestations, burn) stays on chain for ever, also after a burn.

Every command that makes a tx takes --from, --fee, --nonce and --wait and
prints the tx id; a refusal exits 1 with the node's problem code.`,
		newItemMintCmd(g), newItemSendCmd(g), newItemAttestCmd(g), newItemBurnCmd(g),
		newItemShowCmd(g), newItemHistoryCmd(g))
}

// itemFlags are --collection and --id.
type itemFlags struct {
	collection, id string
}

func (f *itemFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.collection, "collection", "", "the collection's asset id (required)")
	cmd.Flags().StringVar(&f.id, "id", "", "the item id: text (1 to 64 bytes), or 0x + hex (required)")
}

// parse checks both flags were given and reads them.
func (f *itemFlags) parse(cmd *cobra.Command) (core.AssetID, []byte, error) {
	if err := requireFlags(cmd, "collection", "id"); err != nil {
		return core.AssetID{}, nil, err
	}
	coll, err := parseAssetFlag("collection", f.collection)
	if err != nil {
		return coll, nil, err
	}
	id, err := parseItemFlag(f.id)
	return coll, id, err
}

// itemTxCmd makes the commands that change an item: flags registers the
// command's own flags, check reads them before the chain is known, body
// builds the tx.
type itemTxCmd struct {
	use, short, long, example string
	flags                     func(cmd *cobra.Command)
	check                     func(cmd *cobra.Command) error
	body                      func(s *session, cmd *cobra.Command, coll core.AssetID, id []byte) (core.Body, error)
}

func (c itemTxCmd) build(g *globals) *cobra.Command {
	o := &bodyOpts{}
	var it itemFlags
	cmd := &cobra.Command{
		Use: c.use, Short: c.short, Long: c.long, Example: c.example, Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.checkUsage(cmd); err != nil {
				return err
			}
			coll, id, err := it.parse(cmd)
			if err != nil {
				return err
			}
			if c.check != nil {
				if err := c.check(cmd); err != nil {
					return err
				}
			}
			return o.submitBody(cmd, g, func(s *session) (core.Body, error) { return c.body(s, cmd, coll, id) }, nil)
		},
	}
	o.register(cmd)
	it.register(cmd)
	if c.flags != nil {
		c.flags(cmd)
	}
	return cmd
}

func newItemMintCmd(g *globals) *cobra.Command {
	var to, meta string
	var metaHash core.Hash
	return itemTxCmd{
		use:   "mint --collection ID --id ITEM --from MINTER [--to ADDRESS] [--metadata-hash HEX] [--wait]",
		short: "Mint a unique item into a collection (its minter)",
		long: `Mint item --id into a collection created with --unique, owned by --to
(default: the minter). The id is unique in the collection for ever, even
after a burn. --metadata-hash records the SHA-256 of a document describing
the item.`,
		example: `  cairn item mint --collection 3f2a... --id LOT-42 --from alice --metadata-hash $(sha256sum spec.pdf | cut -c1-64) --wait`,
		flags: func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&to, "to", "", "the first owner (default: the sender)")
			cmd.Flags().StringVar(&meta, "metadata-hash", "", "SHA-256 (hex) of a document describing the item")
		},
		check: func(cmd *cobra.Command) (err error) {
			metaHash, err = parseOptHashFlag(cmd, "metadata-hash", meta)
			return err
		},
		body: func(s *session, cmd *cobra.Command, coll core.AssetID, id []byte) (core.Body, error) {
			owner, err := s.addressOr(cmd, "to", to)
			if err != nil {
				return nil, err
			}
			return &core.ItemMint{Collection: coll, ItemID: id, MetadataHash: metaHash, To: owner}, nil
		},
	}.build(g)
}

func newItemSendCmd(g *globals) *cobra.Command {
	var to string
	return itemTxCmd{
		use:     "send --collection ID --id ITEM --from OWNER --to ADDRESS [--wait]",
		short:   "Hand an item over to a new owner (its owner)",
		example: `  cairn item send --collection 3f2a... --id LOT-42 --from alice --to cairn1... --wait`,
		flags: func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&to, "to", "", "the new owner (required)")
		},
		check: func(cmd *cobra.Command) error { return requireFlags(cmd, "to") },
		body: func(s *session, _ *cobra.Command, coll core.AssetID, id []byte) (core.Body, error) {
			owner, err := s.address("to", to)
			if err != nil {
				return nil, err
			}
			return &core.ItemTransfer{Collection: coll, ItemID: id, To: owner}, nil
		},
	}.build(g)
}

func newItemAttestCmd(g *globals) *cobra.Command {
	var tag, hash string
	var dataHash core.Hash
	return itemTxCmd{
		use:   "attest --collection ID --id ITEM --from OWNER|MINTER --tag TAG --hash HEX [--wait]",
		short: "Record an attestation on an item: a tag and a document's SHA-256",
		long: `Record that something happened to an item: --tag names it (1 to 32
printable ASCII characters without spaces, e.g. shipped, received,
inspected) and --hash is the SHA-256 of the document that shows it (a bill
of lading, a delivery note), e.g. from sha256sum. The document stays with
you; anyone holding it can later check it matches the hash on chain. Only
the item's owner or the collection's minter may attest.`,
		example: `  cairn item attest --collection 3f2a... --id LOT-42 --from bob --tag shipped --hash $(sha256sum bill.pdf | cut -c1-64) --wait`,
		flags: func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&tag, "tag", "", "what happened, e.g. shipped (required)")
			cmd.Flags().StringVar(&hash, "hash", "", "SHA-256 (hex) of the document that shows it (required)")
		},
		check: func(cmd *cobra.Command) (err error) {
			if err := requireFlags(cmd, "tag", "hash"); err != nil {
				return err
			}
			dataHash, err = parseHashFlag("hash", hash)
			return err
		},
		body: func(_ *session, _ *cobra.Command, coll core.AssetID, id []byte) (core.Body, error) {
			return &core.ItemAttest{Collection: coll, ItemID: id, Tag: tag, DataHash: dataHash}, nil
		},
	}.build(g)
}

func newItemBurnCmd(g *globals) *cobra.Command {
	return itemTxCmd{
		use:   "burn --collection ID --id ITEM --from OWNER [--wait]",
		short: "Retire an item (its owner); its history stays",
		long: `Retire an item: it can no longer change hands or be attested, its id is
never reused, and its history stays readable with "cairn item history".`,
		example: `  cairn item burn --collection 3f2a... --id LOT-42 --from bob --wait`,
		body: func(_ *session, _ *cobra.Command, coll core.AssetID, id []byte) (core.Body, error) {
			return &core.ItemBurn{Collection: coll, ItemID: id}, nil
		},
	}.build(g)
}

// itemText shows an item id as the commands take it.
func itemText(id []byte) string { return core.ItemIDText(id) }

func newItemShowCmd(g *globals) *cobra.Command {
	var it itemFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "show --collection ID --id ITEM [--json]",
		Short:   "Show an item: its owner, metadata and state",
		Example: `  cairn item show --collection 3f2a... --id LOT-42`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			coll, id, err := it.parse(cmd)
			if err != nil {
				return err
			}
			s, err := g.readSession(cmd)
			if err != nil {
				return err
			}
			item, err := s.c.Item(s.ctx, coll.String(), itemText(id))
			if err != nil {
				return itemErr(err, coll, id)
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return printJSON(w, item)
			}
			fmt.Fprintf(w, "item        %s\n", item.ItemID)
			fmt.Fprintf(w, "collection  %s (%s)\n", item.Collection, item.Symbol)
			state := "live"
			if item.Burned {
				state = "burned (its history stays)"
			}
			fmt.Fprintf(w, "state       %s\n", state)
			fmt.Fprintf(w, "owner       %s\n", item.Owner)
			fmt.Fprintf(w, "metadata    %s\n", orNone(item.MetadataHash))
			minted := fmt.Sprintf("block %d", item.MintedHeight)
			if d := s.dateOfHeight(item.MintedHeight); d != "" {
				minted += " at " + d
			}
			fmt.Fprintf(w, "minted      %s\n", minted)
			return nil
		},
	}
	it.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

// historyVerbs say what each kind of history entry did.
var historyVerbs = map[string]string{
	core.KindItemMint.String():     "minted",
	core.KindItemTransfer.String(): "handed over",
	core.KindItemAttest.String():   "attested",
	core.KindItemBurn.String():     "burned",
}

func newItemHistoryCmd(g *globals) *cobra.Command {
	var it itemFlags
	var limit int
	var after string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history --collection ID --id ITEM [--limit N] [--after TXID] [--json]",
		Short: "Show an item's history, oldest first",
		Long: `Show an item's mint, hand-overs, attestations and burn, oldest first: when
(the block's time, UTC), in which block, who sent it, and the tx id.`,
		Example: `  cairn item history --collection 3f2a... --id LOT-42`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			coll, id, err := it.parse(cmd)
			if err != nil {
				return err
			}
			if limit < 1 || limit > 500 {
				return usageError{fmt.Errorf("--limit %d: want 1 to 500", limit)}
			}
			s, err := g.readSession(cmd)
			if err != nil {
				return err
			}
			h, err := s.c.ItemHistory(s.ctx, coll.String(), itemText(id), limit, after)
			if err != nil {
				return itemErr(err, coll, id)
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return printJSON(w, h)
			}
			fmt.Fprintf(w, "item %s in collection %s: %s, oldest first\n", h.ItemID, h.Collection, plural(uint64(len(h.History)), "event"))
			for _, e := range h.History {
				verb := historyVerbs[e.Kind]
				if verb == "" {
					verb = e.Kind
				}
				if e.Kind == core.KindItemAttest.String() {
					verb += fmt.Sprintf(" %q", e.Tag)
				}
				fmt.Fprintf(w, "\n%s  block %d  %s\n", core.MillisTime(e.Time).Format("2006-01-02 15:04:05 UTC"), e.Height, verb)
				fmt.Fprintf(w, "    by        %s\n", e.From)
				if e.To != "" {
					fmt.Fprintf(w, "    to        %s\n", e.To)
				}
				if e.DataHash != "" {
					label := "document"
					if e.Kind == core.KindItemMint.String() {
						label = "metadata"
					}
					fmt.Fprintf(w, "    %-9s %s (sha256)\n", label, e.DataHash)
				}
				fmt.Fprintf(w, "    tx        %s\n", e.TxID)
			}
			more(cmd, h.Next)
			return nil
		},
	}
	it.register(cmd)
	cmd.Flags().IntVar(&limit, "limit", 100, "events per page (1 to 500)")
	cmd.Flags().StringVar(&after, "after", "", "start after this tx id (printed at the end of the previous page)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

// itemErr names the item a lookup did not find.
func itemErr(err error, coll core.AssetID, id []byte) error {
	if isProblem(err, core.CodeNotFound) {
		return fmt.Errorf("no item %q in collection %s (check --collection and --id)", itemText(id), coll)
	}
	return err
}
