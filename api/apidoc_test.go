package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api"
	"github.com/cairn-chain/cairn/api/wire"
)

// TestAPIDocListsEveryRoute checks docs/api.md against the server: every
// served route is in its table, every route of the table is served (the
// devnet's only under `cairn devnet`), and every docs/ file the OpenAPI
// description names exists.
func TestAPIDocListsEveryRoute(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(GET|POST|PUT|PATCH|DELETE) (/[^`]*)`").FindAllStringSubmatch(string(doc), -1) {
		listed = append(listed, m[1]+" "+m[2])
	}
	e := newEnv(t, 1, func(c *api.Config) {
		c.AddPeer = func(context.Context, string) error { return nil }
		c.Resolve = func(context.Context) (bool, error) { return false, nil }
		c.Bans = func() []wire.Ban { return nil }
		c.Allowlist = nopAllowlist{}
	})
	served := e.srv.Routes()
	for _, r := range served {
		if !slices.Contains(listed, r) {
			t.Errorf("served but not in docs/api.md: %s", r)
		}
	}
	for _, r := range listed {
		if !slices.Contains(served, r) && !strings.Contains(r, " /devnet/") {
			t.Errorf("in docs/api.md but not served: %s", r)
		}
	}
	_, _, body := e.do(http.MethodGet, "/api/v1/openapi.json", nil)
	var d struct {
		Info struct{ Description string } `json:"info"`
	}
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	links := regexp.MustCompile(`docs/[A-Za-z0-9_.-]+\.md`).FindAllString(d.Info.Description, -1)
	if len(links) == 0 {
		t.Fatalf("the OpenAPI description names no docs page: %q", d.Info.Description)
	}
	for _, l := range links {
		if _, err := os.Stat(filepath.Join("..", l)); err != nil {
			t.Errorf("the OpenAPI description links to %s: %v", l, err)
		}
	}
}
