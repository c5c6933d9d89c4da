package api

import (
	"context"
	"net/http"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

const tagPermissions = "permissions"

// restrictable are the roles a genesis may restrict, in the order the
// permission routes list them (admin is always restricted).
var restrictable = []core.Role{core.RoleSubmit, core.RoleIssue, core.RoleDeploy}

// Permissions is what the API reads of the chain's account permissions.
type Permissions interface {
	// PermMembers lists every role membership at the tip, by role then
	// address.
	PermMembers() ([]state.PermMember, error)
	// PermOf returns one address's memberships at the tip.
	PermOf(core.Address) ([]state.PermMember, error)
}

type (
	permissionsOut     struct{ Body wire.Permissions }
	acctPermissionsOut struct{ Body wire.AccountPermissions }
)

func (s *Server) registerPermissions() {
	register(s, route{
		id: "get-permissions", method: http.MethodGet, path: "/api/v1/permissions", tag: tagPermissions,
		summary: "The chain's account permissions at the tip: admins, and each role's restricted flag and members",
		desc: "Restricted flags are fixed by the genesis; members change with perm_grant and perm_revoke txs (sent by admins), " +
			"effective from the block after the one holding them. A sender without a restricted role gets 403 not_permitted.",
	}, s.getPermissions)
	register(s, route{
		id: "get-account-permissions", method: http.MethodGet, path: "/api/v1/permissions/{address}", tag: tagPermissions,
		summary: "What one address may do: admin or not, and for each role whether it is restricted, held and permitted",
		desc: "Read at the tip: a grant or revoke takes effect from the block after the one holding it. " +
			"On a chain without permissions everything is permitted and nobody is an admin.",
		errs: []int{http.StatusBadRequest},
	}, s.getAccountPermissions)
}

func (s *Server) getAccountPermissions(_ context.Context, in *addressPath) (*acctPermissionsOut, error) {
	a, err := s.parseAddress(in.Address)
	if err != nil {
		return nil, err
	}
	tip := s.cfg.Backend.Chain.Tip()
	p := s.cfg.Genesis.Permissions
	out := wire.AccountPermissions{Address: a.Encode(s.prefix), Height: tip.Height, Hash: tip.Hash.String(), Enabled: p != nil, Roles: []wire.AccountRole{}}
	since := map[core.Role]uint64{}
	if p != nil {
		if s.cfg.Backend.Permissions == nil {
			return nil, problem(wire.CodeUnavailable, "this node does not serve its permission records")
		}
		ms, err := s.cfg.Backend.Permissions.PermOf(a)
		if err != nil {
			return nil, s.fail(err)
		}
		for _, m := range ms {
			since[m.Role] = m.Height
		}
	}
	if h, ok := since[core.RoleAdmin]; ok {
		out.Admin, out.AdminSince = true, &h
	}
	for _, r := range restrictable {
		ar := wire.AccountRole{Role: r.String(), Restricted: p.Restricted(r)}
		if h, ok := since[r]; ok {
			ar.Member, ar.Since = true, &h
		}
		ar.Permitted = !ar.Restricted || ar.Member || out.Admin
		out.Roles = append(out.Roles, ar)
	}
	return &acctPermissionsOut{Body: out}, nil
}

func (s *Server) getPermissions(context.Context, *struct{}) (*permissionsOut, error) {
	tip := s.cfg.Backend.Chain.Tip()
	p := s.cfg.Genesis.Permissions
	out := wire.Permissions{Height: tip.Height, Hash: tip.Hash.String(), Enabled: p != nil, Admins: []wire.PermMember{}, Roles: []wire.PermRole{}}
	byRole := map[core.Role][]wire.PermMember{}
	if p != nil {
		if s.cfg.Backend.Permissions == nil {
			return nil, problem(wire.CodeUnavailable, "this node does not serve its permission records")
		}
		ms, err := s.cfg.Backend.Permissions.PermMembers()
		if err != nil {
			return nil, s.fail(err)
		}
		for _, m := range ms {
			byRole[m.Role] = append(byRole[m.Role], wire.PermMember{Address: m.Address.Encode(s.prefix), Since: m.Height})
		}
	}
	if ms := byRole[core.RoleAdmin]; ms != nil {
		out.Admins = ms
	}
	for _, r := range restrictable {
		ms := byRole[r]
		if ms == nil {
			ms = []wire.PermMember{}
		}
		out.Roles = append(out.Roles, wire.PermRole{Role: r.String(), Restricted: p.Restricted(r), Members: ms})
	}
	return &permissionsOut{Body: out}, nil
}
