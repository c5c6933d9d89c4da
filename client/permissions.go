package client

import (
	"context"
	"net/http"

	"github.com/cairn-chain/cairn/api/wire"
)

// Permissions returns the chain's account permissions at the tip: the
// admins, and each role's restricted flag, member count and first 100
// members; a longer list has Next (AdminsNext) set, to read the rest with
// PermissionMembers (GET /permissions).
func (c *Client) Permissions(ctx context.Context) (*wire.Permissions, error) {
	return call[wire.Permissions](ctx, c, request{method: http.MethodGet, path: api("/permissions")})
}

// PermissionMembers returns a page of role's members at the tip (role:
// admin, submit, issue or deploy), up to limit, after the address after
// if not empty (GET /permissions/roles/{role}).
func (c *Client) PermissionMembers(ctx context.Context, role string, limit int, after string) (*wire.PermMembersPage, error) {
	seg, err := segment("role", role)
	if err != nil {
		return nil, err
	}
	return call[wire.PermMembersPage](ctx, c, request{method: http.MethodGet, path: api("/permissions/roles/" + seg), query: pageQuery(limit, after)})
}

// AccountPermissions returns what one address may do at the tip: admin or
// not, and for each role whether it is restricted, held and permitted
// (GET /permissions/{address}).
func (c *Client) AccountPermissions(ctx context.Context, address string) (*wire.AccountPermissions, error) {
	seg, err := segment("address", address)
	if err != nil {
		return nil, err
	}
	return call[wire.AccountPermissions](ctx, c, request{method: http.MethodGet, path: api("/permissions/" + seg)})
}
