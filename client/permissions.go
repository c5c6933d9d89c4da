package client

import (
	"context"
	"net/http"

	"github.com/cairn-chain/cairn/api/wire"
)

// Permissions returns the chain's account permissions at the tip: the
// admins, and each role's restricted flag and members (GET /permissions).
func (c *Client) Permissions(ctx context.Context) (*wire.Permissions, error) {
	return call[wire.Permissions](ctx, c, request{method: http.MethodGet, path: api("/permissions")})
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
