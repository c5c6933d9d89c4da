package devnet

import (
	"encoding/binary"
	"fmt"

	"github.com/cairn-chain/cairn/contracts"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/wallet"
)

// Demo names what a new devnet seeds with Config.Demo, so the explorer
// shows protocol v2 at work from the first minute: a token the dev wallet
// holds and has sent some of, and a collection with one item and an
// attestation, and the example token contract with a first transfer.
type Demo struct {
	Token, Crate core.AssetID
	Item         string
	Contract     core.Address // contracts/token.wasm
}

// DemoRecipient is the address the demo token is partly sent to.
var DemoRecipient = core.PublicKey(core.Sum([]byte("cairn devnet demo recipient"))).Address()

// Gas limits of the demo's contract txs (the unused part is refunded).
const (
	demoDeployGas = 1_000_000
	demoCallGas   = 100_000
)

// demoTxs returns the demo txs of a new devnet, signed by the dev key
// from nonce 0.
func demoTxs(key *wallet.Key, chainID string) ([]*core.Tx, Demo) {
	from := key.Address()
	d := Demo{Token: core.NewAssetID(from, 0), Crate: core.NewAssetID(from, 1), Item: "LOT-1", Contract: core.ContractAddress(from, 5)}
	transfer := append(append([]byte{1}, DemoRecipient[:]...), binary.BigEndian.AppendUint64(nil, 1500)...)
	bodies := []core.Body{
		&core.AssetCreate{Symbol: "DEV", Name: "Devnet token", Decimals: 2, MaxSupply: 200_000_000, InitialSupply: 100_000_000,
			Flags: core.FlagMintable | core.FlagFreezable | core.FlagClawback, Manager: from, Minter: from, Freezer: from, Clawback: from},
		&core.AssetCreate{Symbol: "CRATE", Name: "Demo crates", MaxSupply: 1000, Flags: core.FlagUnique, Manager: from, Minter: from},
		&core.ItemMint{Collection: d.Crate, ItemID: []byte(d.Item), MetadataHash: core.Sum([]byte("demo manifest")), To: from},
		&core.ItemAttest{Collection: d.Crate, ItemID: []byte(d.Item), Tag: "packed", DataHash: core.Sum([]byte("demo packing list"))},
		&core.AssetTransfer{Asset: d.Token, To: DemoRecipient, Amount: 2500},
		&core.ContractDeploy{Code: contracts.Token, InitInput: binary.BigEndian.AppendUint64(nil, 1_000_000)},
		&core.ContractCall{Contract: d.Contract, Input: transfer, GasLimit: demoCallGas},
	}
	txs := make([]*core.Tx, len(bodies))
	for i, b := range bodies {
		fee := uint64(core.DefaultMinFee)
		switch b.(type) {
		case *core.ContractDeploy:
			fee += demoDeployGas * core.DefaultGasPrice
		case *core.ContractCall:
			fee += demoCallGas * core.DefaultGasPrice
		}
		tx := &core.Tx{Version: core.TxVersion2, Kind: b.Kind(), ChainID: chainID, From: key.PublicKey(), Fee: fee, Nonce: uint64(i), Body: b}
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
	fmt.Fprintf(d.cfg.Out, "            contract %s: contracts/token.wasm, 1,000,000 units to dev, 1,500 sent on (cairn contract show|events)\n",
		demo.Contract.Encode(d.genesis.AddressPrefix))
	return nil
}

// DemoAssets returns what a new devnet was seeded with (nil without
// Config.Demo or when resuming).
func (d *Devnet) DemoAssets() *Demo { return d.demo }
