package state

import (
	"bytes"

	"github.com/cairn-chain/cairn/core"
)

// host is the state side of a contract run (hostapi.Host): storage, balances
// and events of the view, with the contract's storage counters kept in
// its record. The vm checks the ABI's limits and charges gas first.
type host struct {
	v      *View
	c      *Contract
	caller core.Address
	value  uint64
	input  []byte
	dirty  bool // c's storage counters changed: flush writes it
}

func (h *host) Input() []byte        { return h.input }
func (h *host) Caller() core.Address { return h.caller }
func (h *host) Self() core.Address   { return h.c.Address }
func (h *host) Value() uint64        { return h.value }
func (h *host) BlockHeight() uint64  { return h.v.env.height }
func (h *host) BlockTime() uint64    { return h.v.env.time }

func (h *host) StorageRead(key []byte) ([]byte, bool, error) {
	val, err := h.v.Get(StorageKey(h.c.Address, key))
	return val, val != nil, err
}

// StorageWrite sets key; an empty value deletes it (as in the ABI).
func (h *host) StorageWrite(key, val []byte) error {
	if len(val) == 0 {
		return h.StorageDelete(key)
	}
	k := StorageKey(h.c.Address, key)
	old, err := h.v.Get(k)
	if err != nil {
		return err
	}
	if bytes.Equal(old, val) {
		return nil
	}
	switch {
	case old == nil:
		h.c.StorageKeys++
		h.c.StorageBytes += uint64(len(key) + len(val))
		h.dirty = true
	case len(old) != len(val):
		h.c.StorageBytes = h.c.StorageBytes - uint64(len(old)) + uint64(len(val))
		h.dirty = true
	}
	h.v.set(k, bytes.Clone(val))
	return nil
}

func (h *host) StorageDelete(key []byte) error {
	k := StorageKey(h.c.Address, key)
	old, err := h.v.Get(k)
	if err != nil || old == nil {
		return err
	}
	h.c.StorageKeys--
	h.c.StorageBytes -= uint64(len(key) + len(old))
	h.dirty = true
	h.v.set(k, nil)
	return nil
}

func (h *host) Balance(a core.Address) (uint64, error) {
	acct, err := h.v.Account(a)
	return acct.Balance, err
}

func (h *host) AssetBalance(id core.AssetID, a core.Address) (uint64, error) {
	hd, err := h.v.Holding(id, a)
	return hd.Balance, err
}

// Transfer moves coins from the contract; on a rule error nothing moved.
func (h *host) Transfer(to core.Address, amount uint64) error {
	if amount == 0 || amount > core.MaxMoney {
		return core.Errorf(core.CodeInvalidAmount, "transfer of %d: want 1 to %d", amount, uint64(core.MaxMoney))
	}
	self, err := h.v.Account(h.c.Address)
	if err != nil {
		return err
	}
	if self.Balance < amount {
		return core.Errorf(core.CodeInsufficientFunds, "contract balance %d, transfer of %d", self.Balance, amount)
	}
	mark := len(h.v.journal)
	self.Balance -= amount
	h.v.setAccount(h.c.Address, self)
	if err := h.v.transfer(to, amount); err != nil {
		h.v.revert(mark)
		return err
	}
	return nil
}

// AssetTransfer moves asset units from the contract, by the rules of
// asset_transfer; on a rule error nothing moved.
func (h *host) AssetTransfer(id core.AssetID, to core.Address, amount uint64) error {
	if amount == 0 || amount > core.MaxMoney {
		return core.Errorf(core.CodeInvalidAmount, "asset transfer of %d: want 1 to %d", amount, uint64(core.MaxMoney))
	}
	if to.IsZero() {
		return core.Errorf(core.CodeMalformed, "asset transfer to the zero address")
	}
	mark := len(h.v.journal)
	if err := h.v.assetTransfer(h.c.Address, &core.AssetTransfer{Asset: id, To: to, Amount: amount}); err != nil {
		h.v.revert(mark)
		return err
	}
	return nil
}

func (h *host) Emit(topic, data []byte) error {
	h.v.emit(string(topic), bytes.Clone(data))
	return nil
}

// flush writes the contract record if its storage counters changed.
func (h *host) flush() {
	if h.dirty {
		h.v.setContract(h.c)
		h.dirty = false
	}
}
