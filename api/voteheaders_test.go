package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
)

// TestVoteHeadersRoute: on a proof-of-work chain the listing is empty and
// done at once (next = below = the tip + 1, or the given bound); bad
// parameters are 400 malformed naming the parameter. (The listing of a
// PoA chain: chain.TestVoteHeaders and cmd/cairn's TestEndToEndAnchorPoA.)
func TestVoteHeadersRoute(t *testing.T) {
	e := newEnv(t, 1, nil)
	tip := e.n.Chain.Tip().Height
	for _, tc := range []struct {
		query string
		below uint64
	}{{"", tip + 1}, {"?from=1&below=1", 1}, {"?below=999999", tip + 1}, {"?from=5&below=1", 1}} {
		var out wire.VoteHeaders
		e.get("/api/v1/consensus/votes/headers"+tc.query, &out)
		if out.Headers == nil || len(out.Headers) != 0 || out.Below != tc.below || out.Next != tc.below {
			t.Errorf("%s: %+v, want no headers, below and next %d", tc.query, out, tc.below)
		}
	}
	for _, tc := range []struct{ query, param string }{
		{"?limit=0", "limit"}, {"?limit=101", "limit"}, {"?below=-1", "below"}, {"?from=x", "from"},
	} {
		status, _, body := e.do(http.MethodGet, "/api/v1/consensus/votes/headers"+tc.query, nil)
		var p struct{ Code, Detail string }
		json.Unmarshal(body, &p)
		if status != http.StatusBadRequest || p.Code != "malformed" || !strings.Contains(p.Detail, tc.param) {
			t.Errorf("%s: %d %s, want 400 malformed naming %s", tc.query, status, body, tc.param)
		}
	}
}
