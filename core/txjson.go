package core

import (
	"encoding/hex"
)

// TxJSON is the JSON view of a tx used by the REST API and the CLI:
// hashes, keys, memo and signature in lowercase hex, the recipient as a
// bech32m address. ID and FromAddress are outputs only.
type TxJSON struct {
	Version     uint16 `json:"version"`
	ChainID     string `json:"chain_id"`
	From        string `json:"from"`
	To          string `json:"to"`
	Amount      uint64 `json:"amount"`
	Fee         uint64 `json:"fee"`
	Nonce       uint64 `json:"nonce"`
	Memo        string `json:"memo"`
	Signature   string `json:"signature"`
	ID          string `json:"id,omitempty"`
	FromAddress string `json:"from_address,omitempty"`
}

// JSON returns the JSON view of tx with addresses under prefix.
func (tx *Tx) JSON(prefix string) TxJSON {
	return TxJSON{
		Version:     tx.Version,
		ChainID:     tx.ChainID,
		From:        tx.From.String(),
		To:          tx.To.Encode(prefix),
		Amount:      tx.Amount,
		Fee:         tx.Fee,
		Nonce:       tx.Nonce,
		Memo:        hex.EncodeToString(tx.Memo),
		Signature:   hex.EncodeToString(tx.Signature[:]),
		ID:          tx.ID().String(),
		FromAddress: tx.Sender().Encode(prefix),
	}
}

// Tx converts the JSON view to a tx, checking every field's syntax. If ID
// or FromAddress are set they must match the tx.
func (j *TxJSON) Tx(prefix string) (*Tx, error) {
	tx := &Tx{Version: j.Version, ChainID: j.ChainID, Amount: j.Amount, Fee: j.Fee, Nonce: j.Nonce}
	if len(j.ChainID) > MaxChainIDLen {
		return nil, Errorf(CodeTooLarge, "chain_id: %d bytes, the limit is %d", len(j.ChainID), MaxChainIDLen)
	}
	var err error
	if tx.From, err = ParsePublicKey(j.From); err != nil {
		return nil, Wrap(CodeMalformed, err, "from")
	}
	if tx.To, err = ParseAddress(j.To, prefix); err != nil {
		return nil, Wrap(CodeMalformed, err, "to")
	}
	if len(j.Memo) > 2*MaxMemoLen {
		return nil, Errorf(CodeTooLarge, "memo: %d bytes, the limit is %d", len(j.Memo)/2, MaxMemoLen)
	}
	if tx.Memo, err = hex.DecodeString(j.Memo); err != nil {
		return nil, Errorf(CodeMalformed, "memo: not hex")
	}
	if len(tx.Memo) == 0 {
		tx.Memo = nil
	}
	if tx.Signature, err = ParseSignature(j.Signature); err != nil {
		return nil, err
	}
	if j.ID != "" && j.ID != tx.ID().String() {
		return nil, Errorf(CodeMalformed, "id %q does not match the tx (computed %s)", clip(j.ID), tx.ID())
	}
	if j.FromAddress != "" && j.FromAddress != tx.Sender().Encode(prefix) {
		return nil, Errorf(CodeMalformed, "from_address %q does not match from", clip(j.FromAddress))
	}
	return tx, nil
}
