package chain

import (
	"fmt"

	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

// PermPage lists role r's members at the tip in address order, beginning
// after the address after (nil: from the first), at most limit of them
// (limit < 1: all); more reports whether members follow the page, and
// count is the role's member count (its 'p' count record). Like the asset
// queries it reads committed records without the chain's lock: a page may
// straddle a block.
func (c *Chain) PermPage(r core.Role, after *core.Address, limit int) (ms []state.PermMember, count uint64, more bool, err error) {
	prefix := state.PermPrefix(r)
	if raw, err := c.cfg.DB.Get(prefix); err != nil {
		return nil, 0, false, err
	} else if raw != nil {
		if _, _, count, err = state.DecodePermRecord(prefix, raw); err != nil {
			return nil, 0, false, fmt.Errorf("chain: permission record %x: %w", prefix, err)
		}
	}
	var from []byte
	if after != nil {
		from = state.PermKey(r, *after)
	}
	var bad error
	err = c.cfg.DB.StateIterate(prefix, from, func(k, v []byte) bool {
		m, member, _, err := state.DecodePermRecord(k, v)
		if err != nil {
			bad = fmt.Errorf("chain: permission record %x: %w", k, err)
			return false
		}
		if !member {
			return true // the count record
		}
		if limit > 0 && len(ms) == limit {
			more = true
			return false
		}
		ms = append(ms, m)
		return true
	})
	if err == nil {
		err = bad
	}
	return ms, count, more, err
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
