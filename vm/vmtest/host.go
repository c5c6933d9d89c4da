// Package vmtest is an in-memory vm.Host for tests: storage in a map,
// coin and asset balances, recorded events. It is deterministic and does
// no journaling: a test that wants a failed call's effects undone clones
// the host before the call (Clone) and keeps the clone.
package vmtest

import (
	"maps"

	"github.com/cairn-chain/cairn/core"
)

// Event is one emitted event.
type Event struct {
	Topic, Data []byte
}

// AssetKey names an address's holding of an asset.
type AssetKey struct {
	ID   core.AssetID
	Addr core.Address
}

// Host implements vm.Host in memory. The zero value is not usable: call
// New. Fields may be set directly between calls.
type Host struct {
	In         []byte
	CallerAddr core.Address
	SelfAddr   core.Address
	Val        uint64
	Height     uint64
	Time       uint64 // unix ms
	Storage    map[string][]byte
	Balances   map[core.Address]uint64
	Assets     map[core.AssetID]bool // assets that exist
	Holdings   map[AssetKey]uint64
	Frozen     map[AssetKey]bool // holdings that cannot send or receive
	Unique     map[core.AssetID]bool
	Events     []Event
	Err        error // if set, every storage, balance, transfer and emit method returns it
	StorageOps int   // storage reads, writes and deletes done
}

// New returns an empty host whose caller is address 0x01.. and whose
// contract is 0x02...
func New() *Host {
	h := &Host{
		Storage:  make(map[string][]byte),
		Balances: make(map[core.Address]uint64),
		Assets:   make(map[core.AssetID]bool),
		Holdings: make(map[AssetKey]uint64),
		Frozen:   make(map[AssetKey]bool),
		Unique:   make(map[core.AssetID]bool),
	}
	h.CallerAddr[0] = 1
	h.SelfAddr[0] = 2
	return h
}

// Clone returns a deep copy (events and storage values included).
func (h *Host) Clone() *Host {
	c := *h
	c.In = append([]byte(nil), h.In...)
	c.Storage = make(map[string][]byte, len(h.Storage))
	for k, v := range h.Storage {
		c.Storage[k] = append([]byte{}, v...)
	}
	c.Balances = maps.Clone(h.Balances)
	c.Assets = maps.Clone(h.Assets)
	c.Holdings = maps.Clone(h.Holdings)
	c.Frozen = maps.Clone(h.Frozen)
	c.Unique = maps.Clone(h.Unique)
	c.Events = append([]Event(nil), h.Events...)
	return &c
}

// Input implements vm.Host.
func (h *Host) Input() []byte { return h.In }

// Caller implements vm.Host.
func (h *Host) Caller() core.Address { return h.CallerAddr }

// Self implements vm.Host.
func (h *Host) Self() core.Address { return h.SelfAddr }

// Value implements vm.Host.
func (h *Host) Value() uint64 { return h.Val }

// BlockHeight implements vm.Host.
func (h *Host) BlockHeight() uint64 { return h.Height }

// BlockTime implements vm.Host.
func (h *Host) BlockTime() uint64 { return h.Time }

// StorageRead implements vm.Host.
func (h *Host) StorageRead(key []byte) ([]byte, bool, error) {
	if h.Err != nil {
		return nil, false, h.Err
	}
	h.StorageOps++
	v, ok := h.Storage[string(key)]
	return v, ok, nil
}

// StorageWrite implements vm.Host.
func (h *Host) StorageWrite(key, val []byte) error {
	if h.Err != nil {
		return h.Err
	}
	h.StorageOps++
	h.Storage[string(key)] = append([]byte{}, val...)
	return nil
}

// StorageDelete implements vm.Host.
func (h *Host) StorageDelete(key []byte) error {
	if h.Err != nil {
		return h.Err
	}
	h.StorageOps++
	delete(h.Storage, string(key))
	return nil
}

// Balance implements vm.Host.
func (h *Host) Balance(a core.Address) (uint64, error) {
	if h.Err != nil {
		return 0, h.Err
	}
	return h.Balances[a], nil
}

// AssetBalance implements vm.Host: 0 for an unknown asset or no holding.
func (h *Host) AssetBalance(id core.AssetID, a core.Address) (uint64, error) {
	if h.Err != nil {
		return 0, h.Err
	}
	return h.Holdings[AssetKey{id, a}], nil
}

// Transfer implements vm.Host with the rules of a coin transfer: amount 1
// to core.MaxMoney, within the contract's balance.
func (h *Host) Transfer(to core.Address, amount uint64) error {
	if h.Err != nil {
		return h.Err
	}
	if amount == 0 || amount > core.MaxMoney {
		return core.Errorf(core.CodeInvalidAmount, "amount %d", amount)
	}
	if h.Balances[h.SelfAddr] < amount {
		return core.Errorf(core.CodeInsufficientFunds, "balance %d below %d", h.Balances[h.SelfAddr], amount)
	}
	h.Balances[h.SelfAddr] -= amount
	h.Balances[to] += amount
	return nil
}

// AssetTransfer implements vm.Host with the rules of an asset transfer:
// the asset exists, is not a unique collection, neither holding is
// frozen, amount 1 to core.MaxMoney within the contract's holding.
func (h *Host) AssetTransfer(id core.AssetID, to core.Address, amount uint64) error {
	if h.Err != nil {
		return h.Err
	}
	if !h.Assets[id] {
		return core.Errorf(core.CodeAssetNotFound, "asset %s", id)
	}
	if h.Unique[id] {
		return core.Errorf(core.CodeIsUnique, "asset %s is a unique collection", id)
	}
	if amount == 0 || amount > core.MaxMoney {
		return core.Errorf(core.CodeInvalidAmount, "amount %d", amount)
	}
	from, dst := AssetKey{id, h.SelfAddr}, AssetKey{id, to}
	if h.Frozen[from] || h.Frozen[dst] {
		return core.Errorf(core.CodeFrozen, "holding frozen")
	}
	if h.Holdings[from] < amount {
		return core.Errorf(core.CodeInsufficientFunds, "holding %d below %d", h.Holdings[from], amount)
	}
	h.Holdings[from] -= amount
	h.Holdings[dst] += amount
	return nil
}

// Emit implements vm.Host.
func (h *Host) Emit(topic, data []byte) error {
	if h.Err != nil {
		return h.Err
	}
	h.Events = append(h.Events, Event{append([]byte{}, topic...), append([]byte{}, data...)})
	return nil
}
