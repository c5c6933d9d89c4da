package state

import "github.com/cairn-chain/cairn/core"

// Memory is a map-backed account state, for tests and tools. It is not
// safe for concurrent writes.
type Memory map[core.Address]core.Account

// Account implements Reader.
func (m Memory) Account(a core.Address) (core.Account, error) { return m[a], nil }

// Apply writes changes (New values); empty accounts are deleted.
func (m Memory) Apply(cs []Change) {
	for _, c := range cs {
		if c.New.IsZero() {
			delete(m, c.Address)
		} else {
			m[c.Address] = c.New
		}
	}
}

// Supply returns the sum of all balances.
func (m Memory) Supply() uint64 {
	var s uint64
	for _, a := range m {
		s += a.Balance
	}
	return s
}

// Digest computes the state digest from scratch.
func (m Memory) Digest() Digest {
	var d Digest
	for a, acct := range m {
		d.Add(a, acct)
	}
	return d
}
