package chain

import (
	"fmt"

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
