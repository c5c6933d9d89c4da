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
