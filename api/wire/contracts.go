package wire

// Contract is GET /contracts/{address}.
type Contract struct {
	Address       string `json:"address"`
	CodeHash      string `json:"code_hash" doc:"SHA-256 of the module as deployed"`
	CodeSize      int    `json:"code_size" doc:"Bytes of the module"`
	Deployer      string `json:"deployer"`
	CreatedHeight uint64 `json:"created_height"`
	Balance       uint64 `json:"balance" doc:"Coins the contract holds, in base units"`
	StorageKeys   uint64 `json:"storage_keys" doc:"Records in its storage"`
	StorageBytes  uint64 `json:"storage_bytes" doc:"Bytes of their keys and values"`
}

// ContractEvent is one event a contract emitted.
type ContractEvent struct {
	Contract string `json:"contract,omitempty" doc:"The emitting contract (in the SSE event)"`
	TxID     string `json:"tx_id"`
	Height   uint64 `json:"height"`
	Time     uint64 `json:"time" doc:"The block's timestamp, unix milliseconds"`
	Index    int    `json:"index" doc:"Position among the tx's events"`
	Topic    string `json:"topic" doc:"UTF-8 text, or 0x + hex for binary topics"`
	Data     string `json:"data" doc:"Hex"`
}

// ContractEvents is a page of a contract's events, oldest first.
type ContractEvents struct {
	Contract string          `json:"contract"`
	Events   []ContractEvent `json:"events"`
	Next     string          `json:"next,omitempty" doc:"Cursor of the next page (a tx id), absent on the last"`
}

// QueryRequest is POST /contracts/{address}/query.
type QueryRequest struct {
	Input  string `json:"input,omitempty" doc:"The call's input, hex"`
	Caller string `json:"caller,omitempty" doc:"The address the contract sees as caller (default: none, the zero address)"`
	Gas    uint64 `json:"gas,omitempty" doc:"Gas for the run (default and most: the chain's max_block_gas)"`
}

// QueryResult is what a read-only run gave: nothing was written.
type QueryResult struct {
	Status    string         `json:"status" doc:"success or failed"`
	Return    string         `json:"return" doc:"What the contract passed to set_return, hex"`
	GasUsed   uint64         `json:"gas_used"`
	Error     string         `json:"error,omitempty" doc:"Why it failed"`
	ErrorCode string         `json:"error_code,omitempty" doc:"out_of_gas, trap, aborted or call_depth_exceeded"`
	Events    []ReceiptEvent `json:"events" doc:"What a call would emit"`
}
