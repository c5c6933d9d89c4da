package client

import (
	"context"
	"net/http"
	"strconv"

	"github.com/cairn-chain/cairn/api/wire"
)

// VoteHeaders returns a page of the main chain's headers that carry a
// vote, from height from below height below (GET
// /consensus/votes/headers): ask again from the answer's Next until it
// equals its Below.
func (c *Client) VoteHeaders(ctx context.Context, from, below uint64) (*wire.VoteHeaders, error) {
	q := limitQuery(100)
	q.Set("from", strconv.FormatUint(from, 10))
	q.Set("below", strconv.FormatUint(below, 10))
	return call[wire.VoteHeaders](ctx, c, request{method: http.MethodGet, path: api("/consensus/votes/headers"), query: q})
}
