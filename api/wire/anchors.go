package wire

// Anchor is one main-chain tx anchoring a batch under a topic (cairn
// anchor --topic).
type Anchor struct {
	TxID      string `json:"tx_id"`
	Height    uint64 `json:"height"`
	Index     uint32 `json:"index" doc:"The tx's position in its block"`
	BlockHash string `json:"block_hash"`
	Time      uint64 `json:"time" doc:"The block's timestamp, unix milliseconds"`
	From      string `json:"from" doc:"The sender, who anchored the batch"`
	Root      string `json:"root" doc:"The batch's RFC 6962 root (hex), which each file's receipt leads to"`
}

// Anchors is GET /api/v1/anchors: a topic's anchors in chain order.
type Anchors struct {
	Topic   string   `json:"topic"`
	Anchors []Anchor `json:"anchors"`
	Next    string   `json:"next,omitempty" doc:"Cursor of the next page (a tx id), absent on the last"`
}
