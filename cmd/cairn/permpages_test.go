package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
)

// TestAllPermMembersStraddle: a listing whose pages come from two tips is
// read again from the start; one that straddles on every attempt is
// returned after three with a warning, and a steady one without.
func TestAllPermMembersStraddle(t *testing.T) {
	for _, c := range []struct {
		name     string
		moving   int // readings (of two pages each) whose second page is at a new tip
		requests int64
		warned   bool
	}{
		{"steady", 0, 2, false},
		{"moved once", 1, 4, false},
		{"always moving", 100, 6, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var calls atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				reading := int((n - 1) / 2)
				pg := wire.PermMembersPage{Enabled: true, Role: "submit", Restricted: true, Count: 2, Height: 7, Hash: "aa"}
				if r.URL.Query().Get("after") == "" {
					pg.Members, pg.Next = []wire.PermMember{{Address: "cairn1first"}}, "cairn1first"
				} else {
					pg.Members = []wire.PermMember{{Address: "cairn1second"}}
					if reading < c.moving {
						pg.Height, pg.Hash = 8, fmt.Sprintf("b%d", reading)
					}
				}
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(pg)
			}))
			defer srv.Close()
			var warn bytes.Buffer
			pg, err := allPermMembers(context.Background(), client.New(srv.URL), "submit", &warn)
			if err != nil {
				t.Fatal(err)
			}
			if len(pg.Members) != 2 || pg.Members[1].Address != "cairn1second" || pg.Next != "" {
				t.Fatalf("members %+v next %q", pg.Members, pg.Next)
			}
			if calls.Load() != c.requests {
				t.Errorf("%d requests, want %d", calls.Load(), c.requests)
			}
			if got := strings.Contains(warn.String(), "blocks kept landing"); got != c.warned {
				t.Errorf("warning %q, want one: %v", warn.String(), c.warned)
			}
		})
	}
}
