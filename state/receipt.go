package state

import (
	"encoding/binary"

	"github.com/cairn-chain/cairn/core"
)

// Receipt statuses. A tx of any kind but a contract call either applies
// (success) or is invalid and never in a block; "executed and failed"
// (a trap, out of gas, a revert) is for contract calls, whose fee is
// charged though their changes are discarded.
const (
	ReceiptSuccess uint8 = 1
	ReceiptFailed  uint8 = 2
)

// Event is something a tx reports in its receipt: a topic and its data
// (asset_created with the new asset's id, and later contract events).
type Event struct {
	Topic string
	Data  []byte
}

// Receipt is what executing a tx of a block gave.
type Receipt struct {
	Status  uint8
	GasUsed uint64
	Error   string // why an executed tx failed
	Events  []Event
}

// emit records an event of the tx being applied (reverted with it).
func (v *View) emit(topic string, data []byte) {
	v.events = append(v.events, Event{Topic: topic, Data: data})
}

// Receipt limits, for strict decoding.
const (
	maxReceiptEvents = 256
	maxEventBytes    = 1 << 12
)

// EncodeReceipts encodes a block's receipts, in tx order: uvarint count ||
// per receipt status u8 || gas_used u64 || var error || uvarint events ||
// per event var topic || var data.
func EncodeReceipts(rs []Receipt) []byte {
	b := binary.AppendUvarint(nil, uint64(len(rs)))
	for _, r := range rs {
		b = append(b, r.Status)
		b = binary.BigEndian.AppendUint64(b, r.GasUsed)
		b = binary.AppendUvarint(b, uint64(len(r.Error)))
		b = append(b, r.Error...)
		b = binary.AppendUvarint(b, uint64(len(r.Events)))
		for _, e := range r.Events {
			b = binary.AppendUvarint(b, uint64(len(e.Topic)))
			b = append(b, e.Topic...)
			b = binary.AppendUvarint(b, uint64(len(e.Data)))
			b = append(b, e.Data...)
		}
	}
	return b
}

// DecodeReceipts strictly decodes a block's receipts.
func DecodeReceipts(b []byte) ([]Receipt, error) {
	r := core.NewReader("receipts", b)
	n := r.Count("count", 1<<24, 10)
	out := make([]Receipt, n)
	for i := range out {
		var st [1]byte
		r.Fixed("status", st[:])
		if r.Err() == nil && st[0] != ReceiptSuccess && st[0] != ReceiptFailed {
			r.SetErr(core.Errorf(core.CodeMalformed, "receipts: status %d", st[0]))
		}
		out[i].Status = st[0]
		out[i].GasUsed = r.U64("gas_used")
		out[i].Error = string(r.Bytes("error", maxEventBytes))
		ne := r.Count("events", maxReceiptEvents, 2)
		for range ne {
			out[i].Events = append(out[i].Events, Event{Topic: string(r.Bytes("topic", 64)), Data: r.Bytes("data", maxEventBytes)})
		}
		if r.Err() != nil {
			break
		}
	}
	return out, r.End()
}
