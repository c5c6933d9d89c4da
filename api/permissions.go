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
	// PermPage lists role r's members at the tip in address order after
	// the address after (nil: from the first), at most limit; more: others
	// follow; count: the role's member count.
	PermPage(r core.Role, after *core.Address, limit int) (ms []state.PermMember, count uint64, more bool, err error)
	// PermOf returns one address's memberships at the tip.
	PermOf(core.Address) ([]state.PermMember, error)
}

type (
	permissionsIn struct {
		Limit int `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"Most members listed per role (and admins); a longer list says next, to page with GET /api/v1/permissions/roles/{role}"`
	}
	permissionsOut struct{ Body wire.Permissions }
	permRoleIn     struct {
		Role  string `path:"role" enum:"admin,submit,issue,deploy" doc:"The role"`
		Limit int    `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"Members per page"`
		After string `query:"after" doc:"Cursor: the next of the previous page (an address)"`
	}
	permRoleOut        struct{ Body wire.PermMembersPage }
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
		id: "get-permission-role", method: http.MethodGet, path: "/api/v1/permissions/roles/{role}", tag: tagPermissions,
		summary: "One page of a role's members at the tip, in address order",
		desc:    "For lists longer than GET /api/v1/permissions shows: follow next as after until it is absent.",
		errs:    []int{http.StatusBadRequest},
	}, s.getPermissionRole)
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

func (s *Server) getPermissions(_ context.Context, in *permissionsIn) (*permissionsOut, error) {
	tip := s.cfg.Backend.Chain.Tip()
	p := s.cfg.Genesis.Permissions
	out := wire.Permissions{Height: tip.Height, Hash: tip.Hash.String(), Enabled: p != nil, Roles: []wire.PermRole{}}
	pg, err := s.permPage(core.RoleAdmin, nil, in.Limit)
	if err != nil {
		return nil, err
	}
	out.Admins, out.AdminsCount, out.AdminsNext = pg.Members, pg.Count, pg.Next
	for _, r := range restrictable {
		pg, err := s.permPage(r, nil, in.Limit)
		if err != nil {
			return nil, err
		}
		out.Roles = append(out.Roles, wire.PermRole{Role: r.String(), Restricted: p.Restricted(r), Members: pg.Members, Count: pg.Count, Next: pg.Next})
	}
	return &permissionsOut{Body: out}, nil
}

func (s *Server) getPermissionRole(_ context.Context, in *permRoleIn) (*permRoleOut, error) {
	r, err := core.ParseRole(in.Role)
	if err != nil {
		return nil, s.fail(err)
	}
	after, err := s.parseAfter(in.After)
	if err != nil {
		return nil, err
	}
	tip := s.cfg.Backend.Chain.Tip()
	p := s.cfg.Genesis.Permissions
	pg, err := s.permPage(r, after, in.Limit)
	if err != nil {
		return nil, err
	}
	pg.Height, pg.Hash, pg.Enabled, pg.Role, pg.Restricted = tip.Height, tip.Hash.String(), p != nil, r.String(), p.Restricted(r)
	return &permRoleOut{Body: pg}, nil
}

// permPage reads one page of role r's members: Members, Count and Next
// (none on a chain without permissions).
func (s *Server) permPage(r core.Role, after *core.Address, limit int) (wire.PermMembersPage, error) {
	pg := wire.PermMembersPage{Members: []wire.PermMember{}}
	if s.cfg.Genesis.Permissions == nil {
		return pg, nil
	}
	if s.cfg.Backend.Permissions == nil {
		return pg, problem(wire.CodeUnavailable, "this node does not serve its permission records")
	}
	ms, count, more, err := s.cfg.Backend.Permissions.PermPage(r, after, limit)
	if err != nil {
		return pg, s.fail(err)
	}
	pg.Count = count
	for _, m := range ms {
		pg.Members = append(pg.Members, wire.PermMember{Address: m.Address.Encode(s.prefix), Since: m.Height})
	}
	if more && len(ms) > 0 {
		pg.Next = ms[len(ms)-1].Address.Encode(s.prefix)
	}
	return pg, nil
}
