package api

import (
	"context"
	"net/http"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/state"
)

const tagPermissions = "permissions"

// Permissions is what the API reads of the chain's account permissions.
type Permissions interface {
	// PermMembers lists every role membership at the tip, by role then
	// address.
	PermMembers() ([]state.PermMember, error)
}

type permissionsOut struct{ Body wire.Permissions }

func (s *Server) registerPermissions() {
	register(s, route{
		id: "get-permissions", method: http.MethodGet, path: "/api/v1/permissions", tag: tagPermissions,
		summary: "The chain's account permissions at the tip: admins, and each role's restricted flag and members",
		desc: "Restricted flags are fixed by the genesis; members change with perm_grant and perm_revoke txs (sent by admins), " +
			"effective from the block after the one holding them. A sender without a restricted role gets 403 not_permitted.",
	}, s.getPermissions)
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
	for _, r := range []core.Role{core.RoleSubmit, core.RoleIssue, core.RoleDeploy} {
		ms := byRole[r]
		if ms == nil {
			ms = []wire.PermMember{}
		}
		out.Roles = append(out.Roles, wire.PermRole{Role: r.String(), Restricted: p.Restricted(r), Members: ms})
	}
	return &permissionsOut{Body: out}, nil
}
