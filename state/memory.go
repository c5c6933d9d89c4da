package state

import (
	"strings"

	"github.com/cairn-chain/cairn/core"
)

// Memory is a map-backed state of records by key, for tests and tools. It
// is not safe for concurrent writes.
type Memory map[string][]byte

// Account implements Reader.
func (m Memory) Account(a core.Address) (core.Account, error) {
	raw, ok := m[string(AccountKey(a))]
	if !ok {
		return core.Account{}, nil
	}
	return core.DecodeAccount(raw)
}

// Get implements Reader.
func (m Memory) Get(key []byte) ([]byte, error) { return m[string(key)], nil }

// Apply writes changes (New values); nil deletes.
func (m Memory) Apply(cs []Change) {
	for _, c := range cs {
		if c.New == nil {
			delete(m, c.Key)
		} else {
			m[c.Key] = c.New
		}
	}
}

// Supply returns the sum of all coin balances.
func (m Memory) Supply() uint64 {
	var s uint64
	for k, v := range m {
		if _, ok := addressOfAccountKey(k); ok {
			a, _ := core.DecodeAccount(v)
			s += a.Balance
		}
	}
	return s
}

// Digest computes the state digest from scratch.
func (m Memory) Digest() Digest {
	var d Digest
	for k, v := range m {
		d.Add(k, v)
	}
	return d
}

// WithPrefix returns the keys under prefix, for tools and tests.
func (m Memory) WithPrefix(prefix []byte) []string {
	var out []string
	for k := range m {
		if strings.HasPrefix(k, string(prefix)) {
			out = append(out, k)
		}
	}
	return out
}
