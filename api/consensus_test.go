package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/core"
)

// TestConsensusOnPoW: a proof-of-work chain shows its engine with the
// tip's bits and difficulty, no signers; /status says pow; votes are
// refused with 409 not_voting, malformed ones with 400 first, and without
// the token with 401.
func TestConsensusOnPoW(t *testing.T) {
	e := newEnv(t, 1, nil)
	status, _, body := e.do(http.MethodGet, "/api/v1/consensus", nil)
	if status != http.StatusOK {
		t.Fatalf("GET /consensus: %d %s", status, body)
	}
	var c wire.Consensus
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	tip := e.n.Chain.Tip()
	if c.Engine != wire.EnginePoW || c.Height != tip.Height || c.Hash != tip.Hash.String() || !strings.HasPrefix(c.Bits, "0x") || c.Difficulty <= 0 {
		t.Errorf("GET /consensus on PoW: %+v", c)
	}
	if c.Signers != nil || c.InTurn != nil || c.PeriodMs != 0 || strings.Contains(string(body), "signers") {
		t.Errorf("GET /consensus on PoW shows PoA fields: %s", body)
	}
	var st wire.Status
	_, _, body = e.do(http.MethodGet, "/api/v1/status", nil)
	if err := json.Unmarshal(body, &st); err != nil || st.Consensus != wire.EnginePoW || st.Difficulty <= 0 {
		t.Errorf("GET /status: consensus %q difficulty %v (%v)", st.Consensus, st.Difficulty, err)
	}

	k := key(3).Pub.String()
	for _, tc := range []struct {
		name   string
		body   any
		header []string
		status int
		code   string
	}{
		{"no token", wire.VoteRequest{Signer: k, Add: true}, nil, http.StatusUnauthorized, wire.CodeUnauthorized},
		{"pow chain", wire.VoteRequest{Signer: k, Add: true}, admin, http.StatusConflict, wire.CodeNotVoting},
		{"pow chain, drop", wire.VoteRequest{Signer: k}, admin, http.StatusConflict, wire.CodeNotVoting},
		{"short key", wire.VoteRequest{Signer: k[:62], Add: true}, admin, http.StatusBadRequest, string(core.CodeMalformed)},
		{"not hex", wire.VoteRequest{Signer: strings.Repeat("zz", 32), Add: true}, admin, http.StatusBadRequest, string(core.CodeMalformed)},
		{"no signer", map[string]any{"add": true}, admin, http.StatusBadRequest, string(core.CodeMalformed)},
		{"unknown field", map[string]any{"signer": k, "add": true, "weight": 2}, admin, http.StatusBadRequest, string(core.CodeMalformed)},
		{"both", wire.VoteRequest{Signer: k, Address: addr(3).Encode(e.n.Genesis.AddressPrefix)}, admin, http.StatusBadRequest, string(core.CodeMalformed)},
		{"add by address", wire.VoteRequest{Address: addr(3).Encode(e.n.Genesis.AddressPrefix), Add: true}, admin, http.StatusBadRequest, string(core.CodeMalformed)},
		{"drop by address", wire.VoteRequest{Address: addr(3).Encode(e.n.Genesis.AddressPrefix)}, admin, http.StatusConflict, wire.CodeNotVoting},
		{"bad address", wire.VoteRequest{Address: "nope"}, admin, http.StatusBadRequest, string(core.CodeMalformed)},
	} {
		status, _, body := e.do(http.MethodPost, "/api/v1/consensus/votes", tc.body, tc.header...)
		p := problemOf(t, body)
		if status != tc.status || p.Code != tc.code || p.Detail == "" {
			t.Errorf("%s: POST /consensus/votes answered %d %+v, want %d %s", tc.name, status, p, tc.status, tc.code)
		}
		if tc.code == wire.CodeNotVoting && !strings.Contains(p.Detail, "proof-of-work") {
			t.Errorf("%s: the refusal does not say why: %q", tc.name, p.Detail)
		}
	}
}
