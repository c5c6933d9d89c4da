package core

import (
	"encoding/hex"
	"encoding/json"
)

// TxJSON is the JSON view of a tx used by the REST API and the CLI:
// hashes, keys, memo and signature in lowercase hex, the recipient as a
// bech32m address. ID and FromAddress are outputs only.
//
// A version-1 tx has to and amount; a version-2 tx has kind and body (an
// object whose fields depend on the kind: docs/protocol.md). Responses
// give kind for both ("transfer" for version 1).
type TxJSON struct {
	Version     uint16           `json:"version"`
	Kind        string           `json:"kind,omitempty" doc:"The tx kind: transfer (version 1), or a version-2 kind such as asset_transfer"`
	ChainID     string           `json:"chain_id"`
	From        string           `json:"from"`
	To          string           `json:"to,omitempty" doc:"Version 1 only"`
	Amount      uint64           `json:"amount,omitempty" doc:"Version 1 only"`
	Fee         uint64           `json:"fee"`
	Nonce       uint64           `json:"nonce"`
	Body        *json.RawMessage `json:"body,omitempty" doc:"Version 2 only: the kind's fields"`
	Memo        string           `json:"memo"`
	Signature   string           `json:"signature"`
	ID          string           `json:"id,omitempty"`
	FromAddress string           `json:"from_address,omitempty"`
}

// MarshalJSON writes a version-1 tx with to and amount (amount 0 too)
// and a version-2 tx with kind and body.
func (j TxJSON) MarshalJSON() ([]byte, error) {
	type plain TxJSON
	if j.Version == TxVersion2 {
		return json.Marshal(plain(j))
	}
	return json.Marshal(struct {
		plain
		To     string `json:"to"`
		Amount uint64 `json:"amount"`
	}{plain(j), j.To, j.Amount})
}

// JSON returns the JSON view of tx with addresses under prefix.
func (tx *Tx) JSON(prefix string) TxJSON {
	j := TxJSON{
		Version:     tx.Version,
		Kind:        tx.Kind.String(),
		ChainID:     tx.ChainID,
		From:        tx.From.String(),
		Fee:         tx.Fee,
		Nonce:       tx.Nonce,
		Memo:        hex.EncodeToString(tx.Memo),
		Signature:   hex.EncodeToString(tx.Signature[:]),
		ID:          tx.ID().String(),
		FromAddress: tx.Sender().Encode(prefix),
	}
	if tx.Version == TxVersion2 && tx.Body != nil {
		body := BodyJSON(tx.Body, prefix)
		j.Body = &body
	} else {
		j.To, j.Amount = tx.To.Encode(prefix), tx.Amount
	}
	return j
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
	switch j.Version {
	case TxVersion2:
		if j.Kind == "" {
			return nil, Errorf(CodeBadVersion, "tx version 2 without a kind: give kind and body, or version 1 for a coin transfer")
		}
		if j.To != "" || j.Amount != 0 {
			return nil, Errorf(CodeMalformed, "to, amount: a version-2 tx has them in its body")
		}
		if tx.Kind, err = ParseKind(j.Kind); err != nil {
			return nil, err
		}
		if tx.Kind == KindTransfer {
			return nil, Errorf(CodeBadVersion, "kind transfer: coins move in a version-1 tx (to, amount)")
		}
		if j.Body == nil {
			return nil, Errorf(CodeMalformed, "body: missing (the fields of %s)", tx.Kind)
		}
		if tx.Body, err = ParseBodyJSON(tx.Kind, *j.Body, prefix); err != nil {
			return nil, err
		}
	default:
		if j.Kind != "" && j.Kind != KindTransfer.String() {
			return nil, Errorf(CodeMalformed, "kind %q: give version 2 for a tx of another kind than transfer", clip(j.Kind))
		}
		if j.Body != nil {
			return nil, Errorf(CodeMalformed, "body: only version-2 txs have one")
		}
		if tx.To, err = ParseAddress(j.To, prefix); err != nil {
			return nil, Wrap(CodeMalformed, err, "to")
		}
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
