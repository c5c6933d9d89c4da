package state

import (
	"encoding/binary"

	"github.com/cairn-chain/cairn/core"
)

// Account permissions (V2.md §3). The genesis fixes which roles are
// restricted (core.Permissions); who holds a role is state:
//
//	member  'p' || role u8 || address (20)   granted height u64
//	count   'p' || role u8                   members u64 (absent: none)
//
// so a grant or revoke is in the digest and the undo data like any record,
// and a reorg across one restores it. Who may send a tx is read at the
// parent block's state (the view's base in a block or the mempool, never
// the txs before it in the same block): a grant or revoke takes effect
// from the next block, and a block's validity depends only on its parent,
// so a fresh node syncing from genesis judges every block as its miner
// did. An admin holds every role. Coinbase credits are not txs: no role
// is needed to receive coins or a block's reward.

// PermPrefix is the prefix of every permission record of role r.
func PermPrefix(r core.Role) []byte { return []byte{PrefixPerm, byte(r)} }

// PermKey is the key of a's membership of role r.
func PermKey(r core.Role, a core.Address) []byte {
	return append(append(make([]byte, 0, 2+core.AddressSize), PrefixPerm, byte(r)), a[:]...)
}

// permCountKey is the key of role r's member count.
func permCountKey(r core.Role) []byte { return PermPrefix(r) }

// PermMember is one membership record.
type PermMember struct {
	Role    core.Role
	Address core.Address
	Height  uint64 // of the block that granted it (0: the genesis)
}

// DecodePermRecord decodes a permission record: a membership (ok) or a
// count (member false, count set).
func DecodePermRecord(key, val []byte) (m PermMember, member bool, count uint64, err error) {
	if len(val) != 8 || len(key) < 2 || key[0] != PrefixPerm || int(key[1]) >= len(core.Roles()) {
		return m, false, 0, core.Errorf(core.CodeMalformed, "permission record %x: want a 'p' key of a role and an 8-byte value", key)
	}
	switch len(key) {
	case 2:
		return m, false, binary.BigEndian.Uint64(val), nil
	case 2 + core.AddressSize:
		m = PermMember{Role: core.Role(key[1]), Height: binary.BigEndian.Uint64(val)}
		copy(m.Address[:], key[2:])
		return m, true, 0, nil
	}
	return m, false, 0, core.Errorf(core.CodeMalformed, "permission record key of %d bytes", len(key))
}

// HasRole reports whether a holds role r in r's state (an admin holds
// every role).
func HasRole(rd Reader, r core.Role, a core.Address) (bool, error) {
	raw, err := rd.Get(PermKey(r, a))
	if err != nil || raw != nil || r == core.RoleAdmin {
		return raw != nil, err
	}
	raw, err = rd.Get(PermKey(core.RoleAdmin, a))
	return raw != nil, err
}

// PermCount returns the number of members of role r.
func PermCount(rd Reader, r core.Role) (uint64, error) {
	raw, err := rd.Get(permCountKey(r))
	if err != nil || raw == nil {
		return 0, err
	}
	if len(raw) != 8 {
		return 0, core.Errorf(core.CodeMalformed, "permission count record of %d bytes", len(raw))
	}
	return binary.BigEndian.Uint64(raw), nil
}

// genesisPermChanges returns the records of the genesis's permissions,
// in key order.
func genesisPermChanges(p *core.Permissions) []Change {
	if p == nil {
		return nil
	}
	var out []Change
	for _, r := range core.Roles() {
		ms := p.Members(r) // sorted by validation
		if len(ms) == 0 {
			continue
		}
		out = append(out, Change{Key: string(permCountKey(r)), New: binary.BigEndian.AppendUint64(nil, uint64(len(ms)))})
		for _, a := range ms {
			out = append(out, Change{Key: string(PermKey(r, a)), New: make([]byte, 8)})
		}
	}
	return out
}

// permitted checks that from may send a tx of kind k, against the parent
// block's state: submit (any kind) and the kind's own role (issue,
// deploy) when restricted; admin for perm_grant and perm_revoke.
func (v *View) permitted(from core.Address, k core.Kind) error {
	e := v.env
	if e == nil || e.Genesis == nil {
		return nil // no chain rules: a bare view (tests of other kinds)
	}
	p := e.Genesis.Permissions
	isPerm := k == core.KindPermGrant || k == core.KindPermRevoke
	if p == nil {
		if isPerm {
			return core.Errorf(core.CodeNotPermitted, "%s: this chain has no permissions (its genesis has none, so no admins)", k)
		}
		return nil
	}
	need := func(r core.Role, what string) error {
		ok, err := HasRole(e.parent, r, from)
		if err == nil && !ok {
			nor := " (nor admin)"
			if r == core.RoleAdmin {
				nor = ""
			}
			err = core.Errorf(core.CodeNotPermitted, "%s may not %s: the chain restricts that to the role %s, which it does not hold%s", from.Encode(e.Genesis.AddressPrefix), what, r, nor)
		}
		return err
	}
	if p.Submit.Restricted {
		if err := need(core.RoleSubmit, "send txs"); err != nil {
			return err
		}
	}
	if r, ok := core.RoleFor(k); ok && p.Restricted(r) {
		if err := need(r, "send "+k.String()); err != nil {
			return err
		}
	}
	if isPerm {
		return need(core.RoleAdmin, "grant or revoke roles")
	}
	return nil
}

// permRole parses a perm body's role (checked by sanity) and checks that
// it can have members on this chain.
func (v *View) permRole(name string) (core.Role, error) {
	r, err := core.ParseRole(name)
	if err != nil {
		return 0, err
	}
	if v.env == nil || v.env.Genesis == nil || v.env.Genesis.Permissions == nil {
		return 0, core.Errorf(core.CodeNotPermitted, "this chain has no permissions (its genesis has none)")
	}
	if !v.env.Genesis.Permissions.Restricted(r) {
		return 0, core.Errorf(core.CodeNotPermitted, "role %s is not restricted on this chain (genesis): everyone may %s, so it has no members", r, r)
	}
	return r, nil
}

func (v *View) addPermCount(r core.Role, delta int) error {
	n, err := PermCount(v, r)
	if err != nil {
		return err
	}
	n = uint64(int64(n) + int64(delta))
	var val []byte
	if n > 0 {
		val = binary.BigEndian.AppendUint64(nil, n)
	}
	v.set(permCountKey(r), val)
	return nil
}

func (v *View) permGrant(b *core.PermGrant) error {
	r, err := v.permRole(b.Role)
	if err != nil {
		return err
	}
	key := PermKey(r, b.Address)
	raw, err := v.Get(key)
	if err != nil {
		return err
	}
	if raw != nil {
		return core.Errorf(core.CodeAlreadyMember, "%s holds the role %s already", b.Address.Encode(v.env.Genesis.AddressPrefix), r)
	}
	v.set(key, binary.BigEndian.AppendUint64(nil, v.Height))
	return v.addPermCount(r, 1)
}

func (v *View) permRevoke(b *core.PermRevoke) error {
	r, err := v.permRole(b.Role)
	if err != nil {
		return err
	}
	key := PermKey(r, b.Address)
	raw, err := v.Get(key)
	if err != nil {
		return err
	}
	if raw == nil {
		return core.Errorf(core.CodeNotMember, "%s does not hold the role %s", b.Address.Encode(v.env.Genesis.AddressPrefix), r)
	}
	if r == core.RoleAdmin {
		n, err := PermCount(v, r)
		if err != nil {
			return err
		}
		if n <= 1 {
			return core.Errorf(core.CodeLastAdmin, "%s is the chain's last admin", b.Address.Encode(v.env.Genesis.AddressPrefix))
		}
	}
	v.set(key, nil)
	return v.addPermCount(r, -1)
}
