package anchor

import (
	"crypto/ed25519"
	"encoding/hex"
	"testing"

	"github.com/cairn-chain/cairn/consensus/engines"
	"github.com/cairn-chain/cairn/core"
	"github.com/cairn-chain/cairn/internal/testkit"
)

func decodeHeaders(t testing.TB, rc *Receipt) []core.Header {
	t.Helper()
	out := make([]core.Header, len(rc.Headers))
	for i, s := range rc.Headers {
		raw, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		h, err := core.DecodeHeader(raw)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = *h
	}
	return out
}

func engineSeal(t *testing.T, g *core.Genesis, h *core.Header) error {
	e, err := engines.New(g)
	if err != nil {
		t.Fatal(err)
	}
	return e.VerifySeal(h)
}

func testkitKey(i int) testkit.Key { return testkit.NewKey(i) }

func signHeader(h *core.Header, k ed25519.PrivateKey) {
	h.Signature = core.Signature(ed25519.Sign(k, h.SigningBytes()))
}
