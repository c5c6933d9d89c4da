package main

import (
	"strings"
	"testing"

	"github.com/cairn-chain/cairn/core"
)

// TestVoteUsage: cairn vote's usage errors exit 2 before any request (the
// node URL is closed), and adding by address is refused with the reason.
func TestVoteUsage(t *testing.T) {
	closed := closedURL(t)
	key := strings.Repeat("ab", core.PublicKeySize)
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"vote"}, "missing subcommand"},
		{[]string{"vote", "promote", key}, "unknown subcommand"},
		{[]string{"vote", "add"}, "want one KEY_OR_WALLET"},
		{[]string{"vote", "drop", key, key}, "want one KEY_OR_WALLET"},
		{[]string{"vote", "add", key[:62]}, "a public key is 64 hex characters, got 62"},
		{[]string{"vote", "drop", key + "00"}, "a public key is 64 hex characters, got 66"},
		{[]string{"consensus", "extra"}, "unexpected argument"},
	} {
		run(t, nil, "", append(tc.args, "--node", closed)...).want(t, 2, tc.msg)
	}
	// A well-formed key gets as far as the node: here, none.
	if r := run(t, nil, "", "vote", "add", key, "--node", closed, "--token", "x"); r.code != 1 {
		t.Errorf("vote add KEY to a closed port: exit %d, want 1\n%s", r.code, r.stderr)
	}

	f := newFakeNode(t)
	addr := core.PublicKey{1}.Address().Encode("cairn")
	run(t, nil, "", "vote", "add", addr, "--node", f.srv.URL, "--token", "x", "--keystore", t.TempDir()).
		want(t, 2, "a key cannot be recovered from an address")
	run(t, nil, "", "vote", "drop", "nobody", "--node", f.srv.URL, "--token", "x", "--keystore", t.TempDir()).
		want(t, 2, `"nobody" is not a public key (64 hex), an address, or a wallet in the keystore`)
}
