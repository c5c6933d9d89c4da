package chain

import (
	"fmt"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

// PermMembers lists every role membership at the tip (state records 'p'),
// by role then address. Like the asset queries it reads committed records
// without the chain's lock: a list may straddle a block.
func (c *Chain) PermMembers() ([]state.PermMember, error) {
	var out []state.PermMember
	var bad error
	err := c.cfg.DB.StateIterate([]byte{state.PrefixPerm}, nil, func(k, v []byte) bool {
		m, member, _, err := state.DecodePermRecord(k, v)
		if err != nil {
			bad = fmt.Errorf("chain: permission record %x: %w", k, err)
			return false
		}
		if member {
			out = append(out, m)
		}
		return true
	})
	if err == nil {
		err = bad
	}
	return out, err
}

// PermOf returns a's role memberships at the tip (admin first, then
// submit, issue, deploy): one record read per role, through the caches.
func (c *Chain) PermOf(a core.Address) ([]state.PermMember, error) {
	rd := c.reader()
	var out []state.PermMember
	for _, r := range core.Roles() {
		key := state.PermKey(r, a)
		raw, err := rd.Get(key)
		if err != nil {
			return nil, fmt.Errorf("chain: permission record %x: %w", key, err)
		}
		if raw == nil {
			continue
		}
		m, member, _, err := state.DecodePermRecord(key, raw)
		if err != nil {
			return nil, fmt.Errorf("chain: permission record %x: %w", key, err)
		}
		if member {
			out = append(out, m)
		}
	}
	return out, nil
}
