package core

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// Account permissions (V2.md §3, docs/protocol.md "Account permissions"):
// a chain's genesis may restrict who sends txs at all (submit), who
// creates assets (issue) and who deploys contracts (deploy), and name
// admins, who grant and revoke these roles (and admin itself) with
// perm_grant and perm_revoke. Membership is consensus state, read at the
// parent block's state, so every node, a fresh one included, judges a
// block the same way.

// Role is a permission role. The numbers are consensus (state keys).
type Role uint8

// The roles. An admin holds every other role too.
const (
	RoleAdmin  Role = 0 // grants and revokes roles, admin included
	RoleSubmit Role = 1 // may send txs of any kind, when submit is restricted
	RoleIssue  Role = 2 // may send asset_create, when issue is restricted
	RoleDeploy Role = 3 // may send contract_deploy, when deploy is restricted
)

var roleNames = [...]string{RoleAdmin: "admin", RoleSubmit: "submit", RoleIssue: "issue", RoleDeploy: "deploy"}

// Roles returns every role, in number order.
func Roles() []Role { return []Role{RoleAdmin, RoleSubmit, RoleIssue, RoleDeploy} }

// MaxRoleLen is the longest role name a perm body may carry.
const MaxRoleLen = 8

// MaxPermMembers bounds each list of a genesis's permissions.
const MaxPermMembers = 10_000

// String returns the role's name.
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	for r, name := range roleNames {
		if name == s {
			return Role(r), nil
		}
	}
	return 0, Errorf(CodeMalformed, "role %q: want one of %s", clip(s), strings.Join(roleNames[:], ", "))
}

// RolePolicy is one restrictable role's genesis setting.
type RolePolicy struct {
	// Restricted: only members (and admins) may act; else anyone may,
	// and the role has no members.
	Restricted bool
	Members    []Address // sorted by bytes
}

// Permissions are a genesis's account permissions. A genesis without
// them (nil) restricts nothing and has no admins.
type Permissions struct {
	Admins []Address // sorted by bytes
	Submit RolePolicy
	Issue  RolePolicy
	Deploy RolePolicy
}

// Policy returns the setting of a restrictable role (nil for admin).
func (p *Permissions) Policy(r Role) *RolePolicy {
	switch r {
	case RoleSubmit:
		return &p.Submit
	case RoleIssue:
		return &p.Issue
	case RoleDeploy:
		return &p.Deploy
	}
	return nil
}

// Restricted reports whether role r is restricted (admin always is). A
// nil Permissions restricts nothing.
func (p *Permissions) Restricted(r Role) bool {
	if p == nil {
		return false
	}
	if r == RoleAdmin {
		return true
	}
	pol := p.Policy(r)
	return pol != nil && pol.Restricted
}

// Members returns the genesis members of role r.
func (p *Permissions) Members(r Role) []Address {
	if r == RoleAdmin {
		return p.Admins
	}
	if pol := p.Policy(r); pol != nil {
		return pol.Members
	}
	return nil
}

// RoleFor returns the role a tx of kind k needs beyond submit, if any.
func RoleFor(k Kind) (Role, bool) {
	switch k {
	case KindAssetCreate:
		return RoleIssue, true
	case KindContractDeploy:
		return RoleDeploy, true
	}
	return 0, false
}

// appendEncode appends the permissions to a genesis encoding: uvarint n ||
// n admins, then for submit, issue, deploy: u8 restricted || uvarint n ||
// n members (each list sorted by bytes).
func (p *Permissions) appendEncode(b []byte) []byte {
	list := func(b []byte, as []Address) []byte {
		b = binary.AppendUvarint(b, uint64(len(as)))
		for _, a := range as {
			b = append(b, a[:]...)
		}
		return b
	}
	b = list(b, p.Admins)
	for _, r := range []Role{RoleSubmit, RoleIssue, RoleDeploy} {
		pol := p.Policy(r)
		if pol.Restricted {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		b = list(b, pol.Members)
	}
	return b
}

// validate sorts the lists and checks them.
func (p *Permissions) validate(prefix string) error {
	bad := func(format string, args ...any) error {
		return Errorf(CodeBadGenesis, "genesis permissions."+format, args...)
	}
	for _, r := range Roles() {
		as := p.Members(r)
		name := r.String()
		if r == RoleAdmin {
			name = "admins"
		} else {
			name += ".members"
		}
		if len(as) > MaxPermMembers {
			return bad("%s: %d addresses, at most %d", name, len(as), MaxPermMembers)
		}
		slices.SortFunc(as, func(a, b Address) int { return bytes.Compare(a[:], b[:]) })
		for i, a := range as {
			if a.IsZero() {
				return bad("%s: the zero address is nobody's", name)
			}
			if i > 0 && a == as[i-1] {
				return bad("%s: %s listed twice", name, a.Encode(prefix))
			}
		}
		if r != RoleAdmin && !p.Restricted(r) && len(as) > 0 {
			return bad("%s: members listed, but %s is not restricted (set \"restricted\": true, or drop the list: everyone may %s)", name, r, r)
		}
	}
	if p.Submit.Restricted && len(p.Submit.Members) == 0 && len(p.Admins) == 0 {
		return bad("submit: restricted with no members and no admins: nobody could ever send a tx")
	}
	return nil
}

// permissionsJSON is the genesis's "permissions" object.
type permissionsJSON struct {
	Admins []string        `json:"admins"`
	Submit *rolePolicyJSON `json:"submit,omitempty"`
	Issue  *rolePolicyJSON `json:"issue,omitempty"`
	Deploy *rolePolicyJSON `json:"deploy,omitempty"`
}

type rolePolicyJSON struct {
	Restricted bool     `json:"restricted"`
	Members    []string `json:"members"`
}

func (p *Permissions) toJSON(prefix string) *permissionsJSON {
	enc := func(as []Address) []string {
		out := make([]string, len(as))
		for i, a := range as {
			out[i] = a.Encode(prefix)
		}
		return out
	}
	pol := func(r RolePolicy) *rolePolicyJSON {
		return &rolePolicyJSON{Restricted: r.Restricted, Members: enc(r.Members)}
	}
	return &permissionsJSON{Admins: enc(p.Admins), Submit: pol(p.Submit), Issue: pol(p.Issue), Deploy: pol(p.Deploy)}
}

func (j *permissionsJSON) parse(prefix string) (*Permissions, error) {
	list := func(field string, ss []string) ([]Address, error) {
		out := make([]Address, 0, len(ss))
		for _, s := range ss {
			a, err := ParseAddress(s, prefix)
			if err != nil {
				return nil, Wrap(CodeBadGenesis, err, "genesis permissions.%s", field)
			}
			out = append(out, a)
		}
		return out, nil
	}
	p := &Permissions{}
	var err error
	if p.Admins, err = list("admins", j.Admins); err != nil {
		return nil, err
	}
	for i, pj := range []*rolePolicyJSON{j.Submit, j.Issue, j.Deploy} {
		if pj == nil {
			continue
		}
		r := []Role{RoleSubmit, RoleIssue, RoleDeploy}[i]
		pol := p.Policy(r)
		pol.Restricted = pj.Restricted
		if pol.Members, err = list(r.String()+".members", pj.Members); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// ---- the bodies ----

// PermGrant makes Address a member of Role (admins only).
type PermGrant struct {
	Role    string // a role name: admin, submit, issue, deploy
	Address Address
}

// PermRevoke removes Address from Role (admins only); the last admin
// cannot be revoked.
type PermRevoke struct {
	Role    string
	Address Address
}

func (*PermGrant) Kind() Kind  { return KindPermGrant }
func (*PermRevoke) Kind() Kind { return KindPermRevoke }

func (b *PermGrant) fields(v fieldVisitor) {
	v.text("role", &b.Role, MaxRoleLen)
	v.addr("address", &b.Address)
}

func (b *PermRevoke) fields(v fieldVisitor) {
	v.text("role", &b.Role, MaxRoleLen)
	v.addr("address", &b.Address)
}

func (b *PermGrant) check() error  { _, err := ParseRole(b.Role); return err }
func (b *PermRevoke) check() error { _, err := ParseRole(b.Role); return err }

// Codes of the permission kinds (not_permitted, in errors.go, is the
// refusal of a sender without a role).
const (
	CodeAlreadyMember Code = "already_member" // perm_grant of a role the address holds
	CodeNotMember     Code = "not_member"     // perm_revoke of a role the address does not hold
	CodeLastAdmin     Code = "last_admin"     // perm_revoke of the chain's last admin
)
