package api

import (
	"context"
	"net/http"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

const tagOps = "operations"

type healthOut struct{ Body wire.Health }

// registerOps registers the operational routes: health, metrics and the
// OpenAPI document itself.
func (s *Server) registerOps() {
	register(s, route{
		id: "healthz", method: http.MethodGet, path: "/healthz", tag: tagOps,
		summary: "Liveness: 200 while the node serves requests",
	}, func(context.Context, *struct{}) (*healthOut, error) {
		return &healthOut{Body: wire.Health{Status: "ok"}}, nil
	})
	register(s, route{
		id: "metrics", method: http.MethodGet, path: "/metrics", tag: tagOps,
		summary: "Prometheus metrics (text exposition format)",
		desc: "Chain height, reorgs, blocks and txs processed, peers, mempool txs and bytes, hash rate, blocks mined, " +
			"API requests by route and status, request latency, open event streams, and the Go runtime's and process's metrics.",
		ok: &huma.Response{Description: "Metrics in the Prometheus text format",
			Content: map[string]*huma.MediaType{"text/plain": {Schema: &huma.Schema{Type: huma.TypeString}}}},
	}, func(context.Context, *struct{}) (*huma.StreamResponse, error) {
		return &huma.StreamResponse{Body: func(ctx huma.Context) {
			r, w := humago.Unwrap(ctx)
			s.metrics.handler.ServeHTTP(w, r)
		}}, nil
	})
	register(s, route{
		id: "openapi", method: http.MethodGet, path: "/api/v1/openapi.json", tag: tagOps,
		summary: "This OpenAPI 3.1 document",
		ok: &huma.Response{Description: "The OpenAPI document",
			Content: map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{Type: huma.TypeObject}}}},
	}, func(context.Context, *struct{}) (*huma.StreamResponse, error) {
		return &huma.StreamResponse{Body: func(ctx huma.Context) {
			ctx.SetHeader("Content-Type", "application/json")
			ctx.SetStatus(http.StatusOK)
			_, _ = ctx.BodyWriter().Write(s.openapi)
		}}, nil
	})
}
