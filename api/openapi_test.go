package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/core"
)

// TestRoutesMatchOpenAPI checks that every route the server serves is in
// openapi.json and every documented operation is served (by the route
// list and by sending each a request), with and without the peer hooks.
func TestRoutesMatchOpenAPI(t *testing.T) {
	hooks := func(c *api.Config) {
		c.AddPeer = func(context.Context, string) error { return nil }
		c.Resolve = func(context.Context) (bool, error) { return false, nil }
	}
	for _, tc := range []struct {
		name string
		cfg  func(*api.Config)
		want []string // routes that must be there
	}{
		{"core", nil, []string{"GET /api/v1/status", "POST /api/v1/txs", "GET /chain", "GET /mine", "GET /metrics", "GET /healthz", "GET /api/v1/openapi.json", "GET /api/v1/events"}},
		{"with peer hooks", hooks, []string{"POST /api/v1/peers", "POST /nodes/register", "GET /nodes/resolve"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1, tc.cfg)
			code, h, body := e.do(http.MethodGet, "/api/v1/openapi.json", nil)
			if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Fatalf("openapi.json: %d %s", code, h.Get("Content-Type"))
			}
			var doc struct {
				OpenAPI string                                `json:"openapi"`
				Paths   map[string]map[string]json.RawMessage `json:"paths"`
			}
			if err := json.Unmarshal(body, &doc); err != nil || doc.OpenAPI != "3.1.0" {
				t.Fatalf("document %q: %v", doc.OpenAPI, err)
			}
			var documented []string
			for path, item := range doc.Paths {
				for method, raw := range item {
					if method == "parameters" {
						continue
					}
					documented = append(documented, strings.ToUpper(method)+" "+path)
					var op struct {
						OperationID string                    `json:"operationId"`
						Responses   map[string]map[string]any `json:"responses"`
						Security    []map[string][]string     `json:"security"`
						RequestBody struct {
							Content map[string]any `json:"content"`
						} `json:"requestBody"`
						Parameters []map[string]json.RawMessage `json:"parameters"`
					}
					if err := json.Unmarshal(raw, &op); err != nil {
						t.Fatal(err)
					}
					if op.OperationID == "" || op.Responses["default"] == nil {
						t.Errorf("%s %s: operationId %q, responses %v", method, path, op.OperationID, op.Responses)
					}
					if method == "post" && op.RequestBody.Content["application/json"] == nil {
						t.Errorf("POST %s documents no JSON request body", path)
					}
				}
			}
			served := e.srv.Routes()
			slices.Sort(documented)
			slices.Sort(served)
			for _, r := range served {
				if !slices.Contains(documented, r) {
					t.Errorf("served but not documented: %s", r)
				}
			}
			for _, r := range documented {
				if !slices.Contains(served, r) {
					t.Errorf("documented but not served: %s", r)
				}
			}
			for _, r := range tc.want {
				if !slices.Contains(served, r) {
					t.Errorf("missing route %s", r)
				}
			}
			// Each documented operation reaches its handler: no 404
			// "no such endpoint" and no 405.
			for _, r := range documented {
				method, path, _ := strings.Cut(r, " ")
				path = strings.NewReplacer("{id}", "1", "{address}", addr(0).Encode(core.DefaultAddressPrefix)).Replace(path)
				var body any
				if method == http.MethodPost {
					body = `{}`
				}
				code, _, resp := e.do(method, path, body, "Last-Event-ID", "not-a-number")
				if code == http.StatusMethodNotAllowed || code == http.StatusNotFound && strings.Contains(string(resp), "no such endpoint") {
					t.Errorf("%s: %d %s", r, code, resp)
				}
			}
		})
	}
}

// TestOpenAPIDocumentsAdminAndErrors spot-checks the document: admin
// operations need the bearer token, errors are problems with a code.
func TestOpenAPIDocumentsAdminAndErrors(t *testing.T) {
	e := newEnv(t, 1, nil)
	var doc map[string]any
	if err := json.Unmarshal(e.srv.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	paths := doc["paths"].(map[string]any)
	sec := func(path, method string) any {
		return paths[path].(map[string]any)[method].(map[string]any)["security"]
	}
	if sec("/mine", "get") == nil || sec("/api/v1/mining", "post") == nil || sec("/api/v1/mining", "get") != nil {
		t.Error("admin operations are not the ones marked with the bearer token")
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	prob, ok := schemas["Problem"].(map[string]any)
	if !ok || prob["properties"].(map[string]any)["code"] == nil {
		t.Errorf("no Problem schema with a code: %v", schemas["Problem"])
	}
	for _, name := range []string{"Status", "TxSubmit", "TxJSON", "Block", "Account", "BlockEvent", "TxEvent", "ReorgEvent"} {
		if schemas[name] == nil {
			t.Errorf("no schema %s", name)
		}
	}
	get := paths["/api/v1/events"].(map[string]any)["get"].(map[string]any)
	if get["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)["text/event-stream"] == nil {
		t.Error("GET /events does not document text/event-stream")
	}
}
