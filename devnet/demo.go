package devnet

import (
	"fmt"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/wallet"
)

// Demo names what a new devnet seeds with Config.Demo, so the explorer
// shows protocol v2 at work from the first minute: a token the dev wallet
// holds and has sent some of, and a collection with one item and an
// attestation.
type Demo struct {
	Token, Crate core.AssetID
	Item         string
}

// DemoRecipient is the address the demo token is partly sent to.
var DemoRecipient = core.PublicKey(core.Sum([]byte("cairn devnet demo recipient"))).Address()

// demoTxs returns the demo txs of a new devnet, signed by the dev key
// from nonce 0.
func demoTxs(key *wallet.Key, chainID string) ([]*core.Tx, Demo) {
	from := key.Address()
	d := Demo{Token: core.NewAssetID(from, 0), Crate: core.NewAssetID(from, 1), Item: "LOT-1"}
	bodies := []core.Body{
		&core.AssetCreate{Symbol: "DEV", Name: "Devnet token", Decimals: 2, MaxSupply: 200_000_000, InitialSupply: 100_000_000,
			Flags: core.FlagMintable | core.FlagFreezable | core.FlagClawback, Manager: from, Minter: from, Freezer: from, Clawback: from},
		&core.AssetCreate{Symbol: "CRATE", Name: "Demo crates", MaxSupply: 1000, Flags: core.FlagUnique, Manager: from, Minter: from},
		&core.ItemMint{Collection: d.Crate, ItemID: []byte(d.Item), MetadataHash: core.Sum([]byte("demo manifest")), To: from},
		&core.ItemAttest{Collection: d.Crate, ItemID: []byte(d.Item), Tag: "packed", DataHash: core.Sum([]byte("demo packing list"))},
		&core.AssetTransfer{Asset: d.Token, To: DemoRecipient, Amount: 2500},
	}
	txs := make([]*core.Tx, len(bodies))
	for i, b := range bodies {
		tx := &core.Tx{Version: core.TxVersion2, Kind: b.Kind(), ChainID: chainID, From: key.PublicKey(), Fee: core.DefaultMinFee, Nonce: uint64(i), Body: b}
		tx.Sign(key.Private)
		txs[i] = tx
	}
	return txs, d
}

// seedDemo submits the demo txs to node 0 and says what they make.
func (d *Devnet) seedDemo(key *wallet.Key) error {
	txs, demo := demoTxs(key, d.genesis.ChainID)
	for i, err := range d.slots[0].n.SubmitLocalTxs(txs) {
		if err != nil {
			return fmt.Errorf("devnet: demo tx %d (%s): %w", i, txs[i].Kind, err)
		}
	}
	d.demo = &demo
	fmt.Fprintf(d.cfg.Out, "  demo      token DEV %s and collection CRATE %s with item %s (mined in the next blocks; the explorer's Assets page shows them)\n",
		demo.Token, demo.Crate, demo.Item)
	return nil
}

// DemoAssets returns what a new devnet was seeded with (nil without
// Config.Demo or when resuming).
func (d *Devnet) DemoAssets() *Demo { return d.demo }
