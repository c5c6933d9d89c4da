package wire

// Asset is a native asset or a unique collection (GET /assets/{id}).
type Asset struct {
	ID            string   `json:"id" doc:"The asset id: 40 hex characters"`
	Symbol        string   `json:"symbol"`
	Name          string   `json:"name"`
	Decimals      uint8    `json:"decimals" doc:"Amounts are integer base units; decimals says where the point goes"`
	Supply        uint64   `json:"supply" doc:"Units in existence (a unique collection: its live items); the sum of all holdings"`
	MaxSupply     uint64   `json:"max_supply"`
	Holders       uint64   `json:"holders" doc:"Accounts holding a non-zero balance"`
	Flags         []string `json:"flags" doc:"Fixed at creation: mintable, freezable, clawback, unique"`
	Unique        bool     `json:"unique" doc:"A collection of unique items"`
	MetadataHash  string   `json:"metadata_hash" doc:"SHA-256 given at creation, or empty"`
	Creator       string   `json:"creator"`
	Manager       string   `json:"manager" doc:"Empty: nobody (a cleared role is gone for ever)"`
	Minter        string   `json:"minter"`
	Freezer       string   `json:"freezer"`
	Clawback      string   `json:"clawback"`
	CreatedHeight uint64   `json:"created_height"`
}

// AssetList is a page of assets, in id order.
type AssetList struct {
	Assets []Asset `json:"assets"`
	Next   string  `json:"next,omitempty" doc:"Cursor of the next page (an asset id), absent on the last"`
}

// Holder is one account's holding of an asset.
type Holder struct {
	Address string `json:"address"`
	Balance uint64 `json:"balance" doc:"Base units (a unique collection: the items it owns)"`
	Frozen  bool   `json:"frozen"`
}

// HolderList is a page of an asset's holders, in address byte order.
type HolderList struct {
	Asset   string   `json:"asset"`
	Holders []Holder `json:"holders"`
	Next    string   `json:"next,omitempty" doc:"Cursor of the next page (an address), absent on the last"`
}

// AccountAsset is an asset an account holds.
type AccountAsset struct {
	Asset    string `json:"asset"`
	Symbol   string `json:"symbol"`
	Name     string `json:"name"`
	Decimals uint8  `json:"decimals"`
	Unique   bool   `json:"unique"`
	Balance  uint64 `json:"balance"`
	Frozen   bool   `json:"frozen"`
}

// AccountAssets is a page of the assets an account holds, in id order.
type AccountAssets struct {
	Address string         `json:"address"`
	Assets  []AccountAsset `json:"assets"`
	Next    string         `json:"next,omitempty" doc:"Cursor of the next page (an asset id), absent on the last"`
}

// Item is a unique item (GET /items/{collection}/{item_id}).
type Item struct {
	Collection   string `json:"collection"`
	Symbol       string `json:"symbol"`
	ItemID       string `json:"item_id" doc:"The id as text, or 0x + hex when it is not printable text"`
	Owner        string `json:"owner"`
	MetadataHash string `json:"metadata_hash"`
	Burned       bool   `json:"burned" doc:"A burned item keeps its history; its id is never reused"`
	MintedHeight uint64 `json:"minted_height"`
}

// ItemEvent is one tx of an item's history.
type ItemEvent struct {
	Kind     string `json:"kind" doc:"item_mint, item_transfer, item_attest or item_burn"`
	TxID     string `json:"tx_id"`
	Height   uint64 `json:"height"`
	Time     uint64 `json:"time" doc:"The block's timestamp, unix milliseconds"`
	From     string `json:"from" doc:"The sender"`
	To       string `json:"to,omitempty" doc:"The new owner (mint, transfer)"`
	Tag      string `json:"tag,omitempty" doc:"An attestation's tag, e.g. shipped"`
	DataHash string `json:"data_hash,omitempty" doc:"An attestation's data hash, or a mint's metadata hash"`
}

// ItemHistory is an item's history, oldest first.
type ItemHistory struct {
	Collection string      `json:"collection"`
	ItemID     string      `json:"item_id"`
	History    []ItemEvent `json:"history"`
	Next       string      `json:"next,omitempty" doc:"Cursor of the next page (a tx id), absent on the last"`
}
