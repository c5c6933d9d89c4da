package client

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/cairn-chain/cairn/api/wire"
)

// Genesis returns the chain's genesis document (GET /genesis), as the node
// serves it: check it with core.ParseGenesis and its hash against
// Status's genesis.
func (c *Client) Genesis(ctx context.Context) (json.RawMessage, error) {
	raw, err := call[json.RawMessage](ctx, c, request{method: http.MethodGet, path: api("/genesis")})
	if err != nil {
		return nil, err
	}
	return *raw, nil
}

// TopicAnchors returns a page of the anchors under topic in chain order,
// up to limit, after the tx id after if not empty (GET /anchors?topic=).
func (c *Client) TopicAnchors(ctx context.Context, topic string, limit int, after string) (*wire.Anchors, error) {
	q := pageQuery(limit, after)
	q.Set("topic", topic)
	return call[wire.Anchors](ctx, c, request{method: http.MethodGet, path: api("/anchors"), query: q})
}
